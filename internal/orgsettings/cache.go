package orgsettings

import (
	"maps"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/orgcache"
)

// CacheTTL is how long a process serves an organisation's settings from memory. A change
// through Update is seen by this process's next request at once (Update forgets the
// entry when its transaction ends); other processes see it within CacheTTL
// (internal/orgcache says why a TTL).
const CacheTTL = 10 * time.Second

var cache = orgcache.New[Settings](CacheTTL, Settings.clone)

// Forget drops orgID's cached settings: the next Load reads them. Update calls it; so
// must anything else that changes an organisation's settings (tests writing SQL).
func Forget(orgID uuid.UUID) { cache.Forget(orgID) }

// CacheStats are the process's cache hits and misses so far (the metrics).
func CacheStats() (hits, misses uint64) { return cache.Stats() }

// clone copies s with its own SLA map, so no caller can change a cached entry.
func (s Settings) clone() Settings {
	s.SLA = maps.Clone(s.SLA)
	return s
}
