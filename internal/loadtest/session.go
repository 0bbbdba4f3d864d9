package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
)

// loginAnswer is the part of POST /auth/login's session the load test uses.
type loginAnswer struct {
	AccessToken string `json:"accessToken"`
	ExpiresIn   int    `json:"expiresIn"`
	Role        string `json:"role"`
	Org         struct {
		ID   uuid.UUID `json:"id"`
		Name string    `json:"name"`
		Slug string    `json:"slug"`
	} `json:"org"`
}

// session is one user's access token, renewed by logging in again before it expires so a
// long run keeps working (access tokens last 15 minutes).
type session struct {
	api             *api
	email, password string

	mu          sync.Mutex
	accessToken string
	renewAt     time.Time
	renewFail   error // the last failed renewal, reported in the Result's note
}

// login starts a session for email, or says clearly why it cannot.
func login(ctx context.Context, a *api, email, password string) (*session, loginAnswer, error) {
	s := &session{api: a, email: email, password: password}
	ans, err := s.renew(ctx)
	return s, ans, err
}

// renew logs in again and keeps the new token.
func (s *session) renew(ctx context.Context) (loginAnswer, error) {
	var ans loginAnswer
	_, err := s.api.call(ctx, http.MethodPost, "/api/v1/auth/login", "",
		map[string]string{"email": s.email, "password": s.password}, &ans, http.StatusOK)
	if isStatus(err, http.StatusUnauthorized) {
		return ans, fmt.Errorf("log in as %s: the server refused the email or password (%w)", s.email, err)
	}
	if err != nil {
		return ans, fmt.Errorf("log in as %s: %w", s.email, err)
	}
	lifetime := time.Duration(ans.ExpiresIn) * time.Second
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accessToken = ans.AccessToken
	// Renew with a fifth of the lifetime to spare: a request sent just before expiry must
	// not arrive just after it.
	s.renewAt = time.Now().Add(lifetime - lifetime/5)
	return ans, nil
}

// fresh renews the token now if it is due, before a run starts.
func (s *session) fresh(ctx context.Context) error {
	s.mu.Lock()
	due := !time.Now().Before(s.renewAt)
	s.mu.Unlock()
	if !due {
		return nil
	}
	_, err := s.renew(ctx)
	return err
}

// keepFresh renews the token whenever it falls due until ctx ends; a failed renewal is
// retried every few seconds and kept for the note (the requests meanwhile answer 401 and
// are counted as errors).
func (s *session) keepFresh(ctx context.Context) {
	for {
		s.mu.Lock()
		wait := time.Until(s.renewAt)
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		if _, err := s.renew(ctx); err != nil && ctx.Err() == nil {
			s.mu.Lock()
			s.renewFail = err
			s.renewAt = time.Now().Add(5 * time.Second)
			s.mu.Unlock()
		}
	}
}

// takeRenewFailure returns and clears the last failed renewal.
func (s *session) takeRenewFailure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.renewFail
	s.renewFail = nil
	return err
}

// token is the current access token.
func (s *session) token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accessToken
}
