package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// The helpers below assert with the caller's t (testsupport's Response methods fail the
// test that started the app, which is wrong from a parallel subtest).

var traceIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// envelopeKeys decodes a JSON body into its top-level members.
func envelopeKeys(t *testing.T, r *testsupport.Response) map[string]json.RawMessage {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json; body: %s", ct, r.Body)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil {
		t.Fatalf("body is not a JSON object: %v; body: %s", err, r.Body)
	}
	return top
}

// checkTraceID asserts the body's traceId is a W3C trace id equal to the X-Trace-Id header.
func checkTraceID(t *testing.T, r *testsupport.Response, top map[string]json.RawMessage) string {
	t.Helper()
	var id string
	if err := json.Unmarshal(top["traceId"], &id); err != nil {
		t.Fatalf("traceId: %v; body: %s", err, r.Body)
	}
	if !traceIDPattern.MatchString(id) {
		t.Fatalf("traceId %q is not 32 lowercase hex digits; body: %s", id, r.Body)
	}
	if h := r.Header.Get("X-Trace-Id"); h != id {
		t.Fatalf("traceId %q in body, X-Trace-Id header %q", id, h)
	}
	return id
}

// expectSuccess asserts r is a success envelope {"data", "error": null, "traceId"} with
// status, and returns data.
func expectSuccess(t *testing.T, r *testsupport.Response, status int) json.RawMessage {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	top := envelopeKeys(t, r)
	if e, ok := top["error"]; !ok || string(e) != "null" {
		t.Fatalf("error member is %q on success, want null; body: %s", e, r.Body)
	}
	data, ok := top["data"]
	if !ok || string(data) == "null" {
		t.Fatalf("no data on success; body: %s", r.Body)
	}
	checkTraceID(t, r, top)
	return data
}

