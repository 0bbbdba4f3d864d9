package jobs_test

// The application's own River client in the queue benchmark: dispatch latency at a steady
// 500 jobs/s, and a 10,000-job backlog drained beside a sweep of bare River clients.

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/metrics"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

const (
	dispatchRate     = 500    // jobs per second, each committed in its own transaction
	dispatchJobs     = 5000   // 10 s at dispatchRate
	drainBacklog     = 10_000 // trivial jobs committed before the workers start
	drainCap         = 30 * time.Second
	appBenchQueue    = jobs.QueueWebhooks // the queue events and deliveries share
	dispatchTargetMS = "p50 < 10 ms, p99 < 100 ms"
)

// appSettings is the application's client: jobs.NewClient with the options app.New passes
// (working, a one-minute job timeout, the metrics middleware), with a trivial worker on one
// of the application's queues in place of the real ones.
type appSettings struct{}

func (appSettings) open(ctx context.Context, t *testing.T, rec *recorder) system {
	t.Helper()
	db := openDB(ctx, t, testsupport.NewDatabases(t).AppURL)
	m := metrics.New(db.Pool, []string{jobs.QueueEmail, jobs.QueueWebhooks, jobs.QueueMaintenance}, warnLogger(t))
	client, err := jobs.NewClient(db, jobs.Options{
		Logger: warnLogger(t), Work: true, JobTimeout: time.Minute,
		Middleware: []rivertype.Middleware{m.JobMiddleware()},
		Register:   func(w *river.Workers) { river.AddWorker(w, &benchWorker{rec: rec}) },
	})
	if err != nil {
		t.Fatalf("jobs client: %v", err)
	}
	describe := fmt.Sprintf("jobs.NewClient: queue %s, MaxWorkers %d, FetchCooldown %s, FetchPollInterval %s",
		appBenchQueue, jobs.MaxWorkers(appBenchQueue), jobs.FetchCooldown, jobs.FetchPollInterval)
	return &riverSystem{queue: appBenchQueue, describe: describe, pool: db.Pool, client: client}
}

// benchDispatch measures commit → worker start with the application's client at 500/s,
// twice, so a disturbance on the shared machine shows as a disagreement.
func benchDispatch(t *testing.T) {
	ctx := context.Background()
	var rows []latencyResult
	for run := 1; run <= 2; run++ {
		rows = append(rows, runLatency(ctx, t, fmt.Sprintf("application client, run %d", run), appSettings{}, dispatchJobs, dispatchRate))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n### Dispatch with the application's configuration (%d jobs, one transaction each, target %d/s; target %s)\n\n",
		dispatchJobs, dispatchRate, dispatchTargetMS)
	b.WriteString("| system | settings | achieved rate | p50 | p95 | p99 | max |\n|---|---|---|---|---|---|---|\n")
	for _, l := range rows {
		fmt.Fprintf(&b, "| %s | %s | %.0f/s | %s | %s | %s | %s |\n", l.name, l.settings, l.rate, ms(l.p50), ms(l.p95), ms(l.p99), ms(l.max))
	}
	fmt.Print(b.String())
}

// drainSweep is the bare River clients the application's client is compared with: the
// settings that bound a queue's rate (MaxWorkers per FetchCooldown) and the fallback poll.
var drainSweep = []riverSettings{
	{maxWorkers: 10, cooldown: time.Millisecond},
	{maxWorkers: 50, cooldown: time.Millisecond},
	{maxWorkers: 100, cooldown: time.Millisecond},
	{maxWorkers: 100, cooldown: time.Millisecond, poll: 50 * time.Millisecond},
	{maxWorkers: 100, cooldown: 10 * time.Millisecond},
	{maxWorkers: 100},
	{maxWorkers: 200, cooldown: time.Millisecond},
	{maxWorkers: 200, cooldown: 10 * time.Millisecond},
	{maxWorkers: 500, cooldown: 10 * time.Millisecond},
	{maxWorkers: 500, cooldown: 25 * time.Millisecond},
	{maxWorkers: 1000, cooldown: 10 * time.Millisecond},
}

// benchDrain drains drainBacklog jobs with the application's client (first and last, to
// bracket drift in the machine's load) and with each bare client of the sweep.
func benchDrain(t *testing.T) {
	ctx := context.Background()
	app := []throughputResult{runThroughput(ctx, t, "application client, first", appSettings{}, drainBacklog, drainCap)}
	var bare []throughputResult
	for _, s := range drainSweep {
		bare = append(bare, runThroughput(ctx, t, "bare River", s, drainBacklog, drainCap))
	}
	app = append(app, runThroughput(ctx, t, "application client, last", appSettings{}, drainBacklog, drainCap))

	best := slices.MaxFunc(bare, func(a, b throughputResult) int {
		return cmp.Compare(a.perSecond(), b.perSecond())
	})
	var b strings.Builder
	fmt.Fprintf(&b, "\n### Backlog drain (%d trivial jobs committed in one transaction, clock from start, capped at %s)\n\n", drainBacklog, drainCap)
	b.WriteString("| system | settings | worked | time | jobs/s | ÷ best bare |\n|---|---|---|---|---|---|\n")
	for _, x := range slices.Concat(app[:1], bare, app[1:]) {
		worked := fmt.Sprint(x.worked)
		if !x.drained {
			worked += " (cap reached)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f s | %.0f | %s |\n", x.name, x.settings, worked, x.elapsed.Seconds(), x.perSecond(),
			ratio(x.perSecond(), best.perSecond()))
	}
	fmt.Fprintf(&b, "\nBest bare client: %s, %.0f jobs/s.\n", best.settings, best.perSecond())
	fmt.Print(b.String())
}
