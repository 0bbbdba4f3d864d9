package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/app"
	"github.com/maintainuk/maintainuk/internal/config"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestMetricsListener: with METRICS_ADDR set, `serve` (Run) and `worker` (Work) answer
// GET /metrics there without credentials, the probes /health/live and /health/ready (a
// worker pod's), and nothing else; the main listener still
// refuses /metrics without them; both stop with the program.
func TestMetricsListener(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"serve", "worker"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			dbs := testsupport.NewDatabases(t)
			vars := map[string]string{"APP_ENV": "development", "DATABASE_URL": dbs.AppURL, "APP_SECRET": strings.Repeat("s", 40),
				"SHUTDOWN_TIMEOUT": "5s", "METRICS_ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir(), "DB_MAX_CONNS": "7",
				"PROFILING": "true"}
			cfg, err := config.Load(func(k string) string { return vars[k] })
			if err != nil {
				t.Fatal(err)
			}
			a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if err := a.ListenMetrics(); err != nil {
				t.Fatal(err)
			}
			metricsURL := "http://" + a.MetricsAddr()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			var apiURL string
			if mode == "serve" {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				apiURL = "http://" + ln.Addr().String()
				go func() { done <- a.Run(ctx, ln) }()
			} else {
				go func() { done <- a.Work(ctx) }()
			}

			status, body := get(t, metricsURL+"/metrics")
			if status != http.StatusOK || !strings.Contains(body, "maintainuk_db_pool_max_connections 7") ||
				!strings.Contains(body, `maintainuk_job_queue_depth{queue="email",state="available"}`) {
				t.Fatalf("METRICS_ADDR /metrics: %d\n%s", status, body)
			}
			for _, probe := range []string{"/health/live", "/health/ready"} {
				if status, body := get(t, metricsURL+probe); status != http.StatusOK || !strings.Contains(body, `"status":"ok"`) {
					t.Fatalf("METRICS_ADDR %s: %d %s", probe, status, body)
				}
			}
			if status, _ := get(t, metricsURL+"/api/v1/tickets"); status != http.StatusNotFound {
				t.Fatalf("METRICS_ADDR serves more than /metrics, the probes and the profiler: %d", status)
			}
			if status, body := get(t, metricsURL+"/debug/pprof/heap?debug=1"); status != http.StatusOK || !strings.Contains(body, "heap profile") {
				t.Fatalf("METRICS_ADDR /debug/pprof/heap with PROFILING on: %d %.200s", status, body)
			}
			if apiURL != "" {
				if status, body := get(t, apiURL+"/metrics"); status != http.StatusUnauthorized || strings.Contains(body, "maintainuk_") {
					t.Fatalf("main listener /metrics without credentials: %d", status)
				}
			}

			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("%s returned %v after cancel", mode, err)
				}
			case <-time.After(15 * time.Second):
				t.Fatalf("%s did not stop within 15s of cancel", mode)
			}
			if _, err := http.Get(metricsURL + "/metrics"); err == nil {
				t.Fatal("METRICS_ADDR still answering after shutdown")
			}
		})
	}
}
