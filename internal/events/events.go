// Package events defines every domain event MaintainUK publishes: one typed, versioned
// struct per event, listed in docs/events.md with who receives what. Events are facts in
// the past tense; channels (email, SMS, webhooks, AI) decide what to do with them.
//
// A payload carries what its receivers need, captured in the publishing transaction, so a
// worker never reads data that changed after the fact (an email says what was true when
// the quote was submitted). Changing a payload's meaning means a new Version.
package events

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Event is one domain event.
type Event interface {
	// Name is the event's stable name, e.g. "ticket.created".
	Name() string
	// Version is the payload's version; receivers decode by (Name, Version).
	Version() int
}

// Recipient is someone a message goes to.
type Recipient struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Envelope is an event as it travels through the queue: its name and version, the
// organisation, when it happened, and the JSON payload.
type Envelope struct {
	ID         uuid.UUID       `json:"id"`
	Name       string          `json:"name"`
	Version    int             `json:"version"`
	OrgID      uuid.UUID       `json:"orgId"`
	OccurredAt time.Time       `json:"occurredAt"`
	Payload    json.RawMessage `json:"payload"`
}

// Ref is how an event travels in a job's arguments: its ids and name, nothing else. The
// payload, which may hold names, email addresses and ticket text, is kept in the
// organisation's outbox_events row under row-level security (internal/outbox), so the
// job table, which workers and the job dashboard read across organisations, holds no
// personal data.
type Ref struct {
	ID      uuid.UUID `json:"id"`
	Name    string    `json:"name"`
	Version int       `json:"version"`
	OrgID   uuid.UUID `json:"orgId"`
}

// Ref is the envelope's reference.
func (e Envelope) Ref() Ref { return Ref{ID: e.ID, Name: e.Name, Version: e.Version, OrgID: e.OrgID} }

// Key is "name.vN", the registry key of an envelope's payload type.
func (e Envelope) Key() string { return fmt.Sprintf("%s.v%d", e.Name, e.Version) }

// Wrap puts an event in an envelope.
func Wrap(orgID uuid.UUID, at time.Time, ev Event) (Envelope, error) {
	payload, err := json.Marshal(ev)
	if err != nil {
		return Envelope{}, fmt.Errorf("events: marshal %s: %w", ev.Name(), err)
	}
	// Microseconds: what PostgreSQL keeps, so a stored envelope reads back as it was made.
	return Envelope{ID: uuid.New(), Name: ev.Name(), Version: ev.Version(), OrgID: orgID, OccurredAt: at.UTC().Truncate(time.Microsecond), Payload: payload}, nil
}

// Decode returns the typed event of an envelope.
func Decode(e Envelope) (Event, error) {
	newEvent, ok := registry[e.Key()]
	if !ok {
		return nil, fmt.Errorf("events: unknown event %s", e.Key())
	}
	ev := newEvent()
	if err := json.Unmarshal(e.Payload, ev); err != nil {
		return nil, fmt.Errorf("events: decode %s: %w", e.Key(), err)
	}
	return ev, nil
}

// registry maps "name.vN" to a constructor of its payload type.
var registry = map[string]func() Event{}

func register[T any, P interface {
	*T
	Event
}]() {
	var zero T
	ev := P(&zero)
	registry[fmt.Sprintf("%s.v%d", ev.Name(), ev.Version())] = func() Event { return P(new(T)) }
}

// Names lists every registered event key, for documentation and tests.
func Names() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	return out
}

// Publisher publishes events in the caller's transaction (internal/outbox implements it;
// domain services take this interface so they do not depend on the queue).
type Publisher interface {
	// PublishEmail queues the emails ev calls for.
	PublishEmail(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev Event) error
	// PublishWebhooks queues ev for the organisation's webhook endpoints.
	PublishWebhooks(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev Event) error
	// PublishTexts queues the SMS and WhatsApp messages ev calls for.
	PublishTexts(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev Event) error
	// PublishClassification queues the AI classification of a new ticket.
	PublishClassification(ctx context.Context, tx pgx.Tx, orgID, ticketID uuid.UUID) error
	// PublishCustomer queues the creation of a new organisation's billing customer.
	PublishCustomer(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) error
}

// Discard publishes nothing: for tests of services whose messages they do not look at.
type Discard struct{}

// PublishEmail does nothing.
func (Discard) PublishEmail(context.Context, pgx.Tx, uuid.UUID, Event) error { return nil }

// PublishWebhooks does nothing.
func (Discard) PublishWebhooks(context.Context, pgx.Tx, uuid.UUID, Event) error { return nil }

// PublishTexts does nothing.
func (Discard) PublishTexts(context.Context, pgx.Tx, uuid.UUID, Event) error { return nil }

// PublishClassification does nothing.
func (Discard) PublishClassification(context.Context, pgx.Tx, uuid.UUID, uuid.UUID) error { return nil }

// PublishCustomer does nothing.
func (Discard) PublishCustomer(context.Context, pgx.Tx, uuid.UUID) error { return nil }

// EmailAndWebhooks publishes ev to email (when it emails anyone), to texts (when it is
// Texted) and to the organisation's webhooks.
func EmailAndWebhooks(ctx context.Context, p Publisher, tx pgx.Tx, orgID uuid.UUID, ev Event, emails bool) error {
	if emails {
		if err := p.PublishEmail(ctx, tx, orgID, ev); err != nil {
			return err
		}
	}
	if Texted(ev) {
		if err := p.PublishTexts(ctx, tx, orgID, ev); err != nil {
			return err
		}
	}
	return p.PublishWebhooks(ctx, tx, orgID, ev)
}

// Texted reports whether ev (a pointer, as every publisher passes it) reaches residents or
// contractors by SMS or WhatsApp (where
// they consented; internal/messaging writes the texts): the events that email a resident
// or a contractor, a ticket resolved and a visit booked. Staff-only notices, invitations
// and password resets are email only.
func Texted(ev Event) bool {
	switch e := ev.(type) {
	case *WorkOrderAssigned, *QuoteApproved, *InvoiceApproved, *InvoicePaid, *QuoteChaser, *InsuranceExpiring:
		return true
	case *TicketStatusChanged:
		return e.To == "RESOLVED"
	case *WorkOrderStatusChanged:
		return e.To == "SCHEDULED"
	}
	return false
}
