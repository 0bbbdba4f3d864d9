package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
)

// startSession creates a new refresh-token family for a membership and signs an access
// token, inside tx (scoped to the membership's organisation).
func (s *Service) startSession(ctx context.Context, tx pgx.Tx, user identitydb.User, org identitydb.Organisation, role access.Role) (*Session, error) {
	return s.continueSession(ctx, tx, user, org, role, uuid.New(), s.now())
}

// continueSession adds a refresh token to an existing family (rotation) and signs an
// access token. A token expires RefreshTTL after issue (sliding) but never after the
// family's absolute end, RefreshMaxAge after the login that started it.
func (s *Service) continueSession(ctx context.Context, tx pgx.Tx, user identitydb.User, org identitydb.Organisation, role access.Role, family uuid.UUID, started time.Time) (*Session, error) {
	refresh, hash, err := newOpaqueToken(refreshPrefix, org.ID)
	if err != nil {
		return nil, err
	}
	expires := s.now().Add(s.settings.RefreshTTL)
	if end := started.Add(s.refreshMaxAge()); end.Before(expires) {
		expires = end
	}
	err = s.q.InsertRefreshToken(ctx, tx, identitydb.InsertRefreshTokenParams{
		OrgID: org.ID, UserID: user.ID, FamilyID: family, TokenHash: hash,
		ExpiresAt: expires, FamilyStartedAt: started,
	})
	if err != nil {
		return nil, fmt.Errorf("identity: store refresh token: %w", err)
	}
	accessToken, err := s.signer.Issue(user.ID, org.ID, role)
	if err != nil {
		return nil, fmt.Errorf("identity: sign access token: %w", err)
	}
	return &Session{
		AccessToken: accessToken, RefreshToken: refresh, TokenType: "Bearer",
		ExpiresIn: int(s.signer.TTL().Seconds()),
		User:      userFromRow(user), Org: orgFromRow(org), Role: role,
	}, nil
}

// defaultRefreshMaxAge is the absolute lifetime of a refresh-token family when the
// settings leave it unset.
const defaultRefreshMaxAge = 90 * 24 * time.Hour

func (s *Service) refreshMaxAge() time.Duration {
	if s.settings.RefreshMaxAge > 0 {
		return s.settings.RefreshMaxAge
	}
	return defaultRefreshMaxAge
}
