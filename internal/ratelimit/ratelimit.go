// Package ratelimit counts requests per key in fixed windows: in memory (Limiter), or in
// PostgreSQL (Shared) when several replicas must share one count.
//
// In memory each replica counts on its own, so with N replicas a client gets up to N times
// the limit; for login (5 failures a minute per account and client) that still stops
// password guessing at scale. The API's per-client and per-organisation limits can count in
// PostgreSQL instead (RATE_LIMIT_STORE=postgres, docs/security.md).
package ratelimit

import (
	"context"
	"net/netip"
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
	b := l.current(key, now)
	if b.n >= l.limit {
		return false, b.start.Add(l.window).Sub(now)
	}
	b.n++
	return true, 0
}

// Decision is where a key stands after one counted request.
type Decision struct {
	Allowed bool
	// Limit is the requests allowed per window, Remaining those left in this one.
	Limit, Remaining int
	// Reset is how long until the window ends and the count starts again.
	Reset time.Duration
}

// Counter counts requests per key in fixed windows of its own limit and length.
type Counter interface {
	Take(ctx context.Context, key string) (Decision, error)
}

// Take counts a request for key when it is within the limit (a refused one is not
// counted) and says where key stands. It never fails; the error is the Counter's.
func (l *Limiter) Take(_ context.Context, key string) (Decision, error) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.current(key, now)
	d := Decision{Limit: l.limit, Reset: b.start.Add(l.window).Sub(now)}
	if b.n < l.limit {
		b.n++
		d.Allowed = true
	}
	d.Remaining = l.limit - b.n
	return d, nil
}

// current is key's bucket for the window now falls in, new if the last one has ended.
// The caller holds l.mu.
func (l *Limiter) current(key string, now time.Time) *bucket {
	l.evictStale(now)
	b := l.counts[key]
	if b == nil || now.Sub(b.start) >= l.window {
		b = &bucket{start: now}
		l.counts[key] = b
	}
	return b
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

// Blocked reports, without recording anything, whether key has used up its window;
// when it has, retryAfter says when the window ends. With Hit it counts only some events
// (failed logins) while checking every attempt.
func (l *Limiter) Blocked(key string) (blocked bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.counts[key]
	if b == nil || now.Sub(b.start) >= l.window || b.n < l.limit {
		return false, 0
	}
	return true, b.start.Add(l.window).Sub(now)
}

// Hit records an event for key without checking the limit.
func (l *Limiter) Hit(key string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.current(key, now).n++
}

// Reset forgets key's events (a correct password clears that account's failures).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.counts, key)
}

// ClientKey is the key for a client address: an IPv4 address as it is, an IPv6 address by
// its /64 network, since one household or server is usually given a whole /64 and could
// otherwise rotate through 2^64 addresses. Anything that is not an IP is used as it is.
func ClientKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	prefix, err := addr.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return prefix.String()
}
