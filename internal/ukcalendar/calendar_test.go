package ukcalendar

import (
	"strings"
	"testing"
	"time"
)

func TestHolidays(t *testing.T) {
	tests := []struct {
		region Region
		year   int
		want   string // published GOV.UK dates
	}{
		{EnglandWales, 2022, "2022-01-03 2022-04-15 2022-04-18 2022-05-02 2022-06-02 2022-06-03 2022-08-29 2022-09-19 2022-12-26 2022-12-27"},
		{EnglandWales, 2023, "2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 2023-08-28 2023-12-25 2023-12-26"},
		{EnglandWales, 2025, "2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26"},
		{EnglandWales, 2026, "2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28"},
		{EnglandWales, 2027, "2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 2027-12-28"},
		{Scotland, 2026, "2026-01-01 2026-01-02 2026-04-03 2026-05-04 2026-05-25 2026-08-03 2026-11-30 2026-12-25 2026-12-28"},
		{Scotland, 2027, "2027-01-01 2027-01-04 2027-03-26 2027-05-03 2027-05-31 2027-08-02 2027-11-30 2027-12-27 2027-12-28"},
		{NorthernIreland, 2026, "2026-01-01 2026-03-17 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-07-13 2026-08-31 2026-12-25 2026-12-28"},
	}
	for _, tt := range tests {
		var got []string
		for _, d := range Holidays(tt.region, tt.year) {
			got = append(got, d.String())
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s %d:\n got %s\nwant %s", tt.region, tt.year, strings.Join(got, " "), tt.want)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	cal := New(EnglandWales)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, London)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-27 10:00", 1, "2026-11-30 10:00"},  // Friday → Monday
		{"2026-11-28 10:00", 1, "2026-11-30 10:00"},  // Saturday → Monday
		{"2026-11-23 09:30", 7, "2026-12-02 09:30"},  // Monday + 7
		{"2026-12-23 12:00", 3, "2026-12-30 12:00"},  // over Christmas and the Boxing Day substitute
		{"2026-03-27 08:00", 28, "2026-05-11 08:00"}, // over Easter and the early May holiday
		{"2026-10-23 17:00", 1, "2026-10-26 17:00"},  // across the clocks going back: same wall time
		{"2026-11-27 10:00", 0, "2026-11-27 10:00"},
	}
	for _, tt := range tests {
		got := cal.AddWorkingDays(at(tt.from), tt.n)
		if !got.Equal(at(tt.want)) || got.Location() != time.UTC {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s (UTC)", tt.from, tt.n, got.In(London).Format("2006-01-02 15:04"), tt.want)
		}
		if tt.n > 0 && cal.WorkingDaysBetween(at(tt.from), got) != tt.n {
			t.Errorf("WorkingDaysBetween does not invert AddWorkingDays for %s + %d", tt.from, tt.n)
		}
	}
}

func TestEaster(t *testing.T) {
	for year, want := range map[int]string{2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2038: "2038-04-25"} {
		if got := easterSunday(year).String(); got != want {
			t.Errorf("Easter %d = %s, want %s", year, got, want)
		}
	}
}

// TestDateNext checks the calendar arithmetic of next against time.Time's over every day
// of 1999–2101 (month ends, leap years, 2000 a leap year and 2100 not).
func TestDateNext(t *testing.T) {
	for d := (Date{1999, time.January, 1}); d.Year < 2102; d = d.addDays(1) {
		if got, want := d.next(), d.addDays(1); got != want {
			t.Fatalf("%s.next() = %s, want %s", d, got, want)
		}
	}
}

// TestAddWorkingDaysAgreesWithDayByDay checks AddWorkingDays from every day of 2025–2028
// (at a time of day either side of the clock changes) against WorkingDaysBetween, which
// asks IsWorkingDay of each day: the answer is a working day, n of them after the start,
// at the same London clock time.
func TestAddWorkingDaysAgreesWithDayByDay(t *testing.T) {
	for _, region := range []Region{EnglandWales, Scotland, NorthernIreland} {
		cal := New(region)
		for day := time.Date(2025, 1, 1, 0, 0, 0, 0, London); day.Year() < 2029; day = day.AddDate(0, 0, 1) {
			for _, at := range []time.Time{day.Add(90 * time.Minute), day.Add(17*time.Hour + 45*time.Minute)} {
				for _, n := range []int{1, 2, 7, 28, 60} {
					got := cal.AddWorkingDays(at, n)
					local := got.In(London)
					if between := cal.WorkingDaysBetween(at, got); between != n {
						t.Fatalf("%s: %s + %d working days = %s, which is %d working days on", region, at, n, local, between)
					}
					if !cal.IsWorkingDay(dateOf(local)) {
						t.Fatalf("%s: %s + %d working days = %s, not a working day", region, at, n, local)
					}
					if local.Hour() != at.Hour() || local.Minute() != at.Minute() {
						t.Fatalf("%s: %s + %d working days = %s, another time of day", region, at, n, local)
					}
				}
			}
		}
	}
}
