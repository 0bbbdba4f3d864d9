package ukcalendar

import (
	"sync"
	"time"
)

// Calendar answers working-day questions for one region, caching each year's holidays.
type Calendar struct {
	region Region
	mu     sync.Mutex
	years  map[int]map[Date]bool
}

// New returns the calendar of region.
func New(region Region) *Calendar {
	return &Calendar{region: region, years: map[int]map[Date]bool{}}
}

// IsWorkingDay reports whether d is Monday to Friday and not a bank holiday.
func (c *Calendar) IsWorkingDay(d Date) bool {
	if wd := d.weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !c.holidays(d.Year)[d]
}

func (c *Calendar) holidays(year int) map[Date]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.years[year]; ok {
		return h
	}
	h := map[Date]bool{}
	for _, d := range Holidays(c.region, year) {
		h[d] = true
	}
	c.years[year] = h
	return h
}

// AddWorkingDays returns the instant n working days after t, at the same London clock
// time. The day of t is day zero and only working days after it count: one working day
// from Friday 10:00 is Monday 10:00, and so is one working day from Saturday 10:00.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	local := t.In(London)
	d := dateOf(local)
	for added := 0; added < n; {
		d = d.addDays(1)
		if c.IsWorkingDay(d) {
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
