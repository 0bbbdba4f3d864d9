package identity

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
	"github.com/maintainuk/maintainuk/internal/ratelimit"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// PasswordResetTTL is how long an emailed reset link works.
const PasswordResetTTL = 30 * time.Minute

// resetPrefix marks a password-reset token: like the other opaque tokens it carries the
// id of the organisation it was issued through (docs/decisions/0002).
const resetPrefix = "mpr"

// accountLimits are the attempt budgets of forgot-password and change-password, made on
// first use from the login budget (LOGIN_RATE_LIMIT).
type accountLimits struct {
	once sync.Once
	// forgotByIP: LOGIN_RATE_LIMIT requests a minute per client IP.
	forgotByIP *ratelimit.Limiter
	// forgotByEmail: LOGIN_RATE_LIMIT requests an hour per address, known or not, so an
	// inbox cannot be flooded and the limit says nothing about whether an account exists.
	forgotByEmail *ratelimit.Limiter
	// changeByUser: LOGIN_RATE_LIMIT attempts a minute per user, so a stolen access token
	// cannot be used to guess the current password.
	changeByUser *ratelimit.Limiter
}

func (s *Service) limits() *accountLimits {
	l := &s.accounts
	l.once.Do(func() {
		n := max(s.settings.LoginPerMinute, 1)
		l.forgotByIP = ratelimit.New(n, time.Minute, s.now)
		l.forgotByEmail = ratelimit.New(n, time.Hour, s.now)
		l.changeByUser = ratelimit.New(n, time.Minute, s.now)
	})
	return l
}

func tooMany(retry time.Duration) error {
	return &apperr.Error{Code: apperr.RateLimited, Message: "too many attempts; try again shortly", RetryAfter: retry}
}

// ForgotPassword emails a single-use link to reset the password of the account with this
// address, if there is one. Known and unknown addresses get the same answer (nil), and
// both count towards the per-address limit, so the answer never says whether an account
// exists. The email goes out through the user's first organisation (by name); a user who
// belongs to none gets no email.
func (s *Service) ForgotPassword(ctx context.Context, email, clientIP string) error {
	normalised, err := validate.Email(email)
	if err != nil {
		var f apperr.Fields
		f.Add("email", err.Error())
		return f.Err()
	}
	l := s.limits()
	if ok, retry := l.forgotByIP.Allow(ratelimit.ClientKey(clientIP)); !ok {
		return tooMany(retry)
	}
	if ok, retry := l.forgotByEmail.Allow("email:" + normalised); !ok {
		return tooMany(retry)
	}
	return s.db.InTx(ctx, database.Scope{LoginEmail: normalised}, func(tx pgx.Tx) error {
		user, err := s.q.GetUserByEmail(ctx, tx, normalised)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := database.Rescope(ctx, tx, database.Scope{UserID: user.ID}); err != nil {
			return err
		}
		memberships, err := s.q.ListMembershipsOfUser(ctx, tx, user.ID)
		if err != nil || len(memberships) == 0 {
			return err
		}
		orgID := memberships[0].Membership.OrgID
		if err := database.Rescope(ctx, tx, database.Scope{OrgID: orgID, UserID: user.ID}); err != nil {
			return err
		}
		token, hash, err := newOpaqueToken(resetPrefix, orgID)
		if err != nil {
			return err
		}
		expires := s.now().Add(PasswordResetTTL)
		if err := s.q.InsertPasswordReset(ctx, tx, identitydb.InsertPasswordResetParams{
			OrgID: orgID, UserID: user.ID, TokenHash: hash, ExpiresAt: expires,
		}); err != nil {
			return fmt.Errorf("identity: store password reset: %w", err)
		}
		sealed, err := s.links.Seal(token)
		if err != nil {
			return err
		}
		return s.pub.PublishEmail(ctx, tx, orgID, &events.PasswordResetRequested{
			UserID: user.ID, SealedToken: sealed, ExpiresAt: expires,
			User: events.Recipient{Name: user.Name, Email: user.Email},
		})
	})
}

