package timeline

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/timeline/timelinedb"
)

// List returns the events of one entity, oldest first, after the given sequence number.
// Entity-level visibility (may this actor see this ticket?) is the caller's to check.
func List(ctx context.Context, tx database.Querier, actor access.Actor, entityType string, entityID uuid.UUID, cursorSeq int64, limit int, newestFirst bool) ([]Event, error) {
	var rows []timelinedb.TimelineEvent
	var err error
	if newestFirst {
		rows, err = timelinedb.New().ListEventsNewestFirst(ctx, tx, timelinedb.ListEventsNewestFirstParams{
			OrgID: actor.OrgID, EntityType: entityType, EntityID: entityID, BeforeSeq: cursorSeq, RowLimit: int32(limit),
		})
	} else {
		rows, err = timelinedb.New().ListEvents(ctx, tx, timelinedb.ListEventsParams{
			OrgID: actor.OrgID, EntityType: entityType, EntityID: entityID, AfterSeq: cursorSeq, RowLimit: int32(limit),
		})
	}
	if err != nil && err != pgx.ErrNoRows {
		return nil, fmt.Errorf("timeline: list: %w", err)
	}
	events := make([]Event, len(rows))
	for i, r := range rows {
		events[i] = Event{
			ID: r.ID, EntityType: r.EntityType, EntityID: r.EntityID, Action: r.Action,
			ActorID: r.ActorID, ActorRole: deref(r.ActorRole), Before: compact(r.Before), After: compact(r.After),
			OccurredAt: r.OccurredAt, Seq: r.Seq,
		}
	}
	return events, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Service answers timeline queries with the visibility rules of each entity type.
type Service struct {
	db *database.DB
	// TicketVisible says whether an actor may see a ticket (the tickets package decides;
	// it is passed in because tickets imports this package).
	TicketVisible func(ctx context.Context, tx database.Querier, actor access.Actor, ticketID uuid.UUID) (bool, error)
}

// NewService returns the timeline service.
func NewService(db *database.DB, ticketVisible func(context.Context, database.Querier, access.Actor, uuid.UUID) (bool, error)) *Service {
	return &Service{db: db, TicketVisible: ticketVisible}
}

// List returns one page of an entity's trail, newest first like every list (or oldest
// first, to read it as a story):
//   - organisation, member, invitation and webhook endpoint trails (emails, roles,
//     integration URLs): ADMIN only;
//   - property, unit, work order, quote and invoice trails: staff;
//   - a contractor's trail: staff, and that company's CONTRACTOR members (without staff
//     notes);
//   - a ticket's trail (with its work orders, quotes, invoices and files): whoever may
//     see the ticket, residents only the entries meant for them.
//
// Another role answers 403; an entity the actor may not see, or that is not the
// organisation's (another organisation's, or none at all), 404.
func (s *Service) List(ctx context.Context, actor access.Actor, entityType string, entityID uuid.UUID, req page.Request, oldestFirst bool) (page.Result[Event], error) {
	var res page.Result[Event]
	switch entityType {
	case EntityOrganisation, EntityMember, EntityInvitation, EntityWebhookEndpoint:
		if err := actor.Require(access.Admin); err != nil {
			return res, err
		}
	case EntityContractor:
		if err := actor.Require(access.Admin, access.Coordinator, access.Contractor); err != nil {
			return res, err
		}
		if actor.Role == access.Contractor && entityID != actor.ContractorID {
			return res, apperr.NotFoundf(entityType)
		}
	case EntityTicket:
	default:
		if err := actor.RequireStaff(); err != nil {
			return res, err
		}
	}
	limit, err := page.Limit(req)
	if err != nil {
		return res, err
	}
	start := int64(math.MaxInt64) // newest first: before the newest
	if oldestFirst {
		start = 0
	}
	cursorSeq, err := page.After(req, start)
	if err != nil {
		return res, err
	}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		var events []Event
		if entityType == EntityTicket {
			ok, err := s.TicketVisible(ctx, tx, actor, entityID)
			if err != nil {
				return err
			}
			if !ok {
				return apperr.NotFoundf("ticket")
			}
			if events, err = ListForTicket(ctx, tx, actor, entityID, cursorSeq, limit+1, !oldestFirst); err != nil {
				return err
			}
			events = ForViewer(events, actor)
		} else {
			known, err := timelinedb.New().EntityKnown(ctx, tx, timelinedb.EntityKnownParams{OrgID: actor.OrgID, EntityType: entityType, EntityID: entityID})
			if err != nil {
				return err
			}
			if !known {
				return apperr.NotFoundf(entityType)
			}
			if events, err = List(ctx, tx, actor, entityType, entityID, cursorSeq, limit+1, !oldestFirst); err != nil {
				return err
			}
			if entityType == EntityContractor && actor.Role == access.Contractor {
				events = withoutNotes(events)
			}
		}
		res = page.Build(events, limit, func(e Event) int64 { return e.Seq })
		return nil
	})
	return res, err
}

