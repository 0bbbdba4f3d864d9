package reminders_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/reminders"
)

// failingPublisher publishes email through the real outbox and then fails the webhook
// publish for the organisations in failFor, after the email job is already in the tx.
type failingPublisher struct {
	events.Discard
	real    *outbox.Publisher
	failFor map[uuid.UUID]bool
}

func (p failingPublisher) PublishEmail(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event) error {
	return p.real.PublishEmail(ctx, tx, orgID, ev)
}

func (p failingPublisher) PublishWebhooks(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event) error {
	if p.failFor[orgID] {
		return errors.New("webhook publish failed")
	}
	return p.real.PublishWebhooks(ctx, tx, orgID, ev)
}

func TestFailedPublishRecordsNothingAndOtherOrganisationsGoOn(t *testing.T) {
	f := newFixture(t)
	orgA, orgB := f.org("A Lettings"), f.org("B Homes")
	f.member(orgA, "ADMIN", "Anna")
	f.member(orgB, "ADMIN", "Bob")
	created := at("2026-03-02T10:00:00Z")
	due := created.Add(24 * time.Hour)
	f.ticket(orgA, ticketOpts{created: created, due: due})
	f.ticket(orgA, ticketOpts{created: created, due: due})
	f.ticket(orgB, ticketOpts{created: created, due: due})
	f.now = due

	failing := f.with(failingPublisher{real: outbox.NewPublisher(f.client, f.clock), failFor: map[uuid.UUID]bool{orgA: true}})
	n, err := failing.ScanSLA(f.ctx)
	if err == nil || !strings.Contains(err.Error(), "webhook publish failed") || !strings.Contains(err.Error(), orgA.String()) {
		t.Fatalf("scan error %v, want org A's publish failure", err)
	}
	if n != 1 {
		t.Fatalf("sent %d, want 1 (org B's)", n)
	}
	if ns := f.notices(orgA); len(ns) != 0 {
		t.Fatalf("org A recorded %+v though its publish failed", ns)
	}
	f.checkPublished(0, orgB, f.now) // only org B's jobs: org A's email jobs rolled back
	if len(f.jobs()) != 2 {
		t.Fatalf("jobs %+v", f.jobs())
	}

	// The next run sends org A's notices, once.
	f.run(f.r.ScanSLA, 2)
	f.run(f.r.ScanSLA, 0)
	f.checkPublished(2, orgA, f.now)
	f.checkSameTransactions(orgA, orgB)
}

