package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/metrics"
)

// The security headers every response carries (docs/security.md). securityHeaders owns
// them; a handler that serves HTML replaces the Content-Security-Policy with its own (the
// web UI's in internal/web, the reference page's in internal/apidocs), and the web UI the
// Permissions-Policy (its report form may use the camera). Every policy forbids framing.
const (
	// apiCSP is for JSON, files and plain-text answers: nothing may load, nothing may frame.
	apiCSP = "default-src 'none'; frame-ancestors 'none'"
	// operatorCSP is for the operators' own HTML pages (the job dashboard, the development
	// mailbox, the profiler), which load their scripts and styles from this origin and use
	// inline styles.
	operatorCSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	permissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
	// hsts is sent on HTTPS answers in production: a year, subdomains included.
	hsts = "max-age=31536000; includeSubDomains"
)

// operatorPages are the path prefixes served with operatorCSP.
var operatorPages = []string{"/admin/jobs", "/dev/mailbox", metrics.ProfilerPath}

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Links carry one-time tokens (invitations, resets): no answer sends its address on.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", permissionsPolicy)
		csp := apiCSP
		if slices.ContainsFunc(operatorPages, func(p string) bool { return strings.HasPrefix(r.URL.Path, p) }) {
			csp = operatorCSP
		}
		h.Set("Content-Security-Policy", csp)
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// healthPath reports whether path is a health check, which probes request over plain HTTP.
func healthPath(path string) bool { return strings.HasPrefix(path, "/health/") }

// requireHTTPS, with HTTPSOnly, keeps clients on HTTPS: a plain-HTTP GET or HEAD is
// redirected (308) to the same path on BASE_URL's https origin, any other plain-HTTP
// request is refused with 403, and HTTPS answers carry Strict-Transport-Security. Other
// methods are refused rather than redirected because their body and credentials have
// already crossed the network in clear: a redirect would make the mistake work silently
// (308 repeats the body), a 403 makes the client's misconfiguration visible. Health
// checks are exempt: probes speak plain HTTP to the pod. A request is HTTPS when it came
// over our own TLS listener or from a trusted proxy saying X-Forwarded-Proto: https.
func (s *Server) requireHTTPS(next http.Handler) http.Handler {
	if !s.deps.HTTPSOnly {
		return next
	}
	base, err := url.Parse(s.deps.BaseURL)
	if err != nil || base.Host == "" {
		panic("httpapi: HTTPSOnly needs an absolute BaseURL")
	}
	origin := "https://" + base.Host
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case s.deps.TrustedProxies.HTTPS(r):
			w.Header().Set("Strict-Transport-Security", hsts)
		case healthPath(r.URL.Path):
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
			w.Header().Set("Location", origin+r.URL.RequestURI())
			w.WriteHeader(http.StatusPermanentRedirect)
			return
		default:
			writeEnvelope(w, newErrorEnvelope(r.Context(), loggerFrom(r.Context()), 0, "", &apperr.Error{
				Code:    apperr.Forbidden,
				Message: "this service accepts " + r.Method + " requests over HTTPS only; send it to " + origin + r.URL.Path,
			}))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CORS: what a browser on an allowed origin may send and read.
const (
	corsMethods = "GET, POST, PUT, PATCH, DELETE"
	corsHeaders = "Authorization, Content-Type, Idempotency-Key, Traceparent"
	corsExpose  = "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Trace-Id, Idempotent-Replayed, WWW-Authenticate"
	corsMaxAge  = "600" // seconds a browser may cache a preflight; Chromium caps it at 7200
)

// cors lets pages on CORS_ALLOWED_ORIGINS call /api/ from a browser. An allowed origin is
// echoed in Access-Control-Allow-Origin (never *, and no credentials: the API takes bearer
// tokens, not cookies) with the headers a client reads exposed; its preflight (OPTIONS
// with Access-Control-Request-Method) is answered 204 here, before authentication and rate
// limits. Any other origin gets no CORS headers, so the browser withholds the answer.
// Every /api/ answer says Vary: Origin, so no cache serves one origin's answer to another.
func (s *Server) cors(next http.Handler) http.Handler {
	allowed := s.deps.CORSAllowedOrigins
	if len(allowed) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin == "" || !slices.Contains(allowed, origin) {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExpose)
		next.ServeHTTP(w, r)
	})
}
