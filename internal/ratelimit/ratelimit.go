// Package ratelimit counts requests per key in fixed windows, in memory.
//
// Each replica counts on its own, so with N replicas a client gets up to N times the
// limit; for login (5/min per IP and per account) that still stops password guessing at
// scale. A shared limiter (PostgreSQL or Redis) can implement the same method when needed.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter allows up to Limit events per key in each Window.
type Limiter struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	counts   map[string]*bucket
	lastScan time.Time
}

type bucket struct {
	start time.Time
	n     int
}

// New returns a limiter; now is time.Now outside tests.
func New(limit int, window time.Duration, now func() time.Time) *Limiter {
	return &Limiter{limit: limit, window: window, now: now, counts: map[string]*bucket{}}
}

// Allow records an event for key and reports whether it is within the limit; when it is
// not, retryAfter says when the key's window ends.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evictStale(now)
	b := l.counts[key]
	if b == nil || now.Sub(b.start) >= l.window {
		b = &bucket{start: now}
		l.counts[key] = b
	}
	if b.n >= l.limit {
		return false, b.start.Add(l.window).Sub(now)
	}
	b.n++
	return true, 0
}

// evictStale drops finished windows at most once per window, keeping memory bounded by
// the number of keys seen in the last two windows.
func (l *Limiter) evictStale(now time.Time) {
	if now.Sub(l.lastScan) < l.window {
		return
	}
	l.lastScan = now
	for k, b := range l.counts {
		if now.Sub(b.start) >= l.window {
			delete(l.counts, k)
		}
	}
}
