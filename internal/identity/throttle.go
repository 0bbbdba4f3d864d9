package identity

import (
	"context"
	"time"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/ratelimit"
)

// failureGuard limits password guessing without letting anyone lock a user out.
//
// It counts failed credential checks (a wrong password, an unknown email, a registration
// refused), never successes, per (account, client) and per client, where a client is an
// IPv4 address or an IPv6 /64. An attacker's failures from one network therefore block
// only that network: the owner's correct password from anywhere else still gets in, and
// an office full of people logging in succeeds however many of them do so in a minute.
// A correct password clears that (account, client)'s failures.
type failureGuard struct {
	perAccount *ratelimit.Limiter
	perClient  *ratelimit.Limiter
}

func newFailureGuard(perAccount, perClient int, now func() time.Time) failureGuard {
	return failureGuard{
		perAccount: ratelimit.New(perAccount, time.Minute, now),
		perClient:  ratelimit.New(perClient, time.Minute, now),
	}
}

func accountKey(account, client string) string { return account + "\x00" + client }

// check refuses an attempt from a client that has failed too often, before any password
// is hashed.
func (g failureGuard) check(account, clientIP string) error {
	client := ratelimit.ClientKey(clientIP)
	if blocked, retry := g.perClient.Blocked(client); blocked {
		return tooManyAttempts(retry)
	}
	if account != "" {
		if blocked, retry := g.perAccount.Blocked(accountKey(account, client)); blocked {
			return tooManyAttempts(retry)
		}
	}
	return nil
}

func (g failureGuard) failed(account, clientIP string) {
	client := ratelimit.ClientKey(clientIP)
	g.perClient.Hit(client)
	if account != "" {
		g.perAccount.Hit(accountKey(account, client))
	}
}

func (g failureGuard) succeeded(account, clientIP string) {
	g.perAccount.Reset(accountKey(account, ratelimit.ClientKey(clientIP)))
}

func tooManyAttempts(retry time.Duration) error {
	return &apperr.Error{Code: apperr.RateLimited, Message: "too many failed attempts; try again shortly", RetryAfter: retry}
}

// hashGate bounds how many argon2id computations run at once, process-wide. Each one
// holds argonMemoryKiB of memory, so without a bound a burst of registrations or logins
// grows the heap by 19 MiB a request. A caller waits up to maxWait for a slot and is
// then told to come back (503 with Retry-After) rather than queueing without end.
type hashGate struct {
	slots   chan struct{}
	maxWait time.Duration
}

// newHashGate sizes the gate from a memory budget in bytes: at least one hash at a time.
func newHashGate(budgetBytes int64, maxWait time.Duration) *hashGate {
	n := budgetBytes / (argonMemoryKiB * 1024)
	if n < 1 {
		n = 1
	}
	return &hashGate{slots: make(chan struct{}, n), maxWait: maxWait}
}

// do runs fn once a slot is free.
func (g *hashGate) do(ctx context.Context, fn func()) error {
	timer := time.NewTimer(g.maxWait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-timer.C:
		return &apperr.Error{Code: apperr.Unavailable, Message: "the service is busy; try again in a moment", RetryAfter: time.Second}
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.slots }()
	fn()
	return nil
}

// hashPassword is HashPassword through the gate.
func (s *Service) hashPassword(ctx context.Context, password string) (hash string, err error) {
	if gateErr := s.hashes.do(ctx, func() { hash, err = HashPassword(password) }); gateErr != nil {
		return "", gateErr
	}
	return hash, err
}

// verifyPassword is VerifyPassword through the gate.
func (s *Service) verifyPassword(ctx context.Context, encoded, password string) (ok bool, err error) {
	if gateErr := s.hashes.do(ctx, func() { ok, err = VerifyPassword(encoded, password) }); gateErr != nil {
		return false, gateErr
	}
	return ok, err
}
