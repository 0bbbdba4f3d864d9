package reminders_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/events"
)

func TestInsuranceRemindersAt30And7DaysOnce(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme Lettings")
	admin := f.member(org, "ADMIN", "Alice")
	coord := f.member(org, "COORDINATOR", "Colin")
	f.member(org, "TENANT", "Tina")
	staff := recipients(admin, coord)
	expires := date("2026-04-30")
	c := f.contractor(org, contractorOpts{company: "Fixit Plumbing", expires: &expires})
	contractor := events.Recipient{Name: "Fixit Plumbing", Email: f.contractorEmail(org, c)}
	// Never notified: inactive, no expiry on file, already expired, beyond 30 days.
	f.contractor(org, contractorOpts{company: "Retired Ltd", expires: &expires, inactive: true})
	f.contractor(org, contractorOpts{company: "Unknown Ltd"})
	past := date("2026-03-20")
	f.contractor(org, contractorOpts{company: "Lapsed Ltd", expires: &past})
	far := date("2026-06-30")
	f.contractor(org, contractorOpts{company: "Far Ltd", expires: &far})

	// 22:59 UTC on 30 March is 23:59 BST, still 31 days before 30 April in London; an hour
	// later it is 31 March in London (though still 30 March in UTC): 30 days.
	f.now = at("2026-03-30T22:59:00Z")
	f.run(f.r.RemindInsurance, 0)
	f.now = at("2026-03-30T23:30:00Z")
	f.run(f.r.RemindInsurance, 1)
	f.run(f.r.RemindInsurance, 0)
	evs := f.checkPublished(0, org, f.now)
	want := &events.InsuranceExpiring{ContractorID: c, Company: "Fixit Plumbing", ExpiresOn: "2026-04-30", DaysLeft: 30, Contractor: contractor, Staff: staff}
	if len(evs) != 1 || !reflect.DeepEqual(evs[0], want) {
		t.Fatalf("events %+v, want %+v", evs, want)
	}
	if n := f.textJobs(); n != 1 { // the contractor hears by text too, where they agreed to
		t.Fatalf("%d text jobs, want 1", n)
	}
	for _, now := range []string{"2026-04-01T07:00:00Z", "2026-04-15T07:00:00Z", "2026-04-22T22:59:00Z"} {
		f.now = at(now)
		f.run(f.r.RemindInsurance, 0)
	}
	f.now = at("2026-04-23T06:00:00Z") // 7 days
	f.run(f.r.RemindInsurance, 1)
	f.run(f.r.RemindInsurance, 0)
	evs = f.checkPublished(2, org, f.now)
	want.DaysLeft = 7
	if len(evs) != 1 || !reflect.DeepEqual(evs[0], want) {
		t.Fatalf("events %+v, want %+v", evs, want)
	}
	for _, now := range []string{"2026-04-24T07:00:00Z", "2026-04-30T07:00:00Z", "2026-05-01T07:00:00Z"} {
		f.now = at(now)
		f.run(f.r.RemindInsurance, 0)
	}
	ns := f.notices(org)
	if len(ns) != 2 || ns[0].Key != "30:2026-04-30" || ns[1].Key != "7:2026-04-30" || ns[0].Kind != "contractor.insurance_expiring" {
		t.Fatalf("notices %+v", ns)
	}

	// A renewed policy is reminded about afresh.
	renewed := date("2027-04-30")
	f.exec(org, uuid.Nil, `UPDATE contractors SET insurance_expires_on = $2 WHERE id = $1`, c, renewed)
	f.now = at("2027-03-31T07:00:00Z")
	f.run(f.r.RemindInsurance, 1)
	f.checkSameTransactions(org)
}

