package identity

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// PlatformAdmin checks the credentials of a platform operator (the job dashboard's
// users) and returns their user id. It is limited like login (the same failure counts),
// and answers alike for an unknown email, a wrong password and an account that is not a
// platform operator.
func (s *Service) PlatformAdmin(ctx context.Context, email, password, clientIP string) (uuid.UUID, error) {
	user, err := s.checkCredentials(ctx, email, password, clientIP)
	if err != nil {
		return uuid.Nil, err
	}
	if !user.IsPlatformAdmin {
		return uuid.Nil, errUnauthenticated(badCredentials)
	}
	return user.ID, nil
}

// IsPlatformAdmin reports whether the user is a platform operator now. The dashboard asks
// on every request, so revoking the right takes effect at once.
func (s *Service) IsPlatformAdmin(ctx context.Context, userID uuid.UUID) (bool, error) {
	var user identitydb.User
	err := s.db.InTx(ctx, database.Scope{UserID: userID}, func(tx pgx.Tx) error {
		var err error
		user, err = s.q.GetUser(ctx, tx, userID)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil && user.IsPlatformAdmin, err
}

// SetPlatformAdmin grants or removes platform-operator rights: the CLI's `platform-admin`
// command, and the demo admin in development. There is deliberately no API for it, and
// the application's own role may not write the column (migration 00006): owner is a
// connection as the schema owner (MIGRATION_DATABASE_URL).
func SetPlatformAdmin(ctx context.Context, owner *database.DB, email string, on bool) error {
	normalised, err := validate.Email(email)
	if err != nil {
		return err
	}
	q := identitydb.New()
	return owner.InTx(ctx, database.Scope{LoginEmail: normalised}, func(tx pgx.Tx) error {
		user, err := q.GetUserByEmail(ctx, tx, normalised)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("user")
		}
		if err != nil {
			return err
		}
		if err := database.Rescope(ctx, tx, database.Scope{UserID: user.ID}); err != nil {
			return err
		}
		return q.SetPlatformAdmin(ctx, tx, identitydb.SetPlatformAdminParams{ID: user.ID, IsPlatformAdmin: on})
	})
}
