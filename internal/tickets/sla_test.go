package tickets_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// london builds a wall-clock time in Europe/London.
func london(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, ukcalendar.London)
}

// slaOrg is one organisation on the real app, with a unit, and a ticket service on the same
// database whose clock the test sets.
type slaOrg struct {
	admin  *testsupport.Client
	actor  access.Actor
	unitID uuid.UUID
	svc    *tickets.Service
	clock  *testsupport.Clock
}

func newSLAOrg(t *testing.T, app *testsupport.App, name string) *slaOrg {
	t.Helper()
	admin := app.Register(name)
	prop := admin.Post("/api/v1/properties", map[string]any{"addressLine1": "1 Clock Lane", "town": "Leeds", "postcode": "LS1 4AP"}).
		Expect(http.StatusCreated).ID()
	unit := admin.Post("/api/v1/properties/"+prop.String()+"/units", map[string]any{"label": "Flat 1", "reference": "SLA-1"}).
		Expect(http.StatusCreated).ID()
	clk := testsupport.NewClock(london(2026, time.December, 18, 10, 0))
	return &slaOrg{
		admin: admin, unitID: unit, clock: clk, svc: tickets.NewService(app.DB, events.Discard{}, clk.Now, tickets.PublicLimits{ReportsPerHour: 100}),
		actor: access.Actor{UserID: admin.UserID, OrgID: admin.OrgID, Role: access.Admin},
	}
}

// create reports a ticket of priority at the given London time.
func (o *slaOrg) create(t *testing.T, at time.Time, priority string) *tickets.Ticket {
	t.Helper()
	o.clock.Set(at)
	tk, err := o.svc.Create(context.Background(), o.actor, tickets.CreateInput{UnitID: o.unitID, Priority: priority, Title: "Due " + priority})
	if err != nil {
		t.Fatalf("create %s at %v: %v", priority, at, err)
	}
	if !tk.CreatedAt.Equal(at) {
		t.Fatalf("created at %v, want the clock's %v", tk.CreatedAt, at)
	}
	return tk
}

func expectDue(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s: due %v (%v London), want %v (%v London)", what, got.UTC(), got.In(ukcalendar.London), want.UTC(), want.In(ukcalendar.London))
	}
}

// TestSLADefaults: EMERGENCY 24 hours, URGENT 7 and ROUTINE 28 working days on the England
// & Wales calendar, counted in London days at the London clock time of the report.
func TestSLADefaults(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := newSLAOrg(t, app, "SLA Defaults Lets")
	ew := ukcalendar.New(ukcalendar.EnglandWales)

	cases := []struct {
		name     string
		at       time.Time
		priority string
		want     time.Time // worked out by hand
	}{
		// Christmas 2026 is a Friday, so Boxing Day's substitute is Monday 28th:
		// 21 22 23 24 | (25, 28 holidays) 29 30 31.
		{"URGENT over Christmas", london(2026, 12, 18, 10, 0), "URGENT", london(2026, 12, 31, 10, 0)},
		// ... and New Year's Day 2027 is a Friday: 21–24, 29–31 (7), 4–8 Jan (12), 11–15 (17),
		// 18–22 (22), 25–29 (27), 1 Feb (28).
		{"ROUTINE over Christmas and New Year", london(2026, 12, 18, 10, 0), "ROUTINE", london(2027, 2, 1, 10, 0)},
		{"EMERGENCY is 24 calendar hours", london(2026, 12, 18, 10, 0), "EMERGENCY", london(2026, 12, 19, 10, 0)},
		{"EMERGENCY over a weekend and a holiday", london(2026, 12, 24, 15, 30), "EMERGENCY", london(2026, 12, 25, 15, 30)},
		// A report on Saturday counts from the next working day, like one on Friday.
		{"URGENT reported on a Saturday", london(2026, 12, 19, 10, 0), "URGENT", london(2026, 12, 31, 10, 0)},
		// British Summer Time ends on 25 October 2026: 10:00 BST in, 10:00 GMT out.
		// 20 21 22 23 | 26 27 28.
		{"URGENT across the end of BST keeps the London clock time", london(2026, 10, 19, 10, 0), "URGENT", london(2026, 10, 28, 10, 0)},
		// 00:30 BST on Friday 10 July is still Thursday in UTC: the London day counts.
		// 13–17 (5), 20 21 (7).
		{"URGENT just after midnight in summer counts from the London day", london(2026, 7, 10, 0, 30), "URGENT", london(2026, 7, 21, 0, 30)},
		// Easter 2027: Good Friday 26 March, Easter Monday 29 March. From Thu 25 March:
		// 30 31 1 2 | 5 6 7.
		{"URGENT over Easter", london(2027, 3, 25, 9, 0), "URGENT", london(2027, 4, 7, 9, 0)},
		// 24 hours across the autumn clock change is 24 real hours: 12:00 BST → 11:00 GMT.
		{"EMERGENCY across the end of BST is 24 real hours", london(2026, 10, 24, 12, 0), "EMERGENCY", london(2026, 10, 25, 11, 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tk := o.create(t, tc.at, tc.priority)
			expectDue(t, tc.name, tk.SLADueAt, tc.want)
			// The hand-worked answer agrees with the calendar package.
			switch tc.priority {
			case "URGENT":
				expectDue(t, "ukcalendar", ew.AddWorkingDays(tc.at, 7), tc.want)
			case "ROUTINE":
				expectDue(t, "ukcalendar", ew.AddWorkingDays(tc.at, 28), tc.want)
			}
			// Read back through the API as stored.
			var got tickets.Ticket
			o.admin.With(t).Get("/api/v1/tickets/" + tk.ID.String()).Expect(http.StatusOK).Data(&got)
			expectDue(t, "stored", got.SLADueAt, tc.want)
		})
	}
}

