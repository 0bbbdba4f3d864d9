package webhooks

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/ratelimit"
)

// Defaults of Config.MaxEndpoints and Config.TestsPerMinute (config WEBHOOK_MAX_ENDPOINTS, WEBHOOK_TESTS_PER_MINUTE).
const (
	DefaultMaxEndpoints   = 20
	DefaultTestsPerMinute = 5
)

// limits caps what one organisation can make the service do: endpoints registered (each
// one multiplies every event into a delivery) and test sends per minute (each one is an
// outgoing request to an address of its choosing).
type limits struct {
	maxEndpoints int
	testSends    *ratelimit.Limiter
}

// checkEndpointCap refuses a new endpoint once the organisation has maxEndpoints; it
// holds a per-organisation lock until tx ends so concurrent creates cannot overshoot.
func (s *Service) checkEndpointCap(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) error {
	if err := s.q.LockOrgEndpoints(ctx, tx, orgID.String()); err != nil {
		return fmt.Errorf("webhooks: lock endpoints: %w", err)
	}
	n, err := s.q.CountEndpoints(ctx, tx, orgID)
	if err != nil {
		return fmt.Errorf("webhooks: count endpoints: %w", err)
	}
	if n >= int64(s.maxEndpoints) {
		return apperr.New(apperr.Conflict, "an organisation can have at most %d webhook endpoints; delete one you no longer use first", s.maxEndpoints)
	}
	return nil
}

// allowTestSend applies the per-organisation limit on test sends.
func (s *Service) allowTestSend(orgID uuid.UUID) error {
	if ok, retry := s.testSends.Allow(orgID.String()); !ok {
		return &apperr.Error{Code: apperr.RateLimited, RetryAfter: retry,
			Message: "too many test sends for this organisation; try again in a minute"}
	}
	return nil
}
