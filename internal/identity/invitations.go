package identity

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// InviteInput invites someone by email with a role.
type InviteInput struct {
	Email        string
	Role         access.Role
	ContractorID *uuid.UUID
}

// Invitation is an open invitation. Its token is stored only as a hash and reaches
// nobody but the invitee, in the member.invited email (in development, readable at
// /dev/mailbox): the inviting ADMIN never sees it, so cannot accept in the invitee's name.
type Invitation struct {
	ID           uuid.UUID   `json:"id"`
	Email        string      `json:"email"`
	Role         access.Role `json:"role"`
	ContractorID *uuid.UUID  `json:"contractorId"`
	ExpiresAt    time.Time   `json:"expiresAt"`
	CreatedAt    time.Time   `json:"createdAt"`
}

func invitationFromRow(r identitydb.Invitation) Invitation {
	return Invitation{ID: r.ID, Email: r.Email, Role: access.Role(r.Role), ContractorID: r.ContractorID, ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt}
}

// Invite creates an invitation (ADMIN only) and emails its link to the invitee. Inviting
// the same address again replaces the open invitation; inviting an existing member
// answers 409.
func (s *Service) Invite(ctx context.Context, actor access.Actor, in InviteInput) (*Invitation, error) {
	inv, _, err := s.InviteWithToken(ctx, actor, in)
	return inv, err
}

// Check applies the rules on the input alone (the address, a role with a contractor
// company exactly when it is CONTRACTOR), naming every field that breaks one; the API
// runs it beside schema validation.
func (in InviteInput) Check() error {
	var f apperr.Fields
	if _, err := validate.Email(in.Email); err != nil {
		f.Add("email", err.Error())
	}
	if err := checkRole("role", in.Role, in.ContractorID); err != nil {
		f = append(f, err.(*apperr.Error).Fields...)
	}
	return f.Err()
}

// InviteWithToken is Invite that also returns the raw token, for in-process callers that
// accept on the invitee's behalf (the demo organisation, internal/demo); no API answer carries it.
func (s *Service) InviteWithToken(ctx context.Context, actor access.Actor, in InviteInput) (*Invitation, string, error) {
	if err := actor.Require(access.Admin); err != nil {
		return nil, "", err
	}
	if err := in.Check(); err != nil {
		return nil, "", err
	}
	email, _ := validate.Email(in.Email)
	token, hash, err := newOpaqueToken(invitationPrefix, actor.OrgID)
	if err != nil {
		return nil, "", err
	}
	var out Invitation
	scope := database.Scope{OrgID: actor.OrgID, UserID: actor.UserID, LoginEmail: email}
	err = s.db.InTx(ctx, scope, func(tx pgx.Tx) error {
		if existing, err := s.q.GetUserByEmail(ctx, tx, email); err == nil {
			_, err := s.q.GetMembershipForUser(ctx, tx, identitydb.GetMembershipForUserParams{OrgID: actor.OrgID, UserID: existing.ID})
			if err == nil {
				return apperr.New(apperr.Conflict, "%s is already a member of this organisation", email)
			}
		}
		if err := s.checkContractor(ctx, tx, actor.OrgID, in.ContractorID); err != nil {
			return err
		}
		if err := s.q.RevokeOpenInvitation(ctx, tx, identitydb.RevokeOpenInvitationParams{OrgID: actor.OrgID, Email: email}); err != nil {
			return err
		}
		row, err := s.q.InsertInvitation(ctx, tx, identitydb.InsertInvitationParams{
			OrgID: actor.OrgID, Email: email, Role: string(in.Role), ContractorID: in.ContractorID,
			TokenHash: hash, InvitedBy: actor.UserID, ExpiresAt: s.now().Add(s.settings.InvitationTTL),
		})
		if err != nil {
			return err
		}
		out = invitationFromRow(row)
		if err := timeline.Record(ctx, tx, actor, timeline.Change{
			EntityType: timeline.EntityInvitation, EntityID: row.ID, Action: "created",
			After: map[string]any{"email": email, "role": in.Role, "contractorId": in.ContractorID},
		}); err != nil {
			return err
		}
		inviter, err := s.q.GetUser(ctx, tx, actor.UserID)
		if err != nil {
			return err
		}
		sealed, err := s.links.Seal(token)
		if err != nil {
			return err
		}
		return s.pub.PublishEmail(ctx, tx, actor.OrgID, &events.MemberInvited{
			InvitationID: row.ID, Role: string(in.Role), InvitedBy: inviter.Name, SealedToken: sealed,
			ExpiresAt: row.ExpiresAt, Invitee: events.Recipient{Email: email},
		})
	})
	if err != nil {
		return nil, "", err
	}
	return &out, token, nil
}

