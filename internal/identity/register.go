package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// RegisterInput creates an organisation and its first ADMIN.
type RegisterInput struct {
	OrgName  string
	Name     string
	Email    string
	Password string
	// ClientIP is checked against the failure limits before any hashing.
	ClientIP string
}

// Password rules follow NCSC guidance: length over composition rules.
const (
	minPasswordLen = 10
	maxPasswordLen = 128
)

func checkPassword(f *apperr.Fields, field, password string) {
	switch n := len([]rune(password)); {
	case n < minPasswordLen:
		f.Add(field, fmt.Sprintf("must be at least %d characters", minPasswordLen))
	case n > maxPasswordLen:
		f.Add(field, fmt.Sprintf("must be at most %d characters", maxPasswordLen))
	}
}

// Register creates the organisation, the user and an ADMIN membership in one transaction
// and starts a session. A client whose registrations keep failing (invalid input, an
// address already registered: probing which emails have accounts) is refused before any
// password is hashed, like a failing login; successful registrations are not counted
// (anyone may sign up a new organisation, and an office may register several in a row),
// and the hash gate bounds what a flood of them costs.
func (s *Service) Register(ctx context.Context, in RegisterInput) (*Session, error) {
	account := strings.ToLower(strings.TrimSpace(in.Email))
	if err := s.failures.check(account, in.ClientIP); err != nil {
		return nil, err
	}
	session, err := s.register(ctx, in)
	if code := apperr.CodeOf(err); code == apperr.Invalid || code == apperr.Conflict {
		s.failures.failed(account, in.ClientIP)
	}
	return session, err
}

// Check applies the rules on the input alone, naming every field that breaks one; the
// API runs it beside schema validation.
func (in RegisterInput) Check() error {
	var f apperr.Fields
	if _, err := validate.Text(in.OrgName, 1, 200); err != nil {
		f.Add("orgName", err.Error())
	}
	if _, err := validate.Text(in.Name, 1, 200); err != nil {
		f.Add("name", err.Error())
	}
	if _, err := validate.Email(in.Email); err != nil {
		f.Add("email", err.Error())
	}
	checkPassword(&f, "password", in.Password)
	return f.Err()
}

func (s *Service) register(ctx context.Context, in RegisterInput) (*Session, error) {
	if err := in.Check(); err != nil {
		return nil, err
	}
	orgName, _ := validate.Text(in.OrgName, 1, 200)
	name, _ := validate.Text(in.Name, 1, 200)
	email, _ := validate.Email(in.Email)
	hash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return nil, err
	}

	orgID, userID := uuid.New(), uuid.New()
	var session *Session
	err = s.db.InTx(ctx, database.Scope{OrgID: orgID, UserID: userID}, func(tx pgx.Tx) error {
		org, err := s.insertOrganisation(ctx, tx, orgID, orgName)
		if err != nil {
			return err
		}
		user, err := s.q.InsertUser(ctx, tx, identitydb.InsertUserParams{ID: userID, Email: email, Name: name, PasswordHash: hash})
		if database.IsUniqueViolation(err, "users_email_key") {
			var f apperr.Fields
			f.Add("email", "an account with this email already exists; log in and ask to be invited instead")
			return &apperr.Error{Code: apperr.Conflict, Message: "an account with this email already exists", Fields: f}
		}
		if err != nil {
			return fmt.Errorf("identity: insert user: %w", err)
		}
		m, err := s.q.InsertMembership(ctx, tx, identitydb.InsertMembershipParams{OrgID: orgID, UserID: userID, Role: string(access.Admin)})
		if err != nil {
			return fmt.Errorf("identity: insert membership: %w", err)
		}
		actor := access.Actor{UserID: userID, OrgID: orgID, Role: access.Admin}
		if err := timeline.Record(ctx, tx, actor, timeline.Change{
			EntityType: timeline.EntityOrganisation, EntityID: orgID, Action: "registered",
			After: map[string]any{"name": org.Name, "slug": org.Slug, "adminMemberId": m.ID},
		}); err != nil {
			return err
		}
		if err := s.pub.PublishCustomer(ctx, tx, orgID); err != nil {
			return err
		}
		session, err = s.startSession(ctx, tx, user, org, access.Admin)
		return err
	})
	return session, err
}

// insertOrganisation picks a free slug derived from the name: "Demo Lettings" →
// "demo-lettings", then "demo-lettings-2" and so on. Other organisations are invisible
// under row-level security, so a taken slug shows up as a conflict on insert.
func (s *Service) insertOrganisation(ctx context.Context, tx pgx.Tx, id uuid.UUID, name string) (identitydb.Organisation, error) {
	base := Slugify(name)
	for n := 1; n <= 50; n++ {
		slug := base
		if n > 1 {
			slug = fmt.Sprintf("%s-%d", base, n)
		}
		org, err := s.q.InsertOrganisation(ctx, tx, identitydb.InsertOrganisationParams{ID: id, Name: name, Slug: slug})
		if errors.Is(err, pgx.ErrNoRows) {
			continue // slug taken
		}
		if err != nil {
			return org, fmt.Errorf("identity: insert organisation: %w", err)
		}
		return org, nil
	}
	// Fifty organisations with the same name: fall back to a random suffix.
	slug := fmt.Sprintf("%s-%s", base, strings.ReplaceAll(uuid.NewString(), "-", "")[:8])
	org, err := s.q.InsertOrganisation(ctx, tx, identitydb.InsertOrganisationParams{ID: id, Name: name, Slug: slug})
	if err != nil {
		return org, fmt.Errorf("identity: insert organisation: %w", err)
	}
	return org, nil
}

// Slugify turns a name into a URL-safe slug of lower-case letters, digits and hyphens.
func Slugify(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			hyphen = false
		case b.Len() > 0 && !hyphen:
			b.WriteByte('-')
			hyphen = true
		}
	}
	slug := strings.TrimSuffix(b.String(), "-")
	if len(slug) > 40 {
		slug = strings.TrimSuffix(slug[:40], "-")
	}
	if slug == "" {
		slug = "org"
	}
	return slug
}
