package testsupport

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
)

// Password is every test user's password.
const Password = "correct-horse-battery"

type session struct {
	AccessToken  string      `json:"accessToken"`
	RefreshToken string      `json:"refreshToken"`
	Role         access.Role `json:"role"`
	User         struct {
		ID    uuid.UUID `json:"id"`
		Email string    `json:"email"`
	} `json:"user"`
	Org struct {
		ID uuid.UUID `json:"id"`
	} `json:"org"`
}

func (a *App) clientFor(s session) *Client {
	return &Client{App: a, Token: s.AccessToken, RefreshToken: s.RefreshToken, UserID: s.User.ID, OrgID: s.Org.ID, Role: s.Role, Email: s.User.Email}
}

// Register creates an organisation and returns its ADMIN.
func (a *App) Register(orgName string) *Client {
	a.t.Helper()
	email := fmt.Sprintf("admin-%s@example.com", strings.ReplaceAll(uuid.NewString(), "-", "")[:12])
	var s session
	a.Anonymous().Post("/api/v1/auth/register", map[string]string{
		"orgName": orgName, "name": "Ada Admin", "email": email, "password": Password,
	}).Expect(http.StatusCreated).Data(&s)
	return a.clientFor(s)
}

// AddMember invites a new user with role into admin's organisation and accepts for them.
// A CONTRACTOR is linked to a new contractor company.
func (a *App) AddMember(admin *Client, role access.Role) *Client {
	a.t.Helper()
	email := fmt.Sprintf("%s-%s@example.com", strings.ToLower(string(role)), strings.ReplaceAll(uuid.NewString(), "-", "")[:12])
	body := map[string]any{"email": email, "role": role}
	if role == access.Contractor {
		body["contractorId"] = admin.Post("/api/v1/contractors", map[string]any{
			"companyName": "Test Contractor " + email, "email": email, "trades": []string{"PLUMBING"},
		}).Expect(http.StatusCreated).ID()
	}
	admin.Post("/api/v1/members", body).Expect(http.StatusCreated)
	var s session
	a.Anonymous().Post("/api/v1/auth/accept-invitation", map[string]string{
		"token": a.InvitationToken(email), "name": "Member " + string(role), "password": Password,
	}).Expect(http.StatusOK).Data(&s)
	return a.clientFor(s)
}

// Team is one organisation with a member of every role.
type Team struct {
	Admin, Coordinator, Contractor, Tenant *Client
}

// NewTeam registers an organisation and adds one member per role.
func (a *App) NewTeam(orgName string) Team {
	a.t.Helper()
	admin := a.Register(orgName)
	return Team{Admin: admin, Coordinator: a.AddMember(admin, access.Coordinator),
		Contractor: a.AddMember(admin, access.Contractor), Tenant: a.AddMember(admin, access.Tenant)}
}

// ByRole returns the team member with role.
func (t Team) ByRole(role access.Role) *Client {
	switch role {
	case access.Admin:
		return t.Admin
	case access.Coordinator:
		return t.Coordinator
	case access.Contractor:
		return t.Contractor
	}
	return t.Tenant
}
