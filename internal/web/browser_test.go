package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/testsupport/browser"
)

// signIn opens the sign-in page in a new browser and signs in as c.
func signIn(t *testing.T, app *testsupport.App, c *testsupport.Client, width int) *browser.Browser {
	t.Helper()
	b := browser.New(t, app.Server.URL, width)
	b.Open("/login")
	b.Fill("#email", c.Email)
	b.Fill("#password", testsupport.Password)
	b.Click("form[action='/login'] button[type=submit]")
	return b
}

// checkPage runs what every main page must pass: no serious or critical accessibility
// violation (axe-core), under 100 KB transferred on a first load without images, and
// nothing asked of another host. The page is loaded afresh, with an empty cache.
func checkPage(t *testing.T, b *browser.Browser, base, path, screenshot string) {
	t.Helper()
	b.ClearCache()
	b.Reset()
	b.Open(path)
	size, urls := b.Load()
	if size > 100_000 {
		t.Errorf("%s: %d bytes transferred on a first load, over 100 KB", path, size)
	}
	host := mustHost(t, base)
	for _, u := range urls {
		if parsed, err := url.Parse(u); err == nil && parsed.Host != "" && parsed.Host != host && parsed.Scheme != "data" {
			t.Errorf("%s asked another host: %s", path, u)
		}
	}
	for _, v := range b.Axe() {
		t.Errorf("%s: accessibility (%s) %s: %s %v", path, v.Impact, v.ID, v.Help, v.Nodes)
	}
	if screenshot != "" {
		b.Screenshot(screenshot)
	}
}

func mustHost(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// Signing in takes a coordinator to the dashboard; wrong passwords are refused in words;
// signing out ends the session (the old cookie opens nothing).
func TestBrowserSignInAndOut(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Sign In", testsupport.EstateOptions{})

	b := browser.New(t, app.Server.URL, 1280)
	checkPage(t, b, app.Server.URL, "/login", "sign-in")
	b.Open("/tickets")
	if p := b.Path(); !strings.HasPrefix(p, "/login?next=%2Ftickets") {
		t.Fatalf("not sent to sign in: %s", p)
	}
	b.Fill("#email", e.Coordinator.Email)
	b.Fill("#password", "not the password")
	b.Click("form[action='/login'] button[type=submit]")
	if msg := b.Text("[role=alert]"); !strings.Contains(msg, "not right") {
		t.Fatalf("wrong password said %q", msg)
	}
	b.Fill("#password", testsupport.Password)
	b.Click("form[action='/login'] button[type=submit]")
	if p := b.Path(); p != "/tickets" {
		t.Fatalf("after sign-in at %s, want /tickets (where they were going)", p)
	}
	b.Open("/")
	if p := b.Path(); p != "/dashboard" {
		t.Fatalf("a coordinator's start is %s", p)
	}
	b.Click("form[action='/logout'] button")
	if p := b.Path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("after signing out at %s", p)
	}
	b.Open("/dashboard")
	if p := b.Path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("the ended session still opens the dashboard: %s", p)
	}
}

// The dashboard counts open tickets by status and priority and lists the overdue ones; a
// ticket titled with a script shows the script as text and runs nothing.
func TestBrowserDashboardAndTickets(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Dashboard", testsupport.EstateOptions{})
	testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Boiler not firing", "priority": "EMERGENCY"})
	xss := `<script>document.title="pwned"</script><img src=x onerror="document.title='pwned'">`
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": xss})

	b := signIn(t, app, e.Coordinator, 1280)
	checkPage(t, b, app.Server.URL, "/dashboard", "dashboard")
	if open := b.Text(".cards a.card"); !strings.Contains(open, "2") || !strings.Contains(open, "open tickets") {
		t.Fatalf("the open tickets card says %q", open)
	}
	if s := b.Text("#priority-h + table"); !strings.Contains(s, "Emergency\t1") || !strings.Contains(s, "Routine\t1") {
		t.Fatalf("open by priority says %q", s)
	}
	checkPage(t, b, app.Server.URL, "/tickets", "tickets")
	if s := b.Text("#ticket-rows"); !strings.Contains(s, "Boiler not firing") || !strings.Contains(s, `<script>document.title="pwned"</script>`) {
		t.Fatalf("ticket list says %q", s)
	}
	checkPage(t, b, app.Server.URL, "/tickets/"+tk.ID.String(), "ticket")
	// Had the script or the image's onerror run, the title would be just "pwned".
	if title := browser.Eval[string](b, "document.title"); !strings.HasPrefix(title, "MT-") {
		t.Fatalf("the ticket's title ran as script: document.title is %q", title)
	}
	if n := browser.Eval[int](b, "document.querySelectorAll('main script, main img').length"); n != 0 {
		t.Fatalf("the title became %d elements", n)
	}
	if h1 := b.Text("h1"); !strings.Contains(h1, "<script>") {
		t.Fatalf("the title is not shown as text: %q", h1)
	}

	// Filtering by priority (htmx swaps the rows; the URL follows).
	b.Open("/tickets")
	b.Select("#priority", "EMERGENCY")
	b.Click("form[role=search] button[type=submit]")
	b.WaitText("#ticket-rows", "Boiler not firing")
	if s := b.Text("#ticket-rows"); strings.Contains(s, "pwned") {
		t.Fatalf("the filter kept a routine ticket: %q", s)
	}

	// A comment, from the form.
	b.Open("/tickets/" + tk.ID.String())
	b.Fill("#body", "Plumber booked for Tuesday.")
	b.Click("#comments form button[type=submit]")
	b.WaitText("#comments", "Plumber booked for Tuesday.")
}

