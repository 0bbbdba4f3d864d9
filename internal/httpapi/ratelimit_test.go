package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/httpapi"
	"github.com/maintainuk/maintainuk/internal/httpapi/idempotency"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/ratelimit"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// rlNewApp is the application with the API limits counted on a test clock: the API is
// rebuilt on the app's services with in-memory limiters of perClient and perOrg requests
// a minute (0: none) and served in place of the app's own. The peer 127.0.0.1 is a
// trusted proxy when trustLocal is set.
func rlNewApp(t *testing.T, perClient, perOrg int, trustLocal bool) (*testsupport.App, *testsupport.Clock) {
	t.Helper()
	env := map[string]string{}
	if trustLocal {
		env["TRUSTED_PROXIES"] = "127.0.0.1"
	}
	app := testsupport.NewApp(t, env)
	clock := testsupport.NewClock(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
	var limits httpapi.RateLimits
	if perClient > 0 {
		limits.PerClient = ratelimit.New(perClient, time.Minute, clock.Now)
	}
	if perOrg > 0 {
		limits.PerOrg = ratelimit.New(perOrg, time.Minute, clock.Now)
	}
	api := httpapi.New(httpapi.Deps{
		Logger: app.Logger, DB: app.DB, Identity: app.Identity, Estate: app.Estate, Contractors: app.Contractors,
		Timeline: timeline.NewService(app.DB, app.Tickets.Visible), Idempotency: idempotency.NewStore(app.DB, time.Now),
		Settings: orgsettings.NewService(app.DB), Tickets: app.Tickets, Attachments: app.Attachments,
		WorkOrders: app.WorkOrders, Quotes: app.Quotes, Invoices: app.Invoices, Webhooks: app.Webhooks,
		MaxBodyBytes: app.Config.MaxBodyBytes, TrustedProxies: httpapi.TrustedProxies(app.Config.TrustedProxies),
		RateLimits: limits,
	})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	app.Server = srv
	return app, clock
}

// rlHeaders checks the RateLimit-* headers of an answer.
func rlHeaders(t *testing.T, r *testsupport.Response, limit, remaining int) {
	t.Helper()
	if got := r.Header.Get("RateLimit-Limit"); got != strconv.Itoa(limit) {
		t.Errorf("RateLimit-Limit = %q, want %d", got, limit)
	}
	if got := r.Header.Get("RateLimit-Remaining"); got != strconv.Itoa(remaining) {
		t.Errorf("RateLimit-Remaining = %q, want %d", got, remaining)
	}
	if reset, err := strconv.Atoi(r.Header.Get("RateLimit-Reset")); err != nil || reset < 1 || reset > 60 {
		t.Errorf("RateLimit-Reset = %q, want 1 to 60 seconds", r.Header.Get("RateLimit-Reset"))
	}
}

func rlRefused(t *testing.T, r *testsupport.Response, limit int) {
	t.Helper()
	testsupport.ExpectFailure(t, r, http.StatusTooManyRequests, apperr.RateLimited)
	expectRetryAfter(t, r)
	rlHeaders(t, r, limit, 0)
}

// TestAPIRateLimitPerClient: a member gets API_RATE_LIMIT requests a minute, each answer
// saying how many are left; the 101st is 429 with Retry-After and the same headers, and
// the next window starts afresh.
func TestAPIRateLimitPerClient(t *testing.T) {
	t.Parallel()
	app, clock := rlNewApp(t, 100, 0, false)
	admin := app.Register("Hundred Lettings")
	clock.Advance(time.Second)
	for i := range 100 {
		r := admin.Get("/api/v1/auth/me")
		if r.Status != http.StatusOK {
			t.Fatalf("request %d: status %d, want 200: %s", i+1, r.Status, r.Body)
		}
		rlHeaders(t, r, 100, 99-i)
	}
	r := admin.Get("/api/v1/auth/me")
	rlRefused(t, r, 100)
	if got := r.Header.Get("Retry-After"); got != "60" {
		t.Errorf("Retry-After = %q, want 60 (the window started with the first request)", got)
	}
	// Refused requests are not counted, and a failing one (404) is counted like any other.
	admin.Get("/api/v1/no-such-thing").ExpectFailure(http.StatusTooManyRequests, apperr.RateLimited)

	clock.Advance(59 * time.Second)
	if r := admin.Get("/api/v1/auth/me"); r.Header.Get("Retry-After") != "1" {
		t.Errorf("a second before the window ends: status %d, Retry-After %q; want 429, 1", r.Status, r.Header.Get("Retry-After"))
	}
	clock.Advance(time.Second)
	rlHeaders(t, admin.Get("/api/v1/auth/me").Expect(http.StatusOK), 100, 99)
}

// TestAPIRateLimitPerMemberAndOrganisation: each member has a limit of their own, so a
// colleague is not refused for another's requests, but the organisation's quota counts
// all of them together; another organisation is untouched.
func TestAPIRateLimitPerMemberAndOrganisation(t *testing.T) {
	t.Parallel()
	app, clock := rlNewApp(t, 5, 8, false)
	admin := app.Register("Quota Lettings")
	coordinator := app.AddMember(admin, access.Coordinator)
	other := app.Register("Other Lettings")
	clock.Advance(time.Minute) // the set-up's requests are in an ended window

	for i := range 5 {
		r := admin.Get("/api/v1/auth/me").Expect(http.StatusOK)
		rlHeaders(t, r, 5, 4-i) // the member's limit is the tighter
	}
	rlRefused(t, admin.Get("/api/v1/auth/me"), 5)

	// The coordinator is not limited by the admin's five (nor by the refused sixth)…
	r := coordinator.Get("/api/v1/auth/me").Expect(http.StatusOK)
	rlHeaders(t, r, 8, 2) // six of the organisation's eight used: its quota is now the tighter
	coordinator.Get("/api/v1/auth/me").Expect(http.StatusOK)
	rlHeaders(t, coordinator.Get("/api/v1/auth/me").Expect(http.StatusOK), 8, 0)
	// … but the organisation's quota is spent, for every member.
	r = coordinator.Get("/api/v1/auth/me")
	rlRefused(t, r, 8)
	if f := r.Failure(); f.Message == "" || f.Message[:len("your organisation")] != "your organisation" {
		t.Errorf("message %q does not say the organisation's quota is spent", f.Message)
	}
	other.Get("/api/v1/auth/me").Expect(http.StatusOK)

	clock.Advance(time.Minute)
	admin.Get("/api/v1/auth/me").Expect(http.StatusOK)
	coordinator.Get("/api/v1/auth/me").Expect(http.StatusOK)
}

// TestAPIRateLimitByAddress: requests without a valid token are counted per client
// address (IPv6 by /64); X-Forwarded-For counts only from a trusted proxy.
func TestAPIRateLimitByAddress(t *testing.T) {
	t.Parallel()
	const path = "/api/v1/auth/me" // 401 without a token, counted all the same
	anonFrom := func(app *testsupport.App, ip string, token ...string) *testsupport.Response {
		c := app.Anonymous()
		if len(token) > 0 {
			c.Token = token[0]
		}
		if ip == "" {
			return c.Get(path)
		}
		return c.Do(http.MethodGet, path, nil, "X-Forwarded-For", ip)
	}

	t.Run("behind a trusted proxy", func(t *testing.T) {
		t.Parallel()
		app, _ := rlNewApp(t, 3, 0, true)
		for i := range 3 {
			rlHeaders(t, anonFrom(app, "203.0.113.1").Expect(http.StatusUnauthorized), 3, 2-i)
		}
		rlRefused(t, anonFrom(app, "203.0.113.1"), 3)
		anonFrom(app, "203.0.113.2").Expect(http.StatusUnauthorized) // another client
		// The rightmost address that is not a trusted proxy is the client: what the
		// client wrote before it does not make a new one.
		rlRefused(t, anonFrom(app, "198.51.100.99, 203.0.113.1"), 3)
		rlRefused(t, anonFrom(app, "203.0.113.1, 127.0.0.1"), 3)
		// An invalid token is no token: counted by address.
		rlRefused(t, anonFrom(app, "203.0.113.1", "not-a-token"), 3)
		// IPv6 clients by /64.
		for i := range 3 {
			anonFrom(app, fmt.Sprintf("2001:db8:7:1::%x", i+1)).Expect(http.StatusUnauthorized)
		}
		rlRefused(t, anonFrom(app, "2001:db8:7:1:ffff::9"), 3)
		anonFrom(app, "2001:db8:7:2::1").Expect(http.StatusUnauthorized)
	})

	t.Run("from an untrusted peer X-Forwarded-For is ignored", func(t *testing.T) {
		t.Parallel()
		app, _ := rlNewApp(t, 3, 0, false)
		for i := range 3 {
			anonFrom(app, fmt.Sprintf("203.0.113.%d", 10+i)).Expect(http.StatusUnauthorized)
		}
		rlRefused(t, anonFrom(app, "203.0.113.50"), 3)
		rlRefused(t, anonFrom(app, ""), 3)
	})
}

// TestAPIRateLimitExemptions: health checks, /metrics, the document and the web UI are
// not counted and carry no RateLimit headers; with the limits off (as under `maintainuk
// dev`) neither are the API's answers.
func TestAPIRateLimitExemptions(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, map[string]string{"API_RATE_LIMIT": "1", "API_ORG_RATE_LIMIT": "1"})
	anon := app.Anonymous()
	for _, path := range []string{"/health/live", "/health/ready", "/metrics", "/openapi.json", "/docs", "/login"} {
		for range 3 {
			r := anon.Get(path)
			if r.Status == http.StatusTooManyRequests || r.Header.Get("RateLimit-Limit") != "" {
				t.Errorf("%s: status %d, RateLimit-Limit %q; want no limit", path, r.Status, r.Header.Get("RateLimit-Limit"))
			}
		}
	}
	rlHeaders(t, anon.Get("/api/v1/auth/me").Expect(http.StatusUnauthorized), 1, 0)
	rlRefused(t, anon.Get("/api/v1/auth/me"), 1)

	off := testsupport.NewApp(t, nil)
	for range 3 {
		if r := off.Anonymous().Get("/api/v1/auth/me"); r.Status != http.StatusUnauthorized || r.Header.Get("RateLimit-Limit") != "" {
			t.Errorf("limits off: status %d, RateLimit-Limit %q", r.Status, r.Header.Get("RateLimit-Limit"))
		}
	}
}

