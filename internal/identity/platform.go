package identity

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// PlatformAdmin checks the credentials of a platform operator (the job dashboard's
// users). It is limited like login, and answers alike for an unknown email, a wrong
// password and an account that is not a platform operator.
func (s *Service) PlatformAdmin(ctx context.Context, email, password, clientIP string) error {
	normalised, err := validate.Email(email)
	if ok, retry := s.byIP.Allow("ip:" + clientIP); !ok {
		return &apperr.Error{Code: apperr.RateLimited, Message: "too many attempts; try again shortly", RetryAfter: retry}
	}
	if err != nil {
		return errUnauthenticated(badCredentials)
	}
	if ok, retry := s.byEmail.Allow("email:" + normalised); !ok {
		return &apperr.Error{Code: apperr.RateLimited, Message: "too many attempts; try again shortly", RetryAfter: retry}
	}
	var user identitydb.User
	err = s.db.InTx(ctx, database.Scope{LoginEmail: normalised}, func(tx pgx.Tx) error {
		user, err = s.q.GetUserByEmail(ctx, tx, normalised)
		return err
	})
	hash := s.dummyHash
	if err == nil {
		hash = user.PasswordHash
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	ok, verr := VerifyPassword(hash, password)
	if verr != nil || !ok || err != nil || !user.IsPlatformAdmin {
		return errUnauthenticated(badCredentials)
	}
	return nil
}

// SetPlatformAdmin grants or removes platform-operator rights (the CLI's
// `platform-admin` command; there is deliberately no API for it).
func (s *Service) SetPlatformAdmin(ctx context.Context, email string, on bool) error {
	normalised, err := validate.Email(email)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, database.Scope{LoginEmail: normalised}, func(tx pgx.Tx) error {
		user, err := s.q.GetUserByEmail(ctx, tx, normalised)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("user")
		}
		if err != nil {
			return err
		}
		if err := database.Rescope(ctx, tx, database.Scope{UserID: user.ID}); err != nil {
			return err
		}
		return s.q.SetPlatformAdmin(ctx, tx, identitydb.SetPlatformAdminParams{ID: user.ID, IsPlatformAdmin: on})
	})
}
