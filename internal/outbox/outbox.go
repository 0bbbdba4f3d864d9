// Package outbox publishes events in the caller's transaction: River's job table is the
// outbox, so a message exists if and only if the business write commits, and workers wake
// on LISTEN/NOTIFY within milliseconds (the seed polled an outbox table every 5 seconds).
//
// The four methods are the seed's IOutboxPublisher. Each channel has one job kind whose
// arguments carry the typed, versioned event in an envelope.
package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/jobs"
)

// EmailArgs asks the email worker to send the emails an event calls for.
type EmailArgs struct {
	Event events.Envelope `json:"event"`
}

// Kind is the job kind.
func (EmailArgs) Kind() string { return "email.send" }

// InsertOpts puts email on its queue.
func (EmailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueEmail} }

// SMSArgs asks the SMS worker (SMS issue) to send the texts an event calls for.
type SMSArgs struct {
	Event events.Envelope `json:"event"`
}

// Kind is the job kind.
func (SMSArgs) Kind() string { return "sms.send" }

// InsertOpts puts texts on their queue.
func (SMSArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueSMS} }

// AIArgs asks the AI worker (AI issue) to run the assistance an event calls for.
type AIArgs struct {
	Event events.Envelope `json:"event"`
}

// Kind is the job kind.
func (AIArgs) Kind() string { return "ai.run" }

// InsertOpts puts AI work on its queue.
func (AIArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueAI} }

// GenericArgs fans an event out to the organisation's webhook endpoints.
type GenericArgs struct {
	Event events.Envelope `json:"event"`
}

// Kind is the job kind.
func (GenericArgs) Kind() string { return "event.publish" }

// InsertOpts puts fan-out on the webhooks queue.
func (GenericArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueWebhooks} }

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
	return p.insert(ctx, tx, orgID, ev, func(e events.Envelope) river.JobArgs { return EmailArgs{Event: e} })
}

// PublishSms queues the texts ev calls for, in tx. Nothing in production calls it until
// the SMS worker exists (no job may wait for a worker that is not there).
func (p *Publisher) PublishSms(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event) error {
	return p.insert(ctx, tx, orgID, ev, func(e events.Envelope) river.JobArgs { return SMSArgs{Event: e} })
}

// PublishAiJob queues AI assistance for ev, in tx; like PublishSms, unused until the AI
// worker exists.
func (p *Publisher) PublishAiJob(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event) error {
	return p.insert(ctx, tx, orgID, ev, func(e events.Envelope) river.JobArgs { return AIArgs{Event: e} })
}

// PublishGeneric queues ev for the organisation's webhook endpoints, in tx.
func (p *Publisher) PublishGeneric(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event) error {
	return p.insert(ctx, tx, orgID, ev, func(e events.Envelope) river.JobArgs { return GenericArgs{Event: e} })
}

func (p *Publisher) insert(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event, args func(events.Envelope) river.JobArgs) error {
	env, err := events.Wrap(orgID, p.now(), ev)
	if err != nil {
		return err
	}
	if _, err := p.client.InsertTx(ctx, tx, args(env), nil); err != nil {
		return fmt.Errorf("outbox: publish %s: %w", env.Key(), err)
	}
	return nil
}
