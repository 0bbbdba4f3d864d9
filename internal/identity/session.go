package identity

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
)

// startSession creates a new refresh-token family for a membership and signs an access
// token, inside tx (scoped to the membership's organisation).
func (s *Service) startSession(ctx context.Context, tx pgx.Tx, user identitydb.User, org identitydb.Organisation, role access.Role) (*Session, error) {
	return s.continueSession(ctx, tx, user, org, role, uuid.New())
}

// continueSession adds a refresh token to an existing family (rotation) and signs an
// access token.
func (s *Service) continueSession(ctx context.Context, tx pgx.Tx, user identitydb.User, org identitydb.Organisation, role access.Role, family uuid.UUID) (*Session, error) {
	refresh, hash, err := newOpaqueToken(refreshPrefix, org.ID)
	if err != nil {
		return nil, err
	}
	err = s.q.InsertRefreshToken(ctx, tx, identitydb.InsertRefreshTokenParams{
		OrgID: org.ID, UserID: user.ID, FamilyID: family, TokenHash: hash,
		ExpiresAt: s.now().Add(s.settings.RefreshTTL),
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