func TestConventionsFailureEnvelopes(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Conventions Lettings")
	anon := app.Anonymous()
	expired := &testsupport.Client{App: app, Token: admin.Token[:len(admin.Token)-4] + "AAAA"}

	const validProperty = `{"addressLine1":"1 High Street","town":"Bristol","postcode":"BS1 4DJ"}`
	jsonCT := []string{"Content-Type", "application/json"}
	tests := []struct {
		name    string
		client  *testsupport.Client
		method  string
		path    string
		body    any
		headers []string
		status  int
		code    apperr.Code
		fields  []string
		message string // a substring the message must contain, when set
	}{
		{name: "malformed JSON", method: "POST", path: "/api/v1/properties", body: `{"addressLine1": "1 High`, status: 400, code: apperr.BadRequest},
		{name: "trailing garbage after JSON", method: "POST", path: "/api/v1/properties", body: validProperty + `}`, status: 400, code: apperr.BadRequest},
		{name: "empty body where one is required", method: "POST", path: "/api/v1/properties", body: "", headers: jsonCT, status: 400, code: apperr.BadRequest},
		{name: "unknown JSON field", method: "POST", path: "/api/v1/properties",
			body:   `{"addressLine1":"1 High Street","town":"Bristol","postcode":"BS1 4DJ","colour":"red"}`,
			status: 422, code: apperr.Invalid, fields: []string{"colour"}},
		{name: "missing required field", method: "POST", path: "/api/v1/properties",
			body:   `{"town":"Bristol","postcode":"BS1 4DJ"}`,
			status: 422, code: apperr.Invalid, fields: []string{"addressLine1"}},
		{name: "two missing required fields", method: "POST", path: "/api/v1/properties",
			body:   `{"postcode":"BS1 4DJ"}`,
			status: 422, code: apperr.Invalid, fields: []string{"addressLine1", "town"}},
		{name: "wrong type", method: "POST", path: "/api/v1/properties",
			body:   `{"addressLine1":42,"town":"Bristol","postcode":"BS1 4DJ"}`,
			status: 422, code: apperr.Invalid, fields: []string{"addressLine1"}},
		{name: "array instead of object", method: "POST", path: "/api/v1/properties", body: `[1,2]`, status: 422, code: apperr.Invalid},
		{name: "too long", method: "POST", path: "/api/v1/properties",
			body:   `{"addressLine1":"1 High Street","town":"Bristol","postcode":"BS1 4DJ XXXXXX"}`,
			status: 422, code: apperr.Invalid, fields: []string{"postcode"}},
		{name: "nested field of wrong type", method: "POST", path: "/api/v1/contractors",
			body:   `{"companyName":"Pipes Ltd","email":"pipes@example.com","trades":[1]}`,
			status: 422, code: apperr.Invalid, fields: []string{"trades[0]"}},
		{name: "text/plain body", method: "POST", path: "/api/v1/properties", body: validProperty,
			headers: []string{"Content-Type", "text/plain"}, status: 415, code: apperr.UnsupportedType},
		{name: "form body", method: "POST", path: "/api/v1/properties", body: "addressLine1=1+High+Street",
			headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, code: apperr.UnsupportedType},
		{name: "path id not a UUID", method: "GET", path: "/api/v1/properties/not-a-uuid", status: 422, code: apperr.Invalid, fields: []string{"id"}},
		{name: "PATCH path id not a UUID", method: "PATCH", path: "/api/v1/contractors/123", body: `{}`, status: 422, code: apperr.Invalid, fields: []string{"id"}},
		{name: "limit below minimum", method: "GET", path: "/api/v1/properties?limit=0", status: 422, code: apperr.Invalid, fields: []string{"limit"}},
		{name: "limit above maximum", method: "GET", path: "/api/v1/properties?limit=201", status: 422, code: apperr.Invalid, fields: []string{"limit"}},
		{name: "limit not a number", method: "GET", path: "/api/v1/properties?limit=ten", status: 422, code: apperr.Invalid, fields: []string{"limit"}},
		{name: "missing required query", method: "GET", path: "/api/v1/timeline?sort=oldest&entity=property", status: 422, code: apperr.Invalid, fields: []string{"id"}},
		{name: "another org's or missing row", method: "GET", path: "/api/v1/properties/" + uuid.NewString(), status: 404, code: apperr.NotFound},
		{name: "unknown API route", method: "GET", path: "/api/v1/no-such-thing", status: 404, code: apperr.NotFound},
		{name: "method not allowed", method: "DELETE", path: "/api/v1/properties", status: 405, code: apperr.BadRequest},
		{name: "no token on a secured endpoint", client: anon, method: "GET", path: "/api/v1/properties", status: 401, code: apperr.Unauthenticated,
			message: "Authorization: Bearer"},
		{name: "no token on a secured POST", client: anon, method: "POST", path: "/api/v1/properties", body: validProperty, status: 401, code: apperr.Unauthenticated},
		{name: "invalid token", client: expired, method: "GET", path: "/api/v1/auth/me", status: 401, code: apperr.Unauthenticated, message: "log in again"},
		{name: "wrong scheme", client: anon, method: "GET", path: "/api/v1/auth/me", headers: []string{"Authorization", "Basic " + admin.Token},
			status: 401, code: apperr.Unauthenticated},
		{name: "lower-case scheme is still a bearer token", client: anon, method: "GET", path: "/api/v1/auth/me", headers: []string{"Authorization", "bearer " + expired.Token},
			status: 401, code: apperr.Unauthenticated, message: "log in again"},
		{name: "public endpoint validates too", client: anon, method: "POST", path: "/api/v1/auth/login", body: `{"email":"a@example.com"}`,
			status: 422, code: apperr.Invalid, fields: []string{"password"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tc.client
			if c == nil {
				c = admin
			}
			r := c.Do(tc.method, tc.path, tc.body, tc.headers...)
			f := testsupport.ExpectFailure(t, r, tc.status, tc.code, tc.fields...)
			if tc.message != "" && !strings.Contains(f.Message, tc.message) {
				t.Fatalf("message %q does not contain %q", f.Message, tc.message)
			}
			checkSecurityHeaders(t, r, true)
			switch tc.status {
			case http.StatusUnauthorized:
				if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
					t.Fatalf("401 without a WWW-Authenticate: Bearer challenge (got %q)", got)
				}
			case http.StatusMethodNotAllowed:
				if allow := r.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
					t.Fatalf("405 Allow header %q, want GET and POST", allow)
				}
			}
		})
	}
}

