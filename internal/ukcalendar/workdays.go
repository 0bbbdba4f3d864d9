package ukcalendar

import (
	"sync"
	"time"
)

// Calendar answers working-day questions for one region, caching each year's holidays.
type Calendar struct {
	region Region
	mu     sync.Mutex
	years  map[int][]Date
}

// New returns the calendar of region.
func New(region Region) *Calendar {
	return &Calendar{region: region, years: map[int][]Date{}}
}

// IsWorkingDay reports whether d is Monday to Friday and not a bank holiday.
func (c *Calendar) IsWorkingDay(d Date) bool {
	return isWorkingDay(d, d.weekday(), c.holidays(d.Year))
}

// isWorkingDay is IsWorkingDay given d's weekday and its year's holidays (a dozen at
// most, so a scan beats hashing a Date).
func isWorkingDay(d Date, wd time.Weekday, holidays []Date) bool {
	return wd != time.Saturday && wd != time.Sunday && !contains(holidays, d)
}

func (c *Calendar) holidays(year int) []Date {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.years[year]; ok {
		return h
	}
	h := Holidays(c.region, year)
	c.years[year] = h
	return h
}

// AddWorkingDays returns the instant n working days after t, at the same London clock
// time. The day of t is day zero and only working days after it count: one working day
// from Friday 10:00 is Monday 10:00, and so is one working day from Saturday 10:00.
//
// It steps day by day in plain calendar arithmetic, taking the lock for a year's holidays
// once per year crossed: the SLA of every new ticket is computed here (28 working days
// for a routine repair), and a time.Time and a lock per day cost ten times as much.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	local := t.In(London)
	d, wd := dateOf(local), local.Weekday()
	holidays := c.holidays(d.Year)
	for added := 0; added < n; {
		d, wd = d.next(), (wd+1)%7
		if d.Month == time.January && d.Day == 1 {
			holidays = c.holidays(d.Year)
		}
		if isWorkingDay(d, wd, holidays) {
			added++
		}
	}
	h, m, s := local.Clock()
	return time.Date(d.Year, d.Month, d.Day, h, m, s, local.Nanosecond(), London).UTC()
}

// WorkingDaysBetween counts the working days after from's date up to and including to's
// date (both in London), the inverse of AddWorkingDays for whole days.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) int {
	d, end := dateOf(from.In(London)), dateOf(to.In(London))
	n := 0
	for d.time().Before(end.time()) {
		d = d.addDays(1)
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return n
}
