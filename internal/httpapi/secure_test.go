package httpapi_test

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/httpapi"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestTrustedProxiesClientIP: X-Forwarded-For counts only from a trusted peer, and then
// the client is the rightmost address that is not a trusted proxy.
func TestTrustedProxiesClientIP(t *testing.T) {
	t.Parallel()
	proxies := httpapi.TrustedProxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for _, tc := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no proxy, no header", "203.0.113.5:4000", nil, "203.0.113.5"},
		{"untrusted peer: header ignored", "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"trusted peer without header", "10.1.2.3:4000", nil, "10.1.2.3"},
		{"one proxy", "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"client-written entries before ours", "10.1.2.3:4000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"two proxies", "10.1.2.3:4000", []string{"198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"header split over lines", "10.1.2.3:4000", []string{"6.6.6.6, 198.51.100.1", "10.9.9.9"}, "198.51.100.1"},
		{"all proxies: the leftmost", "10.1.2.3:4000", []string{"10.7.7.7, 10.9.9.9"}, "10.7.7.7"},
		{"garbage stops at the last trusted hop", "10.1.2.3:4000", []string{"198.51.100.1, not-an-ip, 10.9.9.9"}, "10.9.9.9"},
		{"garbage alone: the peer", "10.1.2.3:4000", []string{"unknown"}, "10.1.2.3"},
		{"IPv6 through an IPv6 proxy", "[fd00::1]:4000", []string{"2001:db8::5"}, "2001:db8::5"},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"no proxies configured", "10.1.2.3:4000", []string{"198.51.100.1"}, "10.1.2.3"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/auth/me", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		p := proxies
		if tc.name == "no proxies configured" {
			p = nil
		}
		if got := p.ClientIP(r); got != tc.want {
			t.Errorf("%s: client %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestSecurityHeaders: every response, whoever serves it, carries nosniff, frame DENY, a
// referrer policy, a permissions policy and a CSP that forbids framing; API answers the
// JSON-only CSP, pages their own.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	const apiCSP = "default-src 'none'; frame-ancestors 'none'"
	for _, tc := range []struct {
		path, csp string // csp "": a page's own, which must forbid framing
	}{
		{"/api/v1/auth/me", apiCSP},
		{"/api/v1/no-such-endpoint", apiCSP},
		{"/openapi.json", apiCSP},
		{"/health/live", apiCSP},
		{"/metrics", apiCSP},
		{"/docs", ""},
		{"/login", ""},
		{"/no-such-page", ""},
		{"/admin/jobs/", ""},
		{"/dev/mailbox", ""},
	} {
		r := app.Anonymous().Get(tc.path)
		h := r.Header
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
		} {
			if h.Get(name) != want {
				t.Errorf("%s (%d): %s = %q, want %q", tc.path, r.Status, name, h.Get(name), want)
			}
		}
		if !strings.Contains(h.Get("Permissions-Policy"), "microphone=()") {
			t.Errorf("%s: Permissions-Policy %q", tc.path, h.Get("Permissions-Policy"))
		}
		csp := h.Get("Content-Security-Policy")
		if (tc.csp != "" && csp != tc.csp) || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s (%d): CSP %q", tc.path, r.Status, csp)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS in development", tc.path)
		}
	}
}

// TestHTTPSOnly: in production plain HTTP is redirected (GET, HEAD) or refused (other
// methods) except health checks, HTTPS answers carry HSTS, and X-Forwarded-Proto counts
// only from a trusted proxy.
func TestHTTPSOnly(t *testing.T) {
	t.Parallel()
	newAPI := func(on bool) *httpapi.Server {
		return httpapi.New(httpapi.Deps{
			Logger: slog.New(slog.DiscardHandler), BaseURL: "https://maintain.example.co.uk", HTTPSOnly: on,
			TrustedProxies: httpapi.TrustedProxies{netip.MustParsePrefix("10.0.0.0/8")},
		})
	}
	const hsts = "max-age=31536000; includeSubDomains"
	for _, tc := range []struct {
		name, method, target, peer, proto string
		tls, off                          bool
		status                            int
		location, hsts                    string
	}{
		{name: "plain GET", method: "GET", target: "/api/v1/auth/me?x=1", peer: "203.0.113.9:1", status: 308, location: "https://maintain.example.co.uk/api/v1/auth/me?x=1"},
		{name: "plain HEAD of a page", method: "HEAD", target: "/login", peer: "203.0.113.9:1", status: 308, location: "https://maintain.example.co.uk/login"},
		{name: "plain POST", method: "POST", target: "/api/v1/auth/login", peer: "203.0.113.9:1", status: 403},
		{name: "plain DELETE", method: "DELETE", target: "/api/v1/members/x", peer: "203.0.113.9:1", status: 403},
		{name: "health over plain HTTP", method: "GET", target: "/health/live", peer: "10.0.0.7:1", status: 200},
		{name: "TLS of our own", method: "GET", target: "/health/live", peer: "203.0.113.9:1", tls: true, status: 200, hsts: hsts},
		{name: "TLS of our own, API", method: "GET", target: "/api/v1/auth/me", peer: "203.0.113.9:1", tls: true, status: 401, hsts: hsts},
		{name: "trusted proxy says https", method: "POST", target: "/api/v1/auth/refresh", peer: "10.0.0.7:1", proto: "https", status: 400, hsts: hsts},
		{name: "trusted proxy says http", method: "GET", target: "/openapi.json", peer: "10.0.0.7:1", proto: "http", status: 308, location: "https://maintain.example.co.uk/openapi.json"},
		{name: "forged by an untrusted peer", method: "GET", target: "/openapi.json", peer: "203.0.113.9:1", proto: "https", status: 308, location: "https://maintain.example.co.uk/openapi.json"},
		{name: "development", method: "GET", target: "/health/live", peer: "203.0.113.9:1", off: true, status: 200},
		{name: "development POST", method: "POST", target: "/api/v1/auth/refresh", peer: "203.0.113.9:1", off: true, status: 400},
	} {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		if tc.method == "POST" {
			r = httptest.NewRequest(tc.method, tc.target, strings.NewReader("{"))
			r.Header.Set("Content-Type", "application/json")
		}
		r.RemoteAddr = tc.peer
		if tc.proto != "" {
			r.Header.Set("X-Forwarded-Proto", tc.proto)
		}
		if !tc.tls {
			r.TLS = nil
		} else {
			r.TLS = &tls.ConnectionState{}
		}
		w := httptest.NewRecorder()
		newAPI(!tc.off).ServeHTTP(w, r)
		if w.Code != tc.status || w.Header().Get("Location") != tc.location || w.Header().Get("Strict-Transport-Security") != tc.hsts {
			t.Errorf("%s: %d, Location %q, HSTS %q; want %d, %q, %q (%s)", tc.name, w.Code, w.Header().Get("Location"),
				w.Header().Get("Strict-Transport-Security"), tc.status, tc.location, tc.hsts, w.Body)
		}
		if tc.status == 403 && !strings.Contains(w.Body.String(), `"code":"FORBIDDEN"`) {
			t.Errorf("%s: body %s, want the failure envelope", tc.name, w.Body)
		}
		if w.Header().Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: no security headers", tc.name)
		}
	}
}

// TestCORS: only the configured origins get CORS headers, on /api/ only; their
// preflights are answered with what the API accepts, their answers expose the headers a
// client reads, and every /api/ answer varies by Origin.
func TestCORS(t *testing.T) {
	t.Parallel()
	quiet := slog.New(slog.DiscardHandler)
	api := httpapi.New(httpapi.Deps{Logger: quiet, CORSAllowedOrigins: []string{"https://app.example.com"}})
	closed := httpapi.New(httpapi.Deps{Logger: quiet})
	for _, tc := range []struct {
		name, method, path, origin string
		closed                     bool
		status                     int
		allow                      string // Access-Control-Allow-Origin
		vary                       bool
	}{
		{"preflight from an allowed origin", "OPTIONS", "/api/v1/tickets", "https://app.example.com", false, 204, "https://app.example.com", true},
		{"preflight from another origin", "OPTIONS", "/api/v1/tickets", "https://evil.example", false, 405, "", true},
		{"a request from an allowed origin", "GET", "/api/v1/auth/me", "https://app.example.com", false, 401, "https://app.example.com", true},
		{"a request from another origin", "GET", "/api/v1/auth/me", "https://evil.example", false, 401, "", true},
		{"same-origin request", "GET", "/api/v1/auth/me", "", false, 401, "", true},
		{"origin differing in scheme", "GET", "/api/v1/auth/me", "http://app.example.com", false, 401, "", true},
		{"not an API path", "GET", "/health/live", "https://app.example.com", false, 200, "", false},
		{"no origins configured", "GET", "/api/v1/auth/me", "https://app.example.com", true, 401, "", false},
		{"no origins configured, preflight", "OPTIONS", "/api/v1/tickets", "https://app.example.com", true, 405, "", false},
	} {
		r := httptest.NewRequest(tc.method, tc.path, nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if tc.method == "OPTIONS" {
			r.Header.Set("Access-Control-Request-Method", "POST")
			r.Header.Set("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
		}
		w := httptest.NewRecorder()
		if tc.closed {
			closed.ServeHTTP(w, r)
		} else {
			api.ServeHTTP(w, r)
		}
		h := w.Header()
		if w.Code != tc.status || h.Get("Access-Control-Allow-Origin") != tc.allow {
			t.Errorf("%s: %d, Allow-Origin %q; want %d, %q", tc.name, w.Code, h.Get("Access-Control-Allow-Origin"), tc.status, tc.allow)
		}
		if varies := strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin"); varies != tc.vary {
			t.Errorf("%s: Vary %q", tc.name, h.Values("Vary"))
		}
		if h.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s: credentials allowed", tc.name)
		}
		switch {
		case tc.allow != "" && tc.method == "OPTIONS":
			for _, want := range []string{"Authorization", "Content-Type", "Idempotency-Key"} {
				if !strings.Contains(h.Get("Access-Control-Allow-Headers"), want) {
					t.Errorf("%s: Allow-Headers %q lacks %s", tc.name, h.Get("Access-Control-Allow-Headers"), want)
				}
			}
			if !strings.Contains(h.Get("Access-Control-Allow-Methods"), "PATCH") || h.Get("Access-Control-Max-Age") == "" {
				t.Errorf("%s: Allow-Methods %q, Max-Age %q", tc.name, h.Get("Access-Control-Allow-Methods"), h.Get("Access-Control-Max-Age"))
			}
		case tc.allow != "":
			for _, want := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After", "X-Trace-Id"} {
				if !strings.Contains(h.Get("Access-Control-Expose-Headers"), want) {
					t.Errorf("%s: Expose-Headers %q lacks %s", tc.name, h.Get("Access-Control-Expose-Headers"), want)
				}
			}
		default:
			for name := range h {
				if strings.HasPrefix(name, "Access-Control-") {
					t.Errorf("%s: %s sent to an origin not allowed", tc.name, name)
				}
			}
		}
	}
}
