package reminders

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/reminders/remindersdb"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// QuoteChaseAfter is how many UK working days a contractor has to quote before the chaser.
const QuoteChaseAfter = 3

// quoteChaserKey is the notices_sent key of the one chaser a work order gets.
const quoteChaserKey = "3wd"

// ChaseQuotes sends, in every organisation, one quote.chaser to the contractor of each
// work order still ASSIGNED or ACCEPTED with no quote at all, QuoteChaseAfter working days
// (the organisation's bank-holiday region, London time) after it was assigned. Contractors
// the organisation has deactivated are not chased. It returns how many chasers it sent.
func (r *Reminders) ChaseQuotes(ctx context.Context) (int, error) {
	return r.everyOrg(ctx, "quote_chaser", r.chaseQuotes)
}

// ChaseQuotesOrg is ChaseQuotes for one organisation.
func (r *Reminders) ChaseQuotesOrg(ctx context.Context, orgID uuid.UUID) (int, error) {
	return r.orgOnly(ctx, orgID, r.chaseQuotes)
}

func (r *Reminders) chaseQuotes(ctx context.Context, tx pgx.Tx, pub Publisher, orgID uuid.UUID, now time.Time) (int, error) {
	// N working days always span more than N-1 whole days (even across a clock change), so
	// this bound only narrows the list; the calendar decides below.
	rows, err := r.q.ListQuoteChaserCandidates(ctx, tx, remindersdb.ListQuoteChaserCandidatesParams{
		OrgID: orgID, AssignedBefore: now.Add(-(QuoteChaseAfter - 1) * 24 * time.Hour), MaxRows: BatchSize,
	})
	if err != nil {
		return 0, fmt.Errorf("list quote chasers: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	settings, err := orgsettings.Load(ctx, tx, orgID)
	if err != nil {
		return 0, err
	}
	cal := r.calendar(settings.HolidayRegion)
	sent := 0
	for _, w := range rows {
		// Oldest first and AddWorkingDays is monotone: the first one not yet due ends the run.
		if now.Before(cal.AddWorkingDays(w.CreatedAt, QuoteChaseAfter)) {
			break
		}
		ev := &events.QuoteChaser{
			WorkOrderID: w.ID, TicketNumber: tickets.FormatNumber(w.TicketNumber), Description: w.Description,
			AssignedAt: w.CreatedAt.UTC(), Contractor: events.Recipient{Name: w.CompanyName, Email: w.Email},
		}
		ok, err := r.notify(ctx, tx, pub, orgID, w.ID, quoteChaserKey, now, ev)
		if err != nil {
			return 0, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}
