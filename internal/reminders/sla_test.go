package reminders_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/events"
)

func TestSLAWarningOnceThenBreachOnce(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme Lettings")
	admin := f.member(org, "ADMIN", "Alice")
	coord := f.member(org, "COORDINATOR", "Colin")
	f.member(org, "TENANT", "Tina")
	f.member(org, "CONTRACTOR", "Carl")
	created, due := at("2026-03-02T10:00:00Z"), at("2026-03-03T10:00:00Z")
	id, number := f.ticket(org, ticketOpts{created: created, due: due, title: "No heating"})

	// 75% of a 24-hour window is 18 hours.
	f.now = created.Add(18*time.Hour - time.Second)
	f.run(f.r.ScanSLA, 0)
	f.now = created.Add(18 * time.Hour)
	f.run(f.r.ScanSLA, 1)
	evs := f.checkPublished(0, org, f.now)
	want := events.SLAWarning{TicketID: id, Number: ticketNumber(number), Title: "No heating", Priority: "EMERGENCY", SLADueAt: due, To: recipients(admin, coord)}
	if len(evs) != 1 || !reflect.DeepEqual(evs[0], &want) {
		t.Fatalf("events %+v, want %+v", evs, want)
	}
	f.run(f.r.ScanSLA, 0)
	f.now = due.Add(-time.Second)
	f.run(f.r.ScanSLA, 0)

	f.now = due
	f.run(f.r.ScanSLA, 1)
	evs = f.checkPublished(2, org, f.now)
	wantBreach := events.SLABreached(want)
	if len(evs) != 1 || !reflect.DeepEqual(evs[0], &wantBreach) {
		t.Fatalf("events %+v, want %+v", evs, wantBreach)
	}
	f.now = due.Add(time.Hour)
	f.run(f.r.ScanSLA, 0)
	f.now = due.Add(30 * 24 * time.Hour)
	f.run(f.r.ScanSLA, 0)

	if got := len(f.jobs()); got != 4 {
		t.Fatalf("jobs: %d, want 4", got)
	}
	ns := f.notices(org)
	if len(ns) != 2 || ns[0].Kind != "sla.warning" || ns[1].Kind != "sla.breached" ||
		ns[0].Key != "2026-03-03T10:00:00Z" || ns[1].Key != ns[0].Key || ns[0].Subject != id || ns[1].Subject != id {
		t.Fatalf("notices %+v", ns)
	}
	f.checkSameTransactions(org)
}

func TestSLAFirstSeenPastDueGetsBreachOnly(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme Lettings")
	f.member(org, "ADMIN", "Alice")
	created := at("2026-03-02T10:00:00Z")
	f.ticket(org, ticketOpts{created: created, due: created.Add(24 * time.Hour)})
	f.now = created.Add(48 * time.Hour)
	f.run(f.r.ScanSLA, 1)
	f.run(f.r.ScanSLA, 0)
	if evs := f.checkPublished(0, org, f.now); len(evs) != 1 || evs[0].Name() != "sla.breached" {
		t.Fatalf("events %+v, want one breach", evs)
	}
}

func TestSLAOnlyOpenTickets(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme Lettings")
	f.member(org, "ADMIN", "Alice")
	created := at("2026-03-02T10:00:00Z")
	due := created.Add(24 * time.Hour)
	for _, status := range []string{"RESOLVED", "CLOSED", "CANCELLED"} {
		f.ticket(org, ticketOpts{created: created, due: due, status: status})
	}
	open := map[uuid.UUID]bool{}
	for _, status := range []string{"NEW", "TRIAGED", "IN_PROGRESS"} {
		id, _ := f.ticket(org, ticketOpts{created: created, due: due, status: status})
		open[id] = true
	}
	f.now = created.Add(20 * time.Hour)
	f.run(f.r.ScanSLA, 3)
	for _, ev := range f.checkPublished(0, org, f.now) {
		if w := ev.(*events.SLAWarning); !open[w.TicketID] {
			t.Fatalf("warned about ticket %s, which is not open", w.TicketID)
		}
	}

	// Resolving a warned ticket before its due time means no breach.
	var resolved uuid.UUID
	for id := range open {
		resolved = id
		break
	}
	f.exec(org, uuid.Nil, `UPDATE tickets SET status = 'RESOLVED' WHERE id = $1`, resolved)
	f.now = due
	f.run(f.r.ScanSLA, 2)
	for _, ev := range f.checkPublished(6, org, f.now) {
		if b := ev.(*events.SLABreached); b.TicketID == resolved || !open[b.TicketID] {
			t.Fatalf("breach for ticket %s", b.TicketID)
		}
	}
}

