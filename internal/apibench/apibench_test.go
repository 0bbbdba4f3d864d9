// Package apibench is `make bench`: the HTTP API measured from outside beside a pgbench
// baseline that runs the same SQL on the same database in the same run (issue 9,
// docs/benchmarks.md). It is a test only so that it can use the test harness's throwaway
// databases and roles; without BENCH_API it is skipped, and it never asserts a timing.
package apibench_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/benchdata"
	"github.com/maintainuk/maintainuk/internal/benchsql"
	"github.com/maintainuk/maintainuk/internal/loadtest"
	"github.com/maintainuk/maintainuk/internal/pgcluster"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// settings are the benchmark's knobs, from the environment (make bench passes them on).
type settings struct {
	duration  time.Duration // measured time per scenario and side
	clients   int           // concurrent clients, API and pgbench alike
	rounds    int           // API passes, for the memory check (the first is the measured one)
	tickets   int           // the large organisation's tickets
	orgs      int
	only      []string // scenarios to run; empty: all
	outDir    string   // where results.json, the server log and profiles go
	profileOf string   // scenario whose server CPU profile is saved
}

func loadSettings(t *testing.T) settings {
	s := settings{duration: 10 * time.Second, clients: 16, rounds: 3, tickets: 200_000, orgs: 1000, outDir: "bin/bench", profileOf: "list-open"}
	if v := os.Getenv("BENCH_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("BENCH_DURATION: %v", err)
		}
		s.duration = d
	}
	for name, dst := range map[string]*int{"BENCH_CLIENTS": &s.clients, "BENCH_ROUNDS": &s.rounds, "BENCH_TICKETS": &s.tickets, "BENCH_ORGS": &s.orgs} {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				t.Fatalf("%s: want a positive whole number, got %q", name, v)
			}
			*dst = n
		}
	}
	if v := os.Getenv("BENCH_SCENARIOS"); v != "" {
		s.only = strings.Split(v, ",")
	}
	if v := os.Getenv("BENCH_OUT"); v != "" {
		s.outDir = v
	}
	if v, ok := os.LookupEnv("BENCH_PROFILE"); ok {
		s.profileOf = v
	}
	return s
}

// row is one line of the printed table.
type row struct {
	Name     string           `json:"name"`
	API      loadtest.Result  `json:"api"`
	HalfRate *loadtest.Result `json:"halfRate,omitempty"` // reads at half the API's maximum
	Baseline *benchsql.Result `json:"baseline,omitempty"`
	Ratio    float64          `json:"ratio,omitempty"`          // API throughput / baseline throughput
	CPUPerOp time.Duration    `json:"serverCpuPerOp,omitempty"` // server CPU time per successful request
}

