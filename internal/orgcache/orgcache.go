// Package orgcache keeps, per process, values read on hot paths for one organisation at a
// time (its settings, its plan and standing) for a short time to live. A change made in
// this process is seen at once: the writer calls Forget when its transaction ends, and a
// read begun before a Forget is never stored after it. Other processes see a change
// within the TTL: a TTL, not LISTEN/NOTIFY, because a listening connection cannot go
// through a transaction-mode pooler (PgBouncer, docs/operations.md) and these values
// change a few times a year (docs/observability.md, "Hot-read cache").
package orgcache

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// limit bounds the entries kept; past it the cache starts again empty.
const limit = 10_000

// Cache holds one V per organisation, keyed by its id only: callers fill it from a read
// that the organisation's scope (row-level security) let through, and ask it only about
// the organisation whose scope they are in.
type Cache[V any] struct {
	ttl   time.Duration
	clone func(V) V
	mu    sync.Mutex
	// generation moves on every Forget: a read begun before it is not stored after it,
	// so a read racing a change cannot put back the value the change replaced.
	generation   atomic.Uint64
	entries      map[uuid.UUID]entry[V]
	hits, misses atomic.Uint64
}

type entry[V any] struct {
	value V
	at    time.Time
}

// New is an empty cache whose entries live for ttl. clone copies a value on the way in and
// out, so no caller can change a cached entry (nil when V holds no references).
func New[V any](ttl time.Duration, clone func(V) V) *Cache[V] {
	if clone == nil {
		clone = func(v V) V { return v }
	}
	return &Cache[V]{ttl: ttl, clone: clone, entries: map[uuid.UUID]entry[V]{}}
}

// Load is orgID's value from the cache when it was read less than the TTL ago, else what
// read answers, which is kept unless a Forget came while it ran.
func (c *Cache[V]) Load(orgID uuid.UUID, read func() (V, error)) (V, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[orgID]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		c.hits.Add(1)
		return c.clone(e.value), nil
	}
	c.misses.Add(1)
	generation := c.generation.Load()
	v, err := read()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.generation.Load() == generation {
		if len(c.entries) >= limit {
			clear(c.entries)
		}
		c.entries[orgID] = entry[V]{value: c.clone(v), at: now}
	}
	return v, nil
}

// Forget drops orgID's entry: the next Load reads it again.
func (c *Cache[V]) Forget(orgID uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation.Add(1)
	delete(c.entries, orgID)
}

// Stats are the cache's hits and misses so far (the metrics).
func (c *Cache[V]) Stats() (hits, misses uint64) { return c.hits.Load(), c.misses.Load() }
