package ukcalendar

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// The GOV.UK files in testdata (see testdata/README.md) are the published reference the
// rule-based calendar is checked against; the calendar itself never reads them.

// govukRegions maps GOV.UK's division names to the package's regions.
var govukRegions = map[string]Region{
	"england-and-wales": EnglandWales,
	"scotland":          Scotland,
	"northern-ireland":  NorthernIreland,
}

// govukOmissions are bank holidays that were proclaimed but that the stored GOV.UK file
// (frontend commit 62171cd) does not list. The calendar keeps them: an SLA clock that
// ran through them would have been wrong.
var govukOmissions = map[Region][]Date{
	// 2022-09-19: the Queen's state funeral, proclaimed a bank holiday throughout the
	// UK; the file lists it for Northern Ireland only.
	// 2023-05-08: the King's coronation, proclaimed a bank holiday throughout the UK;
	// the file predates it.
	EnglandWales:    {{2022, time.September, 19}, {2023, time.May, 8}},
	Scotland:        {{2022, time.September, 19}, {2023, time.May, 8}},
	NorthernIreland: {{2023, time.May, 8}},
}

type govukEvent struct {
	Title string `json:"title"`
	Date  string `json:"date"`
	Notes string `json:"notes"`
}

// readGovuk reads a GOV.UK calendar file: divisions of years of dated events. Other keys
// of a division (its slug and title) are strings, not years, and are skipped.
func readGovuk(t *testing.T, name string) map[string]map[int][]govukEvent {
	t.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Divisions map[string]map[string]json.RawMessage `json:"divisions"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := map[string]map[int][]govukEvent{}
	for div, keys := range file.Divisions {
		out[div] = map[int][]govukEvent{}
		for key, v := range keys {
			year, err := strconv.Atoi(key)
			if err != nil {
				continue
			}
			var events []govukEvent
			if err := json.Unmarshal(v, &events); err != nil {
				t.Fatalf("%s: %s %s: %v", name, div, key, err)
			}
			out[div][year] = events
		}
	}
	return out
}

// parseGovukDate reads GOV.UK's DD/MM/YYYY.
func parseGovukDate(t *testing.T, s string) Date {
	t.Helper()
	v, err := time.Parse("02/01/2006", s)
	if err != nil {
		t.Fatalf("GOV.UK date %q: %v", s, err)
	}
	return dateOf(v)
}

// TestHolidaysMatchGovuk compares Holidays with the GOV.UK list for every region and
// every year the list covers.
func TestHolidaysMatchGovuk(t *testing.T) {
	divisions := readGovuk(t, "testdata/govuk-bank-holidays.json")
	if len(divisions) != len(govukRegions) {
		t.Fatalf("GOV.UK file has %d divisions, want %d", len(divisions), len(govukRegions))
	}
	for div, years := range divisions {
		region, ok := govukRegions[div]
		if !ok {
			t.Fatalf("unknown GOV.UK division %q", div)
		}
		if len(years) == 0 {
			t.Fatalf("%s: no years", div)
		}
		for year, events := range years {
			t.Run(div+"/"+strconv.Itoa(year), func(t *testing.T) {
				var want []Date
				for _, e := range events {
					d := parseGovukDate(t, e.Date)
					if d.Year != year {
						t.Errorf("%s (%s) listed under %d", d, e.Title, year)
					}
					if contains(govukOmissions[region], d) {
						t.Errorf("GOV.UK now lists %s (%s): remove it from govukOmissions", d, e.Title)
					}
					want = append(want, d)
				}
				for _, d := range govukOmissions[region] {
					if d.Year == year {
						want = append(want, d)
					}
				}
				sortDates(want)
				if got := Holidays(region, year); !slices.Equal(got, want) {
					t.Errorf("Holidays(%s, %d)\n got %v\nwant %v", region, year, got, want)
				}
			})
		}
	}
}

// clockErrata corrects typos in the stored GOV.UK clock-change file: listed date → the
// date the clocks really changed.
var clockErrata = map[string]string{
	// Listed under 2024; 27 October 2023 was a Friday and the clocks went back on
	// Sunday 29 October 2023 (also listed). They went back on 27 October 2024.
	"27/10/2023": "27/10/2024",
}

// TestClockChangesGovuk checks, for every clock change GOV.UK lists, that Go's
// Europe/London zone changes offset at 01:00 UTC that Sunday (forward to BST, UTC+1, in
// March; back to GMT in October), and that a due time set in London wall-clock time
// keeps its wall-clock time across the change, whatever the UTC offset.
func TestClockChangesGovuk(t *testing.T) {
	divisions := readGovuk(t, "testdata/govuk-when-do-the-clocks-change.json")
	years := divisions["united-kingdom"]
	if len(years) == 0 {
		t.Fatal("no united-kingdom clock changes")
	}
	usedErrata := map[string]bool{}
	changes := 0
	for year, events := range years {
		for _, e := range events {
			listed := e.Date
			if fixed, ok := clockErrata[listed]; ok {
				usedErrata[listed] = true
				listed = fixed
			}
			d := parseGovukDate(t, listed)
			if d.Year != year {
				t.Errorf("%s: %s listed under %d", e.Title, e.Date, year)
				continue
			}
			var wantOffset int
			switch e.Title {
			case "Start of British Summer Time":
				wantOffset = 3600
			case "End of British Summer Time":
				wantOffset = 0
			default:
				t.Errorf("unknown clock change %q on %s", e.Title, e.Date)
				continue
			}
			changes++
			checkZoneChange(t, d, wantOffset)
			for _, region := range []Region{EnglandWales, Scotland, NorthernIreland} {
				checkDueTimeAcross(t, New(region), d)
			}
		}
	}
	for listed := range clockErrata {
		if !usedErrata[listed] {
			t.Errorf("GOV.UK no longer lists %s: remove it from clockErrata", listed)
		}
	}
	if changes != 2*len(years) {
		t.Errorf("%d clock changes over %d years, want two a year", changes, len(years))
	}
}

// checkZoneChange checks that London's UTC offset becomes wantOffset at 01:00 UTC on d,
// a Sunday, and stays so for the rest of the day.
func checkZoneChange(t *testing.T, d Date, wantOffset int) {
	t.Helper()
	if d.weekday() != time.Sunday {
		t.Errorf("clock change %s is a %s, not a Sunday", d, d.weekday())
	}
	at := time.Date(d.Year, d.Month, d.Day, 1, 0, 0, 0, time.UTC)
	_, before := at.Add(-time.Second).In(London).Zone()
	_, after := at.In(London).Zone()
	_, evening := at.Add(20 * time.Hour).In(London).Zone()
	if before == after || after != wantOffset || evening != wantOffset {
		t.Errorf("%s: London offset %ds before 01:00 UTC, %ds after and %ds that evening; want a change to %ds",
			d, before, after, evening, wantOffset)
	}
	start, _ := at.In(London).ZoneBounds()
	if !start.Equal(at) {
		t.Errorf("%s: London's zone period begins %s, want %s", d, start.UTC(), at)
	}
}

// checkDueTimeAcross sets due times across the clock change on d in London wall time:
// from 09:00 (and 00:30 and 23:30, either side of the change hour) on the last working
// day before d, one and five working days on land at the same wall-clock time on the
// working days counted after d, an hour more or less apart in real time.
func checkDueTimeAcross(t *testing.T, cal *Calendar, d Date) {
	t.Helper()
	from := d.addDays(-1)
	for !cal.IsWorkingDay(from) {
		from = from.addDays(-1)
	}
	for _, clock := range [][2]int{{9, 0}, {0, 30}, {23, 30}} {
		start := time.Date(from.Year, from.Month, from.Day, clock[0], clock[1], 0, 0, London)
		for _, n := range []int{1, 5} {
			wantDay := d
			for k := 0; k < n; {
				wantDay = wantDay.next()
				if cal.IsWorkingDay(wantDay) {
					k++
				}
			}
			want := time.Date(wantDay.Year, wantDay.Month, wantDay.Day, clock[0], clock[1], 0, 0, London)
			got := cal.AddWorkingDays(start, n)
			if !got.Equal(want) {
				t.Errorf("%s: %s + %d working days = %s, want %s",
					cal.region, start, n, got.In(London), want)
				continue
			}
			if h, m, _ := got.In(London).Clock(); h != clock[0] || m != clock[1] {
				t.Errorf("%s: %s + %d working days = %s, not %02d:%02d London", cal.region, start, n, got.In(London), clock[0], clock[1])
			}
			_, offFrom := start.Zone()
			_, offTo := got.In(London).Zone()
			days := wantDay.time().Sub(from.time())
			if elapsed := got.Sub(start); offFrom == offTo || elapsed != days-time.Duration(offTo-offFrom)*time.Second {
				t.Errorf("%s: %s → %s took %s in real time, offsets %d → %d; want the calendar days less the change",
					cal.region, start, got.In(London), elapsed, offFrom, offTo)
			}
			if between := cal.WorkingDaysBetween(start, got); between != n {
				t.Errorf("%s: WorkingDaysBetween(%s, %s) = %d, want %d", cal.region, start, got.In(London), between, n)
			}
		}
	}
}