func TestAPIBenchmark(t *testing.T) {
	if os.Getenv("BENCH_API") == "" {
		t.Skip("the API benchmark runs with `make bench` (BENCH_API=1); it takes minutes and reports timings rather than asserting them")
	}
	cfg := loadSettings(t)
	ctx := context.Background()
	root := moduleRoot(t)
	if !filepath.IsAbs(cfg.outDir) {
		cfg.outDir = filepath.Join(root, cfg.outDir)
	}
	if err := os.MkdirAll(cfg.outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	say := func(format string, args ...any) { fmt.Printf("bench: "+format+"\n", args...) }

	dbs := testsupport.NewDatabases(t)
	say("loading %d organisations, the large one with %d tickets …", cfg.orgs, cfg.tickets)
	started := time.Now()
	facts, err := benchdata.Load(ctx, dbs.OwnerURL, benchdata.Options{Orgs: cfg.orgs, LargeTickets: cfg.tickets})
	if err != nil {
		t.Fatalf("load the data set: %v", err)
	}
	say("loaded in %s: %v", time.Since(started).Round(time.Second), facts.Counts)

	srv := startServer(t, root, dbs.AppURL, cfg.outDir)
	say("server %s, pid %d, on %s (APP_ENV=production, connected as the application role)", srv.cmd.Path, srv.cmd.Process.Pid, srv.url)

	deep, err := deepCursor(ctx, dbs.OwnerURL, facts, loadtest.DefaultDeepPages)
	if err != nil {
		t.Fatal(err)
	}
	say("the deep page starts %d pages (%d rows) into the NEW list", deep.pages, deep.pages*20)
	sqlFacts := benchsql.Facts{
		OrgID: facts.OrgID, StaffUserID: facts.CoordinatorUserID, StaffRole: "COORDINATOR",
		ContractorUserID: facts.ContractorUserID, ContractorID: facts.ContractorID,
		UnitID: facts.UnitID, UnitReference: facts.UnitReference, Slug: facts.OrgSlug,
		LoginEmail: facts.CoordinatorEmail, SearchTerm: facts.SearchTerms[0],
		DeepCreatedAt: deep.createdAt, DeepID: deep.id, TicketIDs: facts.SampleTicketIDs,
	}
	target := loadtest.Target{
		BaseURL: srv.url, Email: facts.CoordinatorEmail, Password: facts.Password,
		ContractorEmail: facts.ContractorEmail, ContractorPassword: facts.Password,
		SearchQuery: facts.SearchTerms[0], TicketIDs: facts.SampleTicketIDs, SpreadClients: true, DeepPages: deep.pages,
	}
	say("preparing the load (logins, the cursor %d pages deep) …", deep.pages)
	plan, err := loadtest.Prepare(ctx, target)
	if err != nil {
		t.Fatalf("prepare the load: %v", err)
	}
	rareTarget := target
	rareTarget.SearchQuery = facts.SearchTerms[len(facts.SearchTerms)-1]
	rarePlan, err := loadtest.Prepare(ctx, rareTarget)
	if err != nil {
		t.Fatalf("prepare the rare-word search: %v", err)
	}
	pgbench, err := pgcluster.Program(ctx, "pgbench")
	if err != nil {
		t.Fatal(err)
	}
	scenarios, err := benchsql.Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]benchsql.Scenario{}
	for _, s := range scenarios {
		byName[s.Name] = s
	}

	opts := loadtest.Options{Workers: cfg.clients, Duration: cfg.duration, Warmup: loadtest.DefaultWarmup}
	var rows []row
	var rss []int64
	for round := 1; round <= cfg.rounds; round++ {
		for _, name := range loadtest.ScenarioNames() {
			if len(cfg.only) > 0 && !contains(cfg.only, name) {
				continue
			}
			variants := []struct {
				label string
				plan  *loadtest.Plan
				term  string
			}{{name, plan, facts.SearchTerms[0]}}
			if name == "search" {
				variants[0].label = "search (common word)"
				variants = append(variants, struct {
					label string
					plan  *loadtest.Plan
					term  string
				}{"search (rare word)", rarePlan, rareTarget.SearchQuery})
			}
			for _, v := range variants {
				// The previous scenario's jobs (and, at first, the reminders the data set's
				// due times call for) finish before this one is measured.
				if err := waitForIdleQueue(ctx, dbs.OwnerURL, 3*time.Minute); err != nil {
					say("%v; measuring anyway", err)
				}
				r := row{Name: v.label}
				var profile func() error
				if round == 1 && name == cfg.profileOf {
					profile = srv.startProfile(t, cfg.duration, filepath.Join(cfg.outDir, "cpu-"+name+".pprof"))
				}
				cpu0 := srv.cpu(t)
				r.API, err = v.plan.Run(ctx, name, opts)
				if err != nil {
					t.Fatalf("%s: %v", v.label, err)
				}
				if r.API.Successes > 0 {
					// The CPU count spans the warm-up too, at about the measured rate.
					sent := float64(r.API.Successes) * float64(opts.Warmup+cfg.duration) / float64(cfg.duration)
					r.CPUPerOp = time.Duration(float64(srv.cpu(t)-cpu0) / sent)
				}
				if profile != nil {
					if err := profile(); err != nil {
						say("profile of %s: %v", name, err)
					}
				}
				if round > 1 {
					say("round %d %-22s %8.0f req/s  p99 %s", round, v.label, r.API.Throughput, r.API.P99.Round(time.Microsecond*100))
					continue
				}
				if isRead(name) && r.API.Throughput > 0 {
					half := opts
					half.Rate = r.API.Throughput / 2
					hr, err := v.plan.Run(ctx, name, half)
					if err != nil {
						t.Fatalf("%s at half rate: %v", v.label, err)
					}
					r.HalfRate = &hr
				}
				if sc, ok := byName[name]; ok {
					f := sqlFacts
					f.SearchTerm = v.term
					b, err := benchsql.Run(ctx, pgbench, dbs.AppURL, sc, f, cfg.clients, cfg.duration)
					if err != nil {
						t.Fatalf("%s baseline: %v", v.label, err)
					}
					r.Baseline = &b
					if b.TPS > 0 {
						r.Ratio = r.API.Throughput / b.TPS
					}
				}
				say("%-22s API %8.0f req/s p99 %-8s | pgbench %8.0f tx/s | ratio %.2f", v.label, r.API.Throughput,
					r.API.P99.Round(100*time.Microsecond), baselineTPS(r.Baseline), r.Ratio)
				rows = append(rows, r)
			}
		}
		rss = append(rss, srv.rss(t))
		say("server RSS after round %d: %d MB", round, rss[len(rss)-1]>>20)
	}

	printTable(os.Stdout, rows, rss)
	out, _ := json.MarshalIndent(map[string]any{"settings": map[string]any{
		"duration": cfg.duration.String(), "clients": cfg.clients, "tickets": cfg.tickets, "orgs": cfg.orgs},
		"rows": rows, "serverRssBytes": rss, "counts": facts.Counts}, "", "  ")
	if err := os.WriteFile(filepath.Join(cfg.outDir, "results.json"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	say("results: %s; server log: %s", filepath.Join(cfg.outDir, "results.json"), filepath.Join(cfg.outDir, "server.log"))
}

func isRead(name string) bool {
	switch name {
	case "list-open", "list-deep", "search", "ticket-detail", "contractor-jobs":
		return true
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func baselineTPS(b *benchsql.Result) float64 {
	if b == nil {
		return 0
	}
	return b.TPS
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func printTable(w io.Writer, rows []row, rss []int64) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tAPI req/s\tp50 ms\tp95 ms\tp99 ms\terrors\tp99 ms at ½ rate\tserver CPU µs/req\tpgbench tx/s\tpgbench p50 ms\tratio\t")
	for _, r := range rows {
		half, base, bp50, ratio := "–", "–", "–", "–"
		if r.HalfRate != nil {
			half = fmt.Sprintf("%s (%.0f/s)", ms(r.HalfRate.P99), r.HalfRate.Rate)
		}
		if r.Baseline != nil {
			base, bp50, ratio = fmt.Sprintf("%.0f", r.Baseline.TPS), ms(r.Baseline.P50), fmt.Sprintf("%.2f", r.Ratio)
		}
		errs := 0
		for _, n := range r.API.Errors {
			errs += n
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%d\t%s\t%d\t%s\t%s\t%s\t\n", r.Name, r.API.Throughput, ms(r.API.P50), ms(r.API.P95), ms(r.API.P99),
			errs, half, r.CPUPerOp.Microseconds(), base, bp50, ratio)
	}
	_ = tw.Flush()
	var parts []string
	for _, b := range rss {
		parts = append(parts, fmt.Sprintf("%d MB", b>>20))
	}
	fmt.Fprintf(w, "\nserver RSS after each round: %s\n", strings.Join(parts, ", "))
	for _, r := range rows {
		if r.API.Note != "" {
			fmt.Fprintf(w, "note, %s: %s\n", r.Name, r.API.Note)
		}
	}
}

// deep is the keyset position the list-deep page starts after, pages of 20 in.
type deep struct {
	createdAt time.Time
	id        uuid.UUID
	pages     int
}

// deepCursor finds the ticket the page `pages` pages of 20 into the large organisation's
// NEW tickets starts after (or the last page's, for a smaller data set), for the SQL
// baseline's deep page.
func deepCursor(ctx context.Context, ownerURL string, facts *benchdata.Facts, pages int) (deep, error) {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return deep{}, err
	}
	defer conn.Close(ctx)
	// The tenant tables force row-level security on their owner too: scope the session.
	if _, err := conn.Exec(ctx, `SELECT set_config('app.org_id', $1, false)`, facts.OrgID.String()); err != nil {
		return deep{}, err
	}
	var open int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM tickets WHERE org_id = $1 AND status = 'NEW'`, facts.OrgID).Scan(&open); err != nil {
		return deep{}, err
	}
	d := deep{pages: min(pages, (open-1)/20)}
	if d.pages < 1 {
		return deep{}, fmt.Errorf("the large organisation has %d NEW tickets: too few for a deep page", open)
	}
	err = conn.QueryRow(ctx, `SELECT created_at, id FROM tickets WHERE org_id = $1 AND status = 'NEW'
		ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`, facts.OrgID, d.pages*20-1).Scan(&d.createdAt, &d.id)
	if err != nil {
		return deep{}, fmt.Errorf("the deep page's cursor (%d pages deep): %w", d.pages, err)
	}
	return d, nil
}

// waitForIdleQueue waits until no job is due or running.
func waitForIdleQueue(ctx context.Context, ownerURL string, limit time.Duration) error {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	deadline := time.Now().Add(limit)
	for {
		var busy int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM river_job
			WHERE state = 'running' OR (state IN ('available', 'retryable') AND scheduled_at <= now())`).Scan(&busy)
		if err != nil {
			return err
		}
		if busy == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d jobs still due or running after %s", busy, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// server is `maintainuk serve` in its own process, as it runs in production.
type server struct {
	cmd     *exec.Cmd
	url     string
	metrics string // the METRICS_ADDR listener, which also serves the profiler
}

func startServer(t *testing.T, root, appURL, outDir string) *server {
	t.Helper()
	bin := os.Getenv("MAINTAINUK_BIN")
	if bin == "" {
		bin = filepath.Join(root, "bin", "maintainuk")
	}
	mailpit := testsupport.StartMailpit(t, "--max", "1000").SMTPPort
	port, metricsPort := testsupport.FreePort(t), testsupport.FreePort(t)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	logFile, err := os.Create(filepath.Join(outDir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"APP_ENV=production", "DATABASE_URL="+appURL, "APP_SECRET="+hex.EncodeToString(secret),
		fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", port), fmt.Sprintf("BASE_URL=http://127.0.0.1:%d", port),
		fmt.Sprintf("METRICS_ADDR=127.0.0.1:%d", metricsPort), "PROFILING=true",
		"EMAIL_PROVIDER=smtp", "SMTP_HOST=127.0.0.1", fmt.Sprintf("SMTP_PORT=%d", mailpit), "SMTP_TLS=none",
		// As behind a proxy on this machine: the load tool gives each public report its
		// own address (SpreadClients), as a storm's reports come from many homes.
		"TRUSTED_PROXIES=127.0.0.1", "PUBLIC_UPLOADS_PER_ORG_PER_DAY=0",
		// One load generator drives one member at thousands of requests a minute: the
		// API's per-client and per-organisation limits would measure themselves.
		"API_RATE_LIMIT=0", "API_ORG_RATE_LIMIT=0",
		"DATA_DIR="+t.TempDir(),
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s serve: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
		logFile.Close()
	})
	s := &server{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port), metrics: fmt.Sprintf("http://127.0.0.1:%d", metricsPort)}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.url + "/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not become ready (see %s/server.log): %v", outDir, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startProfile takes a CPU profile of the server for d from the METRICS_ADDR listener;
// the returned function waits for it and saves it.
func (s *server) startProfile(t *testing.T, d time.Duration, path string) func() error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", s.metrics, int(d.Seconds())))
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(path)
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		done <- errors.Join(err, f.Close())
	}()
	return func() error { return <-done }
}

// cpu is the server process's user and system CPU time so far.
func (s *server) cpu(t *testing.T) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name (which is in parentheses): utime is the 14th field
	// of the line, stime the 15th, in clock ticks (100 a second on Linux).
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// rss is the server's resident set size in bytes.
func (s *server) rss(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/PID/status")
	return 0
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}
