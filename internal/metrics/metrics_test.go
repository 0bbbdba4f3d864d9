package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

func newTestMetrics(t *testing.T) *Metrics {
	t.Helper()
	// The pool's collectors are not scraped here; the pool never connects.
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return New(pool, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// TestJobOutcomes: each way a job attempt ends is its own outcome label, a panic included
// (counted, then passed on to River, which recovers it).
func TestJobOutcomes(t *testing.T) {
	m := newTestMetrics(t)
	now := time.Now()
	job := &rivertype.JobRow{Kind: "email.send", Queue: "email", ScheduledAt: now.Add(-time.Second), AttemptedAt: &now}
	mw := m.JobMiddleware()
	for _, err := range []error{nil, errors.New("smtp down"), river.JobCancel(errors.New("gone")), river.JobSnooze(time.Minute)} {
		got := mw.Work(context.Background(), job, func(context.Context) error { return err })
		if !errors.Is(got, err) {
			t.Fatalf("the middleware changed the job's error: %v, want %v", got, err)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic was swallowed")
			}
		}()
		_ = mw.Work(context.Background(), job, func(context.Context) error { panic("boom") })
	}()
	for _, outcome := range []string{"completed", "failed", "cancelled", "snoozed", "panicked"} {
		if n := testutil.ToFloat64(m.jobsWorked.WithLabelValues("email.send", "email", outcome)); n != 1 {
			t.Fatalf("%s: %v attempts, want 1", outcome, n)
		}
	}
	if n := testutil.CollectAndCount(m.jobWait); n != 1 {
		t.Fatalf("wait histogram series: %d", n)
	}
}

// TestRequestLabelsAreBounded: the method prefix of a pattern is its own label, no route
// is "unmatched", unknown methods are OTHER and an unwritten status is 200.
func TestRequestLabelsAreBounded(t *testing.T) {
	m := newTestMetrics(t)
	m.ObserveRequest(http.MethodGet, "GET /api/v1/tickets/{id}", http.StatusOK, time.Millisecond)
	m.ObserveRequest("PROPFIND", "", http.StatusNotFound, time.Millisecond)
	m.ObserveRequest(http.MethodGet, "/admin/jobs/", 0, time.Millisecond)
	for _, labels := range [][]string{
		{"GET", "/api/v1/tickets/{id}", "200"},
		{"OTHER", Unmatched, "404"},
		{"GET", "/admin/jobs/", "200"},
	} {
		if n := testutil.ToFloat64(m.httpRequests.WithLabelValues(labels...)); n != 1 {
			t.Fatalf("%v: %v requests, want 1", labels, n)
		}
	}
	if n := testutil.CollectAndCount(m.httpRequests); n != 3 {
		t.Fatalf("%d series, want 3", n)
	}
	var none *Metrics
	none.ObserveRequest(http.MethodGet, "", 200, 0) // a nil Metrics records nothing, without failing
}

// TestAICalls: a fallback counts under the provider asked and the one that answered; the
// tokens it spent count under the provider asked.
func TestAICalls(t *testing.T) {
	m := newTestMetrics(t)
	m.ObserveAICall("classify", "openai", "openai", 120, 30, 800*time.Millisecond)
	m.ObserveAICall("classify", "openai", "builtin", 240, 0, 3*time.Second)
	if n := testutil.ToFloat64(m.aiCalls.WithLabelValues("classify", "openai", "builtin")); n != 1 {
		t.Fatalf("fallbacks counted %v", n)
	}
	if n := testutil.ToFloat64(m.aiTokens.WithLabelValues("openai", "in")); n != 360 {
		t.Fatalf("tokens in %v, want 360", n)
	}
	if n := testutil.CollectAndCount(m.aiDuration); n != 1 {
		t.Fatalf("duration series %d, want 1", n)
	}
	var none *Metrics
	none.ObserveAICall("draft", "builtin", "builtin", 0, 0, time.Millisecond) // a nil *Metrics records nothing
}
