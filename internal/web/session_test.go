package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
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
