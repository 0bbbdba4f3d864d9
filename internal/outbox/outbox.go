// Package outbox publishes events in the caller's transaction: River's job table is the
// outbox, so a message exists if and only if the business write commits, and workers wake
// on LISTEN/NOTIFY within milliseconds rather than polling a table.
//
// There is one method per channel (email, webhooks, texts, AI classification), each
// added with its worker, since River refuses a job kind no worker is registered for and
// nothing may wait for a worker that does not exist. Each channel has one job kind whose
// arguments carry a reference to the event (events.Ref: ids only); the typed, versioned
// payload is written beside it, in the same transaction, to the organisation's
// outbox_events row, where row-level security keeps it, and workers Load it from there.
// The job table and the job dashboard therefore hold no names, emails or ticket text.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/outbox/outboxdb"
)

// EmailArgs asks the email worker to send the emails an event calls for.
type EmailArgs struct {
	Event events.Ref `json:"event"`
}

// Kind is the job kind.
func (EmailArgs) Kind() string { return "email.send" }

// InsertOpts puts email on its queue.
func (EmailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueEmail} }

// WebhooksArgs fans an event out to the organisation's webhook endpoints. Its kind keeps
// the name it was first stored under, so jobs queued before a deploy still find their
// worker.
type WebhooksArgs struct {
	Event events.Ref `json:"event"`
}

// Kind is the job kind.
func (WebhooksArgs) Kind() string { return "event.publish" }

// InsertOpts puts fan-out on the webhooks queue.
func (WebhooksArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueWebhooks} }

// TextsArgs asks the texting worker to send the SMS and WhatsApp messages an event calls
// for (internal/messaging), to those who consented.
type TextsArgs struct {
	Event events.Ref `json:"event"`
}

// Kind is the job kind.
func (TextsArgs) Kind() string { return "text.notify" }

// InsertOpts puts notifications on the sms queue (the texts they write go on sms or
// whatsapp).
func (TextsArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueSMS} }

// ClassifyArgs asks the AI worker to classify a new ticket. It carries ids only: the
// worker reads the ticket itself, in the ticket's organisation.
type ClassifyArgs struct {
	OrgID    uuid.UUID `json:"orgId"`
	TicketID uuid.UUID `json:"ticketId"`
}

// Kind is the job kind.
func (ClassifyArgs) Kind() string { return "ai.classify" }

// InsertOpts puts classification on the ai queue.
func (ClassifyArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueAI} }

// CustomerArgs asks billing to create a new organisation's customer at the payment
// provider (internal/billing).
type CustomerArgs struct {
	OrgID uuid.UUID `json:"orgId"`
}

// Kind is the job kind.
func (CustomerArgs) Kind() string { return "billing.customer" }

// InsertOpts puts it on the billing queue.
func (CustomerArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueBilling} }

// Publisher inserts jobs in the caller's transaction.
type Publisher struct {
	client *jobs.Client
	now    func() time.Time
}

// NewPublisher returns a publisher on the app's River client.
func NewPublisher(client *jobs.Client, now func() time.Time) *Publisher {
	return &Publisher{client: client, now: now}
}

// PublishEmail queues the emails ev calls for, in tx.
func (p *Publisher) PublishEmail(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event) error {
	return p.insert(ctx, tx, orgID, ev, func(e events.Ref) river.JobArgs { return EmailArgs{Event: e} })
}

// PublishWebhooks queues ev for the organisation's webhook endpoints, in tx.
func (p *Publisher) PublishWebhooks(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event) error {
	return p.insert(ctx, tx, orgID, ev, func(e events.Ref) river.JobArgs { return WebhooksArgs{Event: e} })
}

// PublishTexts queues the texts ev calls for, in tx.
func (p *Publisher) PublishTexts(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event) error {
	return p.insert(ctx, tx, orgID, ev, func(e events.Ref) river.JobArgs { return TextsArgs{Event: e} })
}

// PublishClassification queues the AI classification of a new ticket, in tx.
func (p *Publisher) PublishClassification(ctx context.Context, tx pgx.Tx, orgID, ticketID uuid.UUID) error {
	if _, err := p.client.InsertTx(ctx, tx, ClassifyArgs{OrgID: orgID, TicketID: ticketID}, nil); err != nil {
		return fmt.Errorf("outbox: publish ai.classify: %w", err)
	}
	return nil
}

