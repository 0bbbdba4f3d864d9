package jobs_test

// The queue benchmark (`make bench-queue`, docs/benchmarks.md), on fresh databases in one
// run, printed as markdown tables:
//
//   - seed: River beside a re-creation of the seed's outbox ("the seed": the original
//     design MaintainUK was rebuilt from, not in this repository; a table polled every 5 s
//     with FOR UPDATE SKIP LOCKED): commit-to-job-start latency under a steady insert rate
//     and jobs per second worked from a backlog;
//   - dispatch: the application's own client (jobs.NewClient) at a steady 500 jobs/s
//     (queuebench_app_test.go);
//   - webhook: an event published in a committed transaction until a local receiver has
//     verified the signed delivery, through the real app (queuebench_webhook_test.go);
//   - backlog: 10,000 trivial jobs drained by the application's client beside a sweep of
//     bare River clients (queuebench_app_test.go).
//
// It asserts no timings: the numbers are for reading, and speed claims are ratios to
// references measured in the same run.

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// Workload. The latency phase lasts two whole seed poll intervals (10 s at the default 5 s),
// so every phase of the poll cycle is sampled equally.
const (
	benchRate          = 200  // inserts per second, each its own committed transaction
	benchBacklog       = 5000 // jobs inserted in one transaction for the throughput phase
	benchWorkCap       = 10 * time.Second
	benchPoolConns     = 20
	benchSeedBatch     = 100
	benchTunedCooldown = 10 * time.Millisecond // a short cooldown beside River's default
	benchQueue         = "bench"
)

// TestQueueBenchmark runs only when asked: it takes a few minutes and measures rather than
// checks, so it has no place in `make test`. One part runs alone with
// -run 'TestQueueBenchmark/<part>'.
func TestQueueBenchmark(t *testing.T) {
	if os.Getenv("BENCH_QUEUE") != "1" {
		t.Skip("queue benchmark: takes a few minutes and asserts nothing; run it with `make bench-queue` (BENCH_QUEUE=1)")
	}
	ctx := context.Background()
	fmt.Print(machineReport(machineInfo(ctx, t)))
	t.Run("seed", benchSeed)
	t.Run("dispatch", benchDispatch)
	t.Run("webhook", benchWebhook)
	t.Run("backlog", benchDrain)
}

// benchSeed measures River's defaults, a short cooldown and the seed re-creation.
func benchSeed(t *testing.T) {
	seedPoll := 5 * time.Second
	if v := os.Getenv("BENCH_QUEUE_SEED_POLL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("BENCH_QUEUE_SEED_POLL=%q: want a positive duration", v)
		}
		seedPoll = d
	}
	latencyJobs := int(2 * seedPoll.Seconds() * benchRate)
	ctx := context.Background()

	riverDefault := riverSettings{maxWorkers: 10}
	riverWide := riverSettings{maxWorkers: 100}
	riverTuned := riverSettings{maxWorkers: 10, cooldown: benchTunedCooldown}
	seed := seedSettings{poll: seedPoll, batch: benchSeedBatch, workers: 10}

	rep := &report{}
	rep.latency = append(rep.latency,
		runLatency(ctx, t, "River, defaults", riverDefault, latencyJobs, benchRate),
		runLatency(ctx, t, "River, defaults, MaxWorkers 100", riverWide, latencyJobs, benchRate),
		runLatency(ctx, t, "River, FetchCooldown "+benchTunedCooldown.String(), riverTuned, latencyJobs, benchRate),
		runLatency(ctx, t, "seed re-creation", seed, latencyJobs, benchRate),
	)
	rep.throughput = append(rep.throughput,
		runThroughput(ctx, t, "River, defaults", riverDefault, benchBacklog, benchWorkCap),
		runThroughput(ctx, t, "River, defaults, MaxWorkers 100", riverWide, benchBacklog, benchWorkCap),
		runThroughput(ctx, t, "River, FetchCooldown "+benchTunedCooldown.String(), riverTuned, benchBacklog, benchWorkCap),
		runThroughput(ctx, t, "seed re-creation", seed, benchBacklog, benchWorkCap),
	)
	fmt.Print(rep.String(latencyJobs, seed))
}

// system is one queue under test: insertOne commits one job in its own transaction;
// backlog commits n in one; start begins working (each job calls rec.started first thing).
type system interface {
	insertOne(ctx context.Context, seq int) error
	backlog(ctx context.Context, n int) error
	start(ctx context.Context) error
	stop(ctx context.Context)
	settings() string
}