func TestSLANewDueTimeWarnsAgain(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme Lettings")
	admin := f.member(org, "ADMIN", "Alice")
	created := at("2026-03-02T10:00:00Z")
	due1 := created.Add(10 * 24 * time.Hour)
	id, _ := f.ticket(org, ticketOpts{created: created, due: due1, priority: "ROUTINE"})

	f.now = created.Add(8 * 24 * time.Hour) // 80% of the window
	f.run(f.r.ScanSLA, 1)
	f.run(f.r.ScanSLA, 0)

	// The priority goes up and the due time is recomputed: 8 days is past 75% of 9.
	due2 := created.Add(9 * 24 * time.Hour)
	f.exec(org, uuid.Nil, `UPDATE tickets SET priority = 'URGENT', sla_due_at = $2 WHERE id = $1`, id, due2)
	f.run(f.r.ScanSLA, 1)
	f.run(f.r.ScanSLA, 0)
	evs := f.checkPublished(0, org, f.now)
	if len(evs) != 2 {
		t.Fatalf("events %+v", evs)
	}
	first, second := evs[0].(*events.SLAWarning), evs[1].(*events.SLAWarning)
	if !first.SLADueAt.Equal(due1) || first.Priority != "ROUTINE" || !second.SLADueAt.Equal(due2) || second.Priority != "URGENT" ||
		!reflect.DeepEqual(second.To, recipients(admin)) {
		t.Fatalf("warnings %+v then %+v", first, second)
	}

	// Only the current due time breaches.
	f.now = due2
	f.run(f.r.ScanSLA, 1)
	f.now = due1.Add(time.Hour)
	f.run(f.r.ScanSLA, 0)
	evs = f.checkPublished(4, org, due2)
	if len(evs) != 1 || !evs[0].(*events.SLABreached).SLADueAt.Equal(due2) {
		t.Fatalf("breaches %+v", evs)
	}
	keys := []string{}
	for _, n := range f.notices(org) {
		keys = append(keys, n.Kind+"@"+n.Key)
	}
	// Both warnings went out at the same (fake) time, so they list by key.
	want := []string{"sla.warning@2026-03-11T10:00:00Z", "sla.warning@2026-03-12T10:00:00Z", "sla.breached@2026-03-11T10:00:00Z"}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("notices %v, want %v", keys, want)
	}
}

func TestSLARecipients(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme Lettings")
	admin := f.member(org, "ADMIN", "Alice")
	admin2 := f.member(org, "ADMIN", "Abdul")
	coord := f.member(org, "COORDINATOR", "Colin")
	f.member(org, "TENANT", "Tina")
	f.member(org, "CONTRACTOR", "Carl")
	created := at("2026-03-02T10:00:00Z")
	due := created.Add(24 * time.Hour)
	assigned, _ := f.ticket(org, ticketOpts{created: created, due: due, assignee: &coord.ID})
	unassigned, _ := f.ticket(org, ticketOpts{created: created, due: due.Add(time.Minute)})

	// An assignee who has left the organisation (member elsewhere only) is not told; staff are.
	other := f.org("Other Lettings")
	leaver := f.member(other, "COORDINATOR", "Lee")
	left, _ := f.ticket(org, ticketOpts{created: created, due: due.Add(2 * time.Minute), assignee: &leaver.ID})

	f.now = due.Add(time.Hour)
	f.run(f.r.ScanSLA, 3)
	want := map[uuid.UUID][]events.Recipient{
		assigned:   recipients(coord),
		unassigned: recipients(admin, admin2, coord),
		left:       recipients(admin, admin2, coord),
	}
	for _, ev := range f.checkPublished(0, org, f.now) {
		b := ev.(*events.SLABreached)
		if !reflect.DeepEqual(b.To, want[b.TicketID]) {
			t.Errorf("ticket %s to %+v, want %+v", b.TicketID, b.To, want[b.TicketID])
		}
	}
}

func TestSLAIsolatesOrganisations(t *testing.T) {
	f := newFixture(t)
	orgA, orgB := f.org("A Lettings"), f.org("B Homes")
	adminA := f.member(orgA, "ADMIN", "Anna")
	adminB := f.member(orgB, "ADMIN", "Bob")
	coordB := f.member(orgB, "COORDINATOR", "Bea")
	created := at("2026-03-02T10:00:00Z")
	due := created.Add(24 * time.Hour)
	ticketA, _ := f.ticket(orgA, ticketOpts{created: created, due: due})
	// B's ticket names A's admin as assignee (who is not B's member): B's scope cannot see them.
	ticketB, _ := f.ticket(orgB, ticketOpts{created: created, due: due, assignee: &adminA.ID})

	f.now = due
	f.run(func(ctx context.Context) (int, error) { return f.r.ScanSLAOrg(ctx, orgA) }, 1)
	evs := f.checkPublished(0, orgA, f.now)
	if b := evs[0].(*events.SLABreached); b.TicketID != ticketA || !reflect.DeepEqual(b.To, recipients(adminA)) {
		t.Fatalf("org A's scan sent %+v", b)
	}
	if ns := f.notices(orgB); len(ns) != 0 {
		t.Fatalf("org A's scan recorded notices in org B: %+v", ns)
	}

	f.run(f.r.ScanSLA, 1) // A's is done; B's is sent
	evs = f.checkPublished(2, orgB, f.now)
	if b := evs[0].(*events.SLABreached); b.TicketID != ticketB || !reflect.DeepEqual(b.To, recipients(adminB, coordB)) {
		t.Fatalf("org B's notice %+v, want to B's staff only", b)
	}
	for org, ticket := range map[uuid.UUID]uuid.UUID{orgA: ticketA, orgB: ticketB} {
		ns := f.notices(org)
		if len(ns) != 1 || ns[0].Subject != ticket {
			t.Fatalf("org %s sees notices %+v, want only its ticket %s", org, ns, ticket)
		}
	}
	f.checkSameTransactions(orgA, orgB)
}
