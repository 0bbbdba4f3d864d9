package ratelimit

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/ratelimit/ratelimitdb"
)

// Shared counts in PostgreSQL's rate_limits table (migrations/00021_rate_limits.sql), so
// every replica on one database shares one count per key. Each Take is one atomic upsert.
// Keys are stored as SHA-256 hashes of the scope and the key: the table names no
// organisation and holds no address.
type Shared struct {
	db     *database.DB
	q      *ratelimitdb.Queries
	scope  string
	limit  int
	window time.Duration
	now    func() time.Time
}

// NewShared returns a counter of limit requests per window for keys of one scope ("api",
// "org"); two counters with the same scope count the same keys together. now is time.Now
// outside tests.
func NewShared(db *database.DB, scope string, limit int, window time.Duration, now func() time.Time) *Shared {
	return &Shared{db: db, q: ratelimitdb.New(), scope: scope, limit: limit, window: window, now: now}
}

// Take counts a request for key and says where key stands. Unlike the Limiter it counts
// refused requests too, which changes nothing: a key over its limit stays refused until
// its window ends.
func (s *Shared) Take(ctx context.Context, key string) (Decision, error) {
	sum := sha256.Sum256([]byte(s.scope + "\x00" + key))
	now := s.now()
	row, err := s.q.Hit(ctx, s.db.Pool, ratelimitdb.HitParams{Key: sum[:], FreshEnd: now.Add(s.window), Now: now})
	if err != nil {
		return Decision{}, err
	}
	hits := int(row.Hits)
	return Decision{Allowed: hits <= s.limit, Limit: s.limit, Remaining: max(0, s.limit-hits), Reset: row.WindowEnd.Sub(now)}, nil
}

// Sweeper deletes the shared counters whose windows have ended (for the retention job).
type Sweeper struct {
	DB  *database.DB
	Now func() time.Time
}

// Sweep deletes ended windows and says how many.
func (s Sweeper) Sweep(ctx context.Context) (int64, error) {
	return ratelimitdb.New().DeleteEnded(ctx, s.DB.Pool, s.Now())
}