// systemConfig makes a system on a fresh database for one phase.
type systemConfig interface {
	open(ctx context.Context, t *testing.T, rec *recorder) system
}

// latencyResult is one latency phase.
type latencyResult struct {
	name, settings string
	jobs           int
	rate           float64 // achieved inserts per second
	p50, p95, p99  time.Duration
	max            time.Duration
}

// throughputResult is one throughput phase.
type throughputResult struct {
	name, settings string
	worked         int
	elapsed        time.Duration
	drained        bool
}

func (r throughputResult) perSecond() float64 { return float64(r.worked) / r.elapsed.Seconds() }

// runLatency inserts n jobs one transaction each at rate per second into a started system
// and records commit → worker start for each.
func runLatency(ctx context.Context, t *testing.T, name string, cfg systemConfig, n, rate int) latencyResult {
	t.Helper()
	rec := newRecorder(n)
	sys := cfg.open(ctx, t, rec)
	if err := sys.start(ctx); err != nil {
		t.Fatalf("%s: start: %v", name, err)
	}
	defer sys.stop(ctx)
	time.Sleep(500 * time.Millisecond) // let the workers settle (listeners, leader election)

	period := time.Second / time.Duration(rate)
	t0 := time.Now()
	for i := range n {
		if d := time.Until(t0.Add(time.Duration(i) * period)); d > 0 {
			time.Sleep(d)
		}
		if err := sys.insertOne(ctx, i); err != nil {
			t.Fatalf("%s: insert %d: %v", name, i, err)
		}
		rec.committed(i)
	}
	achieved := float64(n) / time.Since(t0).Seconds()
	// Generous: a saturated River queue (MaxWorkers 10 works ~100 short jobs/s) drains its
	// backlog at that rate.
	if wait := time.Minute + time.Duration(n)*10*time.Millisecond; !rec.wait(wait) {
		t.Fatalf("%s: only %d of %d jobs started within %s", name, rec.count(), n, wait)
	}
	lat := rec.latencies()
	return latencyResult{
		name: name, settings: sys.settings(), jobs: n, rate: achieved,
		p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), max: lat[len(lat)-1],
	}
}

// runThroughput commits a backlog of n jobs, starts the system and counts jobs started
// until all are or workCap passes.
func runThroughput(ctx context.Context, t *testing.T, name string, cfg systemConfig, n int, workCap time.Duration) throughputResult {
	t.Helper()
	rec := newRecorder(n)
	sys := cfg.open(ctx, t, rec)
	if err := sys.backlog(ctx, n); err != nil {
		t.Fatalf("%s: backlog: %v", name, err)
	}
	startAt := rec.now()
	if err := sys.start(ctx); err != nil {
		t.Fatalf("%s: start: %v", name, err)
	}
	drained := rec.wait(workCap)
	sys.stop(ctx)
	res := throughputResult{name: name, settings: sys.settings(), worked: rec.count(), drained: drained, elapsed: workCap}
	if drained {
		res.elapsed = time.Duration(rec.lastStart() - startAt)
	}
	return res
}

// recorder keeps each job's commit and start times as nanoseconds since base (+1, so zero
// means "not yet"); workers write concurrently, hence the atomics.
type recorder struct {
	base      time.Time
	commit    []atomic.Int64
	start     []atomic.Int64
	remaining atomic.Int64
	done      chan struct{}
}

func newRecorder(n int) *recorder {
	r := &recorder{base: time.Now(), commit: make([]atomic.Int64, n), start: make([]atomic.Int64, n), done: make(chan struct{})}
	r.remaining.Store(int64(n))
	return r
}

func (r *recorder) now() int64        { return int64(time.Since(r.base)) + 1 }
func (r *recorder) committed(seq int) { r.commit[seq].Store(r.now()) }
func (r *recorder) count() int        { return len(r.start) - int(r.remaining.Load()) }
func (r *recorder) started(seq int) {
	if r.start[seq].CompareAndSwap(0, r.now()) && r.remaining.Add(-1) == 0 {
		close(r.done)
	}
}

// wait reports whether every job started within d.
func (r *recorder) wait(d time.Duration) bool {
	select {
	case <-r.done:
		return true
	case <-time.After(d):
		return false
	}
}

