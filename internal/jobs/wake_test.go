package jobs_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

type wakeArgs struct {
	Name string `json:"name"`
}

func (wakeArgs) Kind() string { return "test.wake" }

type wakeWorker struct {
	river.WorkerDefaults[wakeArgs]
	started chan string
}

func (w *wakeWorker) Work(_ context.Context, job *river.Job[wakeArgs]) error {
	w.started <- job.Args.Name
	return nil
}

// A job inserted while River's insert-notify limiter holds back its NOTIFY is still
// worked at once when its transaction calls Wake. The inserting client's window and the
// working client's fallback poll are an hour, so without Wake's notification (or if River
// stopped listening on the channel Wake sends to) the second job would not be worked
// within the test's wait.
func TestWakeWorksAJobWhoseInsertNotificationWasHeldBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testsupport.NewDB(t)
	const queue = jobs.QueueMaintenance

	worker := &wakeWorker{started: make(chan string, 2)}
	workers := river.NewWorkers()
	river.AddWorker(workers, worker)
	working, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{
		Logger:            slog.New(slog.DiscardHandler),
		FetchCooldown:     time.Millisecond,
		FetchPollInterval: time.Hour,
		Queues:            map[string]river.QueueConfig{queue: {MaxWorkers: 2}},
		Workers:           workers,
	})
	if err != nil {
		t.Fatal(err)
	}
	inserting, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{
		Logger:            slog.New(slog.DiscardHandler),
		FetchCooldown:     time.Hour, // also the insert NOTIFY limiter's window
		FetchPollInterval: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := working.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := working.Stop(stopCtx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})

	insert := func(name string, wake bool) {
		t.Helper()
		if err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
			if _, err := inserting.InsertTx(ctx, tx, wakeArgs{Name: name}, &river.InsertOpts{Queue: queue}); err != nil {
				return err
			}
			if wake {
				return jobs.Wake(ctx, tx, queue)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	awaitStart := func(want string) {
		t.Helper()
		select {
		case got := <-worker.started:
			if got != want {
				t.Fatalf("worked %q, want %q", got, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("job %q was not worked", want)
		}
	}

	insert("first", false) // River notifies: the limiter's window opens
	awaitStart("first")
	insert("second", true) // River stays silent within the window; Wake notifies
	awaitStart("second")
}
