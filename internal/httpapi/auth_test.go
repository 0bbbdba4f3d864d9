package httpapi_test

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/secretbox"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// testSecret is APP_SECRET in testsupport.NewApp.
const testSecret = "test-secret-that-is-at-least-32-characters-long"

const (
	registerPath = "/api/v1/auth/register"
	loginPath    = "/api/v1/auth/login"
	refreshPath  = "/api/v1/auth/refresh"
	logoutPath   = "/api/v1/auth/logout"
	mePath       = "/api/v1/auth/me"
	switchPath   = "/api/v1/auth/switch-org"
	acceptPath   = "/api/v1/auth/accept-invitation"
	membersPath  = "/api/v1/members"
)

func register(app *testsupport.App, orgName, name, email, password string, headers ...string) *testsupport.Response {
	return app.Anonymous().Post(registerPath, map[string]string{"orgName": orgName, "name": name, "email": email, "password": password}, headers...)
}

func login(app *testsupport.App, email, password string, headers ...string) *testsupport.Response {
	return app.Anonymous().Post(loginPath, map[string]string{"email": email, "password": password}, headers...)
}

func refresh(app *testsupport.App, token string) *testsupport.Response {
	return app.Anonymous().Post(refreshPath, map[string]string{"refreshToken": token})
}

func accept(app *testsupport.App, token, name, password string) *testsupport.Response {
	return app.Anonymous().Post(acceptPath, map[string]string{"token": token, "name": name, "password": password})
}

// Subtests check answers with wantStatus, wantFailure and decode rather than
// Response.Expect and friends: those report to the test that created the app, and a
// subtest that fails its parent panics the test binary.

func wantStatus(t *testing.T, r *testsupport.Response, status int) *testsupport.Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

func decode(t *testing.T, r *testsupport.Response, v any) {
	t.Helper()
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil {
		t.Fatalf("decode envelope: %v; body: %s", err, r.Body)
	}
	if err := json.Unmarshal(env.Data, v); err != nil {
		t.Fatalf("decode data: %v; body: %s", err, r.Body)
	}
}

// sentInvitation is an invitation created through the API with the token its invitee
// received by email (the ADMIN's answer does not carry it).
type sentInvitation struct {
	identity.Invitation
	Token string
}

func invite(t *testing.T, admin *testsupport.Client, email string, role access.Role) sentInvitation {
	t.Helper()
	var inv identity.Invitation
	decode(t, wantStatus(t, admin.Post(membersPath, map[string]any{"email": email, "role": role}), http.StatusCreated), &inv)
	return sentInvitation{Invitation: inv, Token: admin.App.InvitationToken(inv.Email)}
}

// clientFor acts as the holder of a session.
func clientFor(app *testsupport.App, s identity.Session) *testsupport.Client {
	return &testsupport.Client{App: app, Token: s.AccessToken, RefreshToken: s.RefreshToken,
		UserID: s.User.ID, OrgID: s.Org.ID, Role: s.Role, Email: s.User.Email}
}

func me(t *testing.T, c *testsupport.Client) identity.Me {
	t.Helper()
	var m identity.Me
	decode(t, wantStatus(t, c.Get(mePath), http.StatusOK), &m)
	return m
}

// members lists the admin's organisation.
func members(t *testing.T, admin *testsupport.Client) []identity.Member {
	t.Helper()
	var ms []identity.Member
	decode(t, wantStatus(t, admin.Get(membersPath+"?limit=200"), http.StatusOK), &ms)
	return ms
}

func countAdmins(ms []identity.Member) int {
	n := 0
	for _, m := range ms {
		if m.Role == access.Admin {
			n++
		}
	}
	return n
}

// checkSession checks the shape every session answer shares.
func checkSession(t *testing.T, s identity.Session) {
	t.Helper()
	if strings.Count(s.AccessToken, ".") != 2 || !strings.HasPrefix(s.RefreshToken, "mrt_") ||
		s.TokenType != "Bearer" || s.ExpiresIn != 900 || s.User.ID == uuid.Nil || s.Org.ID == uuid.Nil || !s.Role.Valid() {
		t.Fatalf("malformed session %+v", s)
	}
}

// withoutTraceID is a failure body with its trace id removed, for comparing answers.
func withoutTraceID(t *testing.T, r *testsupport.Response) map[string]any {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	if id, _ := body["traceId"].(string); id == "" {
		t.Fatalf("no traceId in %s", r.Body)
	}
	delete(body, "traceId")
	return body
}

func expectRetryAfter(t *testing.T, r *testsupport.Response) {
	t.Helper()
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 60 {
		t.Errorf("Retry-After = %q, want 1 to 60 seconds", r.Header.Get("Retry-After"))
	}
}

// accessKey is the server's access-token signing key, derived as identity.NewSigner does,
// so tests can sign tokens that differ from a real one in exactly one way.
func accessKey(t *testing.T) []byte {
	t.Helper()
	key, err := hkdf.Key(sha256.New, []byte(testSecret), nil, "maintainuk access token v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func signJWT(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return tok
}

func TestAuthRegister(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)

	var s identity.Session
	register(app, "  Demo Lettings ", " Ada Lovelace ", "  Ada@Example.COM ", testsupport.Password).
		Expect(http.StatusCreated).Data(&s)
	checkSession(t, s)
	if s.Role != access.Admin || s.Org.Name != "Demo Lettings" || s.Org.Slug != "demo-lettings" ||
		s.User.Email != "ada@example.com" || s.User.Name != "Ada Lovelace" || s.User.IsPlatformAdmin {
		t.Fatalf("session %+v: want ADMIN of Demo Lettings (demo-lettings) as ada@example.com", s)
	}
	// Both tokens work.
	if m := me(t, clientFor(app, s)); m.Role != access.Admin || m.Org.ID != s.Org.ID || m.User.ID != s.User.ID {
		t.Fatalf("me = %+v", m)
	}
	refresh(app, s.RefreshToken).Expect(http.StatusOK)

	// Later organisations with the same name, or one that slugifies the same, get a suffix.
	for i, tt := range []struct{ orgName, slug string }{
		{"Demo Lettings", "demo-lettings-2"},
		{"Demo Lettings", "demo-lettings-3"},
		{"DEMO lettings!", "demo-lettings-4"},
		{"Other Lettings", "other-lettings"},
	} {
		var next identity.Session
		register(app, tt.orgName, "Admin", fmt.Sprintf("admin%d@example.com", i), testsupport.Password).
			Expect(http.StatusCreated).Data(&next)
		if next.Org.Slug != tt.slug || next.Org.ID == s.Org.ID {
			t.Fatalf("registering %q: org %+v, want a new org with slug %q", tt.orgName, next.Org, tt.slug)
		}
	}
}

