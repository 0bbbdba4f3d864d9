package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/maintainuk/maintainuk/internal/identity"
)

type forgotPasswordIn struct {
	Body struct {
		Email string `json:"email" maxLength:"254" format:"email" example:"sam@example.co.uk"`
	}
}

type resetPasswordIn struct {
	Body struct {
		Token    string `json:"token" maxLength:"256" doc:"The token of the emailed link (/reset-password?token=…)."`
		Password string `json:"password" minLength:"10" maxLength:"128" doc:"The new password: 10 to 128 characters."`
	}
}

type changePasswordIn struct {
	Body struct {
		CurrentPassword string `json:"currentPassword" minLength:"1" maxLength:"1024"`
		NewPassword     string `json:"newPassword" minLength:"10" maxLength:"128" doc:"10 to 128 characters."`
	}
}

type resetRequested struct {
	Message string `json:"message" example:"If an account uses that address, we have emailed it a link to reset the password. The link works for 30 minutes."`
}

type passwordReset struct {
	PasswordReset bool `json:"passwordReset"`
}

const resetRequestedMessage = "If an account uses that address, we have emailed it a link to reset the password. The link works for 30 minutes."

func (s *Server) accountRoutes() {
	forgot := s.operation(http.MethodPost, "/api/v1/auth/forgot-password", "forgotPassword", "Auth",
		"Email a link to reset a forgotten password", false)
	forgot.Description = "Answers 200 with the same body whether or not an account uses the address, " +
		"so the answer never says whether one exists. Limited per client IP and per address."
	huma.Register(s.api, forgot, func(ctx context.Context, in *forgotPasswordIn) (*Out[resetRequested], error) {
		if err := s.deps.Identity.ForgotPassword(ctx, in.Body.Email, infoFrom(ctx).clientIP); err != nil {
			return nil, err
		}
		return ok(ctx, resetRequested{Message: resetRequestedMessage}), nil
	})

	reset := s.operation(http.MethodPost, "/api/v1/auth/reset-password", "resetPassword", "Auth",
		"Set a new password with an emailed reset token", false)
	reset.Description = "The token works once, for 30 minutes: an unknown or expired one answers 404, a used one 409. " +
		"Every session of the account, in every organisation, is ended (refresh tokens revoked); log in again."
	reset.Errors = append(reset.Errors, http.StatusNotFound, http.StatusConflict)
	huma.Register(s.api, reset, func(ctx context.Context, in *resetPasswordIn) (*Out[passwordReset], error) {
		if err := s.deps.Identity.ResetPassword(ctx, in.Body.Token, in.Body.Password); err != nil {
			return nil, err
		}
		return ok(ctx, passwordReset{PasswordReset: true}), nil
	})

	change := s.operation(http.MethodPost, "/api/v1/auth/change-password", "changePassword", "Auth",
		"Change your password (the current one is required)", true)
	change.Description = "A wrong current password answers 422 on field currentPassword. Every refresh token of the " +
		"account, in every organisation, is revoked; the answer is a new session in the current organisation."
	change.Errors = append(change.Errors, http.StatusTooManyRequests)
	huma.Register(s.api, change, func(ctx context.Context, in *changePasswordIn) (*Out[identity.Session], error) {
		sess, err := s.deps.Identity.ChangePassword(ctx, actorOf(ctx), in.Body.CurrentPassword, in.Body.NewPassword)
		if err != nil {
			return nil, err
		}
		return ok(ctx, *sess), nil
	})
}
