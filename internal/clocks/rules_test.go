package clocks

import (
	"slices"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

func london(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, ukcalendar.London)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Due times across weekends, bank holidays, Christmas and the clock changes, for every
// kind of rule.
func TestDue(t *testing.T) {
	ew := ukcalendar.New(ukcalendar.EnglandWales)
	scot := ukcalendar.New(ukcalendar.Scotland)
	rtr := func(code string) Rule {
		d, ok := DefectByCode(code)
		if !ok {
			t.Fatalf("no defect %s", code)
		}
		return d.Rule()
	}
	tests := []struct {
		name  string
		rule  Rule
		cal   *ukcalendar.Calendar
		start string
		want  string // London wall time
	}{
		{"emergency: 24 calendar hours, over a weekend", AwaabEmergency, ew, "2026-12-05 18:00", "2026-12-06 18:00"},
		{"emergency: 24 hours across the clocks going back (25 hours of wall time)", AwaabEmergency, ew, "2026-10-24 12:00", "2026-10-25 11:00"},
		{"emergency: 24 hours across the clocks going forward", AwaabEmergency, ew, "2027-03-27 12:00", "2027-03-28 13:00"},
		{"investigate: 10 working days over a weekend", AwaabInvestigate, ew, "2026-11-16 09:00", "2026-11-30 09:00"},
		{"investigate: 10 working days over Christmas and New Year", AwaabInvestigate, ew, "2026-12-21 10:00", "2027-01-07 10:00"},
		{"summary: 3 working days from a Friday", AwaabSummary, ew, "2026-11-27 16:30", "2026-12-02 16:30"},
		{"safety work: 5 working days over Easter 2027 and the clocks going forward", AwaabSafetyWork, ew, "2027-03-24 11:00", "2027-04-02 11:00"},
		{"further work: 5 working days across the clocks going back, same wall time", AwaabFurtherWork, ew, "2026-10-22 08:00", "2026-10-29 08:00"},
		{"right to repair, 1 day: Friday to Monday", rtr("ELECTRIC_POWER_TOTAL"), ew, "2026-11-27 14:00", "2026-11-30 14:00"},
		{"right to repair, 1 day: Christmas Eve to the 29th", rtr("LEAKING_PIPE"), ew, "2026-12-24 09:00", "2026-12-29 09:00"},
		{"right to repair, 7 days: over the early May bank holiday", rtr("LEAKING_ROOF"), ew, "2027-04-28 12:00", "2027-05-10 12:00"},
		{"right to repair, 3 days: Scotland's 2 January", rtr("BLOCKED_SINK"), scot, "2026-12-31 10:00", "2027-01-07 10:00"},
		{"the organisation's SLA in hours", SLARule("EMERGENCY", 4, 0), ew, "2026-12-03 22:00", "2026-12-04 02:00"},
		{"the organisation's SLA in working days", SLARule("ROUTINE", 0, 28), ew, "2026-12-03 09:00", "2027-01-15 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rule.Due(london(t, tt.start), tt.cal)
			if want := london(t, tt.want); !got.Equal(want) || got.Location() != time.UTC {
				t.Fatalf("due %s (%s), want %s London", got.In(ukcalendar.London).Format("Mon 2006-01-02 15:04"), got.Location(), tt.want)
			}
		})
	}
}

// Each kind of landlord runs against its regimes; every rule cites its source.
func TestRegimesAndSources(t *testing.T) {
	if !slices.Equal(Private.Regimes(), []Regime{SLA}) || !slices.Equal(Social.Regimes(), []Regime{SLA, Awaab}) ||
		!slices.Equal(Council.Regimes(), []Regime{SLA, Awaab, RightToRepair}) || Landlord("LANDLORD").Valid() {
		t.Fatal("regimes")
	}
	if len(RightToRepairDefects) != 20 {
		t.Fatalf("%d Right to Repair defects, want the Schedule's 20", len(RightToRepairDefects))
	}
	for _, r := range AwaabRules {
		if r.Source == "" || (r.Hours == 0) == (r.WorkingDays == 0) || r.StartsOn == "" || r.StopsOn == "" {
			t.Errorf("rule %+v", r)
		}
		if got, ok := ByCode(r.Code); !ok || got != r {
			t.Errorf("ByCode(%s)", r.Code)
		}
	}
	for _, d := range RightToRepairDefects {
		if d.WorkingDays != 1 && d.WorkingDays != 3 && d.WorkingDays != 7 {
			t.Errorf("defect %+v", d)
		}
		if _, ok := ByCode("RTR_" + d.Code); !ok {
			t.Errorf("ByCode(RTR_%s)", d.Code)
		}
	}
}

// Heating's period follows the season the Schedule names, by the London date of the report.
func TestHeatingDefect(t *testing.T) {
	for _, tt := range []struct {
		at   string
		want int
	}{
		{"2026-10-31 23:30", 3}, {"2026-11-01 00:30", 1}, {"2027-04-30 23:59", 1}, {"2027-05-01 00:00", 3}, {"2027-01-15 12:00", 1}, {"2026-07-15 12:00", 3},
	} {
		if got := HeatingDefect(london(t, tt.at)).WorkingDays; got != tt.want {
			t.Errorf("heating lost at %s: %d working days, want %d", tt.at, got, tt.want)
		}
	}
}