func TestAuthRegisterValidation(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	long := func(n int) string { return strings.Repeat("x", n) }

	tests := []struct {
		name    string
		orgName string
		user    string
		email   string // "" means a fresh valid address
		badMail bool   // email is the field under test
		pass    string
		fields  []string // nil: accepted
	}{
		{name: "org name empty", orgName: "", user: "Ada", pass: testsupport.Password, fields: []string{"orgName"}},
		{name: "org name blank", orgName: "   ", user: "Ada", pass: testsupport.Password, fields: []string{"orgName"}},
		{name: "org name too long", orgName: long(201), user: "Ada", pass: testsupport.Password, fields: []string{"orgName"}},
		{name: "org name at the limit", orgName: long(200), user: "Ada", pass: testsupport.Password},
		{name: "name empty", orgName: "Acme", user: "", pass: testsupport.Password, fields: []string{"name"}},
		{name: "name blank", orgName: "Acme", user: " \t ", pass: testsupport.Password, fields: []string{"name"}},
		{name: "name too long", orgName: "Acme", user: long(201), pass: testsupport.Password, fields: []string{"name"}},
		{name: "name at the limit", orgName: "Acme", user: long(200), pass: testsupport.Password},
		{name: "email empty", orgName: "Acme", user: "Ada", email: " ", badMail: true, pass: testsupport.Password, fields: []string{"email"}},
		{name: "email without @", orgName: "Acme", user: "Ada", email: "ada.example.com", badMail: true, pass: testsupport.Password, fields: []string{"email"}},
		{name: "email without a domain dot", orgName: "Acme", user: "Ada", email: "ada@localhost", badMail: true, pass: testsupport.Password, fields: []string{"email"}},
		{name: "email with a display name", orgName: "Acme", user: "Ada", email: "Ada <ada@example.com>", badMail: true, pass: testsupport.Password, fields: []string{"email"}},
		{name: "email too long", orgName: "Acme", user: "Ada", email: long(250) + "@example.com", badMail: true, pass: testsupport.Password, fields: []string{"email"}},
		{name: "password empty", orgName: "Acme", user: "Ada", pass: "", fields: []string{"password"}},
		{name: "password 9 characters", orgName: "Acme", user: "Ada", pass: "123456789", fields: []string{"password"}},
		{name: "password 9 two-byte characters", orgName: "Acme", user: "Ada", pass: strings.Repeat("é", 9), fields: []string{"password"}},
		{name: "password 10 characters", orgName: "Acme", user: "Ada", pass: "1234567890"},
		{name: "password 10 two-byte characters", orgName: "Acme", user: "Ada", pass: strings.Repeat("é", 10)},
		{name: "password too long", orgName: "Acme", user: "Ada", pass: long(129), fields: []string{"password"}},
		{name: "password at the limit", orgName: "Acme", user: "Ada", pass: long(128)},
		{name: "everything wrong", orgName: "", user: "", email: "nope", badMail: true, pass: "short", fields: []string{"orgName", "name", "email", "password"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			email := tt.email
			if !tt.badMail {
				email = fmt.Sprintf("case%d@example.com", i)
			}
			r := register(app, tt.orgName, tt.user, email, tt.pass)
			if tt.fields == nil {
				wantStatus(t, r, http.StatusCreated)
				wantStatus(t, login(app, email, tt.pass), http.StatusOK)
				return
			}
			f := testsupport.ExpectFailure(t, r, http.StatusUnprocessableEntity, apperr.Invalid, tt.fields...)
			if len(f.Fields) != len(tt.fields) {
				t.Fatalf("fields %+v, want exactly %v", f.Fields, tt.fields)
			}
			for _, fe := range f.Fields {
				if fe.Message == "" {
					t.Fatalf("field %q has no message", fe.Field)
				}
			}
			// Nothing was created: the address is still free.
			if !tt.badMail {
				wantStatus(t, register(app, "Acme", "Ada", email, testsupport.Password), http.StatusCreated)
			}
		})
	}
}

func TestAuthRegisterDuplicateEmail(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	register(app, "First Org", "Ada", "ada@example.com", testsupport.Password).Expect(http.StatusCreated)

	// The same address in another case, with another password and organisation.
	register(app, "Second Org", "Imposter", "  ADA@example.com ", "another-password-123").
		ExpectFailure(http.StatusConflict, apperr.Conflict, "email")

	// Nothing was created: not the user's password, nor a membership, nor the organisation.
	login(app, "ada@example.com", "another-password-123").ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	var s identity.Session
	login(app, "ada@example.com", testsupport.Password).Expect(http.StatusOK).Data(&s)
	if s.Org.Name != "First Org" || s.User.Name != "Ada" {
		t.Fatalf("login after a refused registration: %+v", s)
	}
	if m := me(t, clientFor(app, s)); len(m.Memberships) != 1 {
		t.Fatalf("memberships %+v, want only First Org", m.Memberships)
	}
	var second identity.Session
	register(app, "Second Org", "Bob", "bob@example.com", testsupport.Password).Expect(http.StatusCreated).Data(&second)
	if second.Org.Slug != "second-org" {
		t.Fatalf("slug %q: the refused registration kept its organisation's slug", second.Org.Slug)
	}
}

