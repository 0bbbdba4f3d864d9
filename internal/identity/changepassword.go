package identity

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
)

// ChangePassword replaces the actor's password after checking the current one. A wrong
// current password answers 422 on field currentPassword (not 401, which would tell a
// client its session had ended). Every refresh-token family of the user, in every
// organisation, is revoked, and a new session in the actor's organisation is returned so
// the device that made the change stays logged in.
func (s *Service) ChangePassword(ctx context.Context, actor access.Actor, current, next string) (*Session, error) {
	byUser := "user:" + actor.UserID.String()
	if blocked, retry := s.limits().changeByUser.Blocked(byUser); blocked {
		return nil, tooMany(retry)
	}
	var f apperr.Fields
	if current == "" {
		f.Add("currentPassword", "is required")
	}
	checkPassword(&f, "newPassword", next)
	if err := f.Err(); err != nil {
		return nil, err
	}
	var user identitydb.User
	if err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		var err error
		user, err = s.q.GetUser(ctx, tx, actor.UserID)
		return err
	}); err != nil {
		return nil, err
	}
	ok, err := s.verifyPassword(ctx, user.PasswordHash, current)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.limits().changeByUser.Hit(byUser) // failures only, as at login
		f.Add("currentPassword", "is not your current password")
		return nil, f.Err()
	}
	newHash, err := s.hashPassword(ctx, next)
	if err != nil {
		return nil, err
	}
	var session *Session
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if err := s.q.SetPasswordHash(ctx, tx, identitydb.SetPasswordHashParams{ID: actor.UserID, PasswordHash: newHash}); err != nil {
			return err
		}
		if err := s.revokeEverywhere(ctx, tx, actor.UserID, actor.OrgID); err != nil {
			return err
		}
		if err := database.Rescope(ctx, tx, database.Scope{OrgID: actor.OrgID, UserID: actor.UserID}); err != nil {
			return err
		}
		m, err := s.q.GetMembershipForUser(ctx, tx, identitydb.GetMembershipForUserParams{OrgID: actor.OrgID, UserID: actor.UserID})
		if err != nil {
			return notFound(err, "membership")
		}
		user, err = s.q.GetUser(ctx, tx, actor.UserID)
		if err != nil {
			return err
		}
		org, err := s.q.GetOrganisation(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		session, err = s.startSession(ctx, tx, user, org, access.Role(m.Role))
		return err
	})
	return session, err
}
