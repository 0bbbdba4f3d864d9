package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

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
	if err := app.Identity.SetPlatformAdmin(context.Background(), operator.Email, true); err != nil {
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
	// Removing the right takes effect (after the short verification cache, which a new
	// password-free request cannot use).
	if err := app.Identity.SetPlatformAdmin(context.Background(), operator.Email, false); err != nil {
		t.Fatal(err)
	}
	if resp, _ := basicGet(t, app, "/admin/jobs/", operator.Email, "another-guess-123"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("former operator with a wrong password: %d", resp.StatusCode)
	}
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
	if err := app.Identity.SetPlatformAdmin(context.Background(), admin.Email, true); err != nil {
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
