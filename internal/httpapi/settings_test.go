package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

func stGet(t testing.TB, c *testsupport.Client) orgsettings.Settings {
	t.Helper()
	var s orgsettings.Settings
	c.With(t).Get("/api/v1/settings").Expect(http.StatusOK).Data(&s)
	return s
}

func stPatch(t testing.TB, c *testsupport.Client, body any) orgsettings.Settings {
	t.Helper()
	var s orgsettings.Settings
	c.With(t).Patch("/api/v1/settings", body).Expect(http.StatusOK).Data(&s)
	return s
}

// stTrail is the organisation's settings_changed events (ADMIN only).
func stTrail(t testing.TB, admin *testsupport.Client) []timeline.Event {
	t.Helper()
	var events []timeline.Event
	admin.With(t).Get("/api/v1/timeline?sort=oldest&limit=200&entity=organisation&id=" + admin.OrgID.String()).Expect(http.StatusOK).Data(&events)
	var out []timeline.Event
	for _, e := range events {
		if e.Action == "settings_changed" {
			out = append(out, e)
		}
	}
	return out
}

// TestSettings: staff read their organisation's settings, only an ADMIN changes them, a
// patch changes only what it names, refused patches change nothing, each organisation has
// its own, and every change is on the organisation's trail.
func TestSettings(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	team := app.NewTeam("Settings Lets")
	other := app.NewTeam("Settings Elsewhere")
	admin := team.Admin

	defaults := orgsettings.Settings{
		ApprovalThresholdPence: 50000,
		SLA: map[string]orgsettings.Window{
			"EMERGENCY": {Hours: 24}, "URGENT": {WorkingDays: 7}, "ROUTINE": {WorkingDays: 28},
		},
		HolidayRegion:      ukcalendar.EnglandWales,
		SeparationOfDuties: orgsettings.DutiesAuto,
		QuietHours:         orgsettings.QuietHours{Start: "21:00", End: "08:00"},
		Landlord:           clocks.Private,
	}

	t.Run("defaults, read by staff only", func(t *testing.T) {
		for _, c := range []*testsupport.Client{team.Admin, team.Coordinator} {
			tkSame(t, "default settings for "+string(c.Role), defaults, stGet(t, c))
		}
		// The wire format: camelCase, windows with only the unit they use.
		r := admin.With(t).Get("/api/v1/settings").Expect(http.StatusOK)
		var raw struct {
			Data map[string]json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(r.Body, &raw); err != nil {
			t.Fatal(err)
		}
		if string(raw.Data["holidayRegion"]) != `"ENGLAND_WALES"` || string(raw.Data["approvalThresholdPence"]) != "50000" ||
			!strings.Contains(string(raw.Data["sla"]), `"URGENT":{"workingDays":7}`) || !strings.Contains(string(raw.Data["sla"]), `"EMERGENCY":{"hours":24}`) ||
			string(raw.Data["separationOfDuties"]) != `"AUTO"` {
			t.Fatalf("settings JSON: %s", r.Body)
		}
		for _, c := range []*testsupport.Client{team.Contractor, team.Tenant} {
			c.With(t).Get("/api/v1/settings").ExpectFailure(http.StatusForbidden, apperr.Forbidden)
		}
		app.Anonymous().With(t).Get("/api/v1/settings").ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	})

	t.Run("only an ADMIN changes them", func(t *testing.T) {
		body := map[string]any{"approvalThresholdPence": 1, "holidayRegion": "SCOTLAND", "sla": map[string]any{"URGENT": map[string]any{"hours": 1}}}
		for _, c := range []*testsupport.Client{team.Coordinator, team.Contractor, team.Tenant} {
			c.With(t).Patch("/api/v1/settings", body).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
		}
		app.Anonymous().With(t).Patch("/api/v1/settings", body).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
		tkSame(t, "settings after refused patches", defaults, stGet(t, admin))
		if n := len(stTrail(t, admin)); n != 0 {
			t.Fatalf("%d settings events after refused patches", n)
		}
	})

	want := defaults
	want.SLA = map[string]orgsettings.Window{}
	for k, v := range defaults.SLA {
		want.SLA[k] = v
	}
	t.Run("a patch changes only what it names", func(t *testing.T) {
		steps := []struct {
			name  string
			body  map[string]any
			apply func(s *orgsettings.Settings)
		}{
			{"threshold", map[string]any{"approvalThresholdPence": 125000}, func(s *orgsettings.Settings) { s.ApprovalThresholdPence = 125000 }},
			{"threshold zero", map[string]any{"approvalThresholdPence": 0}, func(s *orgsettings.Settings) { s.ApprovalThresholdPence = 0 }},
			{"one window", map[string]any{"sla": map[string]any{"URGENT": map[string]any{"workingDays": 5}}}, func(s *orgsettings.Settings) {
				s.SLA["URGENT"] = orgsettings.Window{WorkingDays: 5}
			}},
			{"working days to hours and back", map[string]any{"sla": map[string]any{
				"ROUTINE": map[string]any{"hours": 720}, "EMERGENCY": map[string]any{"workingDays": 1},
			}}, func(s *orgsettings.Settings) {
				s.SLA["ROUTINE"], s.SLA["EMERGENCY"] = orgsettings.Window{Hours: 720}, orgsettings.Window{WorkingDays: 1}
			}},
			{"region", map[string]any{"holidayRegion": "NORTHERN_IRELAND"}, func(s *orgsettings.Settings) { s.HolidayRegion = ukcalendar.NorthernIreland }},
			{"everything at once", map[string]any{"approvalThresholdPence": 99, "holidayRegion": "SCOTLAND", "sla": map[string]any{"EMERGENCY": map[string]any{"hours": 4}}},
				func(s *orgsettings.Settings) {
					s.ApprovalThresholdPence, s.HolidayRegion, s.SLA["EMERGENCY"] = 99, ukcalendar.Scotland, orgsettings.Window{Hours: 4}
				}},
			{"separation of duties off", map[string]any{"separationOfDuties": "OFF"}, func(s *orgsettings.Settings) { s.SeparationOfDuties = orgsettings.DutiesOff }},
			{"separation of duties on", map[string]any{"separationOfDuties": "ON"}, func(s *orgsettings.Settings) { s.SeparationOfDuties = orgsettings.DutiesOn }},
			{"separation of duties back to auto", map[string]any{"separationOfDuties": "AUTO"}, func(s *orgsettings.Settings) { s.SeparationOfDuties = orgsettings.DutiesAuto }},
			{"largest values", map[string]any{"approvalThresholdPence": 10_000_000_000, "sla": map[string]any{"URGENT": map[string]any{"workingDays": 365}, "ROUTINE": map[string]any{"hours": 8760}}},
				func(s *orgsettings.Settings) {
					s.ApprovalThresholdPence, s.SLA["URGENT"], s.SLA["ROUTINE"] = 10_000_000_000, orgsettings.Window{WorkingDays: 365}, orgsettings.Window{Hours: 8760}
				}},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				n := len(stTrail(t, admin))
				s.apply(&want)
				tkSame(t, "answer", want, stPatch(t, admin, s.body))
				tkSame(t, "stored", want, stGet(t, team.Coordinator))
				events := stTrail(t, admin)
				if len(events) != n+1 {
					t.Fatalf("%d settings events, had %d", len(events), n)
				}
				e := events[len(events)-1]
				var after orgsettings.Settings
				if err := json.Unmarshal(e.After, &after); err != nil || e.ActorID == nil || *e.ActorID != admin.UserID || e.ActorRole != "ADMIN" || e.EntityID != admin.OrgID || len(e.Before) == 0 {
					t.Fatalf("event %+v (%v)", e, err)
				}
				tkSame(t, "event after", want, after)
			})
		}
	})

	t.Run("no-op patches write nothing", func(t *testing.T) {
		n := len(stTrail(t, admin))
		for _, body := range []map[string]any{{}, {"holidayRegion": string(want.HolidayRegion)}, {"approvalThresholdPence": want.ApprovalThresholdPence},
			{"sla": map[string]any{"URGENT": map[string]any{"workingDays": want.SLA["URGENT"].WorkingDays}}}, {"sla": map[string]any{}},
			{"separationOfDuties": string(want.SeparationOfDuties)}} {
			tkSame(t, "answer to a no-op patch", want, stPatch(t, admin, body))
		}
		tkSame(t, "settings", want, stGet(t, admin))
		if got := len(stTrail(t, admin)); got != n {
			t.Fatalf("no-op patches wrote %d settings events", got-n)
		}
	})

	t.Run("refused patches change nothing", func(t *testing.T) {
		n := len(stTrail(t, admin))
		cases := []struct {
			name  string
			body  any
			field string // a field error must start with this
		}{
			{"window with neither unit", map[string]any{"sla": map[string]any{"URGENT": map[string]any{}}}, "sla.URGENT"},
			{"window of zero hours", map[string]any{"sla": map[string]any{"URGENT": map[string]any{"hours": 0}}}, "sla.URGENT"},
			{"window with both units", map[string]any{"sla": map[string]any{"ROUTINE": map[string]any{"hours": 5, "workingDays": 2}}}, "sla.ROUTINE"},
			{"negative hours", map[string]any{"sla": map[string]any{"EMERGENCY": map[string]any{"hours": -1}}}, "sla.EMERGENCY"},
			{"hours over a year", map[string]any{"sla": map[string]any{"EMERGENCY": map[string]any{"hours": 8761}}}, "sla.EMERGENCY"},
			{"working days over a year", map[string]any{"sla": map[string]any{"URGENT": map[string]any{"workingDays": 366}}}, "sla.URGENT"},
			{"unknown priority", map[string]any{"sla": map[string]any{"LOW": map[string]any{"hours": 5}}}, "sla.LOW"},
			{"lower-case priority", map[string]any{"sla": map[string]any{"urgent": map[string]any{"hours": 5}}}, "sla.urgent"},
			{"one bad window among good ones", map[string]any{"sla": map[string]any{"URGENT": map[string]any{"hours": 3}, "ROUTINE": map[string]any{}}}, "sla.ROUTINE"},
			{"window not an object", map[string]any{"sla": map[string]any{"URGENT": 5}}, "sla.URGENT"},
			{"sla not an object", map[string]any{"sla": "fast"}, "sla"},
			{"unknown region", map[string]any{"holidayRegion": "WALES"}, "holidayRegion"},
			{"empty region", map[string]any{"holidayRegion": ""}, "holidayRegion"},
			{"unknown separation of duties", map[string]any{"separationOfDuties": "SOMETIMES"}, "separationOfDuties"},
			{"lower-case separation of duties", map[string]any{"separationOfDuties": "on"}, "separationOfDuties"},
			{"separation of duties as a boolean", map[string]any{"separationOfDuties": true}, "separationOfDuties"},
			{"negative threshold", map[string]any{"approvalThresholdPence": -1}, "approvalThresholdPence"},
			{"threshold over £100m", map[string]any{"approvalThresholdPence": 10_000_000_001}, "approvalThresholdPence"},
			{"threshold in pounds", map[string]any{"approvalThresholdPence": 12.5}, "approvalThresholdPence"},
			{"a good threshold with a bad window", map[string]any{"approvalThresholdPence": 7, "sla": map[string]any{"URGENT": map[string]any{"hours": 0}}}, "sla.URGENT"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f := admin.With(t).Patch("/api/v1/settings", tc.body).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid)
				if !slices.ContainsFunc(f.Fields, func(e apperr.FieldError) bool { return strings.HasPrefix(e.Field, tc.field) }) {
					t.Fatalf("no field error for %s: %+v", tc.field, f.Fields)
				}
			})
		}
		admin.With(t).Patch("/api/v1/settings", `{"sla": `).ExpectFailure(http.StatusBadRequest, apperr.BadRequest)
		tkSame(t, "settings after refused patches", want, stGet(t, admin))
		if got := len(stTrail(t, admin)); got != n {
			t.Fatalf("refused patches wrote %d settings events", got-n)
		}
	})

	t.Run("each organisation has its own", func(t *testing.T) {
		tkSame(t, "the other organisation's settings", defaults, stGet(t, other.Admin))
		if n := len(stTrail(t, other.Admin)); n != 0 {
			t.Fatalf("the other organisation has %d settings events", n)
		}
		theirs := stPatch(t, other.Admin, map[string]any{"holidayRegion": "NORTHERN_IRELAND", "approvalThresholdPence": 1})
		if theirs.HolidayRegion != ukcalendar.NorthernIreland || theirs.ApprovalThresholdPence != 1 || theirs.SLA["URGENT"] != defaults.SLA["URGENT"] {
			t.Fatalf("their settings %+v", theirs)
		}
		tkSame(t, "our settings after theirs changed", want, stGet(t, admin))
		// Their trail is theirs: our admin cannot read it, nor learn that it exists.
		admin.With(t).Get("/api/v1/timeline?sort=oldest&entity=organisation&id="+other.Admin.OrgID.String()).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	})

	t.Run("a demoted ADMIN can read but no longer change them", func(t *testing.T) {
		second := app.AddMember(admin, access.Admin)
		stPatch(t, second, map[string]any{"approvalThresholdPence": 42})
		want.ApprovalThresholdPence = 42
		admin.With(t).Patch("/api/v1/members/"+testsupport.MemberID(t, admin, second.UserID).String(), map[string]any{"role": "COORDINATOR"}).Expect(http.StatusOK)
		second.With(t).Patch("/api/v1/settings", map[string]any{"approvalThresholdPence": 5}).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
		tkSame(t, "settings read by the demoted member", want, stGet(t, second))
	})
}