// PublishCustomer queues the creation of a new organisation's billing customer, in tx.
func (p *Publisher) PublishCustomer(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) error {
	if _, err := p.client.InsertTx(ctx, tx, CustomerArgs{OrgID: orgID}, nil); err != nil {
		return fmt.Errorf("outbox: publish billing.customer: %w", err)
	}
	return nil
}

func (p *Publisher) insert(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event, args func(events.Ref) river.JobArgs) error {
	env, err := events.Wrap(orgID, p.now(), ev)
	if err != nil {
		return err
	}
	if err := Store(ctx, tx, env); err != nil {
		return err
	}
	if _, err := p.client.InsertTx(ctx, tx, args(env.Ref()), nil); err != nil {
		return fmt.Errorf("outbox: publish %s: %w", env.Key(), err)
	}
	return nil
}

// Store writes an event's payload in tx, in its organisation, for its jobs to Load.
func Store(ctx context.Context, tx pgx.Tx, env events.Envelope) error {
	if err := outboxdb.New().InsertEvent(ctx, tx, outboxdb.InsertEventParams{
		OrgID: env.OrgID, ID: env.ID, Name: env.Name, Version: int32(env.Version), OccurredAt: env.OccurredAt, Payload: env.Payload,
	}); err != nil {
		return fmt.Errorf("outbox: store %s: %w", env.Key(), err)
	}
	return nil
}

// ErrGone is returned by Load for an event no longer kept (the retention clean-up removes
// events older than Retention, long after their jobs have run or been discarded).
var ErrGone = errors.New("outbox: event no longer kept")

// Retention is how long an event's payload is kept for its jobs: 5 attempts with River's
// backoff finish within a day, and discarded jobs can be retried from the dashboard for a
// while after.
const Retention = 14 * 24 * time.Hour

// Load returns the event a job refers to, read in its organisation's scope.
func Load(ctx context.Context, db *database.DB, ref events.Ref) (events.Envelope, error) {
	if ref.OrgID == uuid.Nil || ref.ID == uuid.Nil {
		return events.Envelope{}, fmt.Errorf("outbox: event %q without organisation or id", ref.Name)
	}
	var row outboxdb.OutboxEvent
	err := db.InTx(ctx, database.Scope{OrgID: ref.OrgID}, func(tx pgx.Tx) error {
		var err error
		row, err = outboxdb.New().GetEvent(ctx, tx, outboxdb.GetEventParams{OrgID: ref.OrgID, ID: ref.ID})
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return events.Envelope{}, ErrGone
	}
	if err != nil {
		return events.Envelope{}, fmt.Errorf("outbox: load event: %w", err)
	}
	return events.Envelope{ID: row.ID, Name: row.Name, Version: int(row.Version), OrgID: row.OrgID, OccurredAt: row.OccurredAt.UTC(), Payload: row.Payload}, nil
}

// LoadEvent is Load followed by decoding, for a worker: an event no longer kept or of a
// kind this build does not know cancels the job (retrying cannot help); other errors are
// returned to be retried.
func LoadEvent(ctx context.Context, db *database.DB, ref events.Ref) (events.Envelope, events.Event, error) {
	env, err := Load(ctx, db, ref)
	if errors.Is(err, ErrGone) {
		return env, nil, river.JobCancel(err)
	}
	if err != nil {
		return env, nil, err
	}
	ev, err := events.Decode(env)
	if err != nil {
		return env, nil, river.JobCancel(err)
	}
	return env, ev, nil
}

// Purger deletes an organisation's events older than Retention (a jobs.Purger).
type Purger struct {
	DB  *database.DB
	Now func() time.Time
}

// PurgeExpired deletes one organisation's expired events.
func (p Purger) PurgeExpired(ctx context.Context, orgID uuid.UUID) (n int64, err error) {
	err = p.DB.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		n, err = outboxdb.New().DeleteEventsBefore(ctx, tx, outboxdb.DeleteEventsBeforeParams{OrgID: orgID, OccurredAt: p.Now().Add(-Retention)})
		return err
	})
	return n, err
}
