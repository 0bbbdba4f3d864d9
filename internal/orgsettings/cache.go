package orgsettings

import (
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// CacheTTL is how long a process serves an organisation's settings from memory. A change
// through Update is seen by this process's next request at once (Update forgets the
// entry when its transaction commits); other processes see it within CacheTTL. A TTL,
// not LISTEN/NOTIFY: a listening connection cannot go through a transaction-mode pooler
// (PgBouncer, docs/operations.md), and settings that change a few times a year may take
// seconds to reach every replica (docs/observability.md, "Hot-read cache").
const CacheTTL = 10 * time.Second

// cacheLimit bounds the entries kept; past it the cache starts again empty.
const cacheLimit = 10_000

// cache holds each organisation's settings, keyed by its id only: Load returns an entry
// only for the organisation it is asked about, the one whose scope the caller's
// transaction is in, and fills it only from a read that row-level security let through.
var cache = struct {
	sync.Mutex
	entries map[uuid.UUID]cacheEntry
	// generation moves on every Forget: a read begun before it is not stored after it,
	// so a Load racing an Update cannot put the settings it replaced back.
	generation atomic.Uint64
	hits       atomic.Uint64
	misses     atomic.Uint64
}{entries: map[uuid.UUID]cacheEntry{}}

type cacheEntry struct {
	settings Settings
	at       time.Time
}

// cached is orgID's settings when they were read less than CacheTTL ago.
func cached(orgID uuid.UUID, now time.Time) (Settings, bool) {
	cache.Lock()
	e, ok := cache.entries[orgID]
	cache.Unlock()
	if !ok || now.Sub(e.at) >= CacheTTL {
		cache.misses.Add(1)
		return Settings{}, false
	}
	cache.hits.Add(1)
	return e.settings.clone(), true
}

// remember keeps s, read for orgID at now, unless a Forget came since generation.
func remember(orgID uuid.UUID, s Settings, now time.Time, generation uint64) {
	cache.Lock()
	defer cache.Unlock()
	if cache.generation.Load() != generation {
		return
	}
	if len(cache.entries) >= cacheLimit {
		clear(cache.entries)
	}
	cache.entries[orgID] = cacheEntry{settings: s.clone(), at: now}
}

// Forget drops orgID's cached settings: the next Load reads them. Update calls it; so
// must anything else that changes an organisation's settings (tests writing SQL).
func Forget(orgID uuid.UUID) {
	cache.Lock()
	defer cache.Unlock()
	cache.generation.Add(1)
	delete(cache.entries, orgID)
}

// CacheStats are the process's cache hits and misses so far (the metrics).
func CacheStats() (hits, misses uint64) { return cache.hits.Load(), cache.misses.Load() }

// clone copies s with its own SLA map, so no caller can change a cached entry.
func (s Settings) clone() Settings {
	s.SLA = maps.Clone(s.SLA)
	return s
}