// TestSLAOrgSettings: each organisation's windows and holiday region drive its due times;
// changing them affects new tickets, not open ones.
func TestSLAOrgSettings(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := newSLAOrg(t, app, "SLA Settings Lets")
	other := newSLAOrg(t, app, "SLA Untouched Lets")
	at := london(2026, 11, 27, 10, 0) // a Friday; St Andrew's Day (Scotland) is Monday 30th

	before := o.create(t, at, "URGENT")
	// England & Wales: 30 1 2 3 4 | 7 8.
	expectDue(t, "default URGENT", before.SLADueAt, london(2026, 12, 8, 10, 0))

	t.Run("SCOTLAND skips St Andrew's Day", func(t *testing.T) {
		o.admin.With(t).Patch("/api/v1/settings", map[string]any{"holidayRegion": "SCOTLAND"}).Expect(http.StatusOK)
		expectDue(t, "Scottish URGENT", o.create(t, at, "URGENT").SLADueAt, london(2026, 12, 9, 10, 0))
		// Scotland's 2 January: New Year 2027 is Fri 1, 2nd is a Saturday → Mon 4 Jan too.
		// From Wed 30 Dec: 31 | (1, 4 holidays) 5 6 7 8 | 11 12; England & Wales works on
		// the 4th, so its seventh working day is Mon 11 Jan.
		expectDue(t, "Scottish URGENT over New Year", o.create(t, london(2026, 12, 30, 10, 0), "URGENT").SLADueAt, london(2027, 1, 12, 10, 0))
		expectDue(t, "English URGENT over New Year", other.create(t, london(2026, 12, 30, 10, 0), "URGENT").SLADueAt, london(2027, 1, 11, 10, 0))
	})

	t.Run("windows per priority", func(t *testing.T) {
		o.admin.With(t).Patch("/api/v1/settings", map[string]any{
			"holidayRegion": "ENGLAND_WALES",
			"sla":           map[string]any{"URGENT": map[string]any{"hours": 4}, "EMERGENCY": map[string]any{"workingDays": 1}},
		}).Expect(http.StatusOK)
		expectDue(t, "URGENT 4 hours", o.create(t, at, "URGENT").SLADueAt, at.Add(4*time.Hour))
		expectDue(t, "EMERGENCY 1 working day from Friday", o.create(t, at, "EMERGENCY").SLADueAt, london(2026, 11, 30, 10, 0))
		// ROUTINE was not in the patch and keeps its default.
		expectDue(t, "ROUTINE default", o.create(t, at, "ROUTINE").SLADueAt, ukcalendar.New(ukcalendar.EnglandWales).AddWorkingDays(at, 28))
		o.admin.With(t).Patch("/api/v1/settings", map[string]any{"sla": map[string]any{"ROUTINE": map[string]any{"workingDays": 3}}}).Expect(http.StatusOK)
		expectDue(t, "ROUTINE 3 working days", o.create(t, at, "ROUTINE").SLADueAt, london(2026, 12, 2, 10, 0))
		expectDue(t, "URGENT still 4 hours", o.create(t, at, "URGENT").SLADueAt, at.Add(4*time.Hour))
	})

	t.Run("another organisation keeps the defaults", func(t *testing.T) {
		expectDue(t, "other org URGENT", other.create(t, at, "URGENT").SLADueAt, london(2026, 12, 8, 10, 0))
		expectDue(t, "other org EMERGENCY", other.create(t, at, "EMERGENCY").SLADueAt, at.Add(24*time.Hour))
	})

	t.Run("open tickets keep the due time they were given", func(t *testing.T) {
		got, err := o.svc.Get(context.Background(), o.actor, before.ID)
		if err != nil {
			t.Fatal(err)
		}
		expectDue(t, "ticket made before the settings changed", got.SLADueAt, before.SLADueAt)
	})
}

