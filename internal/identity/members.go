package identity

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// Member is a user's membership of the actor's organisation.
type Member struct {
	ID           uuid.UUID   `json:"id"`
	UserID       uuid.UUID   `json:"userId"`
	Email        string      `json:"email"`
	Name         string      `json:"name"`
	Role         access.Role `json:"role"`
	ContractorID *uuid.UUID  `json:"contractorId"`
	CreatedAt    time.Time   `json:"createdAt"`
}

func memberFromRow(m identitydb.Membership, email, name string) Member {
	return Member{ID: m.ID, UserID: m.UserID, Email: email, Name: name, Role: access.Role(m.Role), ContractorID: m.ContractorID, CreatedAt: m.CreatedAt}
}

// ListMembers pages through the organisation's members (ADMIN only).
func (s *Service) ListMembers(ctx context.Context, actor access.Actor, req page.Request) (page.Result[Member], error) {
	var res page.Result[Member]
	if err := actor.Require(access.Admin); err != nil {
		return res, err
	}
	limit, before, err := req.ParseNewest()
	if err != nil {
		return res, err
	}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		rows, err := s.q.ListMembers(ctx, tx, identitydb.ListMembersParams{
			OrgID: actor.OrgID, BeforeCreatedAt: before.CreatedAt, BeforeID: before.ID, RowLimit: int32(limit + 1),
		})
		if err != nil {
			return err
		}
		members := make([]Member, len(rows))
		for i, r := range rows {
			members[i] = memberFromRow(r.Membership, r.Email, r.Name)
		}
		res = page.Build(members, limit, func(m Member) page.Key { return page.Key{CreatedAt: m.CreatedAt, ID: m.ID} })
		return nil
	})
	return res, err
}

// ListTenants lists the organisation's TENANT members by name (staff: the residents a
// coordinator may link to a unit), at most limit of them (page.MaxLimit at most).
func (s *Service) ListTenants(ctx context.Context, actor access.Actor, limit int) ([]Member, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	limit = min(max(limit, 1), page.MaxLimit)
	var out []Member
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		before := page.EndOfTime
		for len(out) < limit {
			rows, err := s.q.ListMembers(ctx, tx, identitydb.ListMembersParams{
				OrgID: actor.OrgID, BeforeCreatedAt: before.CreatedAt, BeforeID: before.ID, RowLimit: page.MaxLimit,
			})
			if err != nil {
				return err
			}
			for _, r := range rows {
				if r.Membership.Role == string(access.Tenant) && len(out) < limit {
					out = append(out, memberFromRow(r.Membership, r.Email, r.Name))
				}
			}
			if len(rows) < page.MaxLimit {
				break
			}
			last := rows[len(rows)-1].Membership
			before = page.Key{CreatedAt: last.CreatedAt, ID: last.ID}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b Member) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Email, b.Email))
	})
	return out, err
}

// ChangeRoleInput sets a member's role; ContractorID is required for CONTRACTOR.
type ChangeRoleInput struct {
	Role         access.Role
	ContractorID *uuid.UUID
}

// ChangeRole changes a member's role (ADMIN only). The organisation always keeps at least
// one ADMIN. The change applies at the member's next request.
func (s *Service) ChangeRole(ctx context.Context, actor access.Actor, memberID uuid.UUID, in ChangeRoleInput) (*Member, error) {
	if err := actor.Require(access.Admin); err != nil {
		return nil, err
	}
	if err := checkRole("role", in.Role, in.ContractorID); err != nil {
		return nil, err
	}
	var out Member
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		before, err := s.q.GetMember(ctx, tx, identitydb.GetMemberParams{OrgID: actor.OrgID, ID: memberID})
		if err != nil {
			return notFound(err, "member")
		}
		if before.Membership.Role == string(access.Admin) && in.Role != access.Admin {
			if err := s.keepAnAdmin(ctx, tx, actor.OrgID); err != nil {
				return err
			}
		}
		if err := s.checkContractor(ctx, tx, actor.OrgID, in.ContractorID); err != nil {
			return err
		}
		m, err := s.q.UpdateMembershipRole(ctx, tx, identitydb.UpdateMembershipRoleParams{
			OrgID: actor.OrgID, ID: memberID, Role: string(in.Role), ContractorID: in.ContractorID,
		})
		if err != nil {
			return err
		}
		out = memberFromRow(m, before.Email, before.Name)
		return timeline.Record(ctx, tx, actor, timeline.Change{
			EntityType: timeline.EntityMember, EntityID: memberID, Action: "role_changed",
			Before: map[string]any{"role": before.Membership.Role, "contractorId": before.Membership.ContractorID},
			After:  map[string]any{"role": m.Role, "contractorId": m.ContractorID},
		})
	})
	return &out, err
}

