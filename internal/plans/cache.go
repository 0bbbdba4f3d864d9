package plans

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/orgcache"
)

// CacheTTL is how long a process answers an organisation's plan and subscription status
// from memory. billing's changes (a plan change, a Stripe webhook) forget the entry when
// their transaction ends, so this process sees them on its next request; other processes
// within CacheTTL. Billable actions read these on every text, AI call and upload.
const CacheTTL = 10 * time.Second

// standing is what the cache keeps of an organisation.
type standing struct{ plan, status string }

var cache = orgcache.New[standing](CacheTTL, nil)

// Forget drops orgID's cached plan and status: the next read asks the database. billing
// calls it after every change it commits; so must anything else that changes them (tests
// writing SQL).
func Forget(orgID uuid.UUID) { cache.Forget(orgID) }

// CacheStats are the process's cache hits and misses so far (the metrics).
func CacheStats() (hits, misses uint64) { return cache.Stats() }

// read is orgID's plan code and subscription status, from the cache when read less than
// CacheTTL ago. q is in the organisation's scope.
func read(ctx context.Context, q database.Querier, orgID uuid.UUID) (plan, status string, err error) {
	s, err := cache.Load(orgID, func() (standing, error) {
		var s standing
		if err := q.QueryRow(ctx, "SELECT plan, subscription_status FROM organisations WHERE id = $1", orgID).Scan(&s.plan, &s.status); err != nil {
			return standing{}, fmt.Errorf("plans: organisation's plan: %w", err)
		}
		return s, nil
	})
	return s.plan, s.status, err
}
