// Package ukcalendar knows UK bank holidays and counts working days, for SLA clocks
// ("7 working days") the way UK landlords and housing associations count them.
//
// Holidays are computed from the statutory rules (with substitute days when a holiday
// falls at a weekend) plus the one-off holidays proclaimed so far, so there is no table to
// keep up to date every year; a newly proclaimed one-off day goes in oneOffs.
package ukcalendar

import (
	"time"
	_ "time/tzdata" // Europe/London must resolve on machines without a zone database
)

// Region selects a bank-holiday calendar: the nations' holidays differ.
type Region string

const (
	EnglandWales    Region = "ENGLAND_WALES"
	Scotland        Region = "SCOTLAND"
	NorthernIreland Region = "NORTHERN_IRELAND"
)

// Valid reports whether r is a known region.
func (r Region) Valid() bool { return r == EnglandWales || r == Scotland || r == NorthernIreland }

// London is the zone working days are counted in.
var London = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is embedded, so this only fails in a broken build.
		panic(err)
	}
	return loc
}

// Date is a calendar day.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

func dateOf(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

func (d Date) time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

func (d Date) addDays(n int) Date { return dateOf(d.time().AddDate(0, 0, n)) }

func (d Date) weekday() time.Weekday { return d.time().Weekday() }

// next is the day after d, without going through time.Time.
func (d Date) next() Date {
	switch {
	case d.Day < daysIn(d.Month, d.Year):
		return Date{d.Year, d.Month, d.Day + 1}
	case d.Month < time.December:
		return Date{d.Year, d.Month + 1, 1}
	}
	return Date{d.Year + 1, time.January, 1}
}

var monthDays = [...]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func daysIn(m time.Month, year int) int {
	if m == time.February && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		return 29
	}
	return monthDays[m]
}

// String is YYYY-MM-DD.
func (d Date) String() string { return d.time().Format(time.DateOnly) }

// Holidays returns the bank holidays of year in region, in date order.
func Holidays(region Region, year int) []Date {
	var days []Date
	add := func(d Date) { days = append(days, d) }
	easter := easterSunday(year)

	add(substitute(Date{year, time.January, 1}, nil))
	if region == Scotland {
		add(substitute(Date{year, time.January, 2}, []Date{days[0]}))
	}
	if region == NorthernIreland {
		add(substitute(Date{year, time.March, 17}, nil))
	}
	add(easter.addDays(-2)) // Good Friday
	if region != Scotland {
		add(easter.addDays(1)) // Easter Monday
	}
	add(earlyMay(year))
	add(spring(year))
	if region == NorthernIreland {
		add(substitute(Date{year, time.July, 12}, nil))
	}
	if region == Scotland {
		add(firstMonday(year, time.August))
	} else {
		add(lastMonday(year, time.August))
	}
	if region == Scotland {
		add(substitute(Date{year, time.November, 30}, nil))
	}
	christmas := substitute(Date{year, time.December, 25}, nil)
	add(christmas)
	add(substitute(Date{year, time.December, 26}, []Date{christmas}))
	for _, d := range oneOffs[year] {
		add(d)
	}
	sortDates(days)
	return days
}

// substitute moves a holiday that falls on a weekend (or on a day already taken by
// another holiday's substitute) to the next free weekday.
func substitute(d Date, taken []Date) Date {
	for d.weekday() == time.Saturday || d.weekday() == time.Sunday || contains(taken, d) {
		d = d.addDays(1)
	}
	return d
}

// earlyMay is the first Monday of May, except where it was moved by proclamation.
func earlyMay(year int) Date {
	if year == 1995 || year == 2020 { // VE Day anniversaries
		return Date{year, time.May, 8}
	}
	return firstMonday(year, time.May)
}

// spring is the last Monday of May, except in jubilee years.
func spring(year int) Date {
	switch year {
	case 2002:
		return Date{2002, time.June, 4}
	case 2012:
		return Date{2012, time.June, 4}
	case 2022:
		return Date{2022, time.June, 2}
	}
	return lastMonday(year, time.May)
}

// oneOffs are extra holidays proclaimed for a single year (all UK nations).
var oneOffs = map[int][]Date{
	1999: {{1999, time.December, 31}},
	2002: {{2002, time.June, 3}},
	2011: {{2011, time.April, 29}},
	2012: {{2012, time.June, 5}},
	2022: {{2022, time.June, 3}, {2022, time.September, 19}},
	2023: {{2023, time.May, 8}},
}

func firstMonday(year int, month time.Month) Date {
	d := Date{year, month, 1}
	for d.weekday() != time.Monday {
		d = d.addDays(1)
	}
	return d
}

func lastMonday(year int, month time.Month) Date {
	d := Date{year, month + 1, 1}.addDays(-1)
	for d.weekday() != time.Monday {
		d = d.addDays(-1)
	}
	return d
}

// easterSunday uses the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
func easterSunday(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{year, time.Month(month), day}
}

func contains(ds []Date, d Date) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

func sortDates(ds []Date) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j].time().Before(ds[j-1].time()); j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}