// Every page answers with a Content Security Policy that forbids inline script and other
// hosts, and the usual protections.
func TestPagesSecurityHeaders(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	for _, path := range []string{"/login", "/dashboard", "/no-such-page"} {
		resp, err := http.Get(app.Server.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, resp.Header)
		}
	}
}

// A member of two organisations switches between them from the header; the session then
// sees only the other organisation's work. Forgotten passwords are answered alike for any
// address, and the emailed link sets a new one.
func TestBrowserSwitchOrganisationAndResetPassword(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Home Lettings", testsupport.EstateOptions{})
	other := app.NewEstate(t, "Second Lettings", testsupport.EstateOptions{})
	testsupport.CreateTicket(t, other.Coordinator, map[string]any{"unitId": other.UnitID, "title": "Only in the second organisation"})
	other.Admin.With(t).Post("/api/v1/members", map[string]any{"email": e.Coordinator.Email, "role": "COORDINATOR"}).Expect(http.StatusCreated)
	app.Anonymous().With(t).Post("/api/v1/auth/accept-invitation", map[string]string{
		"token": app.InvitationToken(e.Coordinator.Email), "password": testsupport.Password}).Expect(http.StatusOK)

	b := signIn(t, app, e.Coordinator, 1280)
	b.Open("/tickets")
	if s := b.Text("#ticket-rows"); strings.Contains(s, "Only in the second organisation") {
		t.Fatalf("the first organisation shows the second's ticket: %q", s)
	}
	b.Select("#org-switch", other.OrgID.String())
	b.Click("form[action='/switch'] button")
	b.Open("/tickets")
	b.WaitText("#ticket-rows", "Only in the second organisation")
	if s := browser.Eval[string](b, "document.querySelector('#org-switch').selectedOptions[0].textContent"); s != "Second Lettings" {
		t.Fatalf("the switcher shows %q", s)
	}

	// A forgotten password: the same answer for an unknown address, and the link works.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Work(ctx) }()
	defer func() { cancel(); <-done }()
	r := browser.New(t, app.Server.URL, 360)
	for _, address := range []string{"nobody@example.com", e.Tenant.Email} {
		r.Open("/forgot-password")
		r.Fill("#email", address)
		r.Click("form[action='/forgot-password'] button")
		r.WaitText("main", "If there is an account with that address")
	}
	checkPage(t, r, app.Server.URL, "/forgot-password", "forgot-password")
	link := app.EmailedLink(t, e.OrgID, e.Tenant.Email, "/reset-password")
	r.Open(link)
	r.Fill("#password", "a-brand-new-passphrase")
	r.Fill("#confirm", "a-brand-new-passphrase")
	r.Click("form button[type=submit]")
	r.WaitText("main", "Password changed")
	r.Open("/login")
	r.Fill("#email", e.Tenant.Email)
	r.Fill("#password", "a-brand-new-passphrase")
	r.Click("form[action='/login'] button[type=submit]")
	if p := r.Path(); p != "/tickets" {
		t.Fatalf("signing in with the new password went to %s", p)
	}
}
