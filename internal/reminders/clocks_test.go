package reminders_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/events"
)

// clock starts a legal clock on a ticket, as the clocks engine stores one.
func (f *fixture) startClock(orgID, ticketID uuid.UUID, rule string, started, due time.Time) {
	f.t.Helper()
	f.exec(orgID, uuid.Nil, `INSERT INTO ticket_clocks (org_id, ticket_id, rule_code, started_at, due_at) VALUES ($1, $2, $3, $4, $5)`,
		orgID, ticketID, rule, started, due)
}

// breaches counts the ticket's clock_breached timeline entries.
func (f *fixture) breaches(orgID, ticketID uuid.UUID) int {
	f.t.Helper()
	var n int
	err := f.db.InOrg(f.ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		return tx.QueryRow(f.ctx, `SELECT count(*) FROM timeline_events WHERE ticket_id = $1 AND action = 'clock_breached'`, ticketID).Scan(&n)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// Awaab's emergency clock (24 hours): a warning at 18 hours, a breach at 24, each once,
// the breach on the ticket's timeline; the SLA scan's own notices are separate.
func TestClockWarningOnceThenBreachOnce(t *testing.T) {
	f := newFixture(t)
	org := f.org("Riverside Homes")
	admin := f.member(org, "ADMIN", "Alice")
	started := at("2026-03-02T10:00:00Z")
	id, number := f.ticket(org, ticketOpts{created: started, due: started.Add(30 * 24 * time.Hour), title: "Gas smell in the kitchen"})
	due := started.Add(24 * time.Hour)
	f.startClock(org, id, clocks.AwaabEmergency.Code, started, due)

	f.now = started.Add(18*time.Hour - time.Second)
	f.run(f.r.ScanClocks, 0)
	f.now = started.Add(18 * time.Hour)
	f.run(f.r.ScanClocks, 1)
	f.run(f.r.ScanClocks, 0)
	evs := f.checkPublished(0, org, f.now)
	r := clocks.AwaabEmergency
	want := events.ClockWarning{TicketID: id, Number: ticketNumber(number), Title: "Gas smell in the kitchen",
		Rule: r.Code, RuleName: r.Name, Source: r.Source, DueAt: due, To: recipients(admin)}
	if len(evs) != 1 || !reflect.DeepEqual(evs[0], &want) {
		t.Fatalf("events %+v, want %+v", evs, want)
	}
	if f.breaches(org, id) != 0 {
		t.Fatal("a warning is not a breach")
	}

	f.now = due
	f.run(f.r.ScanClocks, 1)
	f.now = due.Add(48 * time.Hour)
	f.run(f.r.ScanClocks, 0)
	evs = f.checkPublished(2, org, due)
	wantBreach := events.ClockBreached(want)
	if len(evs) != 1 || !reflect.DeepEqual(evs[0], &wantBreach) {
		t.Fatalf("events %+v, want %+v", evs, wantBreach)
	}
	if n := f.breaches(org, id); n != 1 {
		t.Fatalf("clock_breached entries: %d, want 1", n)
	}
	ns := f.notices(org)
	if len(ns) != 2 || ns[0].Kind != "clock.warning" || ns[1].Kind != "clock.breached" || ns[0].Key != "AWAAB_EMERGENCY:2026-03-03T10:00:00Z" {
		t.Fatalf("notices %+v", ns)
	}
}

// Paused and stopped clocks send nothing; a resumed clock's later due time is a new
// subject; another organisation's clocks are its own.
func TestClocksPausedStoppedAndIsolated(t *testing.T) {
	f := newFixture(t)
	org, other := f.org("Riverside Homes"), f.org("Other Homes")
	f.member(org, "ADMIN", "Alice")
	f.member(other, "ADMIN", "Olga")
	started := at("2026-03-02T10:00:00Z")
	far := started.Add(90 * 24 * time.Hour)
	paused, _ := f.ticket(org, ticketOpts{created: started, due: far})
	stopped, _ := f.ticket(org, ticketOpts{created: started, due: far})
	theirs, _ := f.ticket(other, ticketOpts{created: started, due: far})
	due := started.Add(24 * time.Hour)
	f.startClock(org, paused, clocks.AwaabEmergency.Code, started, due)
	f.startClock(org, stopped, clocks.AwaabEmergency.Code, started, due)
	f.startClock(other, theirs, clocks.AwaabEmergency.Code, started, due)
	f.exec(org, uuid.Nil, `UPDATE ticket_clocks SET paused_at = $2, pause_reason = 'no access' WHERE ticket_id = $1`, paused, started.Add(time.Hour))
	f.exec(org, uuid.Nil, `UPDATE ticket_clocks SET stopped_at = $2, stopped_by = 'MADE_SAFE' WHERE ticket_id = $1`, stopped, started.Add(2*time.Hour))

	f.now = due.Add(time.Hour)
	if n, err := f.r.ScanClocksOrg(f.ctx, org); err != nil || n != 0 {
		t.Fatalf("paused and stopped clocks sent %d (%v)", n, err)
	}
	// Resumed after two days: due two days later, warned and breached afresh.
	f.exec(org, uuid.Nil, `UPDATE ticket_clocks SET paused_at = NULL, due_at = due_at + interval '2 days' WHERE ticket_id = $1`, paused)
	f.now = due.Add(48 * time.Hour)
	if n, err := f.r.ScanClocksOrg(f.ctx, org); err != nil || n != 1 {
		t.Fatalf("resumed clock sent %d (%v), want the breach of its new due time", n, err)
	}
	if ns := f.notices(org); len(ns) != 1 || ns[0].Key != "AWAAB_EMERGENCY:2026-03-05T10:00:00Z" || ns[0].Subject != paused {
		t.Fatalf("notices %+v", ns)
	}
	if len(f.notices(other)) != 0 || f.breaches(other, theirs) != 0 {
		t.Fatal("scanning one organisation touched another")
	}
	if n, err := f.r.ScanClocksOrg(f.ctx, other); err != nil || n != 1 {
		t.Fatalf("the other organisation's breach: %d (%v)", n, err)
	}
}
