package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/web"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// pageAnswer is a page as a browser would get it.
type pageAnswer struct {
	status int
	header http.Header
	body   string
	cookie *http.Cookie // the CSRF cookie set, if any
	csrf   string       // the form's hidden CSRF field, if any
}

func pageRequest(t *testing.T, app *testsupport.App, method, target string, cookie *http.Cookie, form url.Values) pageAnswer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, app.Server.URL+target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != nil {
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	}
	resp, err := app.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := pageAnswer{status: resp.StatusCode, header: resp.Header, body: string(raw)}
	for _, c := range resp.Cookies() {
		if c.Name == web.CookieName {
			a.cookie = c
		}
	}
	if m := csrfField.FindStringSubmatch(a.body); m != nil {
		a.csrf = m[1]
	}
	return a
}

// openForm GETs a page and checks it is a protected form.
func openForm(t *testing.T, app *testsupport.App, target string) pageAnswer {
	t.Helper()
	a := pageRequest(t, app, http.MethodGet, target, nil, nil)
	if a.status != http.StatusOK || !strings.Contains(a.body, "<form method=\"post\"") || a.csrf == "" || a.cookie == nil {
		t.Fatalf("GET %s: %d, cookie %v\n%s", target, a.status, a.cookie, a.body)
	}
	if !a.cookie.HttpOnly || a.cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("CSRF cookie %+v: want HttpOnly and SameSite=Strict", a.cookie)
	}
	csp := a.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
		a.header.Get("X-Frame-Options") != "DENY" || a.header.Get("X-Content-Type-Options") != "nosniff" ||
		a.header.Get("Referrer-Policy") != "no-referrer" || a.header.Get("Cache-Control") != "no-store" ||
		strings.Contains(a.body, "<script") {
		t.Fatalf("GET %s headers %v", target, a.header)
	}
	return a
}