// TestAPIRateLimitSharedAcrossReplicas: with RATE_LIMIT_STORE=postgres two instances of
// the application on one database count one limit together.
func TestAPIRateLimitSharedAcrossReplicas(t *testing.T) {
	t.Parallel()
	one := testsupport.NewApp(t, map[string]string{"RATE_LIMIT_STORE": "postgres", "API_RATE_LIMIT": "4", "API_ORG_RATE_LIMIT": "6"})
	two := one.Replica(t)
	admin := one.Register("Shared Lettings")
	onTwo := *admin
	onTwo.App = two
	// The registration was the admin's address's first request; the member starts now.
	for i, c := range []*testsupport.Client{admin, &onTwo, admin, &onTwo} {
		rlHeaders(t, c.Get("/api/v1/auth/me").Expect(http.StatusOK), 4, 3-i)
	}
	rlRefused(t, onTwo.Get("/api/v1/auth/me"), 4)
	rlRefused(t, admin.Get("/api/v1/auth/me"), 4)

	// The same in memory: each replica counts on its own.
	mem := testsupport.NewApp(t, map[string]string{"API_RATE_LIMIT": "2", "API_ORG_RATE_LIMIT": "0"})
	memTwo := mem.Replica(t)
	a := mem.Register("Memory Lettings")
	b := *a
	b.App = memTwo
	for _, c := range []*testsupport.Client{a, a, &b, &b} {
		c.Get("/api/v1/auth/me").Expect(http.StatusOK)
	}
	rlRefused(t, b.Get("/api/v1/auth/me"), 2)
}