func TestWorkersPublishThroughTheirRiverClient(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme Lettings")
	f.member(org, "ADMIN", "Alice")
	created := at("2026-03-02T10:00:00Z")
	f.ticket(org, ticketOpts{created: created, due: created.Add(24 * time.Hour)})
	expires := date("2026-03-20")
	c := f.contractor(org, contractorOpts{company: "Fixit Plumbing", expires: &expires})
	ticket, _ := f.ticket(org, ticketOpts{created: created, due: created.Add(365 * 24 * time.Hour)})
	f.workOrder(org, ticket, c, "ASSIGNED", created)
	f.now = at("2026-03-10T10:00:00Z")

	// No publisher: outside a worker the scans refuse to run...
	deps := reminders.Deps{DB: f.db, Now: f.clock}
	if _, err := reminders.New(deps).ScanSLA(f.ctx); err == nil {
		t.Fatal("scan without a publisher or a River client succeeded")
	}

	// ...and inside one they publish through the client working the job. The email, text
	// and webhook kinds need workers to be insertable; their queues are not worked here.
	workers := river.NewWorkers()
	reminders.Register(workers, deps)
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[outbox.EmailArgs]) error { return nil }))
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[outbox.TextsArgs]) error { return nil }))
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[outbox.WebhooksArgs]) error { return nil }))
	client, err := river.NewClient(riverpgxv5.New(f.db.Pool), &river.Config{
		Logger: slog.New(slog.DiscardHandler), Workers: workers,
		Queues: map[string]river.QueueConfig{jobs.QueueMaintenance: {MaxWorkers: 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	if err := client.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := client.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	for _, args := range []river.JobArgs{reminders.SLAScanArgs{}, reminders.QuoteChaserArgs{}, reminders.InsuranceRemindersArgs{}} {
		if _, err := client.Insert(f.ctx, args, nil); err != nil {
			t.Fatal(err)
		}
	}
	timeout := time.After(30 * time.Second)
	for range 3 {
		select {
		case ev := <-done:
			if ev.Kind != river.EventKindJobCompleted {
				t.Fatalf("job %s failed: %+v", ev.Job.Kind, ev.Job.Errors)
			}
		case <-timeout:
			t.Fatal("the scans did not complete")
		}
	}
	var names []string
	for _, ev := range f.checkPublished(0, org, f.now) {
		names = append(names, ev.Name())
	}
	slices.Sort(names)
	if strings.Join(names, " ") != "contractor.insurance_expiring quote.chaser sla.breached" {
		t.Fatalf("events %v", names)
	}
	f.checkSameTransactions(org)
}

func TestPeriodicJobsAndRegistration(t *testing.T) {
	f := newFixture(t)
	type periodicArgs interface {
		river.JobArgs
		river.JobArgsWithInsertOpts
	}
	want := []struct {
		args   periodicArgs
		kind   string
		period time.Duration
	}{
		{reminders.SLAScanArgs{}, "maintenance.sla_scan.v1", 5 * time.Minute},
		{reminders.QuoteChaserArgs{}, "maintenance.quote_chaser.v1", time.Hour},
		{reminders.InsuranceRemindersArgs{}, "maintenance.insurance_reminders.v1", 24 * time.Hour},
		{reminders.UsageNoticesArgs{}, "maintenance.usage_notices.v1", 15 * time.Minute},
		{reminders.CertificateRemindersArgs{}, "maintenance.certificate_reminders.v1", 24 * time.Hour},
	}
	for _, w := range want {
		opts := w.args.InsertOpts()
		if w.args.Kind() != w.kind || opts.Queue != "maintenance" || opts.UniqueOpts.ByPeriod != w.period {
			t.Errorf("%s: kind %s, queue %s, unique by %s", w.kind, w.args.Kind(), opts.Queue, opts.UniqueOpts.ByPeriod)
		}
		// Unique per period: a second insert (another replica, a restart) is skipped.
		first, err := f.client.Insert(f.ctx, w.args, nil)
		if err != nil {
			t.Fatal(err)
		}
		second, err := f.client.Insert(f.ctx, w.args, nil)
		if err != nil {
			t.Fatal(err)
		}
		if first.UniqueSkippedAsDuplicate || !second.UniqueSkippedAsDuplicate || first.Job.Queue != "maintenance" || first.Job.Kind != w.kind {
			t.Errorf("%s inserted as %s on %s, then duplicate=%v", w.kind, first.Job.Kind, first.Job.Queue, second.UniqueSkippedAsDuplicate)
		}
	}
	if got := len(reminders.Periodic()); got != 5 {
		t.Fatalf("%d periodic jobs, want 5", got)
	}

	// A working client accepts the workers and schedules (River validates both).
	_, err := jobs.NewClient(f.db, jobs.Options{
		Logger: slog.New(slog.DiscardHandler), Work: true, Periodic: append(reminders.Periodic(), jobs.RetentionPeriodic()),
		Register: func(w *river.Workers) { reminders.Register(w, reminders.Deps{DB: f.db, Now: f.clock}) },
	})
	if err != nil {
		t.Fatal(err)
	}

	var sla reminders.SLAScanWorker
	if d := sla.Timeout(nil); d <= 0 || d >= reminders.SLAScanInterval {
		t.Errorf("SLA scan timeout %s", d)
	}
	var qc reminders.QuoteChaserWorker
	var ins reminders.InsuranceRemindersWorker
	if qc.Timeout(nil) <= time.Minute || ins.Timeout(nil) <= time.Minute {
		t.Error("scan timeouts should exceed the client's default")
	}
}

func TestDailyAt(t *testing.T) {
	t.Parallel()
	s := reminders.DailyAt(7)
	for _, tt := range []struct{ now, want string }{
		{"2026-01-10T06:59:00Z", "2026-01-10T07:00:00Z"}, // GMT
		{"2026-01-10T07:00:00Z", "2026-01-11T07:00:00Z"},
		{"2026-03-28T08:00:00Z", "2026-03-29T06:00:00Z"}, // clocks go forward overnight
		{"2026-06-01T05:59:00Z", "2026-06-01T06:00:00Z"}, // BST
		{"2026-10-24T06:00:00Z", "2026-10-25T07:00:00Z"}, // clocks go back overnight
		{"2026-12-31T23:30:00Z", "2027-01-01T07:00:00Z"},
	} {
		if got := s.Next(at(tt.now)); !got.Equal(at(tt.want)) || got.Location() != time.UTC {
			t.Errorf("Next(%s) = %s, want %s", tt.now, got, tt.want)
		}
	}
}

// An overlapping run (another replica, a retry) that records the same notice first wins:
// this run waits for it on notices_sent's key, then sends nothing.
func TestOverlappingRunSendsNothingTwice(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme Lettings")
	f.member(org, "ADMIN", "Alice")
	created := at("2026-03-02T10:00:00Z")
	id, _ := f.ticket(org, ticketOpts{created: created, due: created.Add(24 * time.Hour)})
	f.now = created.Add(20 * time.Hour)

	// The other run has recorded the warning but not committed yet.
	other, err := f.db.Pool.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Rollback(f.ctx) }()
	if _, err := other.Exec(f.ctx, `SELECT set_config('app.org_id', $1, true)`, org.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(f.ctx, `INSERT INTO notices_sent (org_id, kind, subject_id, key) VALUES ($1, 'sla.warning', $2, '2026-03-03T10:00:00Z')`, org, id); err != nil {
		t.Fatal(err)
	}

	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := f.r.ScanSLA(f.ctx)
		done <- result{n, err}
	}()
	// Wait until this run is blocked on the other's uncommitted key, then let the other commit.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var waiting bool
		err := f.db.Pool.QueryRow(f.ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid())`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("the run finished (%d, %v) without waiting for the other", r.n, r.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the run never waited for the other")
		}
	}
	if err := other.Commit(f.ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.n != 0 {
		t.Fatalf("run sent %d (%v), want 0", r.n, r.err)
	}
	if jobs := f.jobs(); len(jobs) != 0 {
		t.Fatalf("published %+v for a notice the other run sent", jobs)
	}
}
