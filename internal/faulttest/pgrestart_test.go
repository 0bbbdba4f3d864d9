package faulttest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/benchdata"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/loadtest"
	"github.com/maintainuk/maintainuk/internal/pgcluster"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// outage is how long PostgreSQL stays stopped.
const outage = 5 * time.Second

// TestPostgresRestartUnderLoad stops the database under `maintainuk serve` while
// `maintainuk loadtest` creates and reads tickets, and starts it again: while it is down
// the API answers 503 with Retry-After and the error envelope (never 500, never a hang)
// and readiness answers 503; it recovers by itself; every ticket whose create answered
// 201 exists afterwards with its timeline row and its AI classification job.
func TestPostgresRestartUnderLoad(t *testing.T) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "maintainuk-faulttest-pg-")
	if err != nil {
		t.Fatal(err)
	}
	// The unprivileged server user must reach the directory (as with-postgres does).
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := pgcluster.Options{Dir: dir + "/data", Logf: t.Logf}
	cluster, err := pgcluster.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	var clusterMu sync.Mutex
	t.Cleanup(func() {
		clusterMu.Lock()
		defer clusterMu.Unlock()
		_ = cluster.Stop(context.Background())
		_ = os.RemoveAll(dir)
	})
	opts.Port = cluster.Port()
	if err := database.Migrate(ctx, cluster.OwnerURL(""), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	facts, err := benchdata.Load(ctx, cluster.OwnerURL(""), benchdata.Options{Orgs: 1, LargeTickets: 20})
	if err != nil {
		t.Fatal(err)
	}

	port := testsupport.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	mailpit := testsupport.StartMailpit(t)
	env := append(serverEnv(t, cluster.AppURL(""), t.TempDir(), port),
		"EMAIL_PROVIDER=smtp", "SMTP_HOST=127.0.0.1", fmt.Sprintf("SMTP_PORT=%d", mailpit.SMTPPort), "SMTP_TLS=none")
	srv := start(t, "serve", env, "serve")
	waitReady(t, base, srv, 60*time.Second)
	token := login(t, base, facts.CoordinatorEmail, benchdata.Password)

	// The load: two `maintainuk loadtest` processes (creates; reads) for the whole run.
	const loadFor = 22 * time.Second
	results := make(chan []loadtest.Result, 2)
	for _, scenario := range []string{"create-ticket", "list-open"} {
		go func() {
			cmd := exec.Command(binary, "loadtest", "-url", base, "-email", facts.CoordinatorEmail, "-scenarios", scenario,
				"-rate", "20", "-workers", "8", "-duration", loadFor.String(), "-warmup", "0", "-json")
			cmd.Env = append(os.Environ(), "LOADTEST_PASSWORD="+benchdata.Password)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			var r []loadtest.Result
			if err == nil {
				err = json.Unmarshal(out, &r)
			}
			if err != nil {
				t.Errorf("loadtest %s: %v; stderr: %s", scenario, err, stderr.String())
			}
			results <- r
		}()
	}

	// Beside it, the test's own creates (whose ids it keeps) and probes of a read and of
	// readiness, every 100 ms, each answer stamped.
	type probe struct {
		at      time.Time
		what    string
		status  int
		took    time.Duration
		retry   string
		code    string
		created uuid.UUID
	}
	var mu sync.Mutex
	var probes []probe
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, what := range []string{"create", "read", "ready"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				began := time.Now()
				var a answer
				var err error
				switch what {
				case "create":
					a, err = call(ctx, http.MethodPost, base+"/api/v1/tickets", token, map[string]string{
						"unitId": facts.UnitID.String(), "category": "PLUMBING", "title": fmt.Sprintf("Restart probe %d", n),
						"description": "Created while PostgreSQL restarts."}, "")
				case "read":
					a, err = call(ctx, http.MethodGet, base+"/api/v1/tickets?limit=5", token, nil, "")
				case "ready":
					a, err = call(ctx, http.MethodGet, base+"/health/ready", "", nil, "")
				}
				p := probe{at: began, what: what, took: time.Since(began)}
				if err != nil {
					p.status = -1
				} else {
					p.status, p.retry, p.code = a.status, a.header.Get("Retry-After"), a.err.Code
					if a.status == http.StatusCreated {
						var ticket struct {
							ID uuid.UUID `json:"id"`
						}
						_ = json.Unmarshal(a.data, &ticket)
						p.created = ticket.ID
					}
				}
				mu.Lock()
				probes = append(probes, p)
				mu.Unlock()
			}
		}()
	}

	time.Sleep(5 * time.Second)
	stoppedAt := time.Now()
	clusterMu.Lock()
	if err := cluster.Stop(ctx); err != nil {
		clusterMu.Unlock()
		t.Fatalf("stop PostgreSQL: %v", err)
	}
	clusterMu.Unlock()
	downAt := time.Now()
	time.Sleep(outage)
	restartedAt := time.Now()
	restarted, err := pgcluster.Start(ctx, opts)
	if err != nil {
		t.Fatalf("start PostgreSQL again: %v", err)
	}
	clusterMu.Lock()
	cluster = restarted
	clusterMu.Unlock()
	upAt := time.Now()
	t.Logf("PostgreSQL stopped in %s, down %s, started again in %s", downAt.Sub(stoppedAt).Round(time.Millisecond),
		restartedAt.Sub(downAt).Round(time.Millisecond), upAt.Sub(restartedAt).Round(time.Millisecond))

	loads := slices.Concat(<-results, <-results)
	close(stop)
	wg.Wait()

	// While it was down: 503 with Retry-After and the envelope, quickly.
	var down, recovered int
	firstOK := map[string]time.Time{}
	for _, p := range probes {
		if p.status == http.StatusInternalServerError {
			t.Errorf("%s at %s answered 500", p.what, p.at.Sub(stoppedAt).Round(time.Millisecond))
		}
		if p.took > 10*time.Second || p.status == -1 {
			t.Errorf("%s at %s: no answer in time (%s, status %d)", p.what, p.at.Sub(stoppedAt).Round(time.Millisecond), p.took, p.status)
		}
		if p.at.After(downAt) && p.at.Add(p.took).Before(restartedAt) {
			down++
			want := p.status == http.StatusServiceUnavailable && (p.what == "ready" || (p.retry != "" && p.code == "SERVICE_UNAVAILABLE"))
			if !want {
				t.Errorf("%s while PostgreSQL was down: %d, Retry-After %q, code %q; want 503 with Retry-After and SERVICE_UNAVAILABLE", p.what, p.status, p.retry, p.code)
			}
		}
		if p.at.After(upAt) && p.status < 300 {
			if _, ok := firstOK[p.what]; !ok {
				firstOK[p.what] = p.at.Add(p.took)
			}
			recovered++
		}
	}
	if down == 0 {
		t.Fatal("no probe ran while PostgreSQL was down")
	}
	for _, what := range []string{"create", "read", "ready"} {
		at, ok := firstOK[what]
		if !ok {
			t.Errorf("%s never succeeded after PostgreSQL came back", what)
			continue
		}
		t.Logf("recovery: the first %s succeeded %s after PostgreSQL accepted connections again", what, at.Sub(upAt).Round(time.Millisecond))
	}

	// Nothing committed is lost: each 201 has its ticket, its timeline row and its job.
	conn := orgConn(t, cluster.OwnerURL(""), facts.OrgID)
	var ids []uuid.UUID
	statuses := map[int]int{}
	for _, p := range probes {
		if p.what == "create" {
			statuses[p.status]++
		}
		if p.created != uuid.Nil {
			ids = append(ids, p.created)
		}
	}
	var tickets, timeline, jobs int
	if err := conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM tickets WHERE id = ANY($1)),
		(SELECT count(DISTINCT entity_id) FROM timeline_events WHERE entity_id = ANY($1) AND action = 'created'),
		(SELECT count(DISTINCT args->>'ticketId') FROM river_job WHERE kind = 'ai.classify' AND (args->>'ticketId')::uuid = ANY($1))`, ids).
		Scan(&tickets, &timeline, &jobs); err != nil {
		t.Fatal(err)
	}
	if tickets != len(ids) || timeline != len(ids) || jobs != len(ids) {
		t.Errorf("of %d creates answered 201: %d tickets, %d with their timeline row, %d with their classification job", len(ids), tickets, timeline, jobs)
	}
	t.Logf("the test's creates: %v by status; all %d created tickets kept with timeline row and job", statuses, len(ids))

	for _, r := range loads {
		t.Logf("loadtest %s: %d requests, %d succeeded, errors by status %v, p99 %s, max %s", r.Scenario, r.Requests, r.Successes,
			r.Errors, r.P99.Round(time.Millisecond), r.Max.Round(time.Millisecond))
		for status := range maps.Keys(r.Errors) {
			if status != "503" {
				t.Errorf("loadtest %s: %d answers %s (want only 503 while the database was down)", r.Scenario, r.Errors[status], status)
			}
		}
		if r.Scenario == "create-ticket" {
			var kept int
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM tickets WHERE title LIKE '%(load test %'`).Scan(&kept); err != nil {
				t.Fatal(err)
			}
			if kept < r.Successes {
				t.Errorf("loadtest created %d tickets (201) but %d are in the database", r.Successes, kept)
			}
		}
	}
}
