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
