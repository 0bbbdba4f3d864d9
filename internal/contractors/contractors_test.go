package contractors_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestContractors covers creating, validating, patching and filtering contractor companies.
func TestContractors(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	// An organisation with no CONTRACTOR member, so its list holds only what this test adds.
	admin := app.Register("Contractor Co")
	coordinator := app.AddMember(admin, access.Coordinator)

	get := func(t *testing.T, id uuid.UUID) contractors.Contractor {
		t.Helper()
		var c contractors.Contractor
		testsupport.ExpectOK(t, admin.Get("/api/v1/contractors/"+id.String()), http.StatusOK, &c)
		return c
	}

	var plumber contractors.Contractor
	t.Run("create normalises", func(t *testing.T) {
		testsupport.ExpectOK(t, coordinator.Post("/api/v1/contractors", map[string]any{
			"companyName": "  Pipe Dreams Ltd ", "trades": []string{"plumbing", " Hvac", "PLUMBING"},
			"email": " Office@PipeDreams.co.uk ", "phone": "07911 123456", "insuranceExpiresOn": "2027-03-31",
			"notes": "Out of hours on request",
		}), http.StatusCreated, &plumber)
		if plumber.CompanyName != "Pipe Dreams Ltd" || !slices.Equal(plumber.Trades, []string{"PLUMBING", "HVAC"}) ||
			plumber.Email != "office@pipedreams.co.uk" || plumber.Phone != "+447911123456" ||
			plumber.InsuranceExpiresOn == nil || *plumber.InsuranceExpiresOn != "2027-03-31" ||
			plumber.Notes != "Out of hours on request" || !plumber.Active || plumber.ID == uuid.Nil {
			t.Fatalf("created %+v", plumber)
		}
		if got := get(t, plumber.ID); got.Phone != "+447911123456" || !slices.Equal(got.Trades, plumber.Trades) || !got.CreatedAt.Equal(plumber.CreatedAt) {
			t.Fatalf("get %+v, want %+v", got, plumber)
		}
		// Phone forms that mean the same number.
		for _, phone := range []string{"+44 7911 123456", "(07911) 123-456", "447911123456"} {
			var c contractors.Contractor
			testsupport.ExpectOK(t, admin.Post("/api/v1/contractors", map[string]any{"companyName": "Same Number", "email": "same@example.com", "phone": phone}), http.StatusCreated, &c)
			if c.Phone != "+447911123456" {
				t.Fatalf("phone %q stored as %q", phone, c.Phone)
			}
			testsupport.ExpectOK(t, admin.Patch("/api/v1/contractors/"+c.ID.String(), map[string]any{"active": false}), http.StatusOK, nil)
		}
		// Everything optional left out.
		var bare contractors.Contractor
		testsupport.ExpectOK(t, admin.Post("/api/v1/contractors", map[string]any{"companyName": "Bare Ltd", "email": "bare@example.com"}), http.StatusCreated, &bare)
		if bare.Trades == nil || len(bare.Trades) != 0 || bare.Phone != "" || bare.InsuranceExpiresOn != nil || !bare.Active {
			t.Fatalf("bare contractor %+v", bare)
		}
		testsupport.ExpectOK(t, admin.Patch("/api/v1/contractors/"+bare.ID.String(), map[string]any{"active": false}), http.StatusOK, nil)
	})

	t.Run("create validation", func(t *testing.T) {
		cases := []struct {
			name   string
			change map[string]any
			field  string
		}{
			{"unknown trade", map[string]any{"trades": []string{"PLUMBING", "CARPENTRY"}}, "trades"},
			{"blank trade", map[string]any{"trades": []string{""}}, "trades"},
			{"too many trades", map[string]any{"trades": slices.Repeat([]string{"HVAC"}, 11)}, "trades"},
			{"trades not an array", map[string]any{"trades": "PLUMBING"}, "trades"},
			{"invalid phone", map[string]any{"phone": "12345"}, "phone"},
			{"phone too short", map[string]any{"phone": "+44 20 1234"}, "phone"},
			{"phone not a number", map[string]any{"phone": "call the office"}, "phone"},
			{"insurance in UK order", map[string]any{"insuranceExpiresOn": "31/03/2027"}, "insuranceExpiresOn"},
			{"insurance on a missing day", map[string]any{"insuranceExpiresOn": "2027-02-30"}, "insuranceExpiresOn"},
			{"insurance not a date", map[string]any{"insuranceExpiresOn": "soon"}, "insuranceExpiresOn"},
			{"insurance with a time", map[string]any{"insuranceExpiresOn": "2027-03-31T00:00:00Z"}, "insuranceExpiresOn"},
			{"missing email", map[string]any{"email": nil}, "email"},
			{"invalid email", map[string]any{"email": "not-an-email"}, "email"},
			{"email with a name", map[string]any{"email": "Pipe <pipe@example.com>"}, "email"},
			{"missing companyName", map[string]any{"companyName": nil}, "companyName"},
			{"blank companyName", map[string]any{"companyName": "   "}, "companyName"},
			{"notes too long", map[string]any{"notes": strings.Repeat("n", 2001)}, "notes"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				body := map[string]any{"companyName": "Refused " + tc.name, "email": "refused@example.com"}
				for k, v := range tc.change {
					if v == nil {
						delete(body, k)
					} else {
						body[k] = v
					}
				}
				testsupport.ExpectFailure(t, admin.Post("/api/v1/contractors", body), http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
			})
		}
		for _, c := range testsupport.All[contractors.Contractor](t, admin, "/api/v1/contractors") {
			if strings.HasPrefix(c.CompanyName, "Refused") {
				t.Fatalf("refused contractor exists: %+v", c)
			}
		}
	})

	var sparks contractors.Contractor
	t.Run("patch", func(t *testing.T) {
		testsupport.ExpectOK(t, admin.Post("/api/v1/contractors", map[string]any{
			"companyName": "Bright Sparks", "trades": []string{"ELECTRICAL"}, "email": "bright@example.com",
			"phone": "020 7946 0018", "insuranceExpiresOn": "2026-12-31",
		}), http.StatusCreated, &sparks)
		if sparks.Phone != "+442079460018" {
			t.Fatalf("landline stored as %q", sparks.Phone)
		}
		want := sparks
		steps := []struct {
			name  string
			patch map[string]any
			apply func(c *contractors.Contractor)
		}{
			{"deactivate", map[string]any{"active": false}, func(c *contractors.Contractor) { c.Active = false }},
			{"trades replaced and normalised", map[string]any{"trades": []string{"electrical", "APPLIANCE"}}, func(c *contractors.Contractor) {
				c.Trades = []string{"ELECTRICAL", "APPLIANCE"}
			}},
			{"phone normalised", map[string]any{"phone": "07911 123456"}, func(c *contractors.Contractor) { c.Phone = "+447911123456" }},
			{"insurance moved", map[string]any{"insuranceExpiresOn": "2028-01-15"}, func(c *contractors.Contractor) {
				d := "2028-01-15"
				c.InsuranceExpiresOn = &d
			}},
			{"insurance cleared", map[string]any{"insuranceExpiresOn": ""}, func(c *contractors.Contractor) { c.InsuranceExpiresOn = nil }},
			{"phone cleared", map[string]any{"phone": ""}, func(c *contractors.Contractor) { c.Phone = "" }},
			{"nothing", map[string]any{}, func(*contractors.Contractor) {}},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				s.apply(&want)
				var got contractors.Contractor
				testsupport.ExpectOK(t, coordinator.Patch("/api/v1/contractors/"+sparks.ID.String(), s.patch), http.StatusOK, &got)
				for _, c := range []contractors.Contractor{got, get(t, sparks.ID)} {
					if !sameContractorFields(c, want) {
						t.Fatalf("contractor %+v, want %+v", c, want)
					}
				}
			})
		}
		for _, tc := range []struct {
			name  string
			patch map[string]any
			field string
		}{
			{"invalid phone", map[string]any{"phone": "999", "companyName": "Renamed"}, "phone"},
			{"invalid insurance date", map[string]any{"insuranceExpiresOn": "2028-13-01"}, "insuranceExpiresOn"},
			{"unknown trade", map[string]any{"trades": []string{"ROOFING"}}, "trades"},
			{"blank companyName", map[string]any{"companyName": ""}, "companyName"},
			{"invalid email", map[string]any{"email": "nope"}, "email"},
		} {
			t.Run("refused: "+tc.name, func(t *testing.T) {
				testsupport.ExpectFailure(t, admin.Patch("/api/v1/contractors/"+sparks.ID.String(), tc.patch), http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
				if got := get(t, sparks.ID); !sameContractorFields(got, want) {
					t.Fatalf("refused patch changed the contractor: %+v, want %+v", got, want)
				}
			})
		}
		t.Run("reactivate", func(t *testing.T) {
			var got contractors.Contractor
			testsupport.ExpectOK(t, admin.Patch("/api/v1/contractors/"+sparks.ID.String(), map[string]any{"active": true}), http.StatusOK, &got)
			if !got.Active {
				t.Fatalf("still inactive: %+v", got)
			}
			testsupport.ExpectOK(t, admin.Patch("/api/v1/contractors/"+sparks.ID.String(), map[string]any{"active": false}), http.StatusOK, &got)
			if got.Active {
				t.Fatalf("still active: %+v", got)
			}
		})
		testsupport.ExpectFailure(t, admin.Patch("/api/v1/contractors/"+uuid.NewString(), map[string]any{"active": false}), http.StatusNotFound, apperr.NotFound)
		testsupport.ExpectFailure(t, admin.Get("/api/v1/contractors/"+uuid.NewString()), http.StatusNotFound, apperr.NotFound)
	})

	t.Run("list filters", func(t *testing.T) {
		// Active: plumber (PLUMBING, HVAC), pest (PEST_CONTROL, PLUMBING).
		// Inactive: sparks (ELECTRICAL, APPLIANCE), three "Same Number" and "Bare Ltd".
		var pest contractors.Contractor
		testsupport.ExpectOK(t, admin.Post("/api/v1/contractors", map[string]any{"companyName": "No Pests", "email": "pest@example.com", "trades": []string{"PEST_CONTROL", "PLUMBING"}}), http.StatusCreated, &pest)
		names := func(path string) []string {
			var out []string
			for _, c := range testsupport.All[contractors.Contractor](t, admin, path) {
				out = append(out, c.CompanyName)
			}
			return out
		}
		cases := []struct {
			query string
			want  []string
		}{
			{"", []string{"Pipe Dreams Ltd", "Same Number", "Same Number", "Same Number", "Bare Ltd", "Bright Sparks", "No Pests"}},
			{"trade=PLUMBING", []string{"Pipe Dreams Ltd", "No Pests"}},
			{"trade=plumbing", []string{"Pipe Dreams Ltd", "No Pests"}},
			{"trade=ELECTRICAL", []string{"Bright Sparks"}},
			{"trade=GENERAL", nil},
			{"active=false", []string{"Same Number", "Same Number", "Same Number", "Bare Ltd", "Bright Sparks"}},
			{"active=true", []string{"Pipe Dreams Ltd", "No Pests"}},
			{"active=", []string{"Pipe Dreams Ltd", "Same Number", "Same Number", "Same Number", "Bare Ltd", "Bright Sparks", "No Pests"}},
			{"trade=APPLIANCE&active=false", []string{"Bright Sparks"}},
			{"trade=APPLIANCE&active=true", nil},
			{"trade=PLUMBING&active=true", []string{"Pipe Dreams Ltd", "No Pests"}},
		}
		for i := range cases { // written in creation order; lists are newest first
			slices.Reverse(cases[i].want)
		}
		for _, tc := range cases {
			t.Run("?"+tc.query, func(t *testing.T) {
				if got := names("/api/v1/contractors?" + tc.query); !slices.Equal(got, tc.want) {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			})
		}
		t.Run("pages", func(t *testing.T) {
			var got []string
			path := "/api/v1/contractors?active=false&limit=2"
			var sizes []int
			for range 10 {
				rows, next := testsupport.Page[contractors.Contractor](t, admin, path)
				sizes = append(sizes, len(rows))
				for _, c := range rows {
					got = append(got, c.CompanyName)
				}
				if next == "" {
					break
				}
				path = "/api/v1/contractors?active=false&limit=2&cursor=" + url.QueryEscape(next)
			}
			if want := cases[5].want; !slices.Equal(got, want) || !slices.Equal(sizes, []int{2, 2, 1}) {
				t.Fatalf("paged %q in pages of %v, want %q in 2, 2, 1", got, sizes, want)
			}
		})
		for _, q := range []struct{ query, field string }{
			{"trade=CARPENTRY", "trade"}, {"active=maybe", "active"}, {"limit=0", "limit"}, {"limit=201", "limit"}, {"cursor=%25%25", "cursor"},
		} {
			t.Run("refused ?"+q.query, func(t *testing.T) {
				testsupport.ExpectFailure(t, admin.Get("/api/v1/contractors?"+q.query), http.StatusUnprocessableEntity, apperr.Invalid, q.field)
			})
		}
	})
}

// sameContractorFields compares everything but the timestamps.
func sameContractorFields(a, b contractors.Contractor) bool {
	return a.ID == b.ID && a.CompanyName == b.CompanyName && slices.Equal(a.Trades, b.Trades) && a.Email == b.Email &&
		a.Phone == b.Phone && (a.InsuranceExpiresOn == nil) == (b.InsuranceExpiresOn == nil) &&
		(a.InsuranceExpiresOn == nil || *a.InsuranceExpiresOn == *b.InsuranceExpiresOn) && a.Notes == b.Notes && a.Active == b.Active
}