// RemoveMember ends a membership (ADMIN only) and revokes the member's refresh tokens in
// this organisation; their access token stops working at the next request.
func (s *Service) RemoveMember(ctx context.Context, actor access.Actor, memberID uuid.UUID) error {
	if err := actor.Require(access.Admin); err != nil {
		return err
	}
	return s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		m, err := s.q.GetMember(ctx, tx, identitydb.GetMemberParams{OrgID: actor.OrgID, ID: memberID})
		if err != nil {
			return notFound(err, "member")
		}
		if m.Membership.Role == string(access.Admin) {
			if err := s.keepAnAdmin(ctx, tx, actor.OrgID); err != nil {
				return err
			}
		}
		if _, err := s.q.DeleteMembership(ctx, tx, identitydb.DeleteMembershipParams{OrgID: actor.OrgID, ID: memberID}); err != nil {
			return err
		}
		if err := s.q.RevokeUserRefreshTokens(ctx, tx, identitydb.RevokeUserRefreshTokensParams{OrgID: actor.OrgID, UserID: m.Membership.UserID}); err != nil {
			return err
		}
		return timeline.Record(ctx, tx, actor, timeline.Change{
			EntityType: timeline.EntityMember, EntityID: memberID, Action: "removed",
			Before: map[string]any{"userId": m.Membership.UserID, "email": m.Email, "role": m.Membership.Role},
		})
	})
}

// keepAnAdmin refuses a change that would leave the organisation without an ADMIN. It
// locks the ADMIN memberships (in id order, so concurrent callers queue rather than
// deadlock) while counting them: a plain count under READ COMMITTED lets two admins who
// step down at once each see the other and both succeed.
func (s *Service) keepAnAdmin(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) error {
	var n int64
	err := tx.QueryRow(ctx, `SELECT count(*) FROM (
		SELECT 1 FROM memberships WHERE org_id = $1 AND role = 'ADMIN' ORDER BY id FOR UPDATE) AS admins`, orgID).Scan(&n)
	if err != nil {
		return err
	}
	if n <= 1 {
		return apperr.New(apperr.Conflict, "an organisation must keep at least one ADMIN")
	}
	return nil
}

func checkRole(field string, role access.Role, contractorID *uuid.UUID) error {
	var f apperr.Fields
	switch {
	case !role.Valid():
		f.Add(field, "must be one of ADMIN, COORDINATOR, CONTRACTOR, TENANT")
	case role == access.Contractor && contractorID == nil:
		f.Add("contractorId", "is required for a CONTRACTOR: the company whose work orders they see")
	case role != access.Contractor && contractorID != nil:
		f.Add("contractorId", "is only for CONTRACTOR members")
	}
	return f.Err()
}

func (s *Service) checkContractor(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, id *uuid.UUID) error {
	if id == nil {
		return nil
	}
	ok, err := s.q.ContractorExists(ctx, tx, identitydb.ContractorExistsParams{OrgID: orgID, ID: *id})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if !ok {
		var f apperr.Fields
		f.Add("contractorId", "no such contractor in this organisation")
		return f.Err()
	}
	return nil
}
