package textrules

import (
	"testing"
	"time"
)

func TestParseClock(t *testing.T) {
	tests := []struct {
		in      string
		want    Clock
		wantErr bool
	}{
		{"21:00", Clock{21, 0}, false},
		{"08:00", Clock{8, 0}, false},
		{"00:00", Clock{0, 0}, false},
		{"23:59", Clock{23, 59}, false},
		{"07:30", Clock{7, 30}, false},
		{"7:30", Clock{}, true},
		{"24:00", Clock{}, true},
		{"12:60", Clock{}, true},
		{"12:5", Clock{}, true},
		{"1200", Clock{}, true},
		{" 12:00", Clock{}, true},
		{"12:00:00", Clock{}, true},
		{"12.00", Clock{}, true},
		{"-1:00", Clock{}, true},
		{"１２:００", Clock{}, true},
		{"", Clock{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseClock(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseClock(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err == nil && got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestHoldUntil(t *testing.T) {
	night := QuietHours{Start: Clock{21, 0}, End: Clock{8, 0}}
	lunch := QuietHours{Start: Clock{13, 0}, End: Clock{14, 0}}
	// The clocks go forward at 01:00 UTC on 29 March 2026 and 28 March 2027, and back at
	// 01:00 UTC on 25 October 2026.
	gapEnd := QuietHours{Start: Clock{21, 0}, End: Clock{1, 30}}
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    QuietHours
		t    time.Time
		want time.Time // zero when not held
	}{
		{"none when start equals end", QuietHours{Clock{21, 0}, Clock{21, 0}}, utc(2026, 6, 1, 21, 30), time.Time{}},
		{"summer evening before start", night, utc(2026, 6, 1, 19, 59), time.Time{}},
		{"summer exactly at start is held", night, utc(2026, 6, 1, 20, 0), utc(2026, 6, 2, 7, 0)},
		{"summer after midnight", night, utc(2026, 6, 2, 3, 0), utc(2026, 6, 2, 7, 0)},
		{"summer a second before end", night, utc(2026, 6, 2, 6, 59).Add(59 * time.Second), utc(2026, 6, 2, 7, 0)},
		{"summer exactly at end is not held", night, utc(2026, 6, 2, 7, 0), time.Time{}},
		{"winter exactly at start", night, utc(2026, 12, 3, 21, 0), utc(2026, 12, 4, 8, 0)},
		{"winter before end", night, utc(2026, 12, 3, 7, 30), utc(2026, 12, 3, 8, 0)},
		{"winter exactly at end", night, utc(2026, 12, 3, 8, 0), time.Time{}},
		{"night the clocks go forward 2026", night, utc(2026, 3, 28, 22, 0), utc(2026, 3, 29, 7, 0)},
		{"after the clocks go forward 2026", night, utc(2026, 3, 29, 2, 0), utc(2026, 3, 29, 7, 0)},
		{"evening after the clocks go forward", night, utc(2026, 3, 29, 20, 0), utc(2026, 3, 30, 7, 0)},
		{"evening before the clocks go forward", night, utc(2026, 3, 28, 20, 30), time.Time{}},
		{"night the clocks go back 2026", night, utc(2026, 10, 24, 20, 0), utc(2026, 10, 25, 8, 0)},
		{"in the repeated hour", night, utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 8, 0)},
		{"evening after the clocks go back", night, utc(2026, 10, 25, 20, 30), time.Time{}},
		{"night the clocks go forward 2027", night, utc(2027, 3, 27, 23, 30), utc(2027, 3, 28, 7, 0)},
		{"end skipped by the clocks going forward", gapEnd, utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 1, 0)},
		{"just before the skip", gapEnd, utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 1, 0)},
		{"after the skip is not held", gapEnd, utc(2026, 3, 29, 1, 0), time.Time{}},
		{"end repeated by the clocks going back, first time", gapEnd, utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 0, 30)},
		{"end repeated by the clocks going back, second time", gapEnd, utc(2026, 10, 25, 1, 10), utc(2026, 10, 25, 1, 30)},
		{"lunch before start", lunch, utc(2026, 6, 1, 11, 59), time.Time{}},
		{"lunch exactly at start", lunch, utc(2026, 6, 1, 12, 0), utc(2026, 6, 1, 13, 0)},
		{"lunch in winter", lunch, utc(2026, 12, 1, 13, 30), utc(2026, 12, 1, 14, 0)},
		{"lunch exactly at end", lunch, utc(2026, 6, 1, 13, 0), time.Time{}},
		{"lunch window does not wrap", lunch, utc(2026, 6, 1, 23, 0), time.Time{}},
		{"time given in another zone", night, time.Date(2026, 6, 1, 17, 0, 0, 0, newYork), utc(2026, 6, 2, 7, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, held := tt.q.HoldUntil(tt.t)
			if !held {
				if !tt.want.IsZero() || got != tt.t {
					t.Errorf("HoldUntil(%v) = %v, false; want %v", tt.t, got, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Errorf("HoldUntil(%v) = %v, true; want %v", tt.t, got, tt.want)
			}
		})
	}
}
