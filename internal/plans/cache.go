package plans

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/database"
)

// CacheTTL is how long a process answers an organisation's plan and subscription status
// from memory. billing's changes (a plan change, a Stripe webhook) forget the entry when
// their transaction commits, so this process sees them on its next request; other
// processes within CacheTTL. Billable actions read these on every text, AI call and
// upload, and they change a few times a year (docs/observability.md, "Hot-read cache").
const CacheTTL = 10 * time.Second

// cacheLimit bounds the entries kept; past it the cache starts again empty.
const cacheLimit = 10_000

// standing is what the cache keeps of an organisation.
type standing struct {
	plan, status string
	at           time.Time
}

// cache is keyed by organisation id only: an entry is filled from a read that the
// caller's scope (row-level security) let through, and given only for that organisation.
var cache = struct {
	sync.Mutex
	entries map[uuid.UUID]standing
	// generation moves on every Forget: a read begun before it is not stored after it,
	// so a read racing a change cannot put the state it replaced back.
	generation atomic.Uint64
	hits       atomic.Uint64
	misses     atomic.Uint64
}{entries: map[uuid.UUID]standing{}}

// Forget drops orgID's cached plan and status: the next read asks the database. billing
// calls it after every change it commits; so must anything else that changes them (tests
// writing SQL).
func Forget(orgID uuid.UUID) {
	cache.Lock()
	defer cache.Unlock()
	cache.generation.Add(1)
	delete(cache.entries, orgID)
}

// CacheStats are the process's cache hits and misses so far (the metrics).
func CacheStats() (hits, misses uint64) { return cache.hits.Load(), cache.misses.Load() }

// read is orgID's plan code and subscription status, from the cache when read less than
// CacheTTL ago. q is in the organisation's scope.
func read(ctx context.Context, q database.Querier, orgID uuid.UUID) (plan, status string, err error) {
	now := time.Now()
	cache.Lock()
	e, ok := cache.entries[orgID]
	cache.Unlock()
	if ok && now.Sub(e.at) < CacheTTL {
		cache.hits.Add(1)
		return e.plan, e.status, nil
	}
	cache.misses.Add(1)
	generation := cache.generation.Load()
	if err := q.QueryRow(ctx, "SELECT plan, subscription_status FROM organisations WHERE id = $1", orgID).Scan(&plan, &status); err != nil {
		return "", "", fmt.Errorf("plans: organisation's plan: %w", err)
	}
	cache.Lock()
	defer cache.Unlock()
	if cache.generation.Load() == generation {
		if len(cache.entries) >= cacheLimit {
			clear(cache.entries)
		}
		cache.entries[orgID] = standing{plan: plan, status: status, at: now}
	}
	return plan, status, nil
}
