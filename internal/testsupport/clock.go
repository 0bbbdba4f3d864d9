package testsupport

import (
	"sync"
	"time"
)

// Clock is a settable clock for services that take a now function: pass clock.Now.
type Clock struct {
	mu   sync.Mutex
	now  time.Time
	tick time.Duration
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// NewTickingClock returns a clock standing at t that moves on by tick after every reading,
// for code that must see time pass between two readings.
func NewTickingClock(t time.Time, tick time.Duration) *Clock { return &Clock{now: t, tick: tick} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	c.now = c.now.Add(c.tick)
	return t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
