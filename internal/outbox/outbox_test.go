package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// nopWorker stands in for the channel workers that are not written yet, so the
// publisher's four methods can be tested now (River refuses kinds with no worker).
type nopWorker[T river.JobArgs] struct{ river.WorkerDefaults[T] }

func (nopWorker[T]) Work(context.Context, *river.Job[T]) error { return nil }

type jobRow struct {
	Kind, Queue string
	Args        json.RawMessage
}

func setup(t *testing.T) (*testsupport.App, *outbox.Publisher, uuid.UUID, func() []jobRow) {
	t.Helper()
	app := testsupport.NewApp(t, nil)
	org := app.Register("Outbox Homes").OrgID
	client, err := jobs.NewClient(app.DB, jobs.Options{Logger: slog.New(slog.DiscardHandler), Work: true, Register: func(w *river.Workers) {
		river.AddWorker(w, nopWorker[outbox.EmailArgs]{})
		river.AddWorker(w, nopWorker[outbox.WebhooksArgs]{})
	}})
	if err != nil {
		t.Fatal(err)
	}
	list := func() []jobRow {
		var out []jobRow
		// Registering the organisation queued its billing customer's creation: not this test's.
		rows, err := app.DB.Pool.Query(context.Background(), `SELECT kind, queue, args FROM river_job WHERE kind <> 'billing.customer' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var r jobRow
			if err := rows.Scan(&r.Kind, &r.Queue, &r.Args); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	return app, outbox.NewPublisher(client, time.Now), org, list
}

var ev = &events.TicketCreated{TicketID: uuid.New(), Number: "MT-000007", Title: "Leak", Reporter: events.Recipient{Name: "Jo", Email: "jo@example.com"}}

// TestMessageExistsIffWriteCommits: a rolled-back business transaction leaves no job; a
// committed one leaves exactly one, referring to the event stored beside it. The job's
// arguments carry ids only: no name, email or ticket text reaches the job table.
func TestMessageExistsIffWriteCommits(t *testing.T) {
	t.Parallel()
	app, pub, org, list := setup(t)
	ctx := context.Background()
	rollback := errors.New("the business write failed")
	err := app.DB.InOrg(ctx, org, uuid.Nil, func(tx pgx.Tx) error {
		if err := pub.PublishEmail(ctx, tx, org, ev); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	if jobs := list(); len(jobs) != 0 {
		t.Fatalf("a rolled-back transaction left %d jobs", len(jobs))
	}
	if err := app.DB.InOrg(ctx, org, uuid.Nil, func(tx pgx.Tx) error { return pub.PublishEmail(ctx, tx, org, ev) }); err != nil {
		t.Fatal(err)
	}
	got := list()
	if len(got) != 1 || got[0].Kind != "email.send" || got[0].Queue != jobs.QueueEmail {
		t.Fatalf("jobs %+v", got)
	}
	var args outbox.EmailArgs
	if err := json.Unmarshal(got[0].Args, &args); err != nil {
		t.Fatal(err)
	}
	for _, personal := range []string{"jo@example.com", `"Jo"`, "Leak", "MT-000007"} {
		if strings.Contains(string(got[0].Args), personal) {
			t.Fatalf("job arguments carry %s: %s", personal, got[0].Args)
		}
	}
	env, err := outbox.Load(ctx, app.DB, args.Event)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := events.Decode(env)
	if err != nil || env.OrgID != org || env.Key() != "ticket.created.v1" || args.Event.Name != "ticket.created" {
		t.Fatalf("envelope %+v (ref %+v): %v", env, args.Event, err)
	}
	if tc := decoded.(*events.TicketCreated); tc.Number != "MT-000007" || tc.Reporter.Email != "jo@example.com" {
		t.Fatalf("decoded %+v", tc)
	}
}

// TestChannels: each publisher method inserts its channel's job kind on its queue.
func TestChannels(t *testing.T) {
	t.Parallel()
	app, pub, org, list := setup(t)
	ctx := context.Background()
	err := app.DB.InOrg(ctx, org, uuid.Nil, func(tx pgx.Tx) error {
		return errors.Join(pub.PublishEmail(ctx, tx, org, ev), pub.PublishWebhooks(ctx, tx, org, ev))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []jobRow{{Kind: "email.send", Queue: "email"}, {Kind: "event.publish", Queue: "webhooks"}}
	got := list()
	if len(got) != len(want) {
		t.Fatalf("jobs %+v", got)
	}
	for i := range want {
		if got[i].Kind != want[i].Kind || got[i].Queue != want[i].Queue {
			t.Fatalf("job %d is %s on %s, want %s on %s", i, got[i].Kind, got[i].Queue, want[i].Kind, want[i].Queue)
		}
	}
}

// smsArgs stands for a channel whose worker does not exist yet.
type smsArgs struct{}

func (smsArgs) Kind() string { return "sms.send" }

// TestNoWorkerNoMessage: the application's own client refuses a job kind no worker is
// registered for, so publishing to a channel before its worker exists fails (and rolls
// the business write back) instead of leaving a job that would wait for ever.
func TestNoWorkerNoMessage(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	org := app.Register("Later Channels Ltd").OrgID
	pub := outbox.NewPublisher(app.Jobs, time.Now)
	ctx := context.Background()
	if err := app.DB.InOrg(ctx, org, uuid.Nil, func(tx pgx.Tx) error {
		_, err := app.Jobs.InsertTx(ctx, tx, smsArgs{}, nil)
		return err
	}); err == nil {
		t.Error("a job kind without a worker was inserted")
	}
	if err := app.DB.InOrg(ctx, org, uuid.Nil, func(tx pgx.Tx) error { return pub.PublishEmail(ctx, tx, org, ev) }); err != nil {
		t.Fatalf("email has a worker: %v", err)
	}
}
