// Package reminders runs the periodic notices on the maintenance queue: SLA warnings and
// breaches, chasers for work orders still without a quote, contractor insurance expiry,
// properties' certificates expiring, and plan allowances 80% and 100% used.
//
// Each scan lists the organisations in the system scope (which sees organisation rows and
// nothing else), then works in each organisation's own scope, so row-level security keeps
// one organisation's tickets, contractors and people out of another's notices. A notice is
// recorded in notices_sent and published (email, texts where events.Texted, and webhooks) in one transaction: the
// INSERT … ON CONFLICT DO NOTHING decides who sends, so a scan that runs again, overlaps
// another or is retried after a failure sends each notice exactly once, and a failed
// publish leaves nothing recorded, to be sent by the next run.
package reminders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/reminders/remindersdb"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// Publisher is the part of the outbox the reminders use: it inserts the jobs in the
// caller's transaction (outbox.Publisher satisfies it).
type Publisher interface {
	PublishEmail(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event) error
	PublishWebhooks(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event) error
	PublishTexts(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event) error
}

// Deps are what the reminders need.
type Deps struct {
	DB *database.DB
	// Publisher publishes the notices. Nil means the outbox publisher on the River client
	// working the job (river.ClientFromContext), which spares the application from building
	// a publisher before its River client exists; outside a worker it must be set.
	Publisher Publisher
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Logger reports per-organisation failures and counts (discarded when nil).
	Logger *slog.Logger
}

// BatchSize caps the notices of one kind sent to one organisation in one run; the rest go
// in the next run (minutes away), so a backlog never makes one huge transaction.
const BatchSize = 500

// Reminders runs the scans.
type Reminders struct {
	db     *database.DB
	pub    Publisher
	now    func() time.Time
	logger *slog.Logger
	q      *remindersdb.Queries

	mu   sync.Mutex
	cals map[ukcalendar.Region]*ukcalendar.Calendar
}

// New returns the reminders on deps.
func New(deps Deps) *Reminders {
	r := &Reminders{db: deps.DB, pub: deps.Publisher, now: deps.Now, logger: deps.Logger, q: remindersdb.New(),
		cals: map[ukcalendar.Region]*ukcalendar.Calendar{}}
	if r.now == nil {
		r.now = time.Now
	}
	if r.logger == nil {
		r.logger = slog.New(slog.DiscardHandler)
	}
	return r
}

// calendar returns the (cached) working-day calendar of region.
func (r *Reminders) calendar(region ukcalendar.Region) *ukcalendar.Calendar {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.cals[region]
	if !ok {
		c = ukcalendar.New(region)
		r.cals[region] = c
	}
	return c
}

// publisher is the configured publisher or, without one, the outbox on the River client
// working the current job.
func (r *Reminders) publisher(ctx context.Context) (Publisher, error) {
	if r.pub != nil {
		return r.pub, nil
	}
	client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return nil, fmt.Errorf("reminders: no publisher configured and no River client in context: %w", err)
	}
	return outbox.NewPublisher(client, r.now), nil
}

// OrganisationIDs lists every organisation (system scope: organisation rows only).
func (r *Reminders) OrganisationIDs(ctx context.Context) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := r.db.InTx(ctx, database.Scope{System: true}, func(tx pgx.Tx) error {
		var err error
		ids, err = r.q.ListOrganisationIDs(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reminders: list organisations: %w", err)
	}
	return ids, nil
}

// orgScan is one scan of one organisation, in its own scope and transaction, at now,
// returning how many notices it sent.
type orgScan func(ctx context.Context, tx pgx.Tx, pub Publisher, orgID uuid.UUID, now time.Time) (int, error)

// everyOrg runs scan in each organisation. A failing organisation does not stop the
// others: its error is logged and returned with the rest (River retries the job, and
// notices already committed are not sent again).
func (r *Reminders) everyOrg(ctx context.Context, name string, scan orgScan) (int, error) {
	pub, err := r.publisher(ctx)
	if err != nil {
		return 0, err
	}
	ids, err := r.OrganisationIDs(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	var errs []error
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return total, errors.Join(append(errs, err)...)
		}
		n, err := r.inOrg(ctx, pub, id, scan)
		if err != nil {
			r.logger.ErrorContext(ctx, "reminders: scan failed", "scan", name, "org_id", id, "error", err)
			errs = append(errs, fmt.Errorf("reminders: %s in organisation %s: %w", name, id, err))
			continue
		}
		total += n
		if n > 0 {
			r.logger.InfoContext(ctx, "reminders sent", "scan", name, "org_id", id, "notices", n)
		}
	}
	return total, errors.Join(errs...)
}

// inOrg runs scan for one organisation in its scope; nothing it sent survives an error.
func (r *Reminders) inOrg(ctx context.Context, pub Publisher, orgID uuid.UUID, scan orgScan) (int, error) {
	now := r.now().UTC()
	var n int
	err := r.db.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		var err error
		n, err = scan(ctx, tx, pub, orgID, now)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// orgOnly runs scan for one organisation with the configured publisher.
func (r *Reminders) orgOnly(ctx context.Context, orgID uuid.UUID, scan orgScan) (int, error) {
	pub, err := r.publisher(ctx)
	if err != nil {
		return 0, err
	}
	return r.inOrg(ctx, pub, orgID, scan)
}

// notify records the notice (kind is the event's name) and, when this call recorded it,
// publishes the event by email, text (where it is Texted) and to webhooks, all in tx. It reports whether it sent.
func (r *Reminders) notify(ctx context.Context, tx pgx.Tx, pub Publisher, orgID, subjectID uuid.UUID, key string, now time.Time, ev events.Event) (bool, error) {
	n, err := r.q.InsertNotice(ctx, tx, remindersdb.InsertNoticeParams{OrgID: orgID, Kind: ev.Name(), SubjectID: subjectID, Key: key, SentAt: now})
	if err != nil {
		return false, fmt.Errorf("record %s notice: %w", ev.Name(), err)
	}
	if n == 0 {
		return false, nil // already sent
	}
	if err := pub.PublishEmail(ctx, tx, orgID, ev); err != nil {
		return false, err
	}
	if events.Texted(ev) { // a quote chaser or an insurance reminder reaches the contractor by text too
		if err := pub.PublishTexts(ctx, tx, orgID, ev); err != nil {
			return false, err
		}
	}
	if err := pub.PublishWebhooks(ctx, tx, orgID, ev); err != nil {
		return false, err
	}
	return true, nil
}

// staff lists the organisation's ADMIN and COORDINATOR members as recipients.
func (r *Reminders) staff(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) ([]events.Recipient, error) {
	rows, err := r.q.ListStaff(ctx, tx, remindersdb.ListStaffParams{OrgID: orgID, StaffRoles: access.StaffRoleNames()})
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	out := make([]events.Recipient, 0, len(rows))
	for _, row := range rows {
		out = append(out, events.Recipient{Name: row.Name, Email: row.Email})
	}
	return out, nil
}

// lazyStaff loads the staff list once, the first time a scan needs it.
type lazyStaff struct {
	r     *Reminders
	tx    pgx.Tx
	orgID uuid.UUID
	list  []events.Recipient
	done  bool
}

func (l *lazyStaff) get(ctx context.Context) ([]events.Recipient, error) {
	if !l.done {
		list, err := l.r.staff(ctx, l.tx, l.orgID)
		if err != nil {
			return nil, err
		}
		l.list, l.done = list, true
	}
	return l.list, nil
}
