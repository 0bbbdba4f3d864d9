package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// sample is one line of Prometheus's text format.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parseMetrics reads the samples of a /metrics answer (label values here hold no `",`).
func parseMetrics(t *testing.T, body string) []sample {
	t.Helper()
	var out []sample
	for _, line := range strings.Split(body, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cut := strings.LastIndexByte(line, ' ')
		if cut < 0 {
			t.Fatalf("not a sample: %q", line)
		}
		v, err := strconv.ParseFloat(line[cut+1:], 64)
		if err != nil {
			t.Fatalf("not a sample: %q", line)
		}
		s := sample{name: line[:cut], labels: map[string]string{}, value: v}
		if open := strings.IndexByte(s.name, '{'); open >= 0 {
			for _, pair := range strings.Split(strings.TrimSuffix(s.name[open+1:], "}"), `",`) {
				k, val, _ := strings.Cut(pair, `="`)
				s.labels[k] = strings.TrimSuffix(val, `"`)
			}
			s.name = s.name[:open]
		}
		out = append(out, s)
	}
	return out
}

// find returns the samples named name whose labels include want.
func find(samples []sample, name string, want map[string]string) []sample {
	var out []sample
next:
	for _, s := range samples {
		if s.name != name {
			continue
		}
		for k, v := range want {
			if s.labels[k] != v {
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

// TestMetricsAreNotPublic: /metrics on the API's listener answers only to platform
// operators (Basic credentials), like the job dashboard; an organisation's ADMIN is not one.
func TestMetricsAreNotPublic(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Metrics Lettings")
	operator := app.Register("Metrics Operator Ltd")
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
		{"the operator", operator.Email, testsupport.Password, http.StatusOK},
	} {
		resp, body := basicGet(t, app, "/metrics", tc.user, tc.password)
		if resp.StatusCode != tc.want {
			t.Fatalf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
		if tc.want == http.StatusUnauthorized && (!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") || strings.Contains(body, "maintainuk_")) {
			t.Fatalf("%s: no Basic challenge, or metrics in a refusal: %s", tc.name, body)
		}
		if tc.want == http.StatusOK && !strings.Contains(body, "maintainuk_db_pool_max_connections") {
			t.Fatalf("%s: not the metrics:\n%s", tc.name, body)
		}
	}
	// An access token is no way in either.
	if resp := admin.Get("/metrics"); resp.Status != http.StatusUnauthorized {
		t.Fatalf("/metrics with an ADMIN's bearer token: %d", resp.Status)
	}
}

// TestProfilerIsOperatorOnly: Go's profiler is served only when PROFILING is on, and then,
// like /metrics, only to platform operators.
func TestProfilerIsOperatorOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		profiling             string
		anonymous, asOperator int
	}{
		{"false", http.StatusNotFound, http.StatusNotFound},
		{"true", http.StatusUnauthorized, http.StatusOK},
	} {
		app := testsupport.NewApp(t, map[string]string{"PROFILING": tc.profiling})
		admin := app.Register("Profiled Lettings")
		operator := app.Register("Profiling Operator Ltd")
		if err := app.SetPlatformAdmin(operator.Email, true); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/cmdline"} {
			for _, who := range []struct {
				name, user string
				want       int
			}{
				{"nobody", "", tc.anonymous},
				{"an organisation's ADMIN", admin.Email, tc.anonymous},
				{"the operator", operator.Email, tc.asOperator},
			} {
				password := testsupport.Password
				if who.user == "" {
					password = ""
				}
				resp, body := basicGet(t, app, path, who.user, password)
				if resp.StatusCode != who.want {
					t.Errorf("PROFILING=%s, %s as %s: status %d, want %d", tc.profiling, path, who.name, resp.StatusCode, who.want)
				}
				if resp.StatusCode != http.StatusOK && (strings.Contains(body, "goroutine") || strings.Contains(body, "maintainuk")) {
					t.Errorf("PROFILING=%s, %s as %s: a refusal shows the process: %.200s", tc.profiling, path, who.name, body)
				}
			}
		}
	}
}

// TestMetricsScrape: after some API calls and a job, /metrics counts requests by route
// pattern (never the path with its ids) and status, jobs by kind, queue and outcome, the
// queue's depth and the database pool.
func TestMetricsScrape(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Scrape Lettings")
	if err := app.SetPlatformAdmin(admin.Email, true); err != nil {
		t.Fatal(err)
	}
	scrape := func() []sample {
		t.Helper()
		resp, body := basicGet(t, app, "/metrics", admin.Email, testsupport.Password)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("scrape: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if strings.Contains(body, admin.Email) {
			t.Fatal("metrics carry a user's email")
		}
		return parseMetrics(t, body)
	}

	property := admin.Post("/api/v1/properties", map[string]any{"addressLine1": "3 Quay St", "town": "Bristol", "postcode": "BS1 4DJ"}).Expect(http.StatusCreated).ID()
	admin.Get("/api/v1/properties/" + property.String()).Expect(http.StatusOK)
	admin.Get("/api/v1/properties/" + property.String()).Expect(http.StatusOK)
	admin.Get("/api/v1/properties/00000000-0000-4000-8000-000000000000").Expect(http.StatusNotFound)
	app.Anonymous().Get("/api/v1/properties/" + property.String()).Expect(http.StatusUnauthorized)
	admin.Get("/api/v1/no-such-thing/" + property.String()).Expect(http.StatusNotFound)
	unit := admin.Post("/api/v1/properties/"+property.String()+"/units", map[string]any{"label": "Flat 3", "reference": "QS-3"}).Expect(http.StatusCreated).ID()
	admin.Post("/api/v1/tickets", map[string]any{"unitId": unit, "title": "Boiler pressure low", "reportedByName": "Jo Resident", "reportedByEmail": "jo@example.com"}).
		Expect(http.StatusCreated)

	samples := scrape()
	for _, s := range find(samples, "maintainuk_http_requests_total", nil) {
		if strings.Contains(s.labels["route"], property.String()) || strings.Contains(s.labels["route"], "no-such-thing") {
			t.Fatalf("a raw path became a label: %v", s.labels)
		}
	}
	for _, tc := range []struct {
		method, route, status string
		want                  float64
	}{
		{"GET", "/api/v1/properties/{id}", "200", 2},
		{"GET", "/api/v1/properties/{id}", "404", 1},
		{"GET", "/api/v1/properties/{id}", "401", 1},
		{"POST", "/api/v1/properties", "201", 1},
		{"GET", "unmatched", "404", 1},
	} {
		labels := map[string]string{"method": tc.method, "route": tc.route, "status": tc.status}
		got := find(samples, "maintainuk_http_requests_total", labels)
		if len(got) != 1 || got[0].value != tc.want {
			t.Fatalf("requests %v: %v, want one sample of %v", labels, got, tc.want)
		}
		if h := find(samples, "maintainuk_http_request_duration_seconds_count", labels); len(h) != 1 || h[0].value != tc.want {
			t.Fatalf("latency histogram %v: %v", labels, h)
		}
	}
	// The reporter's acknowledgement waits in the email queue: no worker runs yet.
	if d := find(samples, "maintainuk_job_queue_depth", map[string]string{"queue": "email", "state": "available"}); len(d) != 1 || d[0].value < 1 {
		t.Fatalf("email queue depth before the workers start: %v", d)
	}
	for _, state := range []string{"scheduled", "retryable"} {
		if d := find(samples, "maintainuk_job_queue_depth", map[string]string{"queue": "webhooks", "state": state}); len(d) != 1 {
			t.Fatalf("an empty queue is reported as 0 (webhooks, %s): %v", state, d)
		}
	}
	for _, name := range []string{"maintainuk_db_pool_acquired_connections", "maintainuk_db_pool_idle_connections",
		"maintainuk_db_pool_total_connections", "maintainuk_db_pool_max_connections", "maintainuk_db_pool_acquires_total",
		"maintainuk_db_pool_acquire_duration_seconds_total"} {
		if got := find(samples, name, nil); len(got) != 1 {
			t.Fatalf("pool statistic %s: %v", name, got)
		}
	}
	if got := find(samples, "maintainuk_db_pool_max_connections", nil); got[0].value < 2 {
		t.Fatalf("pool max connections: %v", got)
	}
	if got := find(samples, "maintainuk_db_pool_acquires_total", nil); got[0].value < 1 {
		t.Fatalf("pool acquires after API calls: %v", got)
	}

	// The workers send it; the attempt is counted by kind, queue and outcome.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := app.Jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Jobs.Stop(context.Background()) })
	job := map[string]string{"kind": "email.send", "queue": "email", "outcome": "completed"}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		samples = scrape()
		if got := find(samples, "maintainuk_jobs_worked_total", job); len(got) == 1 && got[0].value >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no completed email job in the metrics: %v", find(samples, "maintainuk_jobs_worked_total", nil))
		}
	}
	if h := find(samples, "maintainuk_job_duration_seconds_count", job); len(h) != 1 || h[0].value < 1 {
		t.Fatalf("job latency histogram: %v", h)
	}
	if h := find(samples, "maintainuk_job_wait_seconds_count", map[string]string{"kind": "email.send", "queue": "email"}); len(h) != 1 || h[0].value < 1 {
		t.Fatalf("job wait histogram: %v", h)
	}
}