func TestAuthLogin(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	var reg identity.Session
	register(app, "Acme Lettings", "Ada", "ada@example.com", testsupport.Password).Expect(http.StatusCreated).Data(&reg)

	t.Run("accepted", func(t *testing.T) {
		t.Parallel()
		for _, email := range []string{"ada@example.com", "ADA@Example.Com", "  ada@example.com\t", " ADA@EXAMPLE.COM "} {
			var s identity.Session
			decode(t, wantStatus(t, login(app, email, testsupport.Password), http.StatusOK), &s)
			checkSession(t, s)
			if s.User.ID != reg.User.ID || s.User.Email != "ada@example.com" || s.Org.ID != reg.Org.ID ||
				s.Org.Slug != "acme-lettings" || s.Role != access.Admin || s.RefreshToken == reg.RefreshToken {
				t.Fatalf("login as %q: %+v", email, s)
			}
			if m := me(t, clientFor(app, s)); m.User.ID != reg.User.ID {
				t.Fatalf("me after login as %q: %+v", email, m)
			}
		}
	})

	t.Run("refused alike", func(t *testing.T) {
		t.Parallel()
		ref := login(app, "ada@example.com", "wrong-password-1")
		testsupport.ExpectFailure(t, ref, http.StatusUnauthorized, apperr.Unauthenticated)
		want := withoutTraceID(t, ref)
		for _, tt := range []struct{ name, email, password string }{
			{"unknown email, our password", "nobody@example.com", testsupport.Password},
			{"unknown email, other password", "nobody@example.com", "wrong-password-1"},
			{"password in another case", "ada@example.com", strings.ToUpper(testsupport.Password)},
			{"password with a trailing space", "ada@example.com", testsupport.Password + " "},
			{"empty password", "ada@example.com", ""},
			{"not an email", "ada", testsupport.Password},
			{"empty email", "", testsupport.Password},
		} {
			r := login(app, tt.email, tt.password)
			testsupport.ExpectFailure(t, r, http.StatusUnauthorized, apperr.Unauthenticated)
			if got := withoutTraceID(t, r); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: body %s differs from a wrong password's %s", tt.name, r.Body, ref.Body)
			}
			if r.Header.Get("X-Trace-Id") == ref.Header.Get("X-Trace-Id") {
				t.Fatalf("%s: trace id reused", tt.name)
			}
		}
	})
}

func TestAuthRefresh(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	var s0 identity.Session
	register(app, "Acme", "Ada", "ada@example.com", testsupport.Password).Expect(http.StatusCreated).Data(&s0)

	t.Run("rotation", func(t *testing.T) {
		t.Parallel()
		var s1 identity.Session
		decode(t, wantStatus(t, refresh(app, s0.RefreshToken), http.StatusOK), &s1)
		checkSession(t, s1)
		if s1.RefreshToken == s0.RefreshToken || s1.AccessToken == s0.AccessToken ||
			s1.User.ID != s0.User.ID || s1.Org.ID != s0.Org.ID || s1.Role != access.Admin {
			t.Fatalf("refresh gave %+v from %+v", s1, s0)
		}
		if m := me(t, clientFor(app, s1)); m.User.ID != s0.User.ID || m.Org.ID != s0.Org.ID {
			t.Fatalf("me with the refreshed token: %+v", m)
		}
		var s2 identity.Session
		decode(t, wantStatus(t, refresh(app, s1.RefreshToken), http.StatusOK), &s2)
		wantStatus(t, refresh(app, s2.RefreshToken), http.StatusOK)
	})

	// Replaying a spent token, of any generation, revokes its whole family, and only it.
	for _, replayed := range []int{0, 1} {
		t.Run(fmt.Sprintf("reuse of generation %d", replayed), func(t *testing.T) {
			t.Parallel()
			var gen [3]identity.Session
			decode(t, wantStatus(t, login(app, "ada@example.com", testsupport.Password), http.StatusOK), &gen[0])
			decode(t, wantStatus(t, refresh(app, gen[0].RefreshToken), http.StatusOK), &gen[1])
			decode(t, wantStatus(t, refresh(app, gen[1].RefreshToken), http.StatusOK), &gen[2])
			var bystander identity.Session
			decode(t, wantStatus(t, login(app, "ada@example.com", testsupport.Password), http.StatusOK), &bystander)

			testsupport.ExpectFailure(t, refresh(app, gen[replayed].RefreshToken), http.StatusUnauthorized, apperr.Unauthenticated)
			testsupport.ExpectFailure(t, refresh(app, gen[2].RefreshToken), http.StatusUnauthorized, apperr.Unauthenticated)
			testsupport.ExpectFailure(t, refresh(app, gen[replayed].RefreshToken), http.StatusUnauthorized, apperr.Unauthenticated)
			// Another session of the same user is another family.
			wantStatus(t, refresh(app, bystander.RefreshToken), http.StatusOK)
		})
	}

	other := app.Register("Other Org")
	t.Run("invalid tokens", func(t *testing.T) {
		t.Parallel()
		var s identity.Session
		decode(t, wantStatus(t, login(app, "ada@example.com", testsupport.Password), http.StatusOK), &s)
		admin := clientFor(app, s)
		inv := invite(t, admin, "someone@example.com", access.Tenant)

		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s.RefreshToken, "mrt_"))
		if err != nil || len(raw) != 48 {
			t.Fatalf("refresh token %q is not mrt_ + 48 bytes", s.RefreshToken)
		}
		withOrg := func(org uuid.UUID) string {
			b := append([]byte(nil), raw...)
			copy(b, org[:])
			return "mrt_" + base64.RawURLEncoding.EncodeToString(b)
		}
		withSecret := func() string {
			b := append([]byte(nil), raw...)
			b[20] ^= 0xff
			return "mrt_" + base64.RawURLEncoding.EncodeToString(b)
		}

		tests := []struct{ name, token string }{
			{"empty", ""},
			{"garbage", "garbage"},
			{"prefix only", "mrt_"},
			{"invitation token", inv.Token},
			{"upper-case prefix", "MRT_" + strings.TrimPrefix(s.RefreshToken, "mrt_")},
			{"another organisation's id embedded", withOrg(other.OrgID)},
			{"an unknown organisation's id embedded", withOrg(uuid.New())},
			{"right organisation, wrong secret", withSecret()},
			{"truncated", s.RefreshToken[:len(s.RefreshToken)-2]},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				testsupport.ExpectFailure(t, refresh(app, tt.token), http.StatusUnauthorized, apperr.Unauthenticated)
			})
		}
		// An access token is longer than any refresh token: refused before it is looked at.
		testsupport.ExpectFailure(t, refresh(app, s.AccessToken), http.StatusUnprocessableEntity, apperr.Invalid, "refreshToken")
		// None of that touched the real token's family.
		wantStatus(t, refresh(app, s.RefreshToken), http.StatusOK)
	})
}

