package plans

import (
	"time"

	"github.com/maintainuk/maintainuk/internal/apperr"
)

// PeriodStart is the first instant of the billing period t falls in: calendar months,
// UTC. Every metered usage (usage_meters.period_start) is kept per period.
func PeriodStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// ParseMonth reads a billing period given as YYYY-MM (an API's ?month=); "" is the one
// now falls in. A malformed value is a field error on "month".
func ParseMonth(month string, now time.Time) (time.Time, error) {
	if month == "" {
		return PeriodStart(now), nil
	}
	t, err := time.Parse("2006-01", month)
	if err != nil {
		var f apperr.Fields
		f.Add("month", "must be a month as YYYY-MM")
		return time.Time{}, f.Err()
	}
	return t.UTC(), nil
}
