package identity

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
)

const badRefresh = "refresh token is not valid; log in again"

// Refresh rotates a refresh token: the presented token is spent and a new one of the same
// family is returned. Presenting a spent token again means it was copied, so the whole
// family is revoked (the thief's and the owner's sessions alike) and the answer is 401.
func (s *Service) Refresh(ctx context.Context, token string) (*Session, error) {
	orgID, hash, ok := parseOpaqueToken(refreshPrefix, token)
	if !ok {
		return nil, errUnauthenticated(badRefresh)
	}
	var session *Session
	var reused bool
	err := s.db.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		rt, err := s.q.GetRefreshTokenForUpdate(ctx, tx, identitydb.GetRefreshTokenForUpdateParams{OrgID: orgID, TokenHash: hash})
		if errors.Is(err, pgx.ErrNoRows) {
			return errUnauthenticated(badRefresh)
		}
		if err != nil {
			return err
		}
		revoke := func() error {
			return s.q.RevokeRefreshFamily(ctx, tx, identitydb.RevokeRefreshFamilyParams{OrgID: orgID, FamilyID: rt.FamilyID})
		}
		switch {
		case rt.RevokedAt != nil:
			return errUnauthenticated(badRefresh)
		case rt.RotatedAt != nil:
			// Commit the revocation, then answer 401 outside the transaction.
			reused = true
			return revoke()
		case !s.now().Before(rt.ExpiresAt):
			return errUnauthenticated(badRefresh)
		case !s.now().Before(rt.FamilyStartedAt.Add(s.refreshMaxAge())):
			// However recently it was used, a login lasts at most RefreshMaxAge.
			return errUnauthenticated(badRefresh)
		}
		m, err := s.q.GetMembershipForUser(ctx, tx, identitydb.GetMembershipForUserParams{OrgID: orgID, UserID: rt.UserID})
		if errors.Is(err, pgx.ErrNoRows) {
			reused = true // not reuse, but the same outcome: the member was removed
			return revoke()
		}
		if err != nil {
			return err
		}
		if err := s.q.MarkRefreshTokenRotated(ctx, tx, identitydb.MarkRefreshTokenRotatedParams{OrgID: orgID, ID: rt.ID}); err != nil {
			return err
		}
		user, err := s.q.GetUser(ctx, tx, rt.UserID)
		if err != nil {
			return err
		}
		org, err := s.q.GetOrganisation(ctx, tx, orgID)
		if err != nil {
			return err
		}
		session, err = s.continueSession(ctx, tx, user, org, access.Role(m.Role), rt.FamilyID, rt.FamilyStartedAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	if reused {
		return nil, errUnauthenticated(badRefresh)
	}
	return session, nil
}

// Logout revokes the family of the given refresh token. Only the actor's own tokens are
// revoked; an unknown or foreign token is ignored, so logout always succeeds.
func (s *Service) Logout(ctx context.Context, actor access.Actor, token string) error {
	orgID, hash, ok := parseOpaqueToken(refreshPrefix, token)
	if !ok || orgID != actor.OrgID {
		return nil
	}
	return s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		rt, err := s.q.GetRefreshTokenForUpdate(ctx, tx, identitydb.GetRefreshTokenForUpdateParams{OrgID: orgID, TokenHash: hash})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && rt.UserID != actor.UserID) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.q.RevokeRefreshFamily(ctx, tx, identitydb.RevokeRefreshFamilyParams{OrgID: orgID, FamilyID: rt.FamilyID})
	})
}