func TestAuthLogout(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Acme")
	coordinator := app.AddMember(admin, access.Coordinator)

	// A bearer token is required; without one nothing is revoked.
	app.Anonymous().Post(logoutPath, map[string]string{"refreshToken": admin.RefreshToken}).
		ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	garbage := &testsupport.Client{App: app, Token: "not-a-token"}
	garbage.Post(logoutPath, map[string]string{"refreshToken": admin.RefreshToken}).
		ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)

	var current, second identity.Session
	refresh(app, admin.RefreshToken).Expect(http.StatusOK).Data(&current) // still valid
	login(app, admin.Email, testsupport.Password).Expect(http.StatusOK).Data(&second)

	// Someone else's refresh token is ignored, not revoked.
	var out struct {
		LoggedOut bool `json:"loggedOut"`
	}
	clientFor(app, current).Post(logoutPath, map[string]string{"refreshToken": coordinator.RefreshToken}).Expect(http.StatusOK)
	refresh(app, coordinator.RefreshToken).Expect(http.StatusOK)

	clientFor(app, current).Post(logoutPath, map[string]string{"refreshToken": current.RefreshToken}).Expect(http.StatusOK).Data(&out)
	if !out.LoggedOut {
		t.Fatalf("logout answered loggedOut=false")
	}
	refresh(app, current.RefreshToken).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	// The earlier (rotated) token of the family is revoked as well, and replaying it
	// changes nothing for the other session.
	refresh(app, admin.RefreshToken).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	refresh(app, second.RefreshToken).Expect(http.StatusOK)

	// Logging out again, or with a token that is not one, still succeeds.
	clientFor(app, current).Post(logoutPath, map[string]string{"refreshToken": current.RefreshToken}).Expect(http.StatusOK)
	clientFor(app, current).Post(logoutPath, map[string]string{"refreshToken": "garbage"}).Expect(http.StatusOK)
}

func TestAuthMe(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	var s identity.Session
	register(app, "Acme Lettings", "Ada Admin", "ada@example.com", testsupport.Password).Expect(http.StatusCreated).Data(&s)
	admin := clientFor(app, s)

	r := admin.Get(mePath).Expect(http.StatusOK)
	var m identity.Me
	r.Data(&m)
	want := identity.Me{
		User: s.User, Org: identity.Org{ID: s.Org.ID, Name: "Acme Lettings", Slug: "acme-lettings"}, Role: access.Admin,
		Memberships: []identity.Membership{{OrgID: s.Org.ID, OrgName: "Acme Lettings", OrgSlug: "acme-lettings", Role: access.Admin}},
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("me = %+v, want %+v", m, want)
	}
	for _, secret := range []string{"argon2", "password", "Hash"} {
		if strings.Contains(string(r.Body), secret) {
			t.Fatalf("me leaks %q: %s", secret, r.Body)
		}
	}

	coordinator := app.AddMember(admin, access.Coordinator)
	cm := me(t, coordinator)
	if cm.User.ID != coordinator.UserID || cm.User.Email != coordinator.Email || cm.Org.ID != s.Org.ID || cm.Role != access.Coordinator ||
		len(cm.Memberships) != 1 || cm.Memberships[0].Role != access.Coordinator {
		t.Fatalf("coordinator's me = %+v", cm)
	}

	app.Anonymous().Get(mePath).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
}

func TestAuthSwitchOrg(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	var ada identity.Session
	register(app, "Zeta Homes", "Ada", "ada@example.com", testsupport.Password).Expect(http.StatusCreated).Data(&ada)
	adaZeta := clientFor(app, ada)
	bob := app.Register("Alpha Lets")
	carol := app.Register("Gamma Estates")

	// Bob invites Ada's address; she accepts with her existing password (a name is ignored).
	inv := invite(t, bob, "ADA@example.com", access.Coordinator)
	var joined identity.Session
	accept(app, inv.Token, "Somebody Else", testsupport.Password).Expect(http.StatusOK).Data(&joined)
	if joined.User.ID != ada.User.ID || joined.User.Name != "Ada" || joined.Org.ID != bob.OrgID || joined.Role != access.Coordinator {
		t.Fatalf("accepting as an existing user: %+v", joined)
	}

	wantMemberships := []identity.Membership{
		{OrgID: bob.OrgID, OrgName: "Alpha Lets", OrgSlug: "alpha-lets", Role: access.Coordinator},
		{OrgID: ada.Org.ID, OrgName: "Zeta Homes", OrgSlug: "zeta-homes", Role: access.Admin},
	}
	if m := me(t, adaZeta); m.Org.ID != ada.Org.ID || m.Role != access.Admin || !reflect.DeepEqual(m.Memberships, wantMemberships) {
		t.Fatalf("me in Zeta = %+v, want memberships %+v", m, wantMemberships)
	}

	var alpha identity.Session
	adaZeta.Post(switchPath, map[string]any{"orgId": bob.OrgID}).Expect(http.StatusOK).Data(&alpha)
	checkSession(t, alpha)
	if alpha.User.ID != ada.User.ID || alpha.Org.ID != bob.OrgID || alpha.Org.Name != "Alpha Lets" || alpha.Role != access.Coordinator {
		t.Fatalf("switch to Alpha: %+v", alpha)
	}
	adaAlpha := clientFor(app, alpha)
	if m := me(t, adaAlpha); m.Org.ID != bob.OrgID || m.Role != access.Coordinator || len(m.Memberships) != 2 {
		t.Fatalf("me in Alpha = %+v", m)
	}
	// The role is the one held in that organisation.
	adaAlpha.Get(membersPath).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	adaZeta.Get(membersPath).Expect(http.StatusOK)
	// The new session's refresh token stays in Alpha.
	var refreshed identity.Session
	refresh(app, alpha.RefreshToken).Expect(http.StatusOK).Data(&refreshed)
	if refreshed.Org.ID != bob.OrgID || refreshed.Role != access.Coordinator {
		t.Fatalf("refresh of the Alpha session: %+v", refreshed)
	}

	// And back.
	var back identity.Session
	adaAlpha.Post(switchPath, map[string]any{"orgId": ada.Org.ID}).Expect(http.StatusOK).Data(&back)
	if back.Org.ID != ada.Org.ID || back.Role != access.Admin {
		t.Fatalf("switch back to Zeta: %+v", back)
	}

	// Logging in starts in the first organisation by name.
	var fresh identity.Session
	login(app, "ada@example.com", testsupport.Password).Expect(http.StatusOK).Data(&fresh)
	if fresh.Org.ID != bob.OrgID || fresh.Role != access.Coordinator {
		t.Fatalf("login: %+v, want Alpha Lets as COORDINATOR", fresh)
	}

	// Organisations she does not belong to do not exist for her.
	for _, org := range []uuid.UUID{carol.OrgID, uuid.New()} {
		adaZeta.Post(switchPath, map[string]any{"orgId": org}).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	}
	app.Anonymous().Post(switchPath, map[string]any{"orgId": bob.OrgID}).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
}

