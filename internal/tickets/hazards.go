package tickets

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/hhsrs"
	"github.com/maintainuk/maintainuk/internal/tickets/ticketsdb"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// hazards reads a ticket's HHSRS hazard tags, in Schedule 1's order.
func (s *Service) hazards(ctx context.Context, q database.Querier, orgID, ticketID uuid.UUID) ([]string, error) {
	tagged, err := s.q.ListTicketHazards(ctx, q, ticketsdb.ListTicketHazardsParams{OrgID: orgID, TicketID: ticketID})
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, code := range hhsrs.Codes() {
		if slices.Contains(tagged, code) {
			out = append(out, code)
		}
	}
	return out, nil
}

// SetHazards replaces a ticket's HHSRS hazard tags (staff), on its timeline. An empty list
// clears them. Unknown codes answer 422, naming each.
func (s *Service) SetHazards(ctx context.Context, actor access.Actor, ticketID uuid.UUID, codes []string) ([]string, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var f apperr.Fields
	want := map[string]bool{}
	for i, c := range codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !hhsrs.Valid(c) {
			f.Add(fmt.Sprintf("hazards[%d]", i), "must be one of the 29 HHSRS hazards: "+strings.Join(hhsrs.Codes(), ", "))
			continue
		}
		want[c] = true
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out []string
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if _, err := s.Lock(ctx, tx, actor, ticketID); err != nil {
			return err
		}
		before, err := s.hazards(ctx, tx, actor.OrgID, ticketID)
		if err != nil {
			return err
		}
		if err := s.q.DeleteTicketHazards(ctx, tx, ticketsdb.DeleteTicketHazardsParams{OrgID: actor.OrgID, TicketID: ticketID}); err != nil {
			return err
		}
		for _, code := range hhsrs.Codes() {
			if want[code] {
				if err := s.q.InsertTicketHazard(ctx, tx, ticketsdb.InsertTicketHazardParams{OrgID: actor.OrgID, TicketID: ticketID, Hazard: code, TaggedBy: &actor.UserID}); err != nil {
					return err
				}
			}
		}
		if out, err = s.hazards(ctx, tx, actor.OrgID, ticketID); err != nil {
			return err
		}
		if slices.Equal(before, out) {
			return nil
		}
		if err := s.clocksReported(ctx, tx, actor, ticketID, "", out); err != nil {
			return err
		}
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: ticketID, TicketID: &ticketID,
			Action: "hazards_tagged", Before: map[string]any{"hazards": before}, After: map[string]any{"hazards": out}})
	})
	return out, err
}

// AddHazards tags a ticket with hazards in tx (the AI's proposals when a person accepts
// them), keeping those it has; it answers the hazards added.
func (s *Service) AddHazards(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, codes []string) ([]string, error) {
	before, err := s.hazards(ctx, tx, actor.OrgID, ticketID)
	if err != nil {
		return nil, err
	}
	var added []string
	for _, code := range codes {
		if !hhsrs.Valid(code) || slices.Contains(before, code) || slices.Contains(added, code) {
			continue
		}
		var by *uuid.UUID
		if actor.UserID != uuid.Nil {
			by = &actor.UserID
		}
		if err := s.q.InsertTicketHazard(ctx, tx, ticketsdb.InsertTicketHazardParams{OrgID: actor.OrgID, TicketID: ticketID, Hazard: code, TaggedBy: by}); err != nil {
			return nil, err
		}
		added = append(added, code)
	}
	if len(added) == 0 {
		return nil, nil
	}
	after, err := s.hazards(ctx, tx, actor.OrgID, ticketID)
	if err != nil {
		return nil, err
	}
	if err := s.clocksReported(ctx, tx, actor, ticketID, "", after); err != nil {
		return nil, err
	}
	return added, timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: ticketID, TicketID: &ticketID,
		Action: "hazards_tagged", Before: map[string]any{"hazards": before}, After: map[string]any{"hazards": after, "source": "ai"}})
}
