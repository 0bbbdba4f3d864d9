package tickets

import (
	"context"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/tickets/ticketsdb"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// PriorityRank orders priorities: ROUTINE 0, URGENT 1, EMERGENCY 2 (-1 for none).
func PriorityRank(p string) int { return slices.Index(Priorities, p) }

// Reclassification sets a ticket's category and priority on the strength of an AI
// suggestion, inside the caller's transaction. Action names the timeline entry
// (ai_auto_applied, ai_accepted, ai_overridden) and Note goes with it.
type Reclassification struct {
	Category, Priority string
	Action             string
	Note               map[string]any
}

// Reclassify applies r to an open ticket (a closed or cancelled one answers 409), records
// it on the timeline even when nothing changes (a person's decision is worth keeping),
// and recomputes the SLA due time when the priority changes. actor may be the system
// (a zero UserID) for the auto-apply rule.
func (s *Service) Reclassify(ctx context.Context, tx pgx.Tx, actor access.Actor, id uuid.UUID, r Reclassification) (Ticket, error) {
	row, err := s.q.GetTicketForUpdate(ctx, tx, ticketsdb.GetTicketForUpdateParams{OrgID: actor.OrgID, ID: id})
	if err != nil {
		return Ticket{}, notFound(err)
	}
	before := fromRow(ticketRow(row), s.now())
	if !before.Status.Open() {
		return Ticket{}, apperr.New(apperr.Conflict, "%s ticket cannot be reclassified", apperr.A(string(before.Status)))
	}
	after := before
	if r.Category != row.Category || r.Priority != row.Priority {
		upd := ticketsdb.UpdateTicketParams{OrgID: actor.OrgID, ID: id, Category: r.Category, Priority: r.Priority,
			Title: row.Title, Description: row.Description, AssigneeUserID: row.AssigneeUserID,
			UnitID: row.UnitID, PropertyID: row.PropertyID, SlaDueAt: row.SlaDueAt}
		var settings *orgsettings.Settings
		if r.Priority != row.Priority {
			st, err := orgsettings.Load(ctx, tx, actor.OrgID)
			if err != nil {
				return Ticket{}, err
			}
			settings = &st
			upd.SlaDueAt = settings.DueAt(r.Priority, row.CreatedAt, s.calendar)
		}
		updated, err := s.q.UpdateTicket(ctx, tx, upd)
		if err != nil {
			return Ticket{}, err
		}
		after = fromRow(ticketRow(updated), s.now())
		if settings != nil { // a priority raised to EMERGENCY starts Awaab's clock
			if err := s.clocks.Reported(ctx, tx, actor, id, s.clockContext(*settings), after.Priority, nil, s.now().UTC()); err != nil {
				return Ticket{}, err
			}
		}
	}
	type snapshot struct {
		Category string         `json:"category"`
		Priority string         `json:"priority"`
		SLADueAt any            `json:"slaDueAt"`
		AI       map[string]any `json:"ai,omitempty"`
	}
	err = timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: id, TicketID: &id, Action: r.Action,
		Before: snapshot{before.Category, before.Priority, before.SLADueAt, nil},
		After:  snapshot{after.Category, after.Priority, after.SLADueAt, r.Note}})
	return after, err
}