func TestAuthAccessTokenChecks(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Acme")
	coordinator := app.AddMember(admin, access.Coordinator)
	other := app.Register("Other")
	key := accessKey(t)

	claims := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		now := time.Now()
		c := jwt.MapClaims{
			"iss": "maintainuk", "sub": admin.UserID.String(), "aud": []string{"maintainuk-api"},
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "jti": uuid.NewString(),
			"org": admin.OrgID.String(), "role": "ADMIN", "typ": "access",
		}
		if mod != nil {
			mod(c)
		}
		return c
	}
	issue := func(secret string, now func() time.Time) string {
		s, err := identity.NewSigner(secret, 15*time.Minute, now)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.Issue(admin.UserID, admin.OrgID, access.Admin)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	parts := strings.Split(admin.Token, ".")
	tamperedSig := parts[0] + "." + parts[1] + "." + flipFirst(parts[2])
	otherOrgPayload := func() string {
		raw, _ := json.Marshal(claims(func(c jwt.MapClaims) { c["org"] = other.OrgID.String() }))
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
	}()
	algNone := func() string {
		h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
		p, _ := json.Marshal(claims(nil))
		return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
	}()

	tests := []struct {
		name   string
		header string // the Authorization header; "" sends none
		ok     bool
	}{
		// Controls: each refused token below differs from one of these in one way.
		{"token from login", "Bearer " + admin.Token, true},
		{"signed by identity.NewSigner with the server's secret", "Bearer " + issue(testSecret, time.Now), true},
		{"hand-built with the derived key", "Bearer " + signJWT(t, jwt.SigningMethodHS256, key, claims(nil)), true},

		{"no header", "", false},
		{"empty bearer", "Bearer ", false},
		{"basic credentials", "Basic " + base64.StdEncoding.EncodeToString([]byte("ada@example.com:"+testsupport.Password)), false},
		{"garbage", "Bearer garbage", false},
		{"tampered signature", "Bearer " + tamperedSig, false},
		{"tampered payload", "Bearer " + otherOrgPayload, false},
		{"expired", "Bearer " + issue(testSecret, func() time.Time { return time.Now().Add(-time.Hour) }), false},
		{"not yet valid", "Bearer " + signJWT(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) {
			c["nbf"] = time.Now().Add(5 * time.Minute).Unix()
		})), false},
		{"wrong audience", "Bearer " + signJWT(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { c["aud"] = []string{"maintainuk-web"} })), false},
		{"wrong issuer", "Bearer " + signJWT(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { c["iss"] = "evil" })), false},
		{"wrong typ", "Bearer " + signJWT(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { c["typ"] = "refresh" })), false},
		{"alg none", "Bearer " + algNone, false},
		{"HS512 with the right key", "Bearer " + signJWT(t, jwt.SigningMethodHS512, key, claims(nil)), false},
		{"signed with the raw secret", "Bearer " + signJWT(t, jwt.SigningMethodHS256, []byte(testSecret), claims(nil)), false},
		{"signed with another secret", "Bearer " + issue("another-secret-that-is-at-least-32-characters", time.Now), false},
		{"refresh token", "Bearer " + admin.RefreshToken, false},
		{"valid, for an organisation the user is not in", "Bearer " + signJWT(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) {
			c["org"] = other.OrgID.String()
		})), false},
		{"valid, for a user that does not exist", "Bearer " + signJWT(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) {
			c["sub"] = uuid.NewString()
		})), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var headers []string
			if tt.header != "" {
				headers = []string{"Authorization", tt.header}
			}
			r := app.Anonymous().Do(http.MethodGet, mePath, nil, headers...)
			if tt.ok {
				var m identity.Me
				decode(t, wantStatus(t, r, http.StatusOK), &m)
				if m.User.ID != admin.UserID || m.Org.ID != admin.OrgID {
					t.Fatalf("me = %+v", m)
				}
				return
			}
			testsupport.ExpectFailure(t, r, http.StatusUnauthorized, apperr.Unauthenticated)
		})
	}

	// The role claim is informative only: a coordinator's validly signed token that says
	// ADMIN still acts as a coordinator.
	t.Run("forged role claim", func(t *testing.T) {
		t.Parallel()
		tok := signJWT(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { c["sub"] = coordinator.UserID.String() }))
		forged := &testsupport.Client{App: app, Token: tok}
		if m := me(t, forged); m.Role != access.Coordinator {
			t.Fatalf("me with a forged role: %+v", m)
		}
		testsupport.ExpectFailure(t, forged.Get(membersPath), http.StatusForbidden, apperr.Forbidden)
	})
}

