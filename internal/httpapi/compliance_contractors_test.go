package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// ccDay is the London date offset days from today.
func ccDay(offset int) string {
	return time.Now().In(ukcalendar.London).AddDate(0, 0, offset).Format(time.DateOnly)
}

// TestContractorCompliance: Gas Safe and NICEIC numbers are validated and stored; gas work
// goes only to a currently Gas Safe registered company and no work to one whose insurance
// lapsed; an ADMIN may override with a reason, recorded on the timeline; a COORDINATOR
// may not.
func TestContractorCompliance(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Compliance Lets", testsupport.EstateOptions{Reference: testsupport.Marker("CC")})
	admin, coord := e.Admin, e.Coordinator

	company := func(t *testing.T, fields map[string]any) uuid.UUID {
		t.Helper()
		body := map[string]any{"companyName": "Compliance " + testsupport.Marker("Co"), "email": strings.ToLower(testsupport.Marker("cc")) + "@example.com", "trades": []string{"HVAC", "PLUMBING"}}
		for k, v := range fields {
			body[k] = v
		}
		return mxOKID(t, admin.With(t).Post("/api/v1/contractors", body), http.StatusCreated)
	}
	ticket := func(t *testing.T, category, title string) uuid.UUID {
		t.Helper()
		return testsupport.CreateTicket(t, admin, map[string]any{"unitId": e.UnitID, "title": title, "category": category}).ID
	}
	raise := func(c *testsupport.Client, ticketID, contractorID uuid.UUID, extra map[string]any) *testsupport.Response {
		body := map[string]any{"ticketId": ticketID, "contractorId": contractorID, "description": "Please attend"}
		for k, v := range extra {
			body[k] = v
		}
		return c.With(t).Post("/api/v1/work-orders", body)
	}

	t.Run("numbers are validated and normalised", func(t *testing.T) {
		t.Parallel()
		var c contractors.Contractor
		testsupport.ExpectOK(t, admin.With(t).Post("/api/v1/contractors", map[string]any{
			"companyName": "Heat Right Ltd", "email": "heat@example.com", "gasSafeNumber": " 123 456 ", "gasSafeExpiresOn": "2027-05-31", "niceicNumber": "d12-3456",
		}), http.StatusCreated, &c)
		if c.GasSafeNumber != "123456" || c.GasSafeExpiresOn == nil || *c.GasSafeExpiresOn != "2027-05-31" || c.NiceicNumber != "D123456" {
			t.Fatalf("stored %+v", c)
		}
		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"gas safe 5 digits", map[string]any{"gasSafeNumber": "12345"}, "gasSafeNumber"},
			{"gas safe 8 digits", map[string]any{"gasSafeNumber": "12345678"}, "gasSafeNumber"},
			{"gas safe letters", map[string]any{"gasSafeNumber": "GS12345"}, "gasSafeNumber"},
			{"gas safe expiry not a date", map[string]any{"gasSafeExpiresOn": "2027-02-30"}, "gasSafeExpiresOn"},
			{"niceic too short", map[string]any{"niceicNumber": "D12"}, "niceicNumber"},
			{"niceic punctuation", map[string]any{"niceicNumber": "D123/456"}, "niceicNumber"},
		} {
			testsupport.ExpectFailure(t, admin.With(t).Patch("/api/v1/contractors/"+c.ID.String(), tc.body), http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
			body := map[string]any{"companyName": "Bad " + tc.name, "email": "bad@example.com"}
			for k, v := range tc.body {
				body[k] = v
			}
			testsupport.ExpectFailure(t, admin.With(t).Post("/api/v1/contractors", body), http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
		}
		// A patch changes only what it sends; "" clears.
		var got contractors.Contractor
		testsupport.ExpectOK(t, coord.With(t).Patch("/api/v1/contractors/"+c.ID.String(), map[string]any{"gasSafeNumber": "7654321", "niceicNumber": ""}), http.StatusOK, &got)
		if got.GasSafeNumber != "7654321" || got.NiceicNumber != "" || got.GasSafeExpiresOn == nil || *got.GasSafeExpiresOn != "2027-05-31" {
			t.Fatalf("patched %+v", got)
		}
		testsupport.ExpectOK(t, coord.With(t).Patch("/api/v1/contractors/"+c.ID.String(), map[string]any{"gasSafeExpiresOn": ""}), http.StatusOK, &got)
		if got.GasSafeExpiresOn != nil || got.GasSafeNumber != "7654321" {
			t.Fatalf("cleared expiry %+v", got)
		}
		// On the contractor's timeline.
		var events []struct {
			Action string          `json:"action"`
			After  json.RawMessage `json:"after"`
		}
		testsupport.ExpectOK(t, admin.With(t).Get("/api/v1/timeline?entity=contractor&id="+c.ID.String()), http.StatusOK, &events)
		if !slices.ContainsFunc(events, func(ev struct {
			Action string          `json:"action"`
			After  json.RawMessage `json:"after"`
		}) bool {
			return ev.Action == "updated" && strings.Contains(string(ev.After), `"gasSafeNumber":"7654321"`)
		}) {
			t.Fatalf("no timeline update with the Gas Safe number: %+v", events)
		}
	})

	t.Run("other organisations' contractors answer 404", func(t *testing.T) {
		t.Parallel()
		other := app.NewEstate(t, "Compliance Elsewhere", testsupport.EstateOptions{Reference: testsupport.Marker("CX")})
		testsupport.ExpectFailure(t, other.Admin.With(t).Patch("/api/v1/contractors/"+e.ContractorID.String(), map[string]any{"gasSafeNumber": "123456"}), http.StatusNotFound, apperr.NotFound)
		testsupport.ExpectFailure(t, other.Admin.With(t).Get("/api/v1/contractors/"+e.ContractorID.String()), http.StatusNotFound, apperr.NotFound)
		var c contractors.Contractor
		testsupport.ExpectOK(t, admin.With(t).Get("/api/v1/contractors/"+e.ContractorID.String()), http.StatusOK, &c)
		if c.GasSafeNumber != "" {
			t.Fatalf("another organisation changed the Gas Safe number: %+v", c)
		}
	})

	t.Run("dispatch refusals", func(t *testing.T) {
		t.Parallel()
		insured := map[string]any{"insuranceExpiresOn": ccDay(60)}
		gasSafe := map[string]any{"insuranceExpiresOn": ccDay(60), "gasSafeNumber": "1234567", "gasSafeExpiresOn": ccDay(60)}
		with := func(base map[string]any, k string, v any) map[string]any {
			m := map[string]any{k: v}
			for bk, bv := range base {
				if bk != k {
					m[bk] = bv
				}
			}
			return m
		}
		for _, tc := range []struct {
			name            string
			contractor      map[string]any
			category, title string
			refusal         string // "" when raised
			warning         string
		}{
			{"gas work without a number", insured, "HVAC", "Radiators cold", "no Gas Safe number on record", ""},
			{"gas work by the title", insured, "OTHER", "Boiler pressure low", "no Gas Safe number on record", ""},
			{"gas work without an expiry", with(insured, "gasSafeNumber", "123456"), "HVAC", "No heating", "no registration expiry date", ""},
			{"expired Gas Safe", with(gasSafe, "gasSafeExpiresOn", ccDay(-1)), "HVAC", "No heating", "expired on " + ccDay(-1), ""},
			{"lapsed insurance", with(insured, "insuranceExpiresOn", ccDay(-1)), "PLUMBING", "Dripping tap", "insurance lapsed on " + ccDay(-1), ""},
			{"lapsed insurance, gas safe", with(gasSafe, "insuranceExpiresOn", ccDay(-30)), "HVAC", "No heating", "insurance lapsed", ""},
			{"unknown insurance warns", map[string]any{}, "PLUMBING", "Dripping tap", "", "no insurance expiry date on record"},
			{"Gas Safe expiring today", with(gasSafe, "gasSafeExpiresOn", ccDay(0)), "HVAC", "No heating", "", ""},
			{"all fine, gas", gasSafe, "HVAC", "Boiler not firing", "", ""},
			{"all fine, not gas", insured, "PLUMBING", "Dripping tap", "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := company(t, tc.contractor)
				tk := ticket(t, tc.category, tc.title)
				r := raise(coord, tk, c, nil)
				if tc.refusal != "" {
					f := testsupport.ExpectFailure(t, r, http.StatusUnprocessableEntity, apperr.Invalid, "contractorId")
					if !slices.ContainsFunc(f.Fields, func(fe apperr.FieldError) bool {
						return fe.Field == "contractorId" && strings.Contains(fe.Message, tc.refusal) && strings.Contains(fe.Message, "ADMIN may override")
					}) {
						t.Fatalf("refusal %+v, want one saying %q", f.Fields, tc.refusal)
					}
					if n := len(testsupport.All[testsupport.Row](t, admin.With(t), "/api/v1/work-orders?ticketId="+tk.String())); n != 0 {
						t.Fatalf("a refused raise left %d work orders", n)
					}
					return
				}
				var wo workorders.WorkOrder
				testsupport.ExpectOK(t, r, http.StatusCreated, &wo)
				if tc.warning == "" && len(wo.Warnings) != 0 || tc.warning != "" && (len(wo.Warnings) != 1 || !strings.Contains(wo.Warnings[0], tc.warning)) {
					t.Fatalf("warnings %q, want %q", wo.Warnings, tc.warning)
				}
			})
		}
	})

	t.Run("override", func(t *testing.T) {
		t.Parallel()
		lapsed := company(t, map[string]any{"insuranceExpiresOn": ccDay(-3)})
		tk := ticket(t, "HVAC", "Boiler not firing")
		// A COORDINATOR may not override, with or without a reason.
		testsupport.ExpectFailure(t, raise(coord, tk, lapsed, map[string]any{"override": true, "overrideReason": "Emergency, no one else"}), http.StatusForbidden, apperr.Forbidden)
		// An ADMIN must say why.
		testsupport.ExpectFailure(t, raise(admin, tk, lapsed, map[string]any{"override": true}), http.StatusUnprocessableEntity, apperr.Invalid, "overrideReason")
		testsupport.ExpectFailure(t, raise(admin, tk, lapsed, map[string]any{"override": true, "overrideReason": "   "}), http.StatusUnprocessableEntity, apperr.Invalid, "overrideReason")
		// Without override an ADMIN is refused like anyone.
		testsupport.ExpectFailure(t, raise(admin, tk, lapsed, nil), http.StatusUnprocessableEntity, apperr.Invalid, "contractorId")

		var wo workorders.WorkOrder
		testsupport.ExpectOK(t, raise(admin, tk, lapsed, map[string]any{"override": true, "overrideReason": "  Renewal certificate seen by phone  "}), http.StatusCreated, &wo)
		var recorded struct {
			ContractorID uuid.UUID `json:"contractorId"`
			Overridden   []string  `json:"overridden"`
			Reason       string    `json:"reason"`
		}
		found := false
		for _, ev := range testsupport.GetTicket(t, admin, tk).Timeline {
			if ev.EntityType == "work_order" && ev.EntityID == wo.ID && ev.Action == "compliance_overridden" {
				found = true
				if err := json.Unmarshal(ev.After, &recorded); err != nil {
					t.Fatal(err)
				}
				if ev.ActorRole != "ADMIN" {
					t.Fatalf("override recorded as %q", ev.ActorRole)
				}
			}
		}
		if !found || recorded.ContractorID != lapsed || recorded.Reason != "Renewal certificate seen by phone" || len(recorded.Overridden) != 2 ||
			!strings.Contains(recorded.Overridden[0], "no Gas Safe number") || !strings.Contains(recorded.Overridden[1], "insurance lapsed on "+ccDay(-3)) {
			t.Fatalf("override on the timeline: found %v, %+v", found, recorded)
		}

		// Overriding when nothing is refused records no override.
		fine := company(t, map[string]any{"insuranceExpiresOn": ccDay(30)})
		plain := ticket(t, "PLUMBING", "Dripping tap")
		testsupport.ExpectOK(t, raise(admin, plain, fine, map[string]any{"override": true, "overrideReason": "Just in case"}), http.StatusCreated, &wo)
		for _, ev := range testsupport.GetTicket(t, admin, plain).Timeline {
			if ev.Action == "compliance_overridden" {
				t.Fatalf("an override with nothing to override was recorded: %+v", ev)
			}
		}
	})
}