func (r *recorder) lastStart() int64 {
	var last int64
	for i := range r.start {
		last = max(last, r.start[i].Load())
	}
	return last
}

// latencies returns start − commit for every job, sorted.
func (r *recorder) latencies() []time.Duration {
	out := make([]time.Duration, len(r.start))
	for i := range r.start {
		out[i] = time.Duration(r.start[i].Load() - r.commit[i].Load())
	}
	slices.Sort(out)
	return out
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p+99)/100 - 1
	return sorted[max(i, 0)]
}

// --- River ---------------------------------------------------------------------------------

// riverSettings is a bare River client working the bench queue: zero durations mean
// River's defaults.
type riverSettings struct {
	maxWorkers int
	cooldown   time.Duration // Config.FetchCooldown; also the insert-notify limiter's window
	poll       time.Duration // Config.FetchPollInterval
}

type benchArgs struct {
	Seq int `json:"seq"`
}

func (benchArgs) Kind() string { return "bench.noop" }

// benchWorker does nothing but note that it started.
type benchWorker struct {
	river.WorkerDefaults[benchArgs]
	rec *recorder
}

func (w *benchWorker) Work(_ context.Context, job *river.Job[benchArgs]) error {
	w.rec.started(job.Args.Seq)
	return nil
}

// riverSystem is a River client that inserts and works queue, as app.New builds it for
// `serve`; describe gives its settings for the report.
type riverSystem struct {
	queue    string
	describe string
	pool     *pgxpool.Pool
	client   *river.Client[pgx.Tx]
}

func (s riverSettings) open(ctx context.Context, t *testing.T, rec *recorder) system {
	t.Helper()
	pool := openPool(ctx, t, testsupport.NewDatabases(t).AppURL)
	workers := river.NewWorkers()
	river.AddWorker(workers, &benchWorker{rec: rec})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:            warnLogger(t),
		FetchCooldown:     s.cooldown,
		FetchPollInterval: s.poll,
		Queues:            map[string]river.QueueConfig{benchQueue: {MaxWorkers: s.maxWorkers}},
		Workers:           workers,
	})
	if err != nil {
		t.Fatalf("river client: %v", err)
	}
	describe := fmt.Sprintf("MaxWorkers %d, FetchCooldown %s, FetchPollInterval %s", s.maxWorkers,
		cmp.Or(s.cooldown, river.FetchCooldownDefault), cmp.Or(s.poll, river.FetchPollIntervalDefault))
	return &riverSystem{queue: benchQueue, describe: describe, pool: pool, client: client}
}

func (s *riverSystem) insertOne(ctx context.Context, seq int) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := s.client.InsertTx(ctx, tx, benchArgs{Seq: seq}, &river.InsertOpts{Queue: s.queue})
		return err
	})
}

func (s *riverSystem) backlog(ctx context.Context, n int) error {
	params := make([]river.InsertManyParams, n)
	for i := range params {
		params[i] = river.InsertManyParams{Args: benchArgs{Seq: i}, InsertOpts: &river.InsertOpts{Queue: s.queue}}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := s.client.InsertManyFastTx(ctx, tx, params)
		return err
	})
}

func (s *riverSystem) start(ctx context.Context) error { return s.client.Start(ctx) }

func (s *riverSystem) stop(ctx context.Context) {
	stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_ = s.client.Stop(stopCtx)
}

func (s *riverSystem) settings() string { return s.describe }

// --- Seed re-creation ----------------------------------------------------------------------

// seedSettings re-creates the seed's outbox: the API writes a row in its transaction; a
// dispatcher polls every poll interval, claims up to batch rows with FOR UPDATE SKIP
// LOCKED, marks them dispatched and hands them on; workers work them. The seed handed them
// to BullMQ (Redis); here a buffered channel to in-process workers stands in for it, which
// leaves out Redis's round trips and so flatters the seed.
type seedSettings struct {
	poll    time.Duration
	batch   int
	workers int
}

const seedSchema = `
CREATE TABLE outbox_messages (
    id            bigserial PRIMARY KEY,
    seq           int NOT NULL,
    message_type  text NOT NULL,
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    dispatched_at timestamptz,
    attempts      int NOT NULL DEFAULT 0
);
CREATE INDEX outbox_messages_pending ON outbox_messages (id) WHERE dispatched_at IS NULL;
GRANT SELECT, INSERT, UPDATE ON outbox_messages TO maintainuk_app;
GRANT USAGE ON SEQUENCE outbox_messages_id_seq TO maintainuk_app;`

