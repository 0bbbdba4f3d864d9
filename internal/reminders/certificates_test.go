package reminders_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/events"
)

// property adds a property to orgID.
func (f *fixture) property(orgID uuid.UUID, name string) uuid.UUID {
	f.t.Helper()
	id := uuid.New()
	f.exec(orgID, uuid.Nil, `INSERT INTO properties (id, org_id, name, address_line1, town, postcode) VALUES ($1, $2, $3, '1 Dale St', 'Leeds', 'LS1 4AP')`, id, orgID, name)
	return id
}

// certificate records a certificate at a property; a nil expires means none (alarm checks).
func (f *fixture) certificate(orgID, propertyID uuid.UUID, kind string, issued time.Time, expires *time.Time) uuid.UUID {
	f.t.Helper()
	id := uuid.New()
	var rating *string
	if kind == "EPC" {
		c := "C"
		rating = &c
	}
	f.exec(orgID, uuid.Nil, `INSERT INTO certificates (id, org_id, property_id, kind, issued_on, expires_on, rating) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, orgID, propertyID, kind, issued, expires, rating)
	return id
}

func TestCertificateRemindersAt60_30_7AndExpiryOnce(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme Lettings")
	admin := f.member(org, "ADMIN", "Alice")
	coord := f.member(org, "COORDINATOR", "Colin")
	f.member(org, "TENANT", "Tina")
	f.member(org, "CONTRACTOR", "Carl")
	staff := recipients(admin, coord)
	house := f.property(org, "Dale House")
	expires := date("2026-06-30")
	gas := f.certificate(org, house, "GAS_SAFETY", date("2025-06-30"), &expires)
	// Never reminded: an alarm check (no expiry), a certificate far from expiry, and one
	// replaced by a newer certificate of its kind.
	f.certificate(org, house, "SMOKE_CO_ALARMS", date("2026-01-01"), nil)
	far := date("2030-01-01")
	f.certificate(org, house, "EICR", date("2025-01-01"), &far)
	old, renewed := date("2026-05-15"), date("2035-05-01")
	f.certificate(org, house, "EPC", date("2016-05-15"), &old)
	f.certificate(org, house, "EPC", date("2025-05-01"), &renewed)

	want := &events.CertificateExpiring{CertificateID: gas, PropertyID: house, Property: "Dale House, LS1 4AP", Kind: "GAS_SAFETY",
		KindName: "gas safety record", ExpiresOn: "2026-06-30", Staff: staff}
	sent := 0
	for _, step := range []struct {
		now      string
		n        int
		daysLeft int
	}{
		{"2026-04-30T06:00:00Z", 0, 0},  // 61 days
		{"2026-05-01T06:00:00Z", 1, 60}, // 60 days
		{"2026-05-01T18:00:00Z", 0, 0},  // again the same day
		{"2026-05-20T06:00:00Z", 0, 0},  // 41 days
		{"2026-05-31T06:00:00Z", 1, 30},
		{"2026-06-10T06:00:00Z", 0, 0},
		{"2026-06-23T06:00:00Z", 1, 7},
		{"2026-06-29T22:59:00Z", 0, 0}, // 23:59 BST on 29 June: a day left
		{"2026-06-29T23:30:00Z", 1, 0}, // 00:30 BST on 30 June: the expiry date
		{"2026-07-01T06:00:00Z", 0, 0},
		{"2026-07-20T06:00:00Z", 0, 0},
	} {
		f.now = at(step.now)
		f.run(f.r.RemindCertificates, step.n)
		if step.n == 0 {
			continue
		}
		evs := f.checkPublished(2*sent, org, f.now)
		sent++
		want.DaysLeft = step.daysLeft
		if len(evs) != 1 || !reflect.DeepEqual(evs[0], want) {
			t.Fatalf("at %s: events %+v, want %+v", step.now, evs, want)
		}
	}
	var keys []string
	for _, n := range f.notices(org) {
		if n.Kind != "certificate.expiring" || n.Subject != gas {
			t.Fatalf("notice %+v", n)
		}
		keys = append(keys, n.Key)
	}
	if !reflect.DeepEqual(keys, []string{"60:2026-06-30", "30:2026-06-30", "7:2026-06-30", "0:2026-06-30"}) {
		t.Fatalf("notices %v", keys)
	}
	if n := f.textJobs(); n != 0 {
		t.Fatalf("%d text jobs: certificate notices are staff emails only", n)
	}
	f.checkSameTransactions(org)

	// A new record of the kind is reminded about afresh, when its turn comes.
	next := date("2027-06-30")
	f.certificate(org, house, "GAS_SAFETY", date("2026-07-21"), &next)
	f.now = at("2027-05-01T06:00:00Z")
	f.run(f.r.RemindCertificates, 1)
}

func TestCertificateRemindersMissedRunsAndIsolation(t *testing.T) {
	f := newFixture(t)
	a, b := f.org("Alpha"), f.org("Bravo")
	alice := f.member(a, "ADMIN", "Alice")
	bob := f.member(b, "ADMIN", "Bob")
	soon, lapsed := date("2026-04-04"), date("2026-03-20")
	aSoon := f.certificate(a, f.property(a, ""), "EICR", date("2021-04-04"), &soon)
	bLapsed := f.certificate(b, f.property(b, "Bravo Court"), "EPC", date("2016-03-20"), &lapsed)

	// First run on 1 April: 3 days left (the 60- and 30-day runs were missed: one notice,
	// the 7-day one), and 12 days expired (one notice, the expiry one).
	f.now = at("2026-04-01T07:00:00Z")
	f.run(f.r.RemindCertificates, 2)
	f.run(f.r.RemindCertificates, 0)
	got := map[uuid.UUID]*events.CertificateExpiring{}
	for _, org := range []uuid.UUID{a, b} {
		n, err := f.r.RemindCertificatesOrg(f.ctx, org)
		if err != nil || n != 0 {
			t.Fatalf("org run: %d, %v", n, err)
		}
	}
	for _, j := range f.jobs() {
		if e, ok := j.Event.(*events.CertificateExpiring); ok && j.Kind == "email.send" {
			got[e.CertificateID] = e
		}
	}
	if e := got[aSoon]; e == nil || e.DaysLeft != 3 || e.Property != "1 Dale St, LS1 4AP" || !reflect.DeepEqual(e.Staff, recipients(alice)) {
		t.Fatalf("alpha notice %+v", e)
	}
	if e := got[bLapsed]; e == nil || e.DaysLeft != -12 || !reflect.DeepEqual(e.Staff, recipients(bob)) {
		t.Fatalf("bravo notice %+v", e)
	}
	if len(f.notices(a)) != 1 || f.notices(a)[0].Key != "7:2026-04-04" || len(f.notices(b)) != 1 || f.notices(b)[0].Key != "0:2026-03-20" {
		t.Fatalf("notices %+v %+v", f.notices(a), f.notices(b))
	}
	f.checkSameTransactions(a, b)
}