// flipFirst changes the first character of a base64url segment, which (unlike the last)
// always changes the decoded bytes.
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func TestAuthInvitationAccept(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Acme")

	before := time.Now()
	inv := invite(t, admin, "  New.Person@Example.com ", access.Tenant)
	if inv.Email != "new.person@example.com" || inv.Role != access.Tenant || !strings.HasPrefix(inv.Token, "minv_") ||
		inv.ExpiresAt.Before(before.Add(167*time.Hour)) || inv.ExpiresAt.After(time.Now().Add(169*time.Hour)) {
		t.Fatalf("invitation %+v", inv)
	}
	var open []identity.Invitation
	admin.Get("/api/v1/invitations").Expect(http.StatusOK).Data(&open)
	if len(open) != 1 || open[0].ID != inv.ID {
		t.Fatalf("open invitations %+v: want this one", open)
	}

	// A new account needs a name and a valid password; refusals leave the invitation open.
	accept(app, inv.Token, "", testsupport.Password).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "name")
	accept(app, inv.Token, "New Person", "too-short").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "password")
	accept(app, inv.Token, "New Person", "").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "password")

	var s identity.Session
	accept(app, inv.Token, " New Person ", testsupport.Password).Expect(http.StatusOK).Data(&s)
	checkSession(t, s)
	if s.Org.ID != admin.OrgID || s.Role != access.Tenant || s.User.Email != "new.person@example.com" || s.User.Name != "New Person" {
		t.Fatalf("accepted session %+v", s)
	}
	if m := me(t, clientFor(app, s)); m.Role != access.Tenant || len(m.Memberships) != 1 {
		t.Fatalf("me = %+v", m)
	}
	var found bool
	for _, m := range members(t, admin) {
		found = found || (m.UserID == s.User.ID && m.Role == access.Tenant && m.Email == "new.person@example.com")
	}
	if !found {
		t.Fatalf("the new member is not listed")
	}
	admin.Get("/api/v1/invitations").Expect(http.StatusOK).Data(&open)
	if len(open) != 0 {
		t.Fatalf("accepted invitation still open: %+v", open)
	}
	// The account is a real one.
	login(app, "new.person@example.com", testsupport.Password).Expect(http.StatusOK)

	// The token is spent, whoever presents it.
	accept(app, inv.Token, "New Person", testsupport.Password).ExpectFailure(http.StatusConflict, apperr.Conflict)
	accept(app, inv.Token, "Someone", "another-password-1").ExpectFailure(http.StatusConflict, apperr.Conflict)

	// Inviting a member again is a conflict.
	admin.Post(membersPath, map[string]any{"email": "new.person@example.com", "role": access.Coordinator}).
		ExpectFailure(http.StatusConflict, apperr.Conflict)
}

func TestAuthInvitationExistingAccount(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	var ada identity.Session
	register(app, "Ada's Org", "Ada", "ada@example.com", testsupport.Password).Expect(http.StatusCreated).Data(&ada)
	admin := app.Register("Acme")
	inv := invite(t, admin, "ada@example.com", access.Coordinator)

	accept(app, inv.Token, "Ada", "wrong-password-1").ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	accept(app, inv.Token, "Ada", "").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "password")
	if ms := members(t, admin); len(ms) != 1 {
		t.Fatalf("a refused acceptance added a member: %+v", ms)
	}

	// The invitation is still good for the right password.
	var s identity.Session
	accept(app, inv.Token, "", testsupport.Password).Expect(http.StatusOK).Data(&s)
	if s.User.ID != ada.User.ID || s.Org.ID != admin.OrgID || s.Role != access.Coordinator {
		t.Fatalf("accepted session %+v", s)
	}
	// Her password is unchanged and her first organisation is still hers.
	if m := me(t, clientFor(app, ada)); m.Role != access.Admin || len(m.Memberships) != 2 {
		t.Fatalf("me = %+v", m)
	}
}

func TestAuthInvitationBadTokens(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Acme")
	other := app.Register("Other")

	replaced := invite(t, admin, "sam@example.com", access.Tenant)
	current := invite(t, admin, "sam@example.com", access.Coordinator) // replaces the first
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(current.Token, "minv_"))
	if err != nil || len(raw) != 48 {
		t.Fatalf("invitation token %q is not minv_ + 48 bytes", current.Token)
	}
	copy(raw, other.OrgID[:])
	otherOrg := "minv_" + base64.RawURLEncoding.EncodeToString(raw)

	for _, tt := range []struct{ name, token string }{
		{"empty", ""},
		{"garbage", "garbage"},
		{"refresh token", admin.RefreshToken},
		{"replaced invitation", replaced.Token},
		{"another organisation's id embedded", otherOrg},
	} {
		accept(app, tt.token, "Sam", testsupport.Password).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	}

	var s identity.Session
	accept(app, current.Token, "Sam", testsupport.Password).Expect(http.StatusOK).Data(&s)
	if s.Role != access.Coordinator || s.Org.ID != admin.OrgID {
		t.Fatalf("accepting the current invitation: %+v", s)
	}
}

