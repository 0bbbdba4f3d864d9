package builtin

import (
	"time"

	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// londonTime parses an RFC 3339 instant and shows it as people in the UK read it,
// "Tuesday 8 December 2026, 14:00", whatever zone the instant was written in.
func londonTime(rfc3339 string) (string, bool) {
	t, ok := parseInstant(rfc3339)
	if !ok {
		return "", false
	}
	return londonLong(t), true
}

func londonLong(t time.Time) string {
	return t.In(ukcalendar.London).Format("Monday 2 January 2006, 15:04")
}

// londonDay is the shorter form key points use: "8 Dec 2026, 14:00".
func londonDay(t time.Time) string {
	return t.In(ukcalendar.London).Format("2 Jan 2006, 15:04")
}

func parseInstant(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}