const (
	badReset  = "this password reset link is not valid; ask for a new one"
	usedReset = "this password reset link has already been used; ask for a new one if you need to"
	oldReset  = "this password reset link has expired; ask for a new one"
)

// ResetPassword sets a new password with an emailed reset token. The token is spent (as
// is every other open reset of the account in that organisation) and every refresh-token
// family of the user, in every organisation, is revoked: whoever knew the old password is
// logged out everywhere. An unknown or expired token answers 404, a spent one 409.
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	orgID, hash, ok := parseOpaqueToken(resetPrefix, token)
	if !ok {
		return apperr.New(apperr.NotFound, badReset)
	}
	var f apperr.Fields
	checkPassword(&f, "password", password)
	if err := f.Err(); err != nil {
		return err
	}
	check := func(tx pgx.Tx) (identitydb.PasswordReset, error) {
		r, err := s.q.GetPasswordResetForUpdate(ctx, tx, identitydb.GetPasswordResetForUpdateParams{OrgID: orgID, TokenHash: hash})
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return r, apperr.New(apperr.NotFound, badReset)
		case err != nil:
			return r, err
		case r.UsedAt != nil:
			return r, apperr.New(apperr.Conflict, usedReset)
		case !s.now().Before(r.ExpiresAt):
			return r, apperr.New(apperr.NotFound, oldReset)
		}
		return r, nil
	}
	// The token is checked before the (deliberately slow) hash, so made-up tokens cost
	// one indexed lookup, and checked again under its row lock when the hash is stored.
	scope := database.Scope{OrgID: orgID}
	if err := s.db.InTx(ctx, scope, func(tx pgx.Tx) error { _, err := check(tx); return err }); err != nil {
		return err
	}
	newHash, err := s.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, scope, func(tx pgx.Tx) error {
		r, err := check(tx)
		if err != nil {
			return err
		}
		if err := database.Rescope(ctx, tx, database.Scope{OrgID: orgID, UserID: r.UserID}); err != nil {
			return err
		}
		if err := s.q.SetPasswordHash(ctx, tx, identitydb.SetPasswordHashParams{ID: r.UserID, PasswordHash: newHash}); err != nil {
			return err
		}
		return s.revokeEverywhere(ctx, tx, r.UserID, orgID)
	})
}

// revokeEverywhere revokes every refresh-token family and web session of the user and spends their open
// password resets in every organisation they belong to (and in those named by also, which they may have
// left). Refresh tokens live in their organisation's rows, so each organisation is
// visited in its own scope; an organisation the user has left refuses their tokens anyway.
// It leaves tx scoped to the user alone.
func (s *Service) revokeEverywhere(ctx context.Context, tx pgx.Tx, userID uuid.UUID, also ...uuid.UUID) error {
	if err := database.Rescope(ctx, tx, database.Scope{UserID: userID}); err != nil {
		return err
	}
	memberships, err := s.q.ListMembershipsOfUser(ctx, tx, userID)
	if err != nil {
		return err
	}
	orgs := also
	for _, m := range memberships {
		orgs = append(orgs, m.Membership.OrgID)
	}
	seen := map[uuid.UUID]bool{}
	for _, org := range orgs {
		if seen[org] {
			continue
		}
		seen[org] = true
		if err := database.Rescope(ctx, tx, database.Scope{OrgID: org, UserID: userID}); err != nil {
			return err
		}
		if err := s.q.RevokeUserRefreshTokens(ctx, tx, identitydb.RevokeUserRefreshTokensParams{OrgID: org, UserID: userID}); err != nil {
			return err
		}
		if err := s.q.UsePasswordResets(ctx, tx, identitydb.UsePasswordResetsParams{OrgID: org, UserID: userID}); err != nil {
			return err
		}
		if err := s.q.DeleteUserWebSessions(ctx, tx, identitydb.DeleteUserWebSessionsParams{OrgID: org, UserID: userID}); err != nil {
			return err
		}
	}
	return database.Rescope(ctx, tx, database.Scope{UserID: userID})
}
