package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/maintainuk/maintainuk/internal/apperr"
)

func TestNewErrorEnvelope(t *testing.T) {
	t.Parallel()
	const secret = "dial tcp 10.1.2.3:5432: password authentication failed for user app (hunter2)"
	ctx := withRequestInfo(context.Background(), &requestInfo{traceID: "0123456789abcdef0123456789abcdef"})
	tests := []struct {
		name       string
		status     int
		msg        string
		errs       []error
		wantStatus int
		wantCode   apperr.Code
		wantMsg    string // exact message, when set
		wantFields []apperr.FieldError
		retryAfter string
	}{
		{name: "plain error is a 500 without internals", status: 500, msg: secret, errs: []error{errors.New(secret)},
			wantStatus: 500, wantCode: apperr.Internal},
		{name: "wrapped plain error", status: 500, msg: "x", errs: []error{fmt.Errorf("saving ticket: %w", errors.New(secret))},
			wantStatus: 500, wantCode: apperr.Internal},
		{name: "internal apperr keeps its safe message, not its cause", status: 500, errs: []error{apperr.Wrap(errors.New(secret), apperr.Internal, "could not save the ticket")},
			wantStatus: 500, wantCode: apperr.Internal, wantMsg: "could not save the ticket"},
		{name: "unavailable", errs: []error{apperr.Wrap(errors.New(secret), apperr.Unavailable, "try again shortly")},
			wantStatus: 503, wantCode: apperr.Unavailable, wantMsg: "try again shortly"},
		{name: "domain not found", status: 500, errs: []error{apperr.NotFoundf("property")},
			wantStatus: 404, wantCode: apperr.NotFound, wantMsg: "property not found"},
		{name: "domain error wrapped", errs: []error{fmt.Errorf("ctx: %w", apperr.ForbiddenRole())},
			wantStatus: 403, wantCode: apperr.Forbidden},
		{name: "domain validation", errs: []error{func() error { var f apperr.Fields; f.Add("title", "is required"); return f.Err() }()},
			wantStatus: 422, wantCode: apperr.Invalid, wantFields: []apperr.FieldError{{Field: "title", Message: "is required"}}},
		{name: "rate limited rounds Retry-After up", errs: []error{&apperr.Error{Code: apperr.RateLimited, Message: "slow down", RetryAfter: 1200 * time.Millisecond}},
			wantStatus: 429, wantCode: apperr.RateLimited, retryAfter: "2"},
		{name: "huma validation", status: 422, msg: "validation failed", errs: []error{
			&huma.ErrorDetail{Location: "body.address.postcode", Message: "expected length <= 10"},
			&huma.ErrorDetail{Location: "query.limit", Message: "expected number >= 1"},
			&huma.ErrorDetail{Location: "path.id", Message: "expected string to be RFC 4122 uuid"},
		}, wantStatus: 422, wantCode: apperr.Invalid, wantFields: []apperr.FieldError{
			{Field: "address.postcode", Message: "expected length <= 10"},
			{Field: "limit", Message: "expected number >= 1"},
			{Field: "id", Message: "expected string to be RFC 4122 uuid"},
		}},
		{name: "huma missing required property is named", status: 422, errs: []error{
			&huma.ErrorDetail{Location: "body", Message: "expected required property title to be present"},
			&huma.ErrorDetail{Location: "body.address", Message: "expected required property postcode to be present"},
		}, wantStatus: 422, wantCode: apperr.Invalid, wantFields: []apperr.FieldError{
			{Field: "title", Message: "expected required property title to be present"},
			{Field: "address.postcode", Message: "expected required property postcode to be present"},
		}},
		{name: "a code missing from statusOf is a 500", errs: []error{apperr.New(apperr.Code("BRAND_NEW"), "%s", secret)},
			wantStatus: 500, wantCode: apperr.Internal},
		{name: "huma malformed", status: 400, msg: "unable to parse body", wantStatus: 400, wantCode: apperr.BadRequest, wantMsg: "unable to parse body"},
		{name: "huma 415", status: 415, msg: "unknown content type", wantStatus: 415, wantCode: apperr.UnsupportedType},
		{name: "unmapped 4xx is a bad request", status: 418, msg: "teapot", wantStatus: 418, wantCode: apperr.BadRequest},
		{name: "unmapped 5xx is internal", status: 502, msg: secret, wantStatus: 502, wantCode: apperr.Internal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newErrorEnvelope(ctx, slog.New(slog.DiscardHandler), tc.status, tc.msg, tc.errs...)
			if env.GetStatus() != tc.wantStatus || env.Err.Code != tc.wantCode {
				t.Fatalf("status %d code %s, want %d %s", env.GetStatus(), env.Err.Code, tc.wantStatus, tc.wantCode)
			}
			if tc.wantMsg != "" && env.Err.Message != tc.wantMsg {
				t.Fatalf("message %q, want %q", env.Err.Message, tc.wantMsg)
			}
			if env.Err.Message == "" {
				t.Fatal("empty message")
			}
			if fmt.Sprint(env.Err.Fields) != fmt.Sprint(tc.wantFields) {
				t.Fatalf("fields %+v, want %+v", env.Err.Fields, tc.wantFields)
			}
			if got := env.GetHeaders().Get("Retry-After"); got != tc.retryAfter {
				t.Fatalf("Retry-After %q, want %q", got, tc.retryAfter)
			}
			raw, err := json.Marshal(env)
			if err != nil {
				t.Fatal(err)
			}
			var top map[string]json.RawMessage
			if err := json.Unmarshal(raw, &top); err != nil {
				t.Fatal(err)
			}
			if len(top) != 3 || string(top["data"]) != "null" || string(top["traceId"]) != `"0123456789abcdef0123456789abcdef"` {
				t.Fatalf("envelope %s", raw)
			}
			for _, leak := range []string{"hunter2", "10.1.2.3", "dial tcp", "password"} {
				if strings.Contains(string(raw), leak) {
					t.Fatalf("envelope leaks %q: %s", leak, raw)
				}
			}
		})
	}
}