// ListInvitations lists open, unexpired invitations (ADMIN only).
func (s *Service) ListInvitations(ctx context.Context, actor access.Actor) ([]Invitation, error) {
	if err := actor.Require(access.Admin); err != nil {
		return nil, err
	}
	var out []Invitation
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		rows, err := s.q.ListOpenInvitations(ctx, tx, actor.OrgID)
		out = make([]Invitation, len(rows))
		for i, r := range rows {
			out[i] = invitationFromRow(r)
		}
		return err
	})
	return out, err
}

// AcceptInput accepts an invitation. A new user sets their name and password; someone who
// already has an account proves it with their existing password (name is ignored).
type AcceptInput struct {
	Token    string
	Name     string
	Password string
	// ClientIP counts a wrong password for an existing account like a failed login.
	ClientIP string
}

const badInvitation = "invitation not found or no longer valid"

// AcceptInvitation creates the membership (and the user if new) and starts a session in
// the inviting organisation.
func (s *Service) AcceptInvitation(ctx context.Context, in AcceptInput) (*Session, error) {
	orgID, hash, ok := parseOpaqueToken(invitationPrefix, in.Token)
	if !ok {
		return nil, apperr.New(apperr.NotFound, badInvitation)
	}
	if in.Password == "" {
		var f apperr.Fields
		f.Add("password", "is required")
		return nil, f.Err()
	}
	var session *Session
	err := s.db.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		inv, err := s.q.GetInvitationForUpdate(ctx, tx, identitydb.GetInvitationForUpdateParams{OrgID: orgID, TokenHash: hash})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, badInvitation)
		}
		if err != nil {
			return err
		}
		switch {
		case inv.AcceptedAt != nil:
			return apperr.New(apperr.Conflict, "this invitation has already been accepted; log in instead")
		case inv.RevokedAt != nil || !s.now().Before(inv.ExpiresAt):
			return apperr.New(apperr.NotFound, badInvitation)
		}
		if err := database.Rescope(ctx, tx, database.Scope{OrgID: orgID, LoginEmail: inv.Email}); err != nil {
			return err
		}
		user, err := s.invitedUser(ctx, tx, inv, in)
		if err != nil {
			return err
		}
		if err := database.Rescope(ctx, tx, database.Scope{OrgID: orgID, UserID: user.ID}); err != nil {
			return err
		}
		m, err := s.q.InsertMembership(ctx, tx, identitydb.InsertMembershipParams{OrgID: orgID, UserID: user.ID, Role: inv.Role, ContractorID: inv.ContractorID})
		if database.IsUniqueViolation(err, "") {
			return apperr.New(apperr.Conflict, "you are already a member of this organisation")
		}
		if err != nil {
			return err
		}
		if err := s.q.MarkInvitationAccepted(ctx, tx, identitydb.MarkInvitationAcceptedParams{OrgID: orgID, ID: inv.ID}); err != nil {
			return err
		}
		actor := access.Actor{UserID: user.ID, OrgID: orgID, Role: access.Role(m.Role)}
		if err := timeline.Record(ctx, tx, actor, timeline.Change{
			EntityType: timeline.EntityMember, EntityID: m.ID, Action: "joined",
			After: map[string]any{"userId": user.ID, "email": user.Email, "role": m.Role, "invitationId": inv.ID},
		}); err != nil {
			return err
		}
		org, err := s.q.GetOrganisation(ctx, tx, orgID)
		if err != nil {
			return err
		}
		session, err = s.startSession(ctx, tx, user, org, access.Role(m.Role))
		return err
	})
	return session, err
}

// invitedUser finds the invited address's account, checking the password, or creates it.
func (s *Service) invitedUser(ctx context.Context, tx pgx.Tx, inv identitydb.Invitation, in AcceptInput) (identitydb.User, error) {
	existing, err := s.q.GetUserByEmail(ctx, tx, inv.Email)
	if err == nil {
		// This is a password check like login's and shares its failure budget: any
		// organisation's admin can invite an address and would otherwise guess unlimited.
		if err := s.failures.check(existing.Email, in.ClientIP); err != nil {
			return existing, err
		}
		ok, err := s.verifyPassword(ctx, existing.PasswordHash, in.Password)
		if err != nil {
			return existing, err
		}
		if !ok {
			s.failures.failed(existing.Email, in.ClientIP)
			return existing, errUnauthenticated("you already have an account: enter its password to accept")
		}
		s.failures.succeeded(existing.Email, in.ClientIP)
		return existing, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return existing, err
	}
	var f apperr.Fields
	name, nameErr := validate.Text(in.Name, 1, 200)
	if nameErr != nil {
		f.Add("name", nameErr.Error())
	}
	checkPassword(&f, "password", in.Password)
	if err := f.Err(); err != nil {
		return existing, err
	}
	hash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return existing, err
	}
	userID := uuid.New()
	if err := database.Rescope(ctx, tx, database.Scope{OrgID: inv.OrgID, UserID: userID}); err != nil {
		return existing, err
	}
	return s.q.InsertUser(ctx, tx, identitydb.InsertUserParams{ID: userID, Email: inv.Email, Name: name, PasswordHash: hash})
}
