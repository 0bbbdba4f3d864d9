package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

type probeArgs struct {
	Name string `json:"name"`
}

func (probeArgs) Kind() string { return "test.probe" }
func (probeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance}
}

// probeWorker does what its test says: fail, block until cancelled, or finish.
type probeWorker struct {
	river.WorkerDefaults[probeArgs]
	attempts atomic.Int32
	started  chan struct{}
	work     func(ctx context.Context) error
}

func (w *probeWorker) Work(ctx context.Context, _ *river.Job[probeArgs]) error {
	w.attempts.Add(1)
	select {
	case w.started <- struct{}{}:
	default:
	}
	return w.work(ctx)
}

// immediateRetry retries at once, so the five attempts take milliseconds.
type immediateRetry struct{}

func (immediateRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now() }

func newClient(t *testing.T, w *probeWorker, opts jobs.Options) (*jobs.Client, func(context.Context) *rivertype.JobRow) {
	t.Helper()
	db := testsupport.NewDB(t)
	opts.Logger = slog.New(slog.DiscardHandler)
	opts.Work = true
	opts.Register = func(ws *river.Workers) { river.AddWorker(ws, w) }
	client, err := jobs.NewClient(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	insert := func(ctx context.Context) *rivertype.JobRow {
		res, err := client.Insert(ctx, probeArgs{Name: t.Name()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Job
	}
	return client, insert
}

func waitFor(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func jobState(t *testing.T, client *jobs.Client, id int64) *rivertype.JobRow {
	t.Helper()
	row, err := client.JobGet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return row
}

// TestFailingJobIsRetriedThenDiscarded: a job that always fails runs MaxAttempts (5)
// times, then stays in the table as discarded, with every error recorded.
func TestFailingJobIsRetriedThenDiscarded(t *testing.T) {
	t.Parallel()
	w := &probeWorker{started: make(chan struct{}, 10), work: func(context.Context) error { return errors.New("provider down") }}
	client, insert := newClient(t, w, jobs.Options{RetryPolicy: immediateRetry{}})
	ctx := context.Background()
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	job := insert(ctx)
	waitFor(t, "the job to be discarded", 30*time.Second, func() bool { return jobState(t, client, job.ID).State == rivertype.JobStateDiscarded })
	row := jobState(t, client, job.ID)
	if row.Attempt != jobs.MaxAttempts || len(row.Errors) != jobs.MaxAttempts || w.attempts.Load() != int32(jobs.MaxAttempts) {
		t.Fatalf("attempts %d, errors %d, worker calls %d; want %d", row.Attempt, len(row.Errors), w.attempts.Load(), jobs.MaxAttempts)
	}
}

// TestGracefulStopFinishesRunningJob: on SIGTERM (context cancelled), Run stops softly:
// a job already running finishes, and Run returns without error.
func TestGracefulStopFinishesRunningJob(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	w := &probeWorker{started: make(chan struct{}, 1), work: func(context.Context) error { <-release; return nil }}
	client, insert := newClient(t, w, jobs.Options{})
	ctx, sigterm := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- jobs.Run(ctx, client, 10*time.Second, slog.New(slog.DiscardHandler)) }()
	job := insert(context.Background())
	<-w.started
	sigterm()
	time.AfterFunc(200*time.Millisecond, func() { close(release) }) // the job is still working after the signal
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not stop")
	}
	if state := jobState(t, client, job.ID).State; state != rivertype.JobStateCompleted {
		t.Fatalf("job %s after a graceful stop, want completed", state)
	}
}

// TestHardStopHandsJobBack: a job that outlives the shutdown deadline is cancelled and
// handed back (retryable), not lost; another process then completes it.
func TestHardStopHandsJobBack(t *testing.T) {
	t.Parallel()
	var stuck atomic.Bool
	stuck.Store(true)
	w := &probeWorker{started: make(chan struct{}, 1), work: func(ctx context.Context) error {
		if stuck.Load() {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}}
	client, insert := newClient(t, w, jobs.Options{RetryPolicy: immediateRetry{}})
	ctx, sigterm := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- jobs.Run(ctx, client, 300*time.Millisecond, slog.New(slog.DiscardHandler)) }()
	job := insert(context.Background())
	<-w.started
	sigterm()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not stop after the hard deadline")
	}
	if state := jobState(t, client, job.ID).State; state != rivertype.JobStateRetryable && state != rivertype.JobStateAvailable {
		t.Fatalf("job %s after a hard stop, want handed back", state)
	}
	// A second process (a new client on the same database) picks it up.
	stuck.Store(false)
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	waitFor(t, "the job to complete", 30*time.Second, func() bool { return jobState(t, client, job.ID).State == rivertype.JobStateCompleted })
}

// TestJobOfDeadWorkerIsRescued: a worker process that died mid-job leaves its job
// "running"; once it has run longer than RescueStuckJobsAfter, the next process's rescuer
// hands it back and it completes.
func TestJobOfDeadWorkerIsRescued(t *testing.T) {
	t.Parallel()
	w := &probeWorker{started: make(chan struct{}, 1), work: func(context.Context) error { return nil }}
	client, insert := newClient(t, w, jobs.Options{RetryPolicy: immediateRetry{}, RescueStuckJobsAfter: time.Second, JobTimeout: 500 * time.Millisecond})
	ctx := context.Background()
	job := insert(ctx)
	// What a killed process leaves behind: the job running, attempted a while ago.
	if err := client.Driver().GetExecutor().Exec(ctx,
		`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() - interval '1 minute', attempted_by = '{dead-process}' WHERE id = $1`, job.ID); err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	waitFor(t, "the rescued job to complete", 90*time.Second, func() bool { return jobState(t, client, job.ID).State == rivertype.JobStateCompleted })
	if w.attempts.Load() != 1 {
		t.Fatalf("worker ran %d times, want once (after the rescue)", w.attempts.Load())
	}
}

type longArgs struct{}

func (longArgs) Kind() string { return "test.long" }
func (longArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance}
}