func TestConventionsBodyLimit(t *testing.T) {
	t.Parallel()
	const limit = 2048
	app := testsupport.NewApp(t, map[string]string{"MAX_BODY_BYTES": fmt.Sprint(limit)})
	admin := app.Register("Limits Lettings")

	// padded returns a valid property body of exactly n bytes (JSON allows trailing spaces).
	padded := func(n int) string {
		b := `{"addressLine1":"1 High Street","town":"Bristol","postcode":"BS1 4DJ"}`
		return b + strings.Repeat(" ", n-len(b))
	}
	tests := []struct {
		name    string
		size    int
		headers []string
		status  int
	}{
		{name: "at the limit", size: limit, status: http.StatusCreated},
		{name: "one byte over", size: limit + 1, status: http.StatusRequestEntityTooLarge},
		{name: "well over", size: 4 * limit, status: http.StatusRequestEntityTooLarge},
		{name: "well over with an Idempotency-Key", size: 4 * limit, headers: []string{"Idempotency-Key", "big-" + uuid.NewString()}, status: http.StatusRequestEntityTooLarge},
		{name: "at the limit with an Idempotency-Key", size: limit, headers: []string{"Idempotency-Key", "ok-" + uuid.NewString()}, status: http.StatusCreated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := admin.Post("/api/v1/properties", padded(tc.size), tc.headers...)
			if tc.status != http.StatusRequestEntityTooLarge {
				expectSuccess(t, r, tc.status)
				return
			}
			f := testsupport.ExpectFailure(t, r, tc.status, apperr.TooLarge)
			if !strings.Contains(f.Message, fmt.Sprint(limit)) {
				t.Fatalf("413 message %q does not state the limit %d", f.Message, limit)
			}
		})
	}
}

func TestConventionsSuccessEnvelopes(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Envelope Lettings")
	created := admin.Post("/api/v1/properties", map[string]any{"addressLine1": "2 High Street", "town": "Bath", "postcode": "BA1 1AA"})
	expectSuccess(t, created, http.StatusCreated)
	checkSecurityHeaders(t, created, true)

	tests := []struct {
		name, path string
		list       bool
	}{
		{name: "object", path: "/api/v1/auth/me"},
		{name: "created row", path: "/api/v1/properties/" + created.ID().String()},
		{name: "list", path: "/api/v1/properties", list: true},
		{name: "empty list", path: "/api/v1/contractors", list: true},
	}
	t.Run("lower-case bearer scheme", func(t *testing.T) {
		t.Parallel()
		expectSuccess(t, admin.Do(http.MethodGet, "/api/v1/auth/me", nil, "Authorization", "bearer "+admin.Token), http.StatusOK)
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := admin.Get(tc.path)
			data := expectSuccess(t, r, http.StatusOK)
			checkSecurityHeaders(t, r, true)
			if tc.list {
				if data[0] != '[' {
					t.Fatalf("list data is not an array: %s", data)
				}
				if _, ok := envelopeKeys(t, r)["meta"]; !ok {
					t.Fatalf("list without meta: %s", r.Body)
				}
			}
		})
	}
}

func TestConventionsTraceparent(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Trace Lettings")
	const incoming = "4bf92f3577b34da6a3ce929d0e0e4736"
	tests := []struct {
		name        string
		traceparent string
		client      *testsupport.Client
		path        string
		reused      bool
	}{
		{name: "success reuses it", traceparent: "00-" + incoming + "-00f067aa0ba902b7-01", client: admin, path: "/api/v1/auth/me", reused: true},
		{name: "failure reuses it", traceparent: "00-" + incoming + "-00f067aa0ba902b7-01", client: app.Anonymous(), path: "/api/v1/auth/me", reused: true},
		{name: "all-zero id is ignored", traceparent: "00-" + strings.Repeat("0", 32) + "-00f067aa0ba902b7-01", client: admin, path: "/api/v1/auth/me"},
		{name: "malformed is ignored", traceparent: "00-" + incoming[:30] + "-00f067aa0ba902b7-01", client: admin, path: "/api/v1/auth/me"},
		{name: "uppercase is ignored", traceparent: "00-" + strings.ToUpper(incoming) + "-00f067aa0ba902b7-01", client: admin, path: "/api/v1/auth/me"},
		{name: "non-hex is ignored", traceparent: "00-" + incoming[:31] + "z-00f067aa0ba902b7-01", client: admin, path: "/api/v1/auth/me"},
		{name: "absent", client: admin, path: "/api/v1/auth/me"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var headers []string
			if tc.traceparent != "" {
				headers = []string{"traceparent", tc.traceparent}
			}
			r := tc.client.Do(http.MethodGet, tc.path, nil, headers...)
			got := checkTraceID(t, r, envelopeKeys(t, r))
			if (got == incoming) != tc.reused {
				t.Fatalf("trace id %q with traceparent %q: reused=%v, want %v", got, tc.traceparent, got == incoming, tc.reused)
			}
		})
	}
	t.Run("fresh ids differ", func(t *testing.T) {
		t.Parallel()
		a := admin.Get("/api/v1/auth/me").Header.Get("X-Trace-Id")
		b := admin.Get("/api/v1/auth/me").Header.Get("X-Trace-Id")
		if a == b || !traceIDPattern.MatchString(a) {
			t.Fatalf("trace ids %q and %q: want two distinct fresh ids", a, b)
		}
	})
}

