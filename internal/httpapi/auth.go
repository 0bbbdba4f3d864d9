package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/identity"
)

type registerIn struct {
	Body struct {
		OrgName  string `json:"orgName" minLength:"1" maxLength:"200" doc:"The organisation's name, e.g. Demo Lettings."`
		Name     string `json:"name" minLength:"1" maxLength:"200" doc:"Your name."`
		Email    string `json:"email" maxLength:"254" format:"email" example:"sam@example.co.uk"`
		Password string `json:"password" minLength:"10" maxLength:"128" doc:"10 to 128 characters."`
	}
}

type loginIn struct {
	Body struct {
		Email    string `json:"email" maxLength:"254"`
		Password string `json:"password" maxLength:"1024"`
	}
}

type refreshIn struct {
	Body struct {
		RefreshToken string `json:"refreshToken" maxLength:"256"`
	}
}

type switchOrgIn struct {
	Body struct {
		OrgID uuid.UUID `json:"orgId" format:"uuid"`
	}
}

type acceptInvitationIn struct {
	Body struct {
		Token    string `json:"token" maxLength:"256" doc:"The token of the emailed link (/accept-invitation?token=…)."`
		Name     string `json:"name,omitempty" maxLength:"200" doc:"Required for a new account."`
		Password string `json:"password" minLength:"1" maxLength:"128" doc:"A new password (10 to 128 characters), or your existing one if you already have an account."`
	}
}

type loggedOut struct {
	LoggedOut bool `json:"loggedOut"`
}

// hashes marks an operation that checks or sets a password: it can answer 503 with
// Retry-After when every password-hashing turn is taken (PASSWORD_HASH_MEMORY_MIB).
func hashes(op huma.Operation) huma.Operation {
	op.Errors = append(op.Errors, http.StatusServiceUnavailable)
	return op
}

func (s *Server) authRoutes() {
	huma.Register(s.api, hashes(creates(s.operation(http.MethodPost, "/api/v1/auth/register", "register", "Auth", "Register an organisation and its first ADMIN", false))),
		func(ctx context.Context, in *registerIn) (*Created[identity.Session], error) {
			sess, err := s.deps.Identity.Register(ctx, identity.RegisterInput{
				OrgName: in.Body.OrgName, Name: in.Body.Name, Email: in.Body.Email, Password: in.Body.Password, ClientIP: infoFrom(ctx).clientIP,
			})
			if err != nil {
				return nil, err
			}
			return created(ctx, *sess), nil
		})

	huma.Register(s.api, hashes(s.operation(http.MethodPost, "/api/v1/auth/login", "login", "Auth", "Log in with email and password", false)),
		func(ctx context.Context, in *loginIn) (*Out[identity.Session], error) {
			sess, err := s.deps.Identity.Login(ctx, in.Body.Email, in.Body.Password, infoFrom(ctx).clientIP)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *sess), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/auth/refresh", "refresh", "Auth", "Exchange a refresh token for a new pair (rotation)", false),
		func(ctx context.Context, in *refreshIn) (*Out[identity.Session], error) {
			sess, err := s.deps.Identity.Refresh(ctx, in.Body.RefreshToken)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *sess), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/auth/logout", "logout", "Auth", "Revoke a refresh token and its family", true),
		func(ctx context.Context, in *refreshIn) (*Out[loggedOut], error) {
			if err := s.deps.Identity.Logout(ctx, actorOf(ctx), in.Body.RefreshToken); err != nil {
				return nil, err
			}
			return ok(ctx, loggedOut{LoggedOut: true}), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/auth/me", "me", "Auth", "The current user, organisation and role", true),
		func(ctx context.Context, _ *struct{}) (*Out[identity.Me], error) {
			me, err := s.deps.Identity.Me(ctx, actorOf(ctx))
			if err != nil {
				return nil, err
			}
			return ok(ctx, *me), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/auth/switch-org", "switchOrg", "Auth", "Start a session in another organisation you belong to", true),
		func(ctx context.Context, in *switchOrgIn) (*Out[identity.Session], error) {
			sess, err := s.deps.Identity.SwitchOrg(ctx, actorOf(ctx), in.Body.OrgID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *sess), nil
		})

	huma.Register(s.api, hashes(s.operation(http.MethodPost, "/api/v1/auth/accept-invitation", "acceptInvitation", "Auth", "Accept a member invitation", false)),
		func(ctx context.Context, in *acceptInvitationIn) (*Out[identity.Session], error) {
			sess, err := s.deps.Identity.AcceptInvitation(ctx, identity.AcceptInput{
				Token: in.Body.Token, Name: in.Body.Name, Password: in.Body.Password, ClientIP: infoFrom(ctx).clientIP,
			})
			if err != nil {
				return nil, err
			}
			return ok(ctx, *sess), nil
		})
}
