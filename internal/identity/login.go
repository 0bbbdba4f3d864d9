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
// about the same time. Failed attempts are limited per (account, client) and per client
// (failureGuard); successes are never counted.
func (s *Service) Login(ctx context.Context, email, password, clientIP string) (*Session, error) {
	user, err := s.checkCredentials(ctx, email, password, clientIP)
	if err != nil {
		return nil, err
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

// checkCredentials returns the user whose email and password these are. It is the one
// password check for login and the job dashboard: the failure limits apply before any
// hashing, and a failure is counted against the account and the client.
func (s *Service) checkCredentials(ctx context.Context, email, password, clientIP string) (identitydb.User, error) {
	normalised, emailErr := validate.Email(email)
	if emailErr != nil {
		normalised = strings.ToLower(strings.TrimSpace(email)) // still counted per account
	}
	if err := s.failures.check(normalised, clientIP); err != nil {
		return identitydb.User{}, err
	}
	fail := func() (identitydb.User, error) {
		s.failures.failed(normalised, clientIP)
		return identitydb.User{}, errUnauthenticated(badCredentials)
	}
	if emailErr != nil || password == "" {
		if _, err := s.verifyPassword(ctx, s.dummyHash, password); err != nil && apperr.CodeOf(err) == apperr.Unavailable {
			return identitydb.User{}, err
		}
		return fail()
	}
	var user identitydb.User
	err := s.db.InTx(ctx, database.Scope{LoginEmail: normalised}, func(tx pgx.Tx) error {
		var err error
		user, err = s.q.GetUserByEmail(ctx, tx, normalised)
		return err
	})
	unknown := errors.Is(err, pgx.ErrNoRows)
	if err != nil && !unknown {
		return user, fmt.Errorf("identity: login: %w", err)
	}
	hash := user.PasswordHash
	if unknown {
		hash = s.dummyHash // as slow as a wrong password
	}
	ok, err := s.verifyPassword(ctx, hash, password)
	if err != nil {
		return user, err
	}
	if !ok || unknown {
		return fail()
	}
	s.failures.succeeded(normalised, clientIP)
	return user, nil
}