func TestFieldName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"body.title": "title", "body.address.postcode": "address.postcode", "query.limit": "limit",
		"path.id": "id", "header.Idempotency-Key": "Idempotency-Key", "body": "", "body.items[0].name": "items[0].name",
	} {
		if got := fieldName(in); got != want {
			t.Errorf("fieldName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHealthReady drives the readiness check through a Ready func, and a panic through
// observe's recovery, with no database at all.
func TestHealthReady(t *testing.T) {
	t.Parallel()
	const secret = "connection refused by db-primary.internal:5432"
	tests := []struct {
		name       string
		path       string
		ready      func(context.Context) error
		wantStatus int
		wantBody   string
	}{
		{name: "ready", path: "/health/ready", ready: func(context.Context) error { return nil }, wantStatus: 200, wantBody: `{"status":"ok"}`},
		{name: "database gone", path: "/health/ready", ready: func(context.Context) error { return errors.New(secret) }, wantStatus: 503, wantBody: `{"status":"unavailable"}`},
		{name: "dependency times out", path: "/health/ready", ready: func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				return errors.New("readiness check without a deadline")
			}
			return context.DeadlineExceeded
		}, wantStatus: 503, wantBody: `{"status":"unavailable"}`},
		{name: "live while not ready", path: "/health/live", ready: func(context.Context) error { return errors.New(secret) }, wantStatus: 200, wantBody: `{"status":"ok"}`},
		{name: "panic is a 500 envelope", path: "/health/ready", ready: func(context.Context) error { panic(secret) }, wantStatus: 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := New(Deps{Logger: slog.New(slog.DiscardHandler), MaxBodyBytes: 1 << 20, Ready: tc.ready})
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			body := rec.Body.String()
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.wantStatus, body)
			}
			if strings.Contains(body, "db-primary") || strings.Contains(body, "5432") {
				t.Fatalf("body leaks the cause: %s", body)
			}
			if tc.wantBody != "" {
				if strings.TrimSpace(body) != tc.wantBody {
					t.Fatalf("body %s, want %s", body, tc.wantBody)
				}
				return
			}
			var env struct {
				Data    json.RawMessage `json:"data"`
				Error   Failure         `json:"error"`
				TraceID string          `json:"traceId"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
				t.Fatalf("500 is not an envelope: %v; %s", err, body)
			}
			if string(env.Data) != "null" || env.Error.Code != apperr.Internal || env.TraceID == "" || env.TraceID != rec.Header().Get("X-Trace-Id") {
				t.Fatalf("500 envelope %s (X-Trace-Id %q)", body, rec.Header().Get("X-Trace-Id"))
			}
			if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("500 without security headers: %v", rec.Header())
			}
		})
	}
}
