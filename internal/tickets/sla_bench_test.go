package tickets

import (
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/orgsettings"
)

// BenchmarkSLADueAt measures the SLA due time insert computes for a new ticket (the same
// call: the organisation's settings, the priority, the report time and the service's
// calendars), under the default windows: EMERGENCY 24 hours, URGENT 7 and ROUTINE 28
// working days in England and Wales. Report times step 37 hours at a time through 2026
// and 2027, so weekends, bank holidays and the turn of the year all occur and every
// year's holidays are cached after the first pass, as in a long-running server.
func BenchmarkSLADueAt(b *testing.B) {
	s := NewService(nil, nil, time.Now, PublicLimits{})
	settings := orgsettings.Defaults()
	var reported []time.Time
	for t := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC); t.Year() < 2028; t = t.Add(37 * time.Hour) {
		reported = append(reported, t)
	}
	for _, priority := range Priorities {
		b.Run(priority, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				at := reported[i%len(reported)]
				if due := settings.DueAt(priority, at, s.calendar); !due.After(at) {
					b.Fatalf("DueAt(%s, %s) = %s, not after the report", priority, at, due)
				}
				i++
			}
		})
	}
}