// checkSecurityHeaders asserts the headers every response carries.
func checkSecurityHeaders(t *testing.T, r *testsupport.Response, api bool) {
	t.Helper()
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
	}
	if api {
		want["Cache-Control"] = "no-store"
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || r.Header.Get("Permissions-Policy") == "" {
		t.Errorf("CSP %q, Permissions-Policy %q", csp, r.Header.Get("Permissions-Policy"))
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

func TestConventionsHealthAndHeaders(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	anon := app.Anonymous()
	tests := []struct {
		name, path string
		status     int
		api        bool
	}{
		{name: "live", path: "/health/live", status: 200},
		{name: "ready with a database", path: "/health/ready", status: 200},
		{name: "openapi document", path: "/openapi.json", status: 200},
		{name: "api error", path: "/api/v1/auth/me", status: 401, api: true},
		{name: "stale token on a health check is ignored", path: "/health/live", status: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := anon.Do(http.MethodGet, tc.path, nil, "Authorization", "Bearer not-a-token")
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d; body: %s", r.Status, tc.status, r.Body)
			}
			checkSecurityHeaders(t, r, tc.api)
			if strings.HasPrefix(tc.path, "/health/") {
				var body struct {
					Status string `json:"status"`
				}
				if err := json.Unmarshal(r.Body, &body); err != nil || body.Status != "ok" {
					t.Fatalf("health body %s: %v", r.Body, err)
				}
			}
		})
	}
}

// TestConventionsDatabaseGone closes the application's pool under it: readiness answers
// 503, liveness still 200, and requests that need the database answer 500 envelopes that
// do not leak what broke.
func TestConventionsDatabaseGone(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Outage Lettings")
	app.DB.Close()

	if r := admin.Get("/health/live"); r.Status != http.StatusOK {
		t.Fatalf("live: %d %s", r.Status, r.Body)
	}
	ready := admin.Get("/health/ready")
	if ready.Status != http.StatusServiceUnavailable || !strings.Contains(string(ready.Body), `"unavailable"`) {
		t.Fatalf("ready without a database: %d %s, want 503 unavailable", ready.Status, ready.Body)
	}

	body := map[string]any{"addressLine1": "3 High Street", "town": "Leeds", "postcode": "LS1 1AA"}
	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		headers []string
	}{
		{name: "read", method: "GET", path: "/api/v1/properties"},
		{name: "write", method: "POST", path: "/api/v1/properties", body: body},
		{name: "write with Idempotency-Key", method: "POST", path: "/api/v1/properties", body: body, headers: []string{"Idempotency-Key", "outage-1"}},
		{name: "login", method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": admin.Email, "password": testsupport.Password}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := admin.Do(tc.method, tc.path, tc.body, tc.headers...)
			f := testsupport.ExpectFailure(t, r, http.StatusInternalServerError, apperr.Internal)
			checkNoInternals(t, r.Body)
			if !strings.Contains(f.Message, "trace id") {
				t.Fatalf("500 message %q should tell the client to quote the trace id", f.Message)
			}
		})
	}
}

// checkNoInternals fails when a body names the machinery behind it.
func checkNoInternals(t *testing.T, body []byte) {
	t.Helper()
	lower := strings.ToLower(string(body))
	for _, leak := range []string{"pool", "closed", "pgx", "postgres", "sql", "database", "goroutine", ".go:", "panic", "runtime", "dial", "tcp"} {
		if strings.Contains(lower, leak) {
			t.Fatalf("500 body leaks %q: %s", leak, body)
		}
	}
}

// TestConventionsRateLimited: a 429 is an envelope with a Retry-After header.
func TestConventionsRateLimited(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, map[string]string{"LOGIN_RATE_LIMIT": "1"})
	anon := app.Anonymous()
	body := map[string]string{"email": "nobody@example.com", "password": "wrong-password-123"}
	var r *testsupport.Response
	for range 3 {
		if r = anon.Post("/api/v1/auth/login", body); r.Status == http.StatusTooManyRequests {
			break
		}
	}
	testsupport.ExpectFailure(t, r, http.StatusTooManyRequests, apperr.RateLimited)
	var secs int
	if _, err := fmt.Sscan(r.Header.Get("Retry-After"), &secs); err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After %q, want 1 to 60 seconds", r.Header.Get("Retry-After"))
	}
	checkSecurityHeaders(t, r, true)
}