// TestAuthExpiryWithClock runs an identity service with a fake clock on the test's own
// database, to reach invitation, access-token and refresh-token expiry without waiting.
// (It lives here rather than in package identity because testsupport imports identity.)
func TestAuthExpiryWithClock(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	ctx := context.Background()
	const invitationTTL, refreshTTL = 168 * time.Hour, 720 * time.Hour
	t0 := time.Now().Add(-8 * 24 * time.Hour).Truncate(time.Second)
	clk := testsupport.NewClock(t0)
	signer, err := identity.NewSigner(testSecret, 15*time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	links, err := secretbox.New(testSecret, identity.LinkSealLabel)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := identity.NewService(app.DB, signer, events.Discard{}, links, identity.Settings{
		RefreshTTL: refreshTTL, InvitationTTL: invitationTTL, LoginPerMinute: 100, BaseURL: "http://localhost",
	}, clk.Now)
	if err != nil {
		t.Fatal(err)
	}

	// At t0: an organisation, two sessions and four invitations.
	s0, err := svc.Register(ctx, identity.RegisterInput{OrgName: "Clockwork", Name: "Ada", Email: "ada@example.com", Password: testsupport.Password})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	s1, err := svc.Login(ctx, "ada@example.com", testsupport.Password, "192.0.2.1")
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	actor := access.Actor{UserID: s0.User.ID, OrgID: s0.Org.ID, Role: access.Admin}
	invs := map[string]sentInvitation{}
	for _, name := range []string{"api", "early", "boundary", "late"} {
		inv, token, err := svc.InviteWithToken(ctx, actor, identity.InviteInput{Email: name + "@example.com", Role: access.Tenant})
		if err != nil {
			t.Fatalf("invite %s: %v", name, err)
		}
		if !inv.ExpiresAt.Equal(t0.Add(invitationTTL)) {
			t.Fatalf("invitation expires %s, want %s", inv.ExpiresAt, t0.Add(invitationTTL))
		}
		invs[name] = sentInvitation{Invitation: *inv, Token: token}
	}
	if _, err := svc.Authenticate(ctx, s0.AccessToken); err != nil {
		t.Fatalf("fresh access token refused: %v", err)
	}
	wantCode := func(what string, err error, code apperr.Code) {
		t.Helper()
		if got := apperr.CodeOf(err); got != code {
			t.Fatalf("%s: %v (%s), want %s", what, err, got, code)
		}
	}
	acceptAt := func(name string, at time.Time) error {
		clk.Set(at)
		_, err := svc.AcceptInvitation(ctx, identity.AcceptInput{Token: invs[name].Token, Name: name, Password: testsupport.Password})
		return err
	}

	// Through the API, in real time: the invitation expired a day ago.
	accept(app, invs["api"].Token, "Api", testsupport.Password).ExpectFailure(http.StatusNotFound, apperr.NotFound)

	if err := acceptAt("early", t0.Add(invitationTTL-time.Second)); err != nil {
		t.Fatalf("accepting a second before expiry: %v", err)
	}
	wantCode("accepting at expiry", acceptAt("boundary", t0.Add(invitationTTL)), apperr.NotFound)
	wantCode("accepting after expiry", acceptAt("late", t0.Add(invitationTTL+time.Hour)), apperr.NotFound)

	// The access token from t0 expired long ago.
	_, err = svc.Authenticate(ctx, s0.AccessToken)
	wantCode("authenticating a week-old access token", err, apperr.Unauthenticated)

	// Refresh tokens last 30 days from issue.
	clk.Set(t0.Add(refreshTTL - time.Second))
	if _, err := svc.Refresh(ctx, s0.RefreshToken); err != nil {
		t.Fatalf("refresh a second before expiry: %v", err)
	}
	clk.Set(t0.Add(refreshTTL))
	_, err = svc.Refresh(ctx, s1.RefreshToken)
	wantCode("refresh at expiry", err, apperr.Unauthenticated)
}

func TestAuthRoleChangeAppliesAtNextRequest(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Acme")
	coordinator := app.AddMember(admin, access.Coordinator)
	id := testsupport.MemberID(t, admin, coordinator.UserID)
	property := map[string]any{"addressLine1": "1 High Street", "town": "Bristol", "postcode": "BS1 4DJ"}

	coordinator.Post("/api/v1/properties", property).Expect(http.StatusCreated)

	var changed identity.Member
	admin.Patch(testsupport.Path("%s/%s", membersPath, id), map[string]any{"role": access.Tenant}).Expect(http.StatusOK).Data(&changed)
	if changed.Role != access.Tenant || changed.UserID != coordinator.UserID {
		t.Fatalf("changed member %+v", changed)
	}
	// The same access token, issued as COORDINATOR.
	coordinator.Post("/api/v1/properties", property).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	if m := me(t, coordinator); m.Role != access.Tenant {
		t.Fatalf("me after demotion: %+v", m)
	}
	var s identity.Session
	refresh(app, coordinator.RefreshToken).Expect(http.StatusOK).Data(&s)
	if s.Role != access.Tenant {
		t.Fatalf("refresh after demotion issued role %s", s.Role)
	}

	// Promotion applies as quickly.
	admin.Patch(testsupport.Path("%s/%s", membersPath, id), map[string]any{"role": access.Admin}).Expect(http.StatusOK)
	coordinator.Get(membersPath).Expect(http.StatusOK)
}

func TestAuthRemovedMember(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Acme")
	coordinator := app.AddMember(admin, access.Coordinator)
	var second identity.Session
	login(app, coordinator.Email, testsupport.Password).Expect(http.StatusOK).Data(&second)
	id := testsupport.MemberID(t, admin, coordinator.UserID)

	var out struct {
		Removed bool `json:"removed"`
	}
	admin.Delete(testsupport.Path("%s/%s", membersPath, id)).Expect(http.StatusOK).Data(&out)
	if !out.Removed {
		t.Fatal("removal answered removed=false")
	}

	// Every access token stops at the next request; every refresh token is dead.
	coordinator.Get(mePath).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	coordinator.Get("/api/v1/properties").ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	clientFor(app, second).Get(mePath).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	refresh(app, coordinator.RefreshToken).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	refresh(app, second.RefreshToken).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	// With no organisation left, the account cannot start a session.
	login(app, coordinator.Email, testsupport.Password).ExpectFailure(http.StatusForbidden, apperr.Forbidden)

	for _, m := range members(t, admin) {
		if m.UserID == coordinator.UserID {
			t.Fatalf("removed member still listed: %+v", m)
		}
	}
	admin.Delete(testsupport.Path("%s/%s", membersPath, id)).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	// The admin's own session is untouched.
	refresh(app, admin.RefreshToken).Expect(http.StatusOK)
}

func TestAuthLastAdmin(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	memberPath := func(id uuid.UUID) string { return testsupport.Path("%s/%s", membersPath, id) }
	solo := app.Register("Solo")
	staffed := app.Register("Staffed")
	staffedCoordinator := app.AddMember(staffed, access.Coordinator)
	first := app.Register("Pair")
	second := app.AddMember(first, access.Admin)

	t.Run("the only admin cannot step down or leave", func(t *testing.T) {
		t.Parallel()
		admin := solo
		self := testsupport.MemberID(t, admin, admin.UserID)
		for _, role := range []access.Role{access.Coordinator, access.Tenant} {
			testsupport.ExpectFailure(t, admin.Patch(memberPath(self), map[string]any{"role": role}), http.StatusConflict, apperr.Conflict)
		}
		testsupport.ExpectFailure(t, admin.Delete(memberPath(self)), http.StatusConflict, apperr.Conflict)
		// Re-affirming the role is not a demotion.
		wantStatus(t, admin.Patch(memberPath(self), map[string]any{"role": access.Admin}), http.StatusOK)
		if ms := members(t, admin); countAdmins(ms) != 1 {
			t.Fatalf("members %+v", ms)
		}
	})

	t.Run("only admins change roles", func(t *testing.T) {
		t.Parallel()
		admin, coordinator := staffed, staffedCoordinator
		self := testsupport.MemberID(t, admin, admin.UserID)
		testsupport.ExpectFailure(t, coordinator.Patch(memberPath(self), map[string]any{"role": access.Tenant}), http.StatusForbidden, apperr.Forbidden)
		testsupport.ExpectFailure(t, coordinator.Delete(memberPath(self)), http.StatusForbidden, apperr.Forbidden)
	})

	t.Run("with two admins one may go, not both", func(t *testing.T) {
		t.Parallel()
		firstID, secondID := testsupport.MemberID(t, first, first.UserID), testsupport.MemberID(t, first, second.UserID)

		wantStatus(t, first.Patch(memberPath(firstID), map[string]any{"role": access.Coordinator}), http.StatusOK)
		testsupport.ExpectFailure(t, second.Patch(memberPath(secondID), map[string]any{"role": access.Tenant}), http.StatusConflict, apperr.Conflict)
		testsupport.ExpectFailure(t, second.Delete(memberPath(secondID)), http.StatusConflict, apperr.Conflict)
		// Removing the former admin is fine.
		wantStatus(t, second.Delete(memberPath(firstID)), http.StatusOK)
		if ms := members(t, second); len(ms) != 1 || countAdmins(ms) != 1 {
			t.Fatalf("members %+v", ms)
		}
	})
}

// Two admins stepping down at the same moment must not leave the organisation without
// one. The first demotion is held open after its UPDATE (as ChangeRole is between its
// check and its commit); the second must then wait for it and be refused, not see two
// admins in its snapshot and go ahead.
func TestAuthLastAdminConcurrentDemotion(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	ctx := context.Background()
	a := app.Register("Race")
	b := app.AddMember(a, access.Admin)
	aID, bID := testsupport.MemberID(t, a, a.UserID), testsupport.MemberID(t, a, b.UserID)

	held, release := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- app.DB.InOrg(ctx, a.OrgID, a.UserID, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE memberships SET role = 'COORDINATOR' WHERE org_id = $1 AND id = $2`, a.OrgID, aID); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-firstDone:
		t.Fatalf("first demotion: %v", err)
	}

	secondDone := make(chan error, 1)
	go func() {
		_, err := app.Identity.ChangeRole(ctx, access.Actor{UserID: b.UserID, OrgID: b.OrgID, Role: access.Admin}, bID,
			identity.ChangeRoleInput{Role: access.Coordinator})
		secondDone <- err
	}()
	// Wait until the second demotion has finished or is waiting on a lock.
	var secondErr error
	finished, waiting := false, false
	deadline := time.After(15 * time.Second)
	for !finished && !waiting {
		select {
		case secondErr = <-secondDone:
			finished = true
		case <-deadline:
			close(release)
			t.Fatal("the second demotion neither finished nor waited")
		case <-time.After(5 * time.Millisecond):
			var n int
			err := app.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
			if err != nil {
				close(release)
				t.Fatal(err)
			}
			waiting = n > 0
		}
	}
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatalf("first demotion: %v", err)
	}
	if !finished {
		secondErr = <-secondDone
	}
	if apperr.CodeOf(secondErr) != apperr.Conflict {
		t.Errorf("second demotion: err = %v, want CONFLICT", secondErr)
	}
	var n int
	err := app.DB.InOrg(ctx, a.OrgID, a.UserID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM memberships WHERE org_id = $1 AND role = 'ADMIN'`, a.OrgID).Scan(&n)
	})
	if err != nil || n != 1 {
		t.Fatalf("organisation has %d admins (%v), want 1", n, err)
	}
}

// Accepting an invitation as an existing account checks that account's password, so it
// draws on the same per-account budget as login: otherwise any organisation's admin could
// invite an address and guess its password without limit.
func TestAuthInvitationPasswordGuessingIsLimited(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, map[string]string{"LOGIN_RATE_LIMIT": "3"})
	register(app, "Victim Org", "Vic", "vic@example.com", testsupport.Password).Expect(http.StatusCreated)
	attacker := app.Register("Attacker Org")
	inv := invite(t, attacker, "vic@example.com", access.Tenant)

	for i := range 3 {
		accept(app, inv.Token, "", fmt.Sprintf("guess-number-%d", i)).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	}
	r := accept(app, inv.Token, "", testsupport.Password)
	r.ExpectFailure(http.StatusTooManyRequests, apperr.RateLimited)
	expectRetryAfter(t, r)
	r = login(app, "vic@example.com", testsupport.Password)
	r.ExpectFailure(http.StatusTooManyRequests, apperr.RateLimited)
}