// residentActions are the ticket events a resident sees: what happened to their report,
// not the team's internal discussion, assignments or money.
var residentActions = map[string]bool{"created": true, "status_changed": true, "comment_added": true, "attachment_added": true}

// ForResident keeps the ticket events a resident may see, without their before/after
// detail (which holds internal fields), and drops internal comments.
func ForResident(events []Event) []Event {
	out := make([]Event, 0, len(events))
	for _, e := range events {
		if e.EntityType != EntityTicket || !residentActions[e.Action] ||
			(e.Action == "comment_added" && field(e.After, "visibility") != "RESIDENT") {
			continue
		}
		e.Before, e.After = nil, nil
		out = append(out, e)
	}
	return out
}

// ForContractor keeps the ticket events a contractor may see: the ticket's own, and those
// of work orders, quotes and invoices of their company (a ticket may have several
// contractors, who must not see each other's jobs and prices). Of the comments and files
// added, only their own company's and those staff shared with them.
func ForContractor(events []Event, contractorID uuid.UUID) []Event {
	out := make([]Event, 0, len(events))
	for _, e := range events {
		if e.EntityType == EntityTicket && (e.Action == "comment_added" || e.Action == "attachment_added") {
			if field(e.After, "contractorId") != contractorID.String() && field(e.After, "sharedWithContractorId") != contractorID.String() {
				continue
			}
		}
		if e.EntityType != EntityTicket {
			c := field(e.After, "contractorId")
			if c == "" {
				c = field(e.Before, "contractorId")
			}
			if c != contractorID.String() {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// withoutNotes removes staff notes from a contractor's own trail: the company never sees
// what staff wrote about it.
func withoutNotes(events []Event) []Event {
	strip := func(raw json.RawMessage) json.RawMessage {
		var m map[string]any
		if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
			return raw
		}
		if _, ok := m["notes"]; !ok {
			return raw
		}
		delete(m, "notes")
		b, err := json.Marshal(m)
		if err != nil {
			return nil
		}
		return b
	}
	for i := range events {
		events[i].Before, events[i].After = strip(events[i].Before), strip(events[i].After)
	}
	return events
}

// field reads a top-level string field of an event's JSON detail.
func field(raw json.RawMessage, name string) string {
	var m map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return ""
	}
	v, _ := m[name].(string)
	return v
}

// ForViewer narrows a ticket's trail to what actor may see.
func ForViewer(events []Event, actor access.Actor) []Event {
	switch actor.Role {
	case access.Tenant:
		return ForResident(events)
	case access.Contractor:
		return ForContractor(events, actor.ContractorID)
	}
	return events
}

// Recent is the organisation's latest events, whatever they are about (staff).
func (s *Service) Recent(ctx context.Context, actor access.Actor, limit int) ([]Event, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var out []Event
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		rows, err := timelinedb.New().ListRecentEvents(ctx, tx, timelinedb.ListRecentEventsParams{OrgID: actor.OrgID, Lim: int32(limit)})
		for _, r := range rows {
			out = append(out, eventFromRow(r))
		}
		return err
	})
	return out, err
}
