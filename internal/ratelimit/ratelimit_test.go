package ratelimit

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	l := New(3, time.Minute, func() time.Time { return now })

	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("event %d refused within the limit", i+1)
		}
	}
	ok, retry := l.Allow("a")
	if ok {
		t.Fatal("fourth event allowed")
	}
	if retry != time.Minute {
		t.Fatalf("retryAfter = %s, want 1m", retry)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key was limited by a's events")
	}

	now = now.Add(61 * time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("a new window did not reset the count")
	}
	if _, present := l.counts["b"]; present {
		t.Fatal("a finished window was not evicted")
	}
}

func TestBlockedCountsOnlyHits(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	l := New(2, time.Minute, func() time.Time { return now })
	for range 5 {
		if blocked, _ := l.Blocked("a"); blocked {
			t.Fatal("checking alone used up the window")
		}
	}
	l.Hit("a")
	l.Hit("a")
	blocked, retry := l.Blocked("a")
	if !blocked || retry != time.Minute {
		t.Fatalf("after two hits: blocked=%v retry=%s, want true 1m", blocked, retry)
	}
	if blocked, _ := l.Blocked("b"); blocked {
		t.Fatal("another key was blocked")
	}
	l.Reset("a")
	if blocked, _ := l.Blocked("a"); blocked {
		t.Fatal("reset did not clear the key")
	}
	l.Hit("a")
	l.Hit("a")
	now = now.Add(time.Minute)
	if blocked, _ := l.Blocked("a"); blocked {
		t.Fatal("a new window did not clear the count")
	}
}

func TestClientKey(t *testing.T) {
	for _, tc := range []struct{ ip, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"not-an-ip", "not-an-ip"},
	} {
		if got := ClientKey(tc.ip); got != tc.want {
			t.Errorf("ClientKey(%q) = %q, want %q", tc.ip, got, tc.want)
		}
	}
}

func TestLimiterTake(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	l := New(2, time.Minute, func() time.Time { return now })
	for i, want := range []Decision{
		{Allowed: true, Limit: 2, Remaining: 1, Reset: time.Minute},
		{Allowed: true, Limit: 2, Remaining: 0, Reset: 50 * time.Second},
		{Allowed: false, Limit: 2, Remaining: 0, Reset: 40 * time.Second},
	} {
		got, err := l.Take(t.Context(), "k")
		if err != nil || got != want {
			t.Fatalf("take %d: %+v, %v; want %+v", i+1, got, err, want)
		}
		now = now.Add(10 * time.Second)
	}
	now = now.Add(30 * time.Second)
	if got, _ := l.Take(t.Context(), "k"); !got.Allowed || got.Remaining != 1 || got.Reset != time.Minute {
		t.Fatalf("a new window: %+v", got)
	}
}
