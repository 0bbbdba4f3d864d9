package benchsql

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Result is one pgbench run of a scenario. A transaction of pgbench is one execution of
// the script: one API request's worth of SQL.
type Result struct {
	Scenario      string
	Clients       int
	Duration      time.Duration
	Requests      int     // scripts completed
	Failed        int     // scripts that failed
	TPS           float64 // requests per second, from pgbench (excluding connection time)
	P50, P95, P99 time.Duration
	Command       string // the pgbench command line, for the record
	Report        string // pgbench's own report (and any errors it printed)
}

// Run drives the scenario with pgbench for duration at the given concurrency against
// url (the application role's, so row-level security applies as it does to the service).
// Each client is one connection with the pool's session settings, and every statement is
// prepared (-M prepared), as pgx does. Percentiles come from pgbench's per-transaction log.
func Run(ctx context.Context, pgbenchPath, url string, scenario Scenario, facts Facts, clients int, duration time.Duration) (Result, error) {
	root, err := ModuleRoot(".")
	if err != nil {
		return Result{}, err
	}
	version, err := serverVersion(ctx, url)
	if err != nil {
		return Result{}, err
	}
	src, err := LoadSources(root, version)
	if err != nil {
		return Result{}, err
	}
	scripts, err := scenario.Script(src, facts)
	if err != nil {
		return Result{}, err
	}
	dir, err := os.MkdirTemp("", "benchsql-")
	if err != nil {
		return Result{}, fmt.Errorf("benchsql: %w", err)
	}
	defer os.RemoveAll(dir)

	secs := max(1, int(duration.Round(time.Second)/time.Second))
	args := []string{"-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(2, clients)), "-T", strconv.Itoa(secs),
		"-l", "--log-prefix", filepath.Join(dir, "txlog")}
	names := make([]string, 0, len(scripts.Vars))
	for k := range scripts.Vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		args = append(args, "-D", k+"="+scripts.Vars[k])
	}
	for i, text := range scripts.Files {
		path := filepath.Join(dir, fmt.Sprintf("%s-%d.sql", scenario.Name, i))
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			return Result{}, fmt.Errorf("benchsql: %w", err)
		}
		args = append(args, "-f", path+"@1")
	}
	args = append(args, url)
	cmd := exec.CommandContext(ctx, pgbenchPath, args...) // #nosec G204 -- pgbench, found on PATH by the benchmark; arguments are its own flags and URL
	// The pool's session settings (database.Open): the same plans and time zone.
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c plan_cache_mode=force_custom_plan -c timezone=UTC", "PGAPPNAME=maintainuk-benchsql")
	out, err := cmd.CombinedOutput()
	res := Result{Scenario: scenario.Name, Clients: clients, Duration: time.Duration(secs) * time.Second,
		Command: pgbenchPath + " " + strings.Join(redactURL(args, url), " ")}
	res.Report = string(out)
	if err != nil {
		return res, fmt.Errorf("benchsql: pgbench %s: %w\n%s", scenario.Name, err, lastLines(string(out), 30))
	}
	if err := res.readSummary(string(out)); err != nil {
		return res, err
	}
	latencies, failed, err := readLogs(dir)
	if err != nil {
		return res, err
	}
	if len(latencies) == 0 {
		return res, fmt.Errorf("benchsql: pgbench %s completed no transaction\n%s", scenario.Name, lastLines(string(out), 30))
	}
	res.Failed = max(res.Failed, failed)
	slices.Sort(latencies)
	res.P50, res.P95, res.P99 = percentile(latencies, 50), percentile(latencies, 95), percentile(latencies, 99)
	return res, nil
}

var (
	processedRE = regexp.MustCompile(`number of transactions actually processed: (\d+)`)
	failedRE    = regexp.MustCompile(`number of failed transactions: (\d+)`)
	tpsRE       = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
)

// readSummary takes the counts and rate from pgbench's report.
func (r *Result) readSummary(out string) error {
	m := processedRE.FindStringSubmatch(out)
	t := tpsRE.FindStringSubmatch(out)
	if m == nil || t == nil {
		return fmt.Errorf("benchsql: unexpected pgbench report:\n%s", lastLines(out, 30))
	}
	r.Requests, _ = strconv.Atoi(m[1])
	r.TPS, _ = strconv.ParseFloat(t[1], 64)
	if f := failedRE.FindStringSubmatch(out); f != nil {
		r.Failed, _ = strconv.Atoi(f[1])
	}
	return nil
}

// readLogs reads pgbench's per-transaction logs (one per thread): "client_id
// transaction_no time script_no time_epoch time_us …", time being the latency in
// microseconds, or "failed" for a failed transaction.
func readLogs(dir string) (latencies []time.Duration, failed int, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "txlog.*"))
	if err != nil || len(files) == 0 {
		return nil, 0, fmt.Errorf("benchsql: no pgbench transaction log in %s", dir)
	}
	for _, path := range files {
		f, err := os.Open(path) // #nosec G304 -- the benchmark's own SQL files, listed by the developer running it
		if err != nil {
			return nil, 0, fmt.Errorf("benchsql: %w", err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 3 {
				continue
			}
			if fields[2] == "failed" {
				failed++
				continue
			}
			us, err := strconv.ParseInt(fields[2], 10, 64)
			if err != nil {
				f.Close()
				return nil, 0, fmt.Errorf("benchsql: unexpected line in pgbench's log %s: %q", path, sc.Text())
			}
			latencies = append(latencies, time.Duration(us)*time.Microsecond)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, 0, fmt.Errorf("benchsql: read %s: %w", path, err)
		}
	}
	return latencies, failed, nil
}

// percentile is the nearest-rank percentile p of sorted latencies.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}

func serverVersion(ctx context.Context, url string) (int32, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, fmt.Errorf("benchsql: connect: %w", err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SHOW server_version_num").Scan(&v); err != nil {
		return 0, fmt.Errorf("benchsql: server version: %w", err)
	}
	n, err := strconv.ParseInt(v, 10, 32)
	return int32(n), err
}

// redactURL hides the password in the recorded command line.
func redactURL(args []string, url string) []string {
	out := slices.Clone(args)
	for i, a := range out {
		if a == url {
			if u, err := pgx.ParseConfig(url); err == nil {
				out[i] = fmt.Sprintf("postgres://%s:…@%s:%d/%s", u.User, u.Host, u.Port, u.Database)
			}
		}
	}
	return out
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
