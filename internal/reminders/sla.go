package reminders

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/reminders/remindersdb"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// ScanSLA sends, in every organisation, one sla.warning per open ticket and due time once
// 75% of the window from report to due has passed, and one sla.breached once the due time
// has passed. A ticket first seen already past due gets the breach only. It returns how
// many notices it sent.
func (r *Reminders) ScanSLA(ctx context.Context) (int, error) {
	return r.everyOrg(ctx, "sla", r.scanSLA)
}

// ScanSLAOrg is ScanSLA for one organisation.
func (r *Reminders) ScanSLAOrg(ctx context.Context, orgID uuid.UUID) (int, error) {
	return r.orgOnly(ctx, orgID, r.scanSLA)
}

func (r *Reminders) scanSLA(ctx context.Context, tx pgx.Tx, pub Publisher, orgID uuid.UUID, now time.Time) (int, error) {
	rows, err := r.q.ListSLADue(ctx, tx, remindersdb.ListSLADueParams{OrgID: orgID, Now: now, MaxRows: BatchSize})
	if err != nil {
		return 0, fmt.Errorf("list SLA due: %w", err)
	}
	staff := lazyStaff{r: r, tx: tx, orgID: orgID}
	sent := 0
	for _, t := range rows {
		// The assignee if there is one (and still a member), else the organisation's staff.
		to := []events.Recipient{{Name: t.AssigneeName, Email: t.AssigneeEmail}}
		if t.AssigneeEmail == "" {
			if to, err = staff.get(ctx); err != nil {
				return 0, err
			}
		}
		number, due := tickets.FormatNumber(t.Number), t.SlaDueAt.UTC()
		var ev events.Event = events.SLAWarning{TicketID: t.ID, Number: number, Title: t.Title, Priority: t.Priority, SLADueAt: due, To: to}
		if t.Breached {
			ev = events.SLABreached{TicketID: t.ID, Number: number, Title: t.Title, Priority: t.Priority, SLADueAt: due, To: to}
		}
		ok, err := r.notify(ctx, tx, pub, orgID, t.ID, t.DueKey, now, ev)
		if err != nil {
			return 0, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}
