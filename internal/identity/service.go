// Package identity is who people are and what they belong to: organisations, users,
// memberships with roles, invitations, and the tokens that prove a session.
package identity

import (
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
	"github.com/maintainuk/maintainuk/internal/secretbox"
)

// Settings are the identity rules taken from configuration.
type Settings struct {
	RefreshTTL    time.Duration
	InvitationTTL time.Duration
	// LoginPerMinute is the failed credential checks allowed per minute per (account,
	// client); FailuresPerClient per client across accounts.
	LoginPerMinute    int
	FailuresPerClient int
	// HashMemoryBytes is the memory all concurrent password hashes may use together;
	// HashWait is how long a request waits for its turn before answering 503.
	HashMemoryBytes int64
	HashWait        time.Duration
	BaseURL         string
	// RefreshMaxAge is a login's absolute lifetime (REFRESH_TOKEN_MAX_AGE; 90 days if 0).
	RefreshMaxAge time.Duration
}

// Service implements registration, login, sessions and membership management.
type Service struct {
	db       *database.DB
	q        *identitydb.Queries
	signer   *Signer
	settings Settings
	now      func() time.Time
	failures failureGuard
	hashes   *hashGate
	accounts accountLimits
	// pub receives member.invited and password.reset_requested (their emails); links
	// seals the one-time token each carries.
	pub   events.Publisher
	links *secretbox.Box
	// dummyHash is verified against when an email is unknown, so a login takes as long
	// for an unknown address as for a wrong password.
	dummyHash string
}

// LinkSealLabel names the key (derived from APP_SECRET) that seals one-time link tokens
// in the events that email them.
const LinkSealLabel = "invitation link"

// NewService wires the service: pub publishes its emails, whose one-time tokens links
// seals; now is time.Now outside tests.
func NewService(db *database.DB, signer *Signer, pub events.Publisher, links *secretbox.Box, settings Settings, now func() time.Time) (*Service, error) {
	settings = settings.withDefaults()
	dummy, err := HashPassword(uuid.NewString())
	if err != nil {
		return nil, err
	}
	return &Service{
		db: db, q: identitydb.New(), signer: signer, pub: pub, links: links, settings: settings, now: now,
		failures:  newFailureGuard(settings.LoginPerMinute, settings.FailuresPerClient, now),
		hashes:    newHashGate(settings.HashMemoryBytes, settings.HashWait),
		dummyHash: dummy,
	}, nil
}

// withDefaults fills the limits a caller left zero (tests that build the service directly).
func (s Settings) withDefaults() Settings {
	if s.LoginPerMinute <= 0 {
		s.LoginPerMinute = 5
	}
	if s.FailuresPerClient <= 0 {
		s.FailuresPerClient = 4 * s.LoginPerMinute
	}
	if s.HashMemoryBytes <= 0 {
		s.HashMemoryBytes = 64 << 20
	}
	if s.HashWait <= 0 {
		s.HashWait = 5 * time.Second
	}
	return s
}

// User is a person's public profile.
type User struct {
	ID              uuid.UUID `json:"id"`
	Email           string    `json:"email"`
	Name            string    `json:"name"`
	IsPlatformAdmin bool      `json:"isPlatformAdmin"`
}

// Org is an organisation as its members see it in a session.
type Org struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
	Slug string    `json:"slug"`
}

// Session is what login, refresh, register, accept-invitation and switch-org return.
type Session struct {
	AccessToken  string      `json:"accessToken"`
	RefreshToken string      `json:"refreshToken"`
	ExpiresIn    int         `json:"expiresIn" doc:"Seconds until the access token expires."`
	TokenType    string      `json:"tokenType" enum:"Bearer" example:"Bearer"`
	User         User        `json:"user"`
	Org          Org         `json:"org"`
	Role         access.Role `json:"role"`
}

func userFromRow(u identitydb.User) User {
	return User{ID: u.ID, Email: u.Email, Name: u.Name, IsPlatformAdmin: u.IsPlatformAdmin}
}

func orgFromRow(o identitydb.Organisation) Org { return Org{ID: o.ID, Name: o.Name, Slug: o.Slug} }

// errUnauthenticated is the one answer for every failed credential check, so the reason
// (unknown email, wrong password, revoked token) never leaks.
func errUnauthenticated(msg string) error { return apperr.New(apperr.Unauthenticated, "%s", msg) }

func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.NotFoundf(what)
	}
	return err
}
