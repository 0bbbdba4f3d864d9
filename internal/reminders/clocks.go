package reminders

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/reminders/remindersdb"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// ScanClocks sends, in every organisation, one clock.warning per running legal clock and
// due time once 75% of its time has passed, and one clock.breached once its due time has
// passed; a breach is also written on the ticket's timeline, where the evidence export
// finds it. Paused clocks wait: their due time moves on when they resume, which makes
// them a new subject for notices. It returns how many notices it sent.
func (r *Reminders) ScanClocks(ctx context.Context) (int, error) {
	return r.everyOrg(ctx, "clocks", r.scanClocks)
}

// ScanClocksOrg is ScanClocks for one organisation.
func (r *Reminders) ScanClocksOrg(ctx context.Context, orgID uuid.UUID) (int, error) {
	return r.orgOnly(ctx, orgID, r.scanClocks)
}

func (r *Reminders) scanClocks(ctx context.Context, tx pgx.Tx, pub Publisher, orgID uuid.UUID, now time.Time) (int, error) {
	rows, err := r.q.ListClocksDue(ctx, tx, remindersdb.ListClocksDueParams{OrgID: orgID, Now: now, MaxRows: BatchSize})
	if err != nil {
		return 0, fmt.Errorf("list clocks due: %w", err)
	}
	staff := lazyStaff{r: r, tx: tx, orgID: orgID}
	sent := 0
	for _, c := range rows {
		to := []events.Recipient{{Name: c.AssigneeName, Email: c.AssigneeEmail}}
		if c.AssigneeEmail == "" {
			if to, err = staff.get(ctx); err != nil {
				return 0, err
			}
		}
		rule, known := clocks.ByCode(c.RuleCode)
		if !known { // a rule retired from the code: its code stands in for its name
			rule = clocks.Rule{Code: c.RuleCode, Name: c.RuleCode}
		}
		number, due := tickets.FormatNumber(c.Number), c.DueAt.UTC()
		var ev events.Event = events.ClockWarning{TicketID: c.TicketID, Number: number, Title: c.Title,
			Rule: rule.Code, RuleName: rule.Name, Source: rule.Source, DueAt: due, To: to}
		if c.Breached {
			ev = events.ClockBreached{TicketID: c.TicketID, Number: number, Title: c.Title,
				Rule: rule.Code, RuleName: rule.Name, Source: rule.Source, DueAt: due, To: to}
		}
		fresh, err := r.notify(ctx, tx, pub, orgID, c.TicketID, c.NoticeKey, now, ev)
		if err != nil {
			return 0, err
		}
		if !fresh { // sent before
			continue
		}
		sent++
		if c.Breached {
			ticketID := c.TicketID
			err := timeline.Record(ctx, tx, access.Actor{OrgID: orgID}, timeline.Change{EntityType: timeline.EntityTicket,
				EntityID: ticketID, TicketID: &ticketID, Action: "clock_breached",
				After: map[string]any{"rule": rule.Code, "name": rule.Name, "dueAt": due}})
			if err != nil {
				return 0, err
			}
		}
	}
	return sent, nil
}
