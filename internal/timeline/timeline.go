// Package timeline is the append-only audit trail. Every change to the organisation's
// data records an event here in the same transaction as the change itself, so the trail
// has an entry if and only if the change committed.
package timeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/timeline/timelinedb"
)

// Entity types.
const (
	EntityOrganisation = "organisation"
	EntityMember       = "member"
	EntityInvitation   = "invitation"
	EntityProperty     = "property"
	EntityUnit         = "unit"
	EntityContractor   = "contractor"
	EntityTicket       = "ticket"
	EntityWorkOrder    = "work_order"
	EntityQuote        = "quote"
	EntityInvoice      = "invoice"
	// EntityWebhookEndpoint is written by internal/webhooks.
	EntityWebhookEndpoint = "webhook_endpoint"
)

// EntityTypes lists every entity type the trail records, for documentation.
var EntityTypes = []string{EntityOrganisation, EntityMember, EntityInvitation, EntityProperty, EntityUnit,
	EntityContractor, EntityTicket, EntityWorkOrder, EntityQuote, EntityInvoice, EntityWebhookEndpoint}

// Event is one entry of the trail.
type Event struct {
	ID         uuid.UUID       `json:"id"`
	EntityType string          `json:"entityType"`
	EntityID   uuid.UUID       `json:"entityId"`
	Action     string          `json:"action"`
	ActorID    *uuid.UUID      `json:"actorId"`
	ActorRole  string          `json:"actorRole,omitempty"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	OccurredAt time.Time       `json:"occurredAt"`
	Seq        int64           `json:"-"`
}

// Change describes what to record; Before and After are marshalled to JSON (nil for none).
// TicketID names the ticket the change concerns (for tickets and everything under them),
// so the ticket's trail includes its work orders, quotes, invoices and files.
type Change struct {
	EntityType string
	EntityID   uuid.UUID
	Action     string
	Before     any
	After      any
	TicketID   *uuid.UUID
}

// Record appends an event in tx for actor's organisation. A zero actor.UserID records a
// system action (a job, a public form).
func Record(ctx context.Context, tx database.Querier, actor access.Actor, c Change) error {
	before, err := marshalOrNil(c.Before)
	if err != nil {
		return err
	}
	after, err := marshalOrNil(c.After)
	if err != nil {
		return err
	}
	var actorID *uuid.UUID
	var role *string
	if actor.UserID != uuid.Nil {
		actorID = &actor.UserID
		r := string(actor.Role)
		role = &r
	}
	err = timelinedb.New().InsertEvent(ctx, tx, timelinedb.InsertEventParams{
		OrgID: actor.OrgID, EntityType: c.EntityType, EntityID: c.EntityID, Action: c.Action,
		ActorID: actorID, ActorRole: role, Before: before, After: after, TicketID: c.TicketID,
	})
	if err != nil {
		return fmt.Errorf("timeline: record %s %s: %w", c.EntityType, c.Action, err)
	}
	return nil
}

func marshalOrNil(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("timeline: marshal: %w", err)
	}
	return b, nil
}

// ListForTicket returns everything that happened to a ticket and the work orders, quotes,
// invoices and files under it, oldest first. Visibility is the caller's to check.
func ListForTicket(ctx context.Context, tx database.Querier, actor access.Actor, ticketID uuid.UUID, cursorSeq int64, limit int, newestFirst bool) ([]Event, error) {
	var rows []timelinedb.TimelineEvent
	var err error
	if newestFirst {
		rows, err = timelinedb.New().ListTicketEventsNewestFirst(ctx, tx, timelinedb.ListTicketEventsNewestFirstParams{
			OrgID: actor.OrgID, TicketID: &ticketID, BeforeSeq: cursorSeq, RowLimit: int32(limit),
		})
	} else {
		rows, err = timelinedb.New().ListTicketEvents(ctx, tx, timelinedb.ListTicketEventsParams{
			OrgID: actor.OrgID, TicketID: &ticketID, AfterSeq: cursorSeq, RowLimit: int32(limit),
		})
	}
	if err != nil {
		return nil, fmt.Errorf("timeline: list ticket: %w", err)
	}
	events := make([]Event, len(rows))
	for i, r := range rows {
		events[i] = eventFromRow(r)
	}
	return events, nil
}

func eventFromRow(r timelinedb.TimelineEvent) Event {
	return Event{
		ID: r.ID, EntityType: r.EntityType, EntityID: r.EntityID, Action: r.Action,
		ActorID: r.ActorID, ActorRole: deref(r.ActorRole), Before: compact(r.Before), After: compact(r.After),
		OccurredAt: r.OccurredAt, Seq: r.Seq,
	}
}

// compact removes the spaces jsonb's text puts after ':' and ',', so a snapshot is
// answered as encoding/json writes a RawMessage, whichever encoder writes the answer.
func compact(raw []byte) json.RawMessage {
	var b bytes.Buffer
	if raw == nil || json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}
