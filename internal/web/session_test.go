package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/web"
)

// A web session ends with a password change and when the member is removed; it may move
// only to one of the member's own organisations (a refused move leaves it as it was).
func TestWebSessionsEnd(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Sessions", testsupport.EstateOptions{})
	other := app.NewEstate(t, "Sessions Elsewhere", testsupport.EstateOptions{})
	ctx := context.Background()
	login := func(c *testsupport.Client, password string) string {
		t.Helper()
		s, err := app.Identity.WebLogin(ctx, c.Email, password, "192.0.2.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := app.Identity.WebAuthenticate(ctx, s.Token); err != nil {
			t.Fatalf("a new session is refused: %v", err)
		}
		return s.Token
	}
	ended := func(token, why string) {
		t.Helper()
		if _, err := app.Identity.WebAuthenticate(ctx, token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("%s: the session still works (%v)", why, err)
		}
	}

	token := login(e.Coordinator, testsupport.Password)
	e.Coordinator.With(t).Post("/api/v1/auth/change-password", map[string]string{
		"currentPassword": testsupport.Password, "newPassword": "another-long-passphrase"}).Expect(http.StatusOK)
	ended(token, "after a password change")

	token = login(e.Tenant, testsupport.Password)
	e.Admin.With(t).Delete("/api/v1/members/" + e.MemberID[e.Tenant.UserID].String()).Expect(http.StatusOK)
	ended(token, "after the member was removed")

	token = login(e.Contractor, testsupport.Password)
	if _, err := app.Identity.WebSwitchOrg(ctx, token, other.OrgID, "test"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("switching to an organisation not the member's: %v", err)
	}
	if _, err := app.Identity.WebAuthenticate(ctx, token); err != nil {
		t.Fatalf("a refused switch ended the session: %v", err)
	}
	if _, err := app.Identity.WebAuthenticate(ctx, "mws_forged"); !apperr.Is(err, apperr.Unauthenticated) {
		t.Fatalf("a forged token: %v", err)
	}
}

// Another organisation's ticket is not found on the ticket pages, and its actions change
// nothing: signed in to one organisation, every page and form answers 404 for the other's.
func TestTicketPagesCrossTenant(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Pages Home", testsupport.EstateOptions{})
	other := app.NewEstate(t, "Pages Elsewhere", testsupport.EstateOptions{})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Not yours to see"})
	s, err := app.Identity.WebLogin(context.Background(), other.Coordinator.Email, testsupport.Password, "192.0.2.2", "test")
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, app.Server.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: s.Token})
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	_, dash := do(http.MethodGet, "/dashboard", nil)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(dash)
	if m == nil {
		t.Fatal("no CSRF token on the dashboard")
	}
	path := "/tickets/" + tk.ID.String()
	if code, body := do(http.MethodGet, path, nil); code != http.StatusNotFound || strings.Contains(body, "Not yours to see") {
		t.Fatalf("GET %s: %d", path, code)
	}
	for action, form := range map[string]url.Values{
		"/comments":    {"body": {"hello"}},
		"/hazards":     {"hazard": {"FIRE"}},
		"/status":      {"to": {"CANCELLED"}, "reason": {"mine now"}},
		"/ai/classify": {},
		"/messages":    {"channel": {"EMAIL"}, "message": {"hello"}},
		"/clocks":      {"action": {"pause"}, "reason": {"no access"}},
		"/work-orders": {"contractor": {other.ContractorID.String()}, "description": {"do it"}},
	} {
		form.Set("csrf", m[1])
		if code, _ := do(http.MethodPost, path+action, form); code != http.StatusNotFound {
			t.Errorf("POST %s%s from another organisation: %d, want 404", path, action, code)
		}
	}
	d := testsupport.GetTicket(t, e.Coordinator, tk.ID)
	if len(d.Comments) != 0 || len(d.Hazards) != 0 || d.Status != "NEW" {
		t.Fatalf("the other organisation changed the ticket: %+v", d)
	}
}