// longWorker is a kind with its own, longer timeout, like the reminder scans.
type longWorker struct {
	river.WorkerDefaults[longArgs]
}

func (longWorker) Work(context.Context, *river.Job[longArgs]) error { return nil }
func (longWorker) Timeout(*river.Job[longArgs]) time.Duration       { return time.Hour }

// TestRescueWaitsForTheKindsTimeout: the rescuer hands back a dead worker's job once it
// has run longer than both RescueStuckJobsAfter and its kind's timeout. Two jobs left
// running by a killed process a minute ago: the one with the client's timeout is rescued
// and completes; in the same pass the one whose kind allows an hour is left alone.
func TestRescueWaitsForTheKindsTimeout(t *testing.T) {
	t.Parallel()
	db := testsupport.NewDB(t)
	probe := &probeWorker{started: make(chan struct{}, 1), work: func(context.Context) error { return nil }}
	client, err := jobs.NewClient(db, jobs.Options{Logger: slog.New(slog.DiscardHandler), Work: true, RetryPolicy: immediateRetry{},
		RescueStuckJobsAfter: time.Second, JobTimeout: 500 * time.Millisecond,
		Register: func(ws *river.Workers) {
			river.AddWorker(ws, probe)
			river.AddWorker(ws, longWorker{})
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	short, err := client.Insert(ctx, probeArgs{Name: t.Name()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	long, err := client.Insert(ctx, longArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Driver().GetExecutor().Exec(ctx,
		`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() - interval '1 minute', attempted_by = '{dead-process}' WHERE id = ANY($1)`,
		[]int64{short.Job.ID, long.Job.ID}); err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	waitFor(t, "the short job to be rescued and complete", 90*time.Second, func() bool {
		return jobState(t, client, short.Job.ID).State == rivertype.JobStateCompleted
	})
	if got := jobState(t, client, long.Job.ID); got.State != rivertype.JobStateRunning || got.Attempt != 1 {
		t.Fatalf("the job whose kind allows an hour is %s (attempt %d), want still running", got.State, got.Attempt)
	}
}

// TestDefaultRescueAfter: without RescueStuckJobsAfter, a dead worker's job is handed back
// once it has been running DefaultRescueStuckJobsAfter (5 minutes), not River's hour. Of
// two jobs a killed process left running, one for 6 minutes is rescued and completes; in
// the same pass one running for 4 minutes is left alone.
func TestDefaultRescueAfter(t *testing.T) {
	t.Parallel()
	w := &probeWorker{started: make(chan struct{}, 2), work: func(context.Context) error { return nil }}
	client, insert := newClient(t, w, jobs.Options{RetryPolicy: immediateRetry{}, JobTimeout: 500 * time.Millisecond})
	ctx := context.Background()
	stuck, recent := insert(ctx), insert(ctx)
	for _, j := range []struct {
		id  int64
		ago string
	}{{stuck.ID, "6 minutes"}, {recent.ID, "4 minutes"}} {
		if err := client.Driver().GetExecutor().Exec(ctx,
			`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() - $2::interval, attempted_by = '{dead-process}' WHERE id = $1`, j.id, j.ago); err != nil {
			t.Fatal(err)
		}
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	waitFor(t, "the job running for 6 minutes to be rescued and complete", 90*time.Second, func() bool {
		return jobState(t, client, stuck.ID).State == rivertype.JobStateCompleted
	})
	if got := jobState(t, client, recent.ID); got.State != rivertype.JobStateRunning {
		t.Fatalf("the job running for 4 minutes is %s, want still running", got.State)
	}
}
