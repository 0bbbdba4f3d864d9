package identity

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
)

// Authenticate verifies an access token and loads the current membership, so a role
// change or removal takes effect at the next request rather than at token expiry. A
// CONTRACTOR whose company has been deactivated is refused (403) at once. The check is one
// statement in one round trip (database.Scoped), since every request makes it.
func (s *Service) Authenticate(ctx context.Context, accessToken string) (access.Actor, error) {
	userID, orgID, err := s.signer.Verify(accessToken)
	if err != nil {
		return access.Actor{}, errUnauthenticated("access token is not valid")
	}
	m, err := s.q.GetActor(ctx, s.db.Scoped(database.Scope{OrgID: orgID, UserID: userID}),
		identitydb.GetActorParams{OrgID: orgID, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return access.Actor{}, errUnauthenticated("you are no longer a member of this organisation")
	}
	if err != nil {
		return access.Actor{}, err
	}
	return actorOf(userID, orgID, m)
}

// Membership is one organisation a user belongs to.
type Membership struct {
	OrgID   uuid.UUID   `json:"orgId"`
	OrgName string      `json:"orgName"`
	OrgSlug string      `json:"orgSlug"`
	Role    access.Role `json:"role"`
}

// Me describes the acting user, their current organisation and role, and every other
// membership they could switch to.
type Me struct {
	User        User         `json:"user"`
	Org         Org          `json:"org"`
	Role        access.Role  `json:"role"`
	Memberships []Membership `json:"memberships"`
}

// Me returns the actor's profile and memberships.
func (s *Service) Me(ctx context.Context, actor access.Actor) (*Me, error) {
	var me Me
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		user, err := s.q.GetUser(ctx, tx, actor.UserID)
		if err != nil {
			return err
		}
		org, err := s.q.GetOrganisation(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		rows, err := s.q.ListMembershipsOfUser(ctx, tx, actor.UserID)
		if err != nil {
			return err
		}
		me = Me{User: userFromRow(user), Org: orgFromRow(org), Role: actor.Role, Memberships: make([]Membership, len(rows))}
		for i, r := range rows {
			me.Memberships[i] = Membership{OrgID: r.Membership.OrgID, OrgName: r.OrgName, OrgSlug: r.OrgSlug, Role: access.Role(r.Membership.Role)}
		}
		return nil
	})
	return &me, err
}

// SwitchOrg starts a session in another organisation the actor belongs to; any other org
// id answers 404.
func (s *Service) SwitchOrg(ctx context.Context, actor access.Actor, orgID uuid.UUID) (*Session, error) {
	var session *Session
	err := s.db.InOrg(ctx, orgID, actor.UserID, func(tx pgx.Tx) error {
		m, err := s.q.GetMembershipForUser(ctx, tx, identitydb.GetMembershipForUserParams{OrgID: orgID, UserID: actor.UserID})
		if err != nil {
			return notFound(err, "organisation")
		}
		user, err := s.q.GetUser(ctx, tx, actor.UserID)
		if err != nil {
			return err
		}
		org, err := s.q.GetOrganisation(ctx, tx, orgID)
		if err != nil {
			return notFound(err, "organisation")
		}
		session, err = s.startSession(ctx, tx, user, org, access.Role(m.Role))
		return err
	})
	return session, err
}
