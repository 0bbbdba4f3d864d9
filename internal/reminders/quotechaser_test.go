package reminders_test

import (
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
)

// chaserSetup is an organisation with a ticket and a contractor.
type chaserSetup struct {
	org, ticket, contractor uuid.UUID
	number                  int64
}

func (f *fixture) chaserSetup(name string) chaserSetup {
	org := f.org(name)
	f.member(org, "ADMIN", "Alice")
	ticket, number := f.ticket(org, ticketOpts{created: at("2026-01-05T09:00:00Z"), due: at("2027-01-05T09:00:00Z"), status: "IN_PROGRESS"})
	return chaserSetup{org: org, ticket: ticket, contractor: f.contractor(org, contractorOpts{company: "Fixit Plumbing"}), number: number}
}

func TestQuoteChaserAfterThreeWorkingDaysOverAWeekend(t *testing.T) {
	f := newFixture(t)
	s := f.chaserSetup("Acme Lettings")
	// Friday 6 March 2026, 10:00 GMT: Monday, Tuesday, Wednesday are the three working days.
	assigned := at("2026-03-06T10:00:00Z")
	wo := f.workOrder(s.org, s.ticket, s.contractor, "ASSIGNED", assigned)

	for _, now := range []string{"2026-03-09T10:00:00Z", "2026-03-10T10:00:00Z", "2026-03-11T09:59:59Z"} {
		f.now = at(now)
		f.run(f.r.ChaseQuotes, 0)
	}
	f.now = at("2026-03-11T10:00:00Z")
	f.run(f.r.ChaseQuotes, 1)
	f.run(f.r.ChaseQuotes, 0)
	f.now = at("2026-03-20T10:00:00Z")
	f.run(f.r.ChaseQuotes, 0)

	evs := f.checkPublished(0, s.org, at("2026-03-11T10:00:00Z"))
	want := &events.QuoteChaser{
		WorkOrderID: wo, TicketNumber: ticketNumber(s.number), Description: "Replace the trap under the kitchen sink", AssignedAt: assigned,
		Contractor: events.Recipient{Name: "Fixit Plumbing", Email: f.contractorEmail(s.org, s.contractor)},
	}
	if len(evs) != 1 || !reflect.DeepEqual(evs[0], want) {
		t.Fatalf("events %+v, want %+v", evs, want)
	}
	ns := f.notices(s.org)
	if len(ns) != 1 || ns[0].Kind != "quote.chaser" || ns[0].Subject != wo {
		t.Fatalf("notices %+v", ns)
	}
	f.checkSameTransactions(s.org)
}

func TestQuoteChaserSkipsBankHolidays(t *testing.T) {
	f := newFixture(t)
	s := f.chaserSetup("Acme Lettings")
	// Wednesday 1 April 2026, 10:00 BST. Good Friday (3rd) and Easter Monday (6th) are bank
	// holidays in England: the working days are Thursday 2nd, Tuesday 7th, Wednesday 8th.
	f.workOrder(s.org, s.ticket, s.contractor, "ACCEPTED", at("2026-04-01T09:00:00Z"))
	for _, now := range []string{"2026-04-06T12:00:00Z", "2026-04-07T12:00:00Z", "2026-04-08T08:59:59Z"} {
		f.now = at(now)
		f.run(f.r.ChaseQuotes, 0)
	}
	f.now = at("2026-04-08T09:00:00Z")
	f.run(f.r.ChaseQuotes, 1)
}

func TestQuoteChaserUsesTheOrganisationsRegion(t *testing.T) {
	f := newFixture(t)
	england, scotland := f.chaserSetup("English Lettings"), f.chaserSetup("Scottish Lettings")
	f.exec(scotland.org, uuid.Nil, `UPDATE organisations SET settings = '{"holidayRegion":"SCOTLAND"}' WHERE id = $1`, scotland.org)
	orgsettings.Forget(scotland.org) // written behind the settings service's back
	// Thursday 30 July 2026, 10:00 BST. Monday 3 August is a bank holiday in Scotland only.
	assigned := at("2026-07-30T09:00:00Z")
	f.workOrder(england.org, england.ticket, england.contractor, "ASSIGNED", assigned)
	f.workOrder(scotland.org, scotland.ticket, scotland.contractor, "ASSIGNED", assigned)

	f.now = at("2026-08-04T09:00:00Z") // Fri 31, Mon 3, Tue 4 in England
	f.run(f.r.ChaseQuotes, 1)
	f.checkPublished(0, england.org, f.now)
	f.now = at("2026-08-05T08:59:59Z")
	f.run(f.r.ChaseQuotes, 0)
	f.now = at("2026-08-05T09:00:00Z") // Fri 31, Tue 4, Wed 5 in Scotland
	f.run(f.r.ChaseQuotes, 1)
	f.checkPublished(2, scotland.org, f.now)
}

func TestQuoteChaserOnlyLiveWorkOrdersWithoutQuotes(t *testing.T) {
	f := newFixture(t)
	s := f.chaserSetup("Acme Lettings")
	assigned := at("2026-03-02T10:00:00Z") // a Monday: due Thursday 5th, 10:00
	chased := map[uuid.UUID]bool{}
	for _, status := range []string{"ASSIGNED", "ACCEPTED"} {
		chased[f.workOrder(s.org, s.ticket, s.contractor, status, assigned)] = true
	}
	for _, status := range []string{"DECLINED", "SCHEDULED", "IN_PROGRESS", "COMPLETED", "CANCELLED"} {
		f.workOrder(s.org, s.ticket, s.contractor, status, assigned)
	}
	// A quote arriving before the chaser is due stops it.
	quoted := f.workOrder(s.org, s.ticket, s.contractor, "ACCEPTED", assigned)
	f.now = at("2026-03-05T09:00:00Z")
	f.run(f.r.ChaseQuotes, 0)
	f.quote(s.org, quoted, s.contractor)
	// A deactivated contractor is not chased.
	gone := f.contractor(s.org, contractorOpts{company: "Gone Ltd", inactive: true})
	f.workOrder(s.org, s.ticket, gone, "ASSIGNED", assigned)

	f.now = at("2026-03-05T10:00:00Z")
	f.run(f.r.ChaseQuotes, 2)
	for _, ev := range f.checkPublished(0, s.org, f.now) {
		if c := ev.(*events.QuoteChaser); !chased[c.WorkOrderID] {
			t.Fatalf("chased work order %s", c.WorkOrderID)
		}
	}
	f.now = at("2026-03-12T10:00:00Z")
	f.run(f.r.ChaseQuotes, 0)
}