// TestAcceptInvitationPage: the link in the invitation email opens a form; without a valid
// CSRF token the POST is refused, a bad password shows an error and changes nothing, and
// a good submission makes the account, which can then log in through the API.
func TestAcceptInvitationPage(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := app.Jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Jobs.Stop(context.Background()) })
	admin := app.Register("Page Lettings")
	const invitee = "page.invitee@example.com"
	admin.Post(membersPath, map[string]any{"email": invitee, "role": access.Coordinator}).Expect(http.StatusCreated)
	target := app.EmailedLink(t, admin.OrgID, invitee, "/accept-invitation")

	form := openForm(t, app, target)
	if !strings.Contains(form.body, "Accept your invitation") || !strings.Contains(form.body, `name="name"`) || !strings.Contains(form.body, `name="password"`) {
		t.Fatalf("accept form:\n%s", form.body)
	}
	good := url.Values{"csrf": {form.csrf}, "name": {"Penny Page"}, "password": {testsupport.Password}}
	// Refused without the CSRF field, without the cookie, or with another page's pair.
	other := openForm(t, app, target)
	for _, tt := range []struct {
		name   string
		cookie *http.Cookie
		form   url.Values
	}{
		{"no field", form.cookie, url.Values{"name": {"Penny Page"}, "password": {testsupport.Password}}},
		{"no cookie", nil, good},
		{"field of another cookie", other.cookie, good},
		{"forged field", form.cookie, url.Values{"csrf": {"AAAA"}, "name": {"Penny Page"}, "password": {testsupport.Password}}},
	} {
		if a := pageRequest(t, app, http.MethodPost, target, tt.cookie, tt.form); a.status != http.StatusForbidden {
			t.Fatalf("%s: %d\n%s", tt.name, a.status, a.body)
		}
	}
	// A password that breaks the rules shows an error, keeps the name, and changes nothing.
	bad := pageRequest(t, app, http.MethodPost, target, form.cookie, url.Values{"csrf": {form.csrf}, "name": {"Penny Page"}, "password": {"short"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="password-error"`) ||
		!strings.Contains(bad.body, "at least 10 characters") || !strings.Contains(bad.body, `value="Penny Page"`) {
		t.Fatalf("bad password: %d\n%s", bad.status, bad.body)
	}
	login(app, invitee, "short").ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	login(app, invitee, testsupport.Password).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)

	done := pageRequest(t, app, http.MethodPost, target, form.cookie, good)
	if done.status != http.StatusOK || !strings.Contains(done.body, "You have joined Page Lettings as a coordinator") {
		t.Fatalf("accepting: %d\n%s", done.status, done.body)
	}
	var s struct {
		Role access.Role `json:"role"`
		Org  struct {
			ID uuid.UUID `json:"id"`
		} `json:"org"`
	}
	login(app, invitee, testsupport.Password).Expect(http.StatusOK).Data(&s)
	if s.Role != access.Coordinator || s.Org.ID != admin.OrgID {
		t.Fatalf("logged in as %+v", s)
	}
	// The link is spent.
	if again := pageRequest(t, app, http.MethodPost, target, form.cookie, good); again.status != http.StatusConflict {
		t.Fatalf("second acceptance: %d\n%s", again.status, again.body)
	}
	if a := pageRequest(t, app, http.MethodGet, "/accept-invitation", nil, nil); a.status != http.StatusNotFound {
		t.Fatalf("no token: %d", a.status)
	}
}

// TestResetPasswordPage: the reset link opens a form that sets the new password once,
// refuses a POST without a valid CSRF token, and changes nothing on a bad password.
func TestResetPasswordPage(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Reset Homes")
	forgot(app, admin.Email).Expect(http.StatusOK)
	token, ok := app.PasswordResetToken(admin.Email)
	if !ok {
		t.Fatal("no reset email")
	}
	target := "/reset-password?token=" + url.QueryEscape(token)
	form := openForm(t, app, target)
	if !strings.Contains(form.body, "Choose a new password") {
		t.Fatalf("reset form:\n%s", form.body)
	}
	const newPassword = "a-page-set-password"
	good := url.Values{"csrf": {form.csrf}, "password": {newPassword}, "confirm": {newPassword}}
	if a := pageRequest(t, app, http.MethodPost, target, form.cookie, url.Values{"password": {newPassword}, "confirm": {newPassword}}); a.status != http.StatusForbidden {
		t.Fatalf("without the CSRF field: %d", a.status)
	}
	if a := pageRequest(t, app, http.MethodPost, target, nil, good); a.status != http.StatusForbidden {
		t.Fatalf("without the cookie: %d", a.status)
	}
	for _, tt := range []struct {
		name, password, confirm, field string
	}{
		{"too short", "short", "short", "password"},
		{"not confirmed", newPassword, newPassword + "x", "confirm"},
	} {
		a := pageRequest(t, app, http.MethodPost, target, form.cookie, url.Values{"csrf": {form.csrf}, "password": {tt.password}, "confirm": {tt.confirm}})
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, `id="`+tt.field+`-error"`) {
			t.Fatalf("%s: %d\n%s", tt.name, a.status, a.body)
		}
	}
	refresh(app, admin.RefreshToken).Expect(http.StatusOK).Data(&struct{}{})
	login(app, admin.Email, testsupport.Password).Expect(http.StatusOK)

	done := pageRequest(t, app, http.MethodPost, target, form.cookie, good)
	if done.status != http.StatusOK || !strings.Contains(done.body, "Your password has been changed") {
		t.Fatalf("reset: %d\n%s", done.status, done.body)
	}
	login(app, admin.Email, testsupport.Password).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	login(app, admin.Email, newPassword).Expect(http.StatusOK)
	if again := pageRequest(t, app, http.MethodPost, target, form.cookie, good); again.status != http.StatusConflict {
		t.Fatalf("second use: %d\n%s", again.status, again.body)
	}
}