func TestInsuranceMissedRunsStillNotify(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme Lettings")
	admin := f.member(org, "ADMIN", "Alice")
	late, soon := date("2026-04-20"), date("2026-04-04")
	lateID := f.contractor(org, contractorOpts{company: "Late Ltd", expires: &late})
	soonID := f.contractor(org, contractorOpts{company: "Soon Ltd", expires: &soon})

	// First run on 1 April: 19 days left (the 30-day run was missed) and 3 days left (both
	// missed: one notice, the 7-day one).
	f.now = at("2026-04-01T07:00:00Z")
	f.run(f.r.RemindInsurance, 2)
	f.run(f.r.RemindInsurance, 0)
	got := map[uuid.UUID]int{}
	for _, ev := range f.checkPublished(0, org, f.now) {
		e := ev.(*events.InsuranceExpiring)
		got[e.ContractorID] = e.DaysLeft
		if !reflect.DeepEqual(e.Staff, recipients(admin)) {
			t.Fatalf("staff %+v", e.Staff)
		}
	}
	if !reflect.DeepEqual(got, map[uuid.UUID]int{lateID: 19, soonID: 3}) {
		t.Fatalf("days left %v", got)
	}

	// The 7-day run for Late Ltd (13 April) is missed too: sent on the 16th, 4 days left.
	f.now = at("2026-04-16T07:00:00Z")
	f.run(f.r.RemindInsurance, 1)
	evs := f.checkPublished(4, org, f.now)
	if e := evs[0].(*events.InsuranceExpiring); e.ContractorID != lateID || e.DaysLeft != 4 {
		t.Fatalf("notice %+v", e)
	}
	f.run(f.r.RemindInsurance, 0)

	keys := map[string]bool{}
	for _, n := range f.notices(org) {
		keys[n.Subject.String()+" "+n.Key] = true
	}
	want := map[string]bool{lateID.String() + " 30:2026-04-20": true, lateID.String() + " 7:2026-04-20": true, soonID.String() + " 7:2026-04-04": true}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("notices %v, want %v", keys, want)
	}
}

func TestChasersAndInsuranceIsolateOrganisations(t *testing.T) {
	f := newFixture(t)
	a, b := f.chaserSetup("A Lettings"), f.chaserSetup("B Homes")
	coordA := f.member(a.org, "COORDINATOR", "Anna")
	coordB := f.member(b.org, "COORDINATOR", "Bob")
	expires := date("2026-03-20")
	for _, s := range []chaserSetup{a, b} {
		f.exec(s.org, uuid.Nil, `UPDATE contractors SET insurance_expires_on = $2 WHERE id = $1`, s.contractor, expires)
		f.workOrder(s.org, s.ticket, s.contractor, "ASSIGNED", at("2026-03-02T10:00:00Z"))
	}
	f.now = at("2026-03-10T10:00:00Z")

	f.run(func(ctx context.Context) (int, error) { return f.r.ChaseQuotesOrg(ctx, a.org) }, 1)
	f.run(func(ctx context.Context) (int, error) { return f.r.RemindInsuranceOrg(ctx, a.org) }, 1)
	evs := f.checkPublished(0, a.org, f.now)
	if c := evs[0].(*events.QuoteChaser); c.Contractor.Email != f.contractorEmail(a.org, a.contractor) {
		t.Fatalf("org A's chaser went to %+v", c.Contractor)
	}
	ins := evs[1].(*events.InsuranceExpiring)
	if ins.ContractorID != a.contractor || len(ins.Staff) != 2 || !containsRecipient(ins.Staff, coordA) || containsRecipient(ins.Staff, coordB) {
		t.Fatalf("org A's insurance notice %+v", ins)
	}
	if ns := f.notices(b.org); len(ns) != 0 {
		t.Fatalf("org A's scans recorded notices in org B: %+v", ns)
	}

	// The all-organisation runs now do org B's only.
	f.run(f.r.ChaseQuotes, 1)
	f.run(f.r.RemindInsurance, 1)
	evs = f.checkPublished(4, b.org, f.now)
	ins = evs[1].(*events.InsuranceExpiring)
	if ins.ContractorID != b.contractor || !containsRecipient(ins.Staff, coordB) || containsRecipient(ins.Staff, coordA) {
		t.Fatalf("org B's insurance notice %+v", ins)
	}
	f.checkSameTransactions(a.org, b.org)
}

func containsRecipient(rs []events.Recipient, m member) bool {
	for _, r := range rs {
		if r == m.Recipient {
			return true
		}
	}
	return false
}
