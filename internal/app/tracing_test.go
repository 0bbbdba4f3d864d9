package app_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/maintainuk/maintainuk/internal/app"
	"github.com/maintainuk/maintainuk/internal/config"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// tracedApp is the real program with every span going to an in-memory exporter and its
// JSON log to a buffer.
func tracedApp(t *testing.T) (*app.App, *tracetest.InMemoryExporter, *syncBuffer) {
	t.Helper()
	dbs := testsupport.NewDatabases(t)
	vars := map[string]string{"APP_ENV": "development", "DATABASE_URL": dbs.AppURL, "APP_SECRET": strings.Repeat("s", 40),
		"SHUTDOWN_TIMEOUT": "5s", "DATA_DIR": t.TempDir()}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	exp := tracetest.NewInMemoryExporter()
	logs := &syncBuffer{}
	a, err := app.NewWithOptions(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)), app.Options{SpanExporter: exp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a, exp, logs
}

// TestTraceIDsMatch: a failing request's X-Trace-Id, its envelope's traceId, its server
// span's trace id and its log line's trace_id are one id, the caller's from traceparent;
// its SQL spans are children of its span, without the statement's arguments or the
// scope's values; a job it enqueued is worked in a span linked to it.
func TestTraceIDsMatch(t *testing.T) {
	t.Parallel()
	a, exp, logs := tracedApp(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ln) }()
	defer func() {
		cancel()
		<-done
	}()
	base := "http://" + ln.Addr().String()

	// Registering enqueues the new organisation's jobs (its verification email).
	resp, err := http.Post(base+"/api/v1/auth/register", "application/json",
		strings.NewReader(`{"orgName":"Trace Ltd","name":"Tam","email":"tam@example.com","password":"a-secret-passphrase-123"}`))
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		Data struct {
			AccessToken string `json:"accessToken"`
		} `json:"data"`
		TraceID string `json:"traceId"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reg); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	regTrace := reg.TraceID
	// Logging in runs a transaction scoped by the email (database.Scope.LoginEmail).
	resp, err = http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"tam@example.com","password":"a-secret-passphrase-123"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %v %v", resp, err)
	}
	resp.Body.Close()

	const callerTrace = "4bf92f3577b34da6a3ce929d0e0736a1"
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/tickets/"+uuid.NewString(), nil)
	req.Header.Set("Authorization", "Bearer "+reg.Data.AccessToken)
	req.Header.Set("Traceparent", "00-"+callerTrace+"-00f067aa0ba902b7-01")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		TraceID string `json:"traceId"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("foreign ticket: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	if h := resp.Header.Get("X-Trace-Id"); h != callerTrace || env.TraceID != callerTrace {
		t.Fatalf("X-Trace-Id %q, envelope traceId %q, want the caller's %s", h, env.TraceID, callerTrace)
	}

	var server sdktrace.ReadOnlySpan
	for _, s := range exp.GetSpans().Snapshots() {
		if s.SpanKind() == trace.SpanKindServer && s.SpanContext().TraceID().String() == callerTrace {
			server = s
		}
	}
	if server == nil {
		t.Fatalf("no server span in the caller's trace among %d spans", len(exp.GetSpans()))
	}
	if server.Name() != "GET /api/v1/tickets/{id}" || server.Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Fatalf("server span %q with parent %s, want the route pattern and the caller's span", server.Name(), server.Parent().SpanID())
	}
	sql := 0
	for _, s := range exp.GetSpans().Snapshots() {
		// No span of either request (registration and login scopes carry the email)
		// records personal data or a statement's arguments.
		for _, kv := range s.Attributes() {
			v := kv.Value.String()
			if strings.Contains(v, "tam@example.com") || kv.Key == "pgx.query.parameters" {
				t.Fatalf("span %q records personal data or arguments: %s=%s", s.Name(), kv.Key, v)
			}
		}
		if s.Parent().SpanID() == server.SpanContext().SpanID() && s.SpanKind() == trace.SpanKindClient {
			sql++
		}
	}
	if sql == 0 {
		t.Fatal("no SQL span under the request's span")
	}

	logged := false
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == "request" && strings.HasPrefix(rec["path"].(string), "/api/v1/tickets/") {
			logged = rec["trace_id"] == callerTrace && rec["span_id"] == server.SpanContext().SpanID().String()
		}
	}
	if !logged {
		t.Fatalf("no request log line with the trace and span ids:\n%s", logs.String())
	}

	// The job the registration enqueued is worked in its own span, linked to the span
	// that enqueued it in the registration's trace.
	deadline := time.Now().Add(15 * time.Second)
	for {
		linked := false
		for _, s := range exp.GetSpans().Snapshots() {
			if !strings.HasPrefix(s.Name(), "river.work") {
				continue
			}
			for _, l := range s.Links() {
				linked = linked || l.SpanContext.TraceID().String() == regTrace
			}
		}
		if linked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no job span linked to the registration's trace")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHealth: liveness never touches the database (200 with the pool closed); readiness
// fails without the database, and once the job workers have stopped.
func TestHealth(t *testing.T) {
	t.Parallel()
	t.Run("database closed", func(t *testing.T) {
		t.Parallel()
		a, _, _ := tracedApp(t)
		srv := httptest.NewServer(a.API)
		defer srv.Close()
		if status, _ := get(t, srv.URL+"/health/ready"); status != http.StatusOK {
			t.Fatalf("ready with the database up: %d", status)
		}
		a.DB.Close()
		if status, _ := get(t, srv.URL+"/health/live"); status != http.StatusOK {
			t.Fatalf("live with the pool closed: %d", status)
		}
		if status, body := get(t, srv.URL+"/health/ready"); status != http.StatusServiceUnavailable || !strings.Contains(body, "unavailable") {
			t.Fatalf("ready with the pool closed: %d %s", status, body)
		}
	})
	t.Run("job workers stopped", func(t *testing.T) {
		t.Parallel()
		a, _, _ := tracedApp(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Work(ctx) }()
		time.Sleep(200 * time.Millisecond)
		srv := httptest.NewServer(a.API)
		defer srv.Close()
		if status, _ := get(t, srv.URL+"/health/ready"); status != http.StatusOK {
			t.Fatalf("ready with the workers running: %d", status)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if status, _ := get(t, srv.URL+"/health/ready"); status != http.StatusServiceUnavailable {
			t.Fatalf("ready after the workers stopped: %d", status)
		}
	})
}
