package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

func basicGet(t *testing.T, app *testsupport.App, path, user, password string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, app.Server.URL+path, nil)
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := app.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestJobDashboardIsForPlatformOperators: River UI at /admin/jobs answers only to users
// marked as platform operators, with their password; an organisation's ADMIN is not one.
func TestJobDashboardIsForPlatformOperators(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Dashboard Lettings")
	operator := app.Register("Operator Ltd")
	if err := app.SetPlatformAdmin(operator.Email, true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, user, password string
		want                 int
	}{
		{"no credentials", "", "", http.StatusUnauthorized},
		{"an organisation's ADMIN", admin.Email, testsupport.Password, http.StatusUnauthorized},
		{"an operator with a wrong password", operator.Email, "wrong-password-1", http.StatusUnauthorized},
		{"an unknown user", "nobody@example.com", testsupport.Password, http.StatusUnauthorized},
		{"the operator", operator.Email, testsupport.Password, http.StatusOK},
	} {
		resp, body := basicGet(t, app, "/admin/jobs/", tc.user, tc.password)
		if resp.StatusCode != tc.want {
			t.Fatalf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
		if tc.want == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
			t.Fatalf("%s: no Basic challenge", tc.name)
		}
		if tc.want == http.StatusOK && !strings.Contains(body, "<html") {
			t.Fatalf("%s: not the dashboard page", tc.name)
		}
	}
	// The dashboard's own API is behind the same guard.
	if resp, _ := basicGet(t, app, "/admin/jobs/api/jobs?state=available", admin.Email, testsupport.Password); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("dashboard API for a non-operator: %d", resp.StatusCode)
	}
	if resp, body := basicGet(t, app, "/admin/jobs/api/jobs?state=available", operator.Email, testsupport.Password); resp.StatusCode != http.StatusOK || !strings.Contains(body, "data") {
		t.Fatalf("dashboard API for the operator: %d %s", resp.StatusCode, body)
	}
	// Removing the right takes effect at the next request, even with the password the
	// dashboard has just verified and remembers.
	if err := app.SetPlatformAdmin(operator.Email, false); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/admin/jobs/", "/admin/jobs/api/jobs?state=available", "/dev/mailbox"} {
		if resp, _ := basicGet(t, app, path, operator.Email, testsupport.Password); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s for a former operator with the remembered password: %d", path, resp.StatusCode)
		}
	}
}

// The dashboard's Basic-auth login is a password check like the API's login: it shares
// its failure limits, so it cannot be used to guess passwords without limit.
func TestJobDashboardLoginIsLimited(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, map[string]string{"LOGIN_RATE_LIMIT": "3"})
	operator := app.Register("Operator Ltd")
	if err := app.SetPlatformAdmin(operator.Email, true); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if resp, _ := basicGet(t, app, "/admin/jobs/", operator.Email, fmt.Sprintf("guess-number-%d", i)); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d, want 401", i+1, resp.StatusCode)
		}
	}
	resp, _ := basicGet(t, app, "/admin/jobs/", operator.Email, testsupport.Password)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after 3 wrong passwords: status %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// The same budget as the API's login: the dashboard's failures count there too.
	testsupport.ExpectFailure(t, login(app, operator.Email, testsupport.Password), http.StatusTooManyRequests, apperr.RateLimited)
}

// TestEmailFromAPIToMailbox follows one email end to end: a ticket reported through the
// API publishes ticket.created in its transaction, River's worker renders and "sends" it
// with the development provider, and /dev/mailbox shows it.
func TestEmailFromAPIToMailbox(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := app.Jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Jobs.Stop(context.Background()) })
	admin := app.Register("Mailbox Lettings")
	if err := app.SetPlatformAdmin(admin.Email, true); err != nil {
		t.Fatal(err)
	}
	if resp, _ := basicGet(t, app, "/dev/mailbox", "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("mailbox without credentials: %d", resp.StatusCode)
	}
	property := admin.Post("/api/v1/properties", map[string]any{"addressLine1": "2 Quay St", "town": "Bristol", "postcode": "BS1 4DJ"}).Expect(http.StatusCreated).ID()
	unit := admin.Post("/api/v1/properties/"+property.String()+"/units", map[string]any{"label": "Flat 2", "reference": "QS-2"}).Expect(http.StatusCreated).ID()
	admin.Post("/api/v1/tickets", map[string]any{"unitId": unit, "title": "Front door lock jammed", "reportedByName": "Jo Resident", "reportedByEmail": "jo@example.com"}).
		Expect(http.StatusCreated)

	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := basicGet(t, app, "/dev/mailbox", admin.Email, testsupport.Password)
		if strings.Contains(body, "jo@example.com") && strings.Contains(body, "SENT") {
			if !strings.Contains(body, "We&#39;ve received your repair report MT-000001") || strings.Contains(body, "Front door lock jammed") {
				t.Fatalf("mailbox shows the wrong email:\n%s", body)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the acknowledgement never reached the mailbox:\n%s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
