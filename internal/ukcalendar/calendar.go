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
		// 2 January, a Scottish bank holiday (Banking and Financial Dealings Act 1971,
		// schedule 1), substituted after New Year's Day's own substitute.
		add(substitute(Date{year, time.January, 2}, []Date{days[0]}))
	}
	if region == NorthernIreland {
		// St Patrick's Day, a bank holiday in Northern Ireland (1971 Act, schedule 1).
		add(substitute(Date{year, time.March, 17}, nil))
	}
	add(easter.addDays(-2)) // Good Friday
	if region != Scotland {
		add(easter.addDays(1)) // Easter Monday
	}
	add(earlyMay(year))
	add(spring(year))
	if region == NorthernIreland {
		// Battle of the Boyne (Orangemen's Day), by royal proclamation each year.
		add(substitute(Date{year, time.July, 12}, nil))
	}
	if region == Scotland {
		// Scotland's summer holiday is the first Monday of August (1971 Act).
		add(firstMonday(year, time.August))
	} else {
		add(lastMonday(year, time.August))
	}
	if region == Scotland {
		// St Andrew's Day (St Andrew's Day Bank Holiday (Scotland) Act 2007), moved to
		// the Monday when it falls at a weekend.
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
	// Moved to Monday 8 May 1995 and Friday 8 May 2020 by royal proclamation for the
	// 50th and 75th anniversaries of VE Day (GOV.UK lists 2020's as "early_may_ve").
	if year == 1995 || year == 2020 {
		return Date{year, time.May, 8}
	}
	return firstMonday(year, time.May)
}

// spring is the last Monday of May, except in jubilee years, when proclamation moved it
// next to the extra jubilee holiday (in oneOffs).
func spring(year int) Date {
	switch year {
	case 2002: // the Queen's Golden Jubilee: moved to Tuesday 4 June
		return Date{2002, time.June, 4}
	case 2012: // the Queen's Diamond Jubilee: moved to Monday 4 June
		return Date{2012, time.June, 4}
	case 2022: // the Queen's Platinum Jubilee: moved to Thursday 2 June
		return Date{2022, time.June, 2}
	}
	return lastMonday(year, time.May)
}

// oneOffs are extra holidays proclaimed for a single year, each by royal proclamation
// for all the UK nations.
var oneOffs = map[int][]Date{
	1999: {{1999, time.December, 31}}, // the Millennium
	2002: {{2002, time.June, 3}},      // the Queen's Golden Jubilee
	2011: {{2011, time.April, 29}},    // the wedding of Prince William and Catherine Middleton
	2012: {{2012, time.June, 5}},      // the Queen's Diamond Jubilee
	2022: {
		{2022, time.June, 3},       // the Queen's Platinum Jubilee
		{2022, time.September, 19}, // the state funeral of Queen Elizabeth II
	},
	2023: {{2023, time.May, 8}}, // the coronation of King Charles III
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