type seedSystem struct {
	cfg    seedSettings
	pool   *pgxpool.Pool
	rec    *recorder
	t      *testing.T
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (s seedSettings) open(ctx context.Context, t *testing.T, rec *recorder) system {
	t.Helper()
	dbs := testsupport.NewDatabases(t)
	owner := openPool(ctx, t, dbs.OwnerURL)
	if _, err := owner.Exec(ctx, seedSchema); err != nil {
		t.Fatalf("outbox table: %v", err)
	}
	owner.Close()
	return &seedSystem{cfg: s, pool: openPool(ctx, t, dbs.AppURL), rec: rec, t: t}
}

func (s *seedSystem) insertOne(ctx context.Context, seq int) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO outbox_messages (seq, message_type, payload)
			VALUES ($1, 'bench.noop', jsonb_build_object('seq', $1::int))`, seq)
		return err
	})
}

func (s *seedSystem) backlog(ctx context.Context, n int) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO outbox_messages (seq, message_type, payload)
		SELECT g, 'bench.noop', jsonb_build_object('seq', g) FROM generate_series(0, $1 - 1) g`, n)
	return err
}

// start runs the dispatcher (first poll at once, like River's first fetch, then every
// poll interval) and the workers.
func (s *seedSystem) start(ctx context.Context) error {
	ctx, s.cancel = context.WithCancel(ctx)
	queue := make(chan int, len(s.rec.start)+benchRate*60) // never full: Redis does not push back
	s.wg.Add(1 + s.cfg.workers)
	go func() {
		defer s.wg.Done()
		defer close(queue)
		tick := time.NewTicker(s.cfg.poll)
		defer tick.Stop()
		for {
			if err := s.dispatch(ctx, queue); err != nil && ctx.Err() == nil {
				s.t.Errorf("seed dispatcher: %v", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	for range s.cfg.workers {
		go func() {
			defer s.wg.Done()
			for seq := range queue {
				s.rec.started(seq)
			}
		}()
	}
	return nil
}

// dispatch claims batches until one comes back short: every pending row is handed on.
func (s *seedSystem) dispatch(ctx context.Context, queue chan<- int) error {
	for {
		var seqs []int
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT id, seq FROM outbox_messages
				WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, s.cfg.batch)
			if err != nil {
				return err
			}
			var ids []int64
			seqs = seqs[:0]
			for rows.Next() {
				var id int64
				var seq int
				if err := rows.Scan(&id, &seq); err != nil {
					return err
				}
				ids, seqs = append(ids, id), append(seqs, seq)
			}
			if err := rows.Err(); err != nil || len(ids) == 0 {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE outbox_messages SET dispatched_at = now(), attempts = attempts + 1
				WHERE id = ANY($1)`, ids)
			return err
		})
		if err != nil {
			return err
		}
		for _, seq := range seqs { // after commit: a rolled-back claim dispatches nothing
			queue <- seq
		}
		if len(seqs) < s.cfg.batch {
			return nil
		}
	}
}

func (s *seedSystem) stop(context.Context) {
	if s.cancel != nil {
		s.cancel()
		s.wg.Wait()
	}
}

func (s *seedSystem) settings() string {
	return fmt.Sprintf("poll every %s, batch %d (drained per poll), %d workers", s.cfg.poll, s.cfg.batch, s.cfg.workers)
}

// --- helpers -------------------------------------------------------------------------------

func openPool(ctx context.Context, t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	return openDB(ctx, t, url).Pool
}

func openDB(ctx context.Context, t *testing.T, url string) *database.DB {
	t.Helper()
	db, err := database.Open(ctx, url, benchPoolConns)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// warnLogger sends River's warnings and errors to the test log.
func warnLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(logWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// machineInfo describes where the numbers came from.
func machineInfo(ctx context.Context, t *testing.T) [][2]string {
	t.Helper()
	pool := openPool(ctx, t, testsupport.NewDatabases(t).AppURL)
	var pgVersion, fsync, syncCommit, sharedBuffers string
	err := pool.QueryRow(ctx, `SELECT current_setting('server_version'), current_setting('fsync'),
		current_setting('synchronous_commit'), current_setting('shared_buffers')`).Scan(&pgVersion, &fsync, &syncCommit, &sharedBuffers)
	if err != nil {
		t.Fatalf("server settings: %v", err)
	}
	// A test binary's build info lists no dependencies, so the version comes from go.mod
	// (the test runs in its package directory).
	riverVersion := "unknown"
	if b, err := os.ReadFile("../../go.mod"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "github.com/riverqueue/river" {
				riverVersion = f[1]
			}
		}
	}
	return [][2]string{
		{"CPU", fmt.Sprintf("%s, %d logical CPUs (GOMAXPROCS %d)", procField("/proc/cpuinfo", "model name"), runtime.NumCPU(), runtime.GOMAXPROCS(0))},
		{"memory", procField("/proc/meminfo", "MemTotal")},
		{"OS/arch", runtime.GOOS + "/" + runtime.GOARCH},
		{"PostgreSQL", fmt.Sprintf("%s (with-postgres throwaway cluster: fsync=%s, synchronous_commit=%s, shared_buffers=%s), same host over TCP", pgVersion, fsync, syncCommit, sharedBuffers)},
		{"Go", runtime.Version()},
		{"River", riverVersion + " (riverpgxv5)"},
		{"pool", fmt.Sprintf("pgxpool, %d connections per system, application role", benchPoolConns)},
	}
}

// procField returns the first value of key in a /proc file, or "unknown".
func procField(path, key string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == key {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return "unknown"
}

// --- report --------------------------------------------------------------------------------

type report struct {
	latency    []latencyResult
	throughput []throughputResult
}

// machineReport is the report's heading: when and where it ran.
func machineReport(machine [][2]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Queue benchmark — %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	b.WriteString("| | |\n|---|---|\n")
	for _, kv := range machine {
		fmt.Fprintf(&b, "| %s | %s |\n", kv[0], kv[1])
	}
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// ratio is a ÷ b, with two decimals below 10.
func ratio(a, b float64) string {
	if r := a / b; r < 10 {
		return fmt.Sprintf("%.2f×", r)
	}
	return fmt.Sprintf("%.0f×", a/b)
}

func (r *report) String(latencyJobs int, seed seedSettings) string {
	var b strings.Builder

	var seedLat latencyResult
	for _, l := range r.latency {
		if l.name == "seed re-creation" {
			seedLat = l
		}
	}
	fmt.Fprintf(&b, "\n### Commit → worker start (%d jobs, one transaction each, target %d/s)\n\n", latencyJobs, benchRate)
	b.WriteString("| system | settings | achieved rate | p50 | p95 | p99 | max | seed p50 / p95 / p99 ÷ this |\n|---|---|---|---|---|---|---|---|\n")
	for _, l := range r.latency {
		fmt.Fprintf(&b, "| %s | %s | %.0f/s | %s | %s | %s | %s | %s / %s / %s |\n", l.name, l.settings, l.rate,
			ms(l.p50), ms(l.p95), ms(l.p99), ms(l.max),
			ratio(float64(seedLat.p50), float64(l.p50)), ratio(float64(seedLat.p95), float64(l.p95)), ratio(float64(seedLat.p99), float64(l.p99)))
	}

	var seedTput throughputResult
	for _, x := range r.throughput {
		if x.name == "seed re-creation" {
			seedTput = x
		}
	}
	fmt.Fprintf(&b, "\n### Throughput (backlog of %d jobs committed in one transaction, trivial worker, clock from start, capped at %s)\n\n", benchBacklog, benchWorkCap)
	b.WriteString("| system | settings | worked | time | jobs/s | ÷ seed |\n|---|---|---|---|---|---|\n")
	for _, x := range r.throughput {
		worked := fmt.Sprint(x.worked)
		if !x.drained {
			worked += " (cap reached)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f s | %.0f | %s |\n", x.name, x.settings, worked, x.elapsed.Seconds(), x.perSecond(),
			ratio(x.perSecond(), seedTput.perSecond()))
	}
	fmt.Fprintf(&b, "\nSeed re-creation: outbox_messages polled every %s with SELECT … FOR UPDATE SKIP LOCKED LIMIT %d, "+
		"rows marked dispatched and handed to %d in-process workers over a channel (BullMQ/Redis left out).\n", seed.poll, seed.batch, seed.workers)
	return b.String()
}
