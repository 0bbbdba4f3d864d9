package textrules

import (
	"fmt"
	"time"

	// Quiet hours are UK hours wherever the service runs, and a container image may have
	// no zoneinfo: the embedded database makes Europe/London always loadable.
	_ "time/tzdata"
)

// Clock is a time of day on a 24-hour clock.
type Clock struct{ Hour, Minute int }

// ParseClock reads a time of day as exactly "HH:MM" (00–23, 00–59), the form settings
// store, so "7:30" and "24:00" are refused rather than guessed at.
func ParseClock(s string) (Clock, error) {
	if len(s) != 5 || s[2] != ':' || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return Clock{}, fmt.Errorf("time of day %q is not HH:MM", s)
	}
	c := Clock{Hour: int(s[0]-'0')*10 + int(s[1]-'0'), Minute: int(s[3]-'0')*10 + int(s[4]-'0')}
	if c.Hour > 23 || c.Minute > 59 {
		return Clock{}, fmt.Errorf("time of day %q is not between 00:00 and 23:59", s)
	}
	return c, nil
}

// String is the clock as ParseClock reads it.
func (c Clock) String() string {
	return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute)
}

func (c Clock) sinceMidnight() time.Duration {
	return time.Duration(c.Hour)*time.Hour + time.Duration(c.Minute)*time.Minute
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// london is where quiet hours are reckoned: the recipients are UK tenants, contractors
// and landlords, and their evenings move with British Summer Time.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic("textrules: Europe/London missing from the embedded tzdata: " + err.Error())
	}
	return loc
}()

// QuietHours is the part of each day, in UK local time, when non-urgent texts wait. It
// starts at Start and ends at End, wrapping midnight when End is earlier (21:00–08:00);
// Start equal to End means there are no quiet hours.
type QuietHours struct{ Start, End Clock }

// HoldUntil says whether a text sent at t falls in the quiet hours and, if so, the UTC
// instant they end. The window includes Start and excludes End. On the day the clocks go
// forward past End, the hours end with the jump; on the day they go back over End, they
// end the first time after t that the clock reads End.
func (q QuietHours) HoldUntil(t time.Time) (time.Time, bool) {
	if q.Start == q.End {
		return t, false
	}
	local := t.In(london)
	y, m, d := local.Date()
	now := time.Duration(local.Hour())*time.Hour + time.Duration(local.Minute())*time.Minute +
		time.Duration(local.Second())*time.Second + time.Duration(local.Nanosecond())
	start, end := q.Start.sinceMidnight(), q.End.sinceMidnight()
	endDay := d
	if start < end {
		if now < start || now >= end {
			return t, false
		}
	} else {
		if now >= end && now < start {
			return t, false
		}
		if now >= start {
			endDay++
		}
	}
	return clockAfter(y, m, endDay, q.End, t).UTC(), true
}

// clockAfter is the instant London's clock reads c on the given date, the first such
// after t when the clocks go back over c, or the instant they jump when they go forward
// over c.
func clockAfter(y int, m time.Month, d int, c Clock, t time.Time) time.Time {
	at := time.Date(y, m, d, c.Hour, c.Minute, 0, 0, london)
	zoneStart, _ := at.ZoneBounds()
	if at.Hour() != c.Hour || at.Minute() != c.Minute {
		// c does not exist that day: time.Date reads it under the old offset, which puts
		// it after the jump (01:30 GMT is 02:30 BST), so the jump is the first instant
		// past c. TestHoldUntil pins this behaviour of time.Date.
		return zoneStart
	}
	// When the clocks went back just before at, the clock also read c under the previous
	// offset, which is the end if t precedes it.
	_, offset := at.Zone()
	_, previous := zoneStart.Add(-time.Nanosecond).Zone()
	earlier := at.Add(time.Duration(offset-previous) * time.Second)
	if earlier.Before(zoneStart) && earlier.After(t) {
		return earlier
	}
	return at
}
