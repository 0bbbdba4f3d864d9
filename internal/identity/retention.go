package identity

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
)

// OrganisationIDs lists every organisation, for system jobs that then work in each one's
// own scope.
func (s *Service) OrganisationIDs(ctx context.Context) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.db.InTx(ctx, database.Scope{System: true}, func(tx pgx.Tx) error {
		var err error
		ids, err = s.q.ListOrganisationIDs(ctx, tx)
		return err
	})
	return ids, err
}

// PurgeExpired deletes one organisation's refresh tokens that expired over a day ago
// (kept a day so reuse of a just-expired token is still recognised), invitations that
// expired unaccepted over 30 days ago, password resets that expired over a day ago, and
// web sessions that have expired.
func (s *Service) PurgeExpired(ctx context.Context, orgID uuid.UUID) (int64, error) {
	var n int64
	now := s.now()
	err := s.db.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		tokens, err := s.q.DeleteExpiredRefreshTokens(ctx, tx, identitydb.DeleteExpiredRefreshTokensParams{OrgID: orgID, ExpiresAt: now.Add(-24 * time.Hour)})
		if err != nil {
			return err
		}
		invitations, err := s.q.DeleteExpiredInvitations(ctx, tx, identitydb.DeleteExpiredInvitationsParams{OrgID: orgID, ExpiresAt: now.Add(-30 * 24 * time.Hour)})
		if err != nil {
			return err
		}
		resets, err := s.q.DeleteExpiredPasswordResets(ctx, tx, identitydb.DeleteExpiredPasswordResetsParams{OrgID: orgID, ExpiresAt: now.Add(-24 * time.Hour)})
		if err != nil {
			return err
		}
		web, err := s.q.DeleteExpiredWebSessions(ctx, tx, identitydb.DeleteExpiredWebSessionsParams{OrgID: orgID, ExpiresAt: now})
		n = tokens + invitations + resets + web
		return err
	})
	return n, err
}
