package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
	"github.com/maintainuk/maintainuk/internal/validate"
)

const badCredentials = "email or password is incorrect"

// Login checks credentials and starts a session in the user's first organisation (by
// name); switch-org moves to another. Unknown email and wrong password answer alike, in
// about the same time, and attempts are limited per client IP and per account.
func (s *Service) Login(ctx context.Context, email, password, clientIP string) (*Session, error) {
	normalised, emailErr := validate.Email(email)
	if emailErr != nil {
		normalised = strings.ToLower(strings.TrimSpace(email)) // still counted per account
	}
	if ok, retry := s.byIP.Allow("ip:" + clientIP); !ok {
		return nil, &apperr.Error{Code: apperr.RateLimited, Message: "too many login attempts; try again shortly", RetryAfter: retry}
	}
	if ok, retry := s.byEmail.Allow("email:" + normalised); !ok {
		return nil, &apperr.Error{Code: apperr.RateLimited, Message: "too many login attempts; try again shortly", RetryAfter: retry}
	}
	if emailErr != nil || password == "" {
		_, _ = VerifyPassword(s.dummyHash, password)
		return nil, errUnauthenticated(badCredentials)
	}

	var user identitydb.User
	err := s.db.InTx(ctx, database.Scope{LoginEmail: normalised}, func(tx pgx.Tx) error {
		var err error
		user, err = s.q.GetUserByEmail(ctx, tx, normalised)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		_, _ = VerifyPassword(s.dummyHash, password)
		return nil, errUnauthenticated(badCredentials)
	}
	if err != nil {
		return nil, fmt.Errorf("identity: login: %w", err)
	}
	ok, err := VerifyPassword(user.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errUnauthenticated(badCredentials)
	}

	var session *Session
	err = s.db.InTx(ctx, database.Scope{UserID: user.ID}, func(tx pgx.Tx) error {
		memberships, err := s.q.ListMembershipsOfUser(ctx, tx, user.ID)
		if err != nil {
			return err
		}
		if len(memberships) == 0 {
			return apperr.New(apperr.Forbidden, "your account is not a member of any organisation")
		}
		m := memberships[0].Membership
		if err := database.Rescope(ctx, tx, database.Scope{OrgID: m.OrgID, UserID: user.ID}); err != nil {
			return err
		}
		org, err := s.q.GetOrganisation(ctx, tx, m.OrgID)
		if err != nil {
			return err
		}
		session, err = s.startSession(ctx, tx, user, org, access.Role(m.Role))
		return err
	})
	return session, err
}
