package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/identity"
)

type inviteIn struct {
	Body struct {
		Email        string      `json:"email" maxLength:"254" format:"email" example:"sam@example.co.uk"`
		Role         access.Role `json:"role" enum:"ADMIN,COORDINATOR,CONTRACTOR,TENANT"`
		ContractorID *uuid.UUID  `json:"contractorId,omitempty" format:"uuid" doc:"Required for CONTRACTOR: their company."`
	}
}

type memberIDIn struct {
	ID uuid.UUID `path:"id"`
}

type changeRoleIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Role         access.Role `json:"role" enum:"ADMIN,COORDINATOR,CONTRACTOR,TENANT"`
		ContractorID *uuid.UUID  `json:"contractorId,omitempty" format:"uuid"`
	}
}

type listMembersIn struct {
	PageQuery
}

type removed struct {
	Removed bool `json:"removed"`
}

func (s *Server) memberRoutes() {
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/members", "listMembers", "Members", "List members (ADMIN)", true),
		func(ctx context.Context, in *listMembersIn) (*ListOut[identity.Member], error) {
			res, err := s.deps.Identity.ListMembers(ctx, actorOf(ctx), in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/members", "inviteMember", "Members", "Invite someone by email with a role (ADMIN)", true)),
		func(ctx context.Context, in *inviteIn) (*Created[identity.Invitation], error) {
			inv, err := s.deps.Identity.Invite(ctx, actorOf(ctx), identity.InviteInput{Email: in.Body.Email, Role: in.Body.Role, ContractorID: in.Body.ContractorID})
			if err != nil {
				return nil, err
			}
			return created(ctx, *inv), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/invitations", "listInvitations", "Members", "List open invitations (ADMIN)", true),
		func(ctx context.Context, _ *struct{}) (*Out[[]identity.Invitation], error) {
			invs, err := s.deps.Identity.ListInvitations(ctx, actorOf(ctx))
			if err != nil {
				return nil, err
			}
			return ok(ctx, invs), nil
		})

	huma.Register(s.api, s.operation(http.MethodPatch, "/api/v1/members/{id}", "changeMemberRole", "Members", "Change a member's role (ADMIN)", true),
		func(ctx context.Context, in *changeRoleIn) (*Out[identity.Member], error) {
			m, err := s.deps.Identity.ChangeRole(ctx, actorOf(ctx), in.ID, identity.ChangeRoleInput{Role: in.Body.Role, ContractorID: in.Body.ContractorID})
			if err != nil {
				return nil, err
			}
			return ok(ctx, *m), nil
		})

	huma.Register(s.api, s.operation(http.MethodDelete, "/api/v1/members/{id}", "removeMember", "Members", "Remove a member (ADMIN)", true),
		func(ctx context.Context, in *memberIDIn) (*Out[removed], error) {
			if err := s.deps.Identity.RemoveMember(ctx, actorOf(ctx), in.ID); err != nil {
				return nil, err
			}
			return ok(ctx, removed{Removed: true}), nil
		})
}