// TestSLAPriorityChange: a new priority recomputes the due time from when the ticket was
// reported (not from now), with the organisation's current settings; other changes leave
// it alone.
func TestSLAPriorityChange(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := newSLAOrg(t, app, "SLA Priority Lets")
	ctx := context.Background()
	at := london(2026, 12, 18, 10, 0)
	tk := o.create(t, at, "ROUTINE")
	expectDue(t, "ROUTINE", tk.SLADueAt, london(2027, 2, 1, 10, 0))

	o.clock.Set(london(2026, 12, 22, 16, 0)) // triaged days later
	patch := func(t *testing.T, p tickets.Patch) *tickets.Ticket {
		t.Helper()
		got, err := o.svc.Update(ctx, o.actor, tk.ID, p)
		if err != nil {
			t.Fatalf("update %+v: %v", p, err)
		}
		return got
	}
	str := func(s string) *string { return &s }

	got := patch(t, tickets.Patch{Priority: str("URGENT")})
	expectDue(t, "URGENT from the report time", got.SLADueAt, london(2026, 12, 31, 10, 0))
	got = patch(t, tickets.Patch{Priority: str("EMERGENCY")})
	expectDue(t, "EMERGENCY from the report time", got.SLADueAt, london(2026, 12, 19, 10, 0))
	if !got.Overdue {
		t.Fatalf("an EMERGENCY reported 4 days ago is overdue: %+v", got)
	}
	got = patch(t, tickets.Patch{Title: str("Retitled"), Category: str("PLUMBING")})
	expectDue(t, "title and category keep the due time", got.SLADueAt, london(2026, 12, 19, 10, 0))
	// Lower-case priorities are accepted and normalised.
	got = patch(t, tickets.Patch{Priority: str("routine")})
	if got.Priority != "ROUTINE" {
		t.Fatalf("priority %q", got.Priority)
	}
	expectDue(t, "back to ROUTINE", got.SLADueAt, london(2027, 2, 1, 10, 0))

	// Current settings apply when the priority changes.
	o.admin.Patch("/api/v1/settings", map[string]any{"sla": map[string]any{"URGENT": map[string]any{"hours": 6}}}).Expect(http.StatusOK)
	got = patch(t, tickets.Patch{Priority: str("URGENT")})
	expectDue(t, "URGENT with a 6 hour window", got.SLADueAt, at.Add(6*time.Hour))
	if !got.CreatedAt.Equal(at) {
		t.Fatalf("createdAt moved: %v", got.CreatedAt)
	}

	// A refused priority changes nothing.
	if _, err := o.svc.Update(ctx, o.actor, tk.ID, tickets.Patch{Priority: str("LOW")}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("priority LOW: %v", err)
	}
	d, err := o.svc.Get(ctx, o.actor, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	expectDue(t, "after a refused patch", d.SLADueAt, at.Add(6*time.Hour))
}

// TestSLAOverdue: overdue is open and past the due time, both on the ticket and as a list
// filter; resolved, closed and cancelled tickets never are.
func TestSLAOverdue(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := newSLAOrg(t, app, "SLA Overdue Lets")
	ctx := context.Background()
	at := london(2026, 12, 18, 10, 0)

	emergency := o.create(t, at, "EMERGENCY")                     // due 19 Dec 10:00
	urgent := o.create(t, at.Add(time.Minute), "URGENT")          // due 31 Dec 10:01
	routine := o.create(t, at.Add(2*time.Minute), "ROUTINE")      // due 1 Feb 2027
	resolved := o.create(t, at.Add(3*time.Minute), "EMERGENCY")   // resolved below
	cancelled := o.create(t, at.Add(4*time.Minute), "EMERGENCY")  // cancelled below
	inProgress := o.create(t, at.Add(5*time.Minute), "EMERGENCY") // still open
	closed := o.create(t, at.Add(6*time.Minute), "EMERGENCY")     // closed below
	for _, step := range []struct {
		id     uuid.UUID
		to     tickets.Status
		reason string
	}{
		{resolved.ID, tickets.Triaged, ""}, {resolved.ID, tickets.Resolved, ""},
		{cancelled.ID, tickets.Cancelled, "duplicate"},
		{inProgress.ID, tickets.Triaged, ""}, {inProgress.ID, tickets.InProgress, ""},
		{closed.ID, tickets.Triaged, ""}, {closed.ID, tickets.Resolved, ""}, {closed.ID, tickets.Closed, ""},
	} {
		if _, err := o.svc.Transition(ctx, o.actor, step.id, step.to, step.reason); err != nil {
			t.Fatalf("transition to %s: %v", step.to, err)
		}
	}

	overdue := func(t *testing.T) []uuid.UUID {
		t.Helper()
		res, err := o.svc.List(ctx, o.actor, tickets.Filter{Overdue: true}, page.Request{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []uuid.UUID
		for _, tk := range res.Items {
			if !tk.Overdue {
				t.Fatalf("listed as overdue but overdue=false: %+v", tk)
			}
			ids = append(ids, tk.ID)
		}
		return ids
	}
	isOverdue := func(t *testing.T, id uuid.UUID) bool {
		t.Helper()
		d, err := o.svc.Get(ctx, o.actor, id)
		if err != nil {
			t.Fatal(err)
		}
		return d.Overdue
	}
	expectIDs := func(t *testing.T, got []uuid.UUID, want ...uuid.UUID) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("overdue %v, want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("overdue %v, want %v (newest first)", got, want)
			}
		}
	}

	t.Run("nothing overdue before the first due time", func(t *testing.T) {
		o.clock.Set(emergency.SLADueAt) // exactly due is not yet overdue
		expectIDs(t, overdue(t))
		if isOverdue(t, emergency.ID) {
			t.Fatal("overdue at exactly the due time")
		}
	})
	t.Run("open EMERGENCY tickets a second past due", func(t *testing.T) {
		o.clock.Set(inProgress.SLADueAt.Add(time.Second))
		expectIDs(t, overdue(t), inProgress.ID, emergency.ID)
		for id, want := range map[uuid.UUID]bool{emergency.ID: true, inProgress.ID: true, urgent.ID: false, routine.ID: false,
			resolved.ID: false, cancelled.ID: false, closed.ID: false} {
			if got := isOverdue(t, id); got != want {
				t.Fatalf("ticket %s overdue=%v, want %v", id, got, want)
			}
		}
	})
	t.Run("later the URGENT one too", func(t *testing.T) {
		o.clock.Set(london(2027, 1, 5, 9, 0))
		expectIDs(t, overdue(t), inProgress.ID, urgent.ID, emergency.ID)
	})
	t.Run("resolving takes a ticket off the list and reopening puts it back", func(t *testing.T) {
		for _, to := range []tickets.Status{tickets.Triaged, tickets.Resolved} {
			if _, err := o.svc.Transition(ctx, o.actor, emergency.ID, to, ""); err != nil {
				t.Fatal(err)
			}
		}
		expectIDs(t, overdue(t), inProgress.ID, urgent.ID)
		if isOverdue(t, emergency.ID) {
			t.Fatal("a resolved ticket is overdue")
		}
		if _, err := o.svc.Transition(ctx, o.actor, emergency.ID, tickets.InProgress, "not fixed after all"); err != nil {
			t.Fatal(err)
		}
		expectIDs(t, overdue(t), inProgress.ID, urgent.ID, emergency.ID)
	})
	t.Run("combined with a priority filter", func(t *testing.T) {
		res, err := o.svc.List(ctx, o.actor, tickets.Filter{Overdue: true, Priority: "URGENT"}, page.Request{})
		if err != nil || len(res.Items) != 1 || res.Items[0].ID != urgent.ID {
			t.Fatalf("overdue URGENT: %+v, %v", res.Items, err)
		}
	})
	t.Run("without the filter every ticket is listed", func(t *testing.T) {
		res, err := o.svc.List(ctx, o.actor, tickets.Filter{}, page.Request{})
		if err != nil || len(res.Items) != 7 {
			t.Fatalf("%d tickets, %v", len(res.Items), err)
		}
	})
}
