package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// The tk helpers below serve the ticket tests. Every one takes the caller's t and binds the
// client to it, so they are safe inside subtests.

// tkOrg is an organisation with a member of every role and a small estate:
//
//	property P:  unit U (Team.Tenant lives there), unit UB (TenantB lives there)
//	property P2: unit U2 (vacant)
//
// plus the team CONTRACTOR's company and another company nobody belongs to.
type tkOrg struct {
	*testsupport.Estate
	TenantB *testsupport.Client // lives in UB
	P2      uuid.UUID           // a second property, in York
	UB, U2  uuid.UUID           // a second unit of the property, and the unit of P2
}

func tkNewOrg(t *testing.T, app *testsupport.App, name string) *tkOrg {
	t.Helper()
	o := &tkOrg{Estate: app.NewEstate(t, name, testsupport.EstateOptions{Reference: "TK-U"})}
	o.TenantB = app.AddMember(o.Admin, access.Tenant)
	a := o.Admin.With(t)
	o.P2 = a.Post("/api/v1/properties", map[string]any{"addressLine1": "2 " + name + " Road", "town": "York", "postcode": "YO1 7HH"}).Expect(http.StatusCreated).ID()
	unit := func(p uuid.UUID, label string) uuid.UUID {
		return a.Post("/api/v1/properties/"+p.String()+"/units", map[string]any{"label": label, "reference": strings.ToUpper(label)}).Expect(http.StatusCreated).ID()
	}
	o.UB, o.U2 = unit(o.PropertyID, "TK-UB"), unit(o.P2, "TK-U2")
	// The tenancy began a year ago, so tickets dated in the past (SLA tests) fall within it.
	since := time.Now().AddDate(-1, 0, 0).Format(time.DateOnly)
	a.Post("/api/v1/units/"+o.UB.String()+"/occupants", map[string]any{"userId": o.TenantB.UserID, "startsOn": since}).Expect(http.StatusCreated)
	return o
}

// actor is the service-level actor of a client (for setting up data with a fixed clock).
func tkActor(c *testsupport.Client) access.Actor {
	return access.Actor{UserID: c.UserID, OrgID: c.OrgID, Role: c.Role}
}

func tkIDs(ts []tickets.Ticket) []uuid.UUID {
	ids := make([]uuid.UUID, len(ts))
	for i, tk := range ts {
		ids[i] = tk.ID
	}
	return ids
}

func tkTransition(c *testsupport.Client, t testing.TB, id uuid.UUID, to tickets.Status, reason string) *testsupport.Response {
	t.Helper()
	body := map[string]any{"to": to}
	if reason != "" {
		body["reason"] = reason
	}
	return c.With(t).Post("/api/v1/tickets/"+id.String()+"/transition", body)
}

// tkMove makes each transition in turn, every one of which must succeed.
func tkMove(t testing.TB, c *testsupport.Client, id uuid.UUID, to ...tickets.Status) {
	t.Helper()
	for _, s := range to {
		var got tickets.Ticket
		tkTransition(c, t, id, s, "moving along").Expect(http.StatusOK).Data(&got)
		if got.Status != s {
			t.Fatalf("moved to %s, got %s", s, got.Status)
		}
	}
}

func tkActions(events []timeline.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.EntityType + ":" + e.Action
	}
	return out
}

// tkSame compares two values by their JSON.
func tkSame(t testing.TB, what string, before, after any) {
	t.Helper()
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	if string(a) != string(b) {
		t.Fatalf("%s changed:\nbefore %s\nafter  %s", what, b, a)
	}
}

// TestTicketCreate covers who may report a repair for which unit, defaults, validation,
// and that numbers run MT-000001, MT-000002, … with no number taken by a refused create.
func TestTicketCreate(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "Create Lets")
	other := tkNewOrg(t, app, "Create Elsewhere")
	numbers := 0 // tickets created so far in o
	expectNumber := func(t *testing.T, tk tickets.Ticket) {
		t.Helper()
		numbers++
		if want := fmt.Sprintf("MT-%06d", numbers); tk.Number != want {
			t.Fatalf("number %s, want %s", tk.Number, want)
		}
	}

	t.Run("staff defaults", func(t *testing.T) {
		before := time.Now()
		tk := testsupport.CreateTicket(t, o.Admin, map[string]any{"unitId": o.U2, "title": "  Window won't close  "})
		expectNumber(t, tk)
		if tk.ID == uuid.Nil || tk.Category != "OTHER" || tk.Priority != "ROUTINE" || tk.Status != tickets.New || tk.Source != tickets.SourceStaff ||
			tk.Title != "Window won't close" || tk.Description != "" || tk.UnitID == nil || *tk.UnitID != o.U2 || tk.PropertyID == nil || *tk.PropertyID != o.P2 ||
			tk.ReportedByUserID == nil || *tk.ReportedByUserID != o.Admin.UserID || tk.ReportedByName != "Ada Admin" || tk.ReportedByEmail != o.Admin.Email ||
			tk.ReportedByPhone != "" || tk.AssigneeUserID != nil || tk.Overdue || tk.ResolvedAt != nil || tk.ClosedAt != nil {
			t.Fatalf("created %+v", tk)
		}
		// The service makes the row it inserts (tickets.Service.insert): what the create
		// answers is what was stored, to the microsecond.
		if stored := testsupport.GetTicket(t, o.Admin, tk.ID); !reflect.DeepEqual(stored.Ticket, tk) {
			t.Fatalf("create answered\n%+v\nbut the ticket reads back as\n%+v", tk, stored.Ticket)
		}
		if tk.CreatedAt.Before(before.Add(-time.Minute)) || tk.CreatedAt.After(time.Now().Add(time.Minute)) {
			t.Fatalf("createdAt %v", tk.CreatedAt)
		}
		if want := ukcalendar.New(ukcalendar.EnglandWales).AddWorkingDays(tk.CreatedAt, 28); !tk.SLADueAt.Equal(want) {
			t.Fatalf("slaDueAt %v, want 28 working days on: %v", tk.SLADueAt, want)
		}
		// GET answers the same ticket.
		if got := testsupport.GetTicket(t, o.Admin, tk.ID); got.Ticket.Number != tk.Number || !got.SLADueAt.Equal(tk.SLADueAt) || got.Title != tk.Title {
			t.Fatalf("get %+v, created %+v", got.Ticket, tk)
		}
	})

	t.Run("coordinator with every field", func(t *testing.T) {
		tk := testsupport.CreateTicket(t, o.Coordinator, map[string]any{
			"unitId": o.UnitID, "category": "PLUMBING", "priority": "EMERGENCY", "title": "Burst pipe", "description": " Water everywhere ",
			"reportedByName": "Pat Caller", "reportedByPhone": "07911 123456", "reportedByEmail": " Pat@Example.COM ",
			"assigneeUserId": o.Coordinator.UserID,
		})
		expectNumber(t, tk)
		if tk.Category != "PLUMBING" || tk.Priority != "EMERGENCY" || tk.Description != "Water everywhere" || tk.ReportedByName != "Pat Caller" ||
			tk.ReportedByPhone != "+447911123456" || tk.ReportedByEmail != "pat@example.com" || tk.AssigneeUserID == nil ||
			*tk.AssigneeUserID != o.Coordinator.UserID || *tk.ReportedByUserID != o.Coordinator.UserID || *tk.PropertyID != o.PropertyID {
			t.Fatalf("created %+v", tk)
		}
		if want := tk.CreatedAt.Add(24 * time.Hour); !tk.SLADueAt.Equal(want) {
			t.Fatalf("EMERGENCY due %v, want %v", tk.SLADueAt, want)
		}
		// An ADMIN is a valid assignee too.
		tk = testsupport.CreateTicket(t, o.Admin, map[string]any{"unitId": o.UnitID, "priority": "URGENT", "title": "Loose banister", "assigneeUserId": o.Admin.UserID})
		expectNumber(t, tk)
		if want := ukcalendar.New(ukcalendar.EnglandWales).AddWorkingDays(tk.CreatedAt, 7); !tk.SLADueAt.Equal(want) {
			t.Fatalf("URGENT due %v, want %v", tk.SLADueAt, want)
		}
	})

	t.Run("tenant for the unit they live in", func(t *testing.T) {
		tk := testsupport.CreateTicket(t, o.Tenant, map[string]any{"unitId": o.UnitID, "title": "Damp in bedroom", "category": "STRUCTURAL"})
		expectNumber(t, tk)
		if tk.Source != tickets.SourceResident || *tk.ReportedByUserID != o.Tenant.UserID || tk.ReportedByName != "Member TENANT" ||
			tk.ReportedByEmail != o.Tenant.Email || tk.Status != tickets.New || tk.Category != "STRUCTURAL" || tk.AssigneeUserID != nil {
			t.Fatalf("created %+v", tk)
		}
		if got := testsupport.GetTicket(t, o.Tenant, tk.ID); got.ID != tk.ID {
			t.Fatalf("the tenant cannot read their report: %+v", got)
		}
	})

	t.Run("refused", func(t *testing.T) {
		valid := func(unit uuid.UUID) map[string]any { return map[string]any{"unitId": unit, "title": "Dripping tap"} }
		with := func(unit uuid.UUID, k string, v any) map[string]any {
			b := valid(unit)
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
			return b
		}
		cases := []struct {
			name   string
			actor  *testsupport.Client
			body   any
			status int
			code   apperr.Code
			field  string
		}{
			{"tenant for a neighbour's unit", o.Tenant, valid(o.UB), 403, apperr.Forbidden, ""},
			{"tenant for a vacant unit", o.Tenant, valid(o.U2), 403, apperr.Forbidden, ""},
			{"tenant choosing an assignee", o.Tenant, with(o.UnitID, "assigneeUserId", o.Coordinator.UserID), 422, apperr.Invalid, "assigneeUserId"},
			{"contractor", o.Contractor, valid(o.UnitID), 403, apperr.Forbidden, ""},
			{"no unit", o.Admin, with(o.UnitID, "unitId", nil), 422, apperr.Invalid, "unitId"},
			{"unknown unit", o.Admin, valid(uuid.New()), 422, apperr.Invalid, "unitId"},
			{"another organisation's unit", o.Admin, valid(other.UnitID), 422, apperr.Invalid, "unitId"},
			{"another organisation's unit (tenant)", o.Tenant, valid(other.UnitID), 422, apperr.Invalid, "unitId"},
			{"unit id not a uuid", o.Admin, with(o.UnitID, "unitId", "flat-1"), 422, apperr.Invalid, ""}, // field not named: see report
			{"a property id as unit", o.Admin, valid(o.PropertyID), 422, apperr.Invalid, "unitId"},
			{"no title", o.Admin, with(o.UnitID, "title", nil), 422, apperr.Invalid, "title"},
			{"empty title", o.Admin, with(o.UnitID, "title", ""), 422, apperr.Invalid, "title"},
			{"blank title", o.Admin, with(o.UnitID, "title", "   "), 422, apperr.Invalid, "title"},
			{"title of 201 characters", o.Admin, with(o.UnitID, "title", strings.Repeat("t", 201)), 422, apperr.Invalid, "title"},
			{"title not a string", o.Admin, with(o.UnitID, "title", 42), 422, apperr.Invalid, "title"},
			{"description of 2001 characters", o.Admin, with(o.UnitID, "description", strings.Repeat("d", 2001)), 422, apperr.Invalid, "description"},
			{"unknown category", o.Admin, with(o.UnitID, "category", "GAS"), 422, apperr.Invalid, "category"},
			{"unknown priority", o.Admin, with(o.UnitID, "priority", "LOW"), 422, apperr.Invalid, "priority"},
			{"phone number of letters", o.Admin, with(o.UnitID, "reportedByPhone", "0800 FLOWERS"), 422, apperr.Invalid, "reportedByPhone"},
			{"phone number too short", o.Admin, with(o.UnitID, "reportedByPhone", "12345"), 422, apperr.Invalid, "reportedByPhone"},
			{"bad email", o.Admin, with(o.UnitID, "reportedByEmail", "pat at example"), 422, apperr.Invalid, "reportedByEmail"},
			{"email with a name", o.Admin, with(o.UnitID, "reportedByEmail", "Pat <pat@example.com>"), 422, apperr.Invalid, "reportedByEmail"},
			{"name of 201 characters", o.Admin, with(o.UnitID, "reportedByName", strings.Repeat("n", 201)), 422, apperr.Invalid, "reportedByName"},
			{"tenant as assignee", o.Admin, with(o.UnitID, "assigneeUserId", o.Tenant.UserID), 422, apperr.Invalid, "assigneeUserId"},
			{"contractor as assignee", o.Coordinator, with(o.UnitID, "assigneeUserId", o.Contractor.UserID), 422, apperr.Invalid, "assigneeUserId"},
			{"another organisation's admin as assignee", o.Admin, with(o.UnitID, "assigneeUserId", other.Admin.UserID), 422, apperr.Invalid, "assigneeUserId"},
			{"unknown assignee", o.Admin, with(o.UnitID, "assigneeUserId", uuid.New()), 422, apperr.Invalid, "assigneeUserId"},
			{"malformed JSON", o.Admin, `{"unitId": `, 400, apperr.BadRequest, ""},
			{"no token", app.Anonymous(), valid(o.UnitID), 401, apperr.Unauthenticated, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f := tc.actor.With(t).Post("/api/v1/tickets", tc.body).ExpectFailure(tc.status, tc.code)
				if tc.field != "" && !slices.ContainsFunc(f.Fields, func(e apperr.FieldError) bool { return e.Field == tc.field }) {
					t.Fatalf("no field error for %q: %+v", tc.field, f)
				}
			})
		}
		// Several problems are reported together.
		f := o.Admin.With(t).Post("/api/v1/tickets", map[string]any{"unitId": o.UnitID, "title": " ", "reportedByPhone": "999", "reportedByEmail": "x"}).
			ExpectFailure(422, apperr.Invalid, "title", "reportedByPhone", "reportedByEmail")
		if len(f.Fields) != 3 {
			t.Fatalf("fields %+v", f.Fields)
		}
	})

	t.Run("limits are characters, inclusive", func(t *testing.T) {
		tk := testsupport.CreateTicket(t, o.Admin, map[string]any{"unitId": o.UnitID, "title": strings.Repeat("é", 200), "description": strings.Repeat("ü", 2000)})
		expectNumber(t, tk)
		if len([]rune(tk.Title)) != 200 || len([]rune(tk.Description)) != 2000 {
			t.Fatalf("title %d, description %d characters", len([]rune(tk.Title)), len([]rune(tk.Description)))
		}
	})

	t.Run("refused creates took no number", func(t *testing.T) {
		tk := testsupport.CreateTicket(t, o.Coordinator, map[string]any{"unitId": o.U2, "title": "After the refusals"})
		expectNumber(t, tk)
		var got []string
		for _, tk := range testsupport.All[tickets.Ticket](t, o.Admin, "/api/v1/tickets") {
			got = append(got, tk.Number)
		}
		slices.Sort(got)
		var want []string
		for i := 1; i <= numbers; i++ {
			want = append(want, fmt.Sprintf("MT-%06d", i))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("numbers %v, want %v", got, want)
		}
	})

	t.Run("another organisation numbers from 1", func(t *testing.T) {
		if tk := testsupport.CreateTicket(t, other.Admin, map[string]any{"unitId": other.UnitID, "title": "First elsewhere"}); tk.Number != "MT-000001" {
			t.Fatalf("first ticket of another organisation is %s", tk.Number)
		}
	})
}

// TestTicketNumbersConcurrent: parallel creates in one organisation take exactly
// MT-000001…MT-000024 whatever fails alongside them (a create that fails after taking its
// number gives it back), while another organisation numbers on its own.
func TestTicketNumbersConcurrent(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	a := app.Register("Numbers A")
	b := app.Register("Numbers B")
	unitOf := func(c *testsupport.Client) uuid.UUID {
		p := c.Post("/api/v1/properties", map[string]any{"addressLine1": "1 Count Street", "town": "Hull", "postcode": "HU1 1AA"}).Expect(http.StatusCreated).ID()
		return c.Post("/api/v1/properties/"+p.String()+"/units", map[string]any{"label": "Flat 1", "reference": "NUM-1"}).Expect(http.StatusCreated).ID()
	}
	ua, ub := unitOf(a), unitOf(b)
	aTenant := app.AddMember(a, access.Tenant)
	var me struct {
		Org struct {
			Slug string `json:"slug"`
		} `json:"org"`
	}
	a.Get("/api/v1/auth/me").Expect(http.StatusOK).Data(&me)

	var mu sync.Mutex
	got := map[uuid.UUID][]string{}
	record := func(org uuid.UUID, n string) {
		mu.Lock()
		defer mu.Unlock()
		got[org] = append(got[org], n)
	}
	errBoom := errors.New("photo store unavailable")
	// Plain goroutines, not t.Parallel subtests (which go test runs only GOMAXPROCS at a
	// time: 2 on a small machine), all released at once by a start barrier. Holders take a
	// number and keep their transaction open until release, so every other create reads
	// the counter while numbers are taken but not yet committed: without the counter
	// row's lock, duplicates (500s) are certain, not merely likely.
	const creates, holders = 20, 4
	start, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var created []*testsupport.Response
	var createdMu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	post := func(c *testsupport.Client, body map[string]any) *testsupport.Response {
		// Client.With(t) would call t.Fatal off the test goroutine: post directly.
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, c.App.Server.URL+"/api/v1/tickets", bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.Token)
		resp, err := c.App.Server.Client().Do(req)
		if err != nil {
			fail("create: %v", err)
			return &testsupport.Response{}
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return &testsupport.Response{Status: resp.StatusCode, Body: b}
	}
	goAfterStart := func(f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f()
		}()
	}
	for i := range creates {
		goAfterStart(func() {
			r := post(a, map[string]any{"unitId": ua, "title": fmt.Sprintf("Parallel %d", i)})
			createdMu.Lock()
			created = append(created, r)
			createdMu.Unlock()
		})
	}
	for i := range 5 {
		goAfterStart(func() {
			r := post(b, map[string]any{"unitId": ub, "title": fmt.Sprintf("Other %d", i)})
			var tk tickets.Ticket
			if r.Status != http.StatusCreated || json.Unmarshal(envelopeData(r.Body), &tk) != nil {
				fail("other org create: %d %s", r.Status, r.Body)
				return
			}
			record(b.OrgID, tk.Number)
		})
	}
	for range 4 {
		goAfterStart(func() {
			if r := post(a, map[string]any{"unitId": ua, "title": "Refused", "assigneeUserId": aTenant.UserID}); r.Status != http.StatusUnprocessableEntity {
				fail("refused assignee: %d %s", r.Status, r.Body)
			}
		})
	}
	report := func(ip string, attach func() error) (*tickets.Receipt, error) {
		return pubDirect(app, me.Org.Slug, ip, tickets.PublicReport{
			Name: "Pat", Email: "pat@example.com", UnitReference: "NUM-1", Title: "Report",
		}, func(context.Context, pgx.Tx, access.Actor, uuid.UUID) error { return attach() })
	}
	for i := range 4 {
		// A public report whose photo fails after the ticket row (and its number) exist.
		goAfterStart(func() {
			if _, err := report(fmt.Sprintf("192.0.2.%d", i+1), func() error { return errBoom }); !errors.Is(err, errBoom) {
				fail("doomed report: %v", err)
			}
		})
	}
	for i := range holders {
		goAfterStart(func() {
			receipt, err := report(fmt.Sprintf("198.51.100.%d", i+1), func() error { <-release; return nil })
			if err != nil {
				fail("holding report: %v", err)
				return
			}
			record(a.OrgID, receipt.TicketNumber)
		})
	}
	close(start)
	time.Sleep(300 * time.Millisecond)
	close(release)
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	for _, r := range created {
		var tk tickets.Ticket
		if r.Status != http.StatusCreated || json.Unmarshal(envelopeData(r.Body), &tk) != nil {
			t.Errorf("create: %d %s", r.Status, r.Body)
			continue
		}
		record(a.OrgID, tk.Number)
	}
	if t.Failed() {
		t.FailNow()
	}

	check := func(t *testing.T, c *testsupport.Client, n int) {
		t.Helper()
		want := make([]string, n)
		for i := range want {
			want[i] = fmt.Sprintf("MT-%06d", i+1)
		}
		created := slices.Clone(got[c.OrgID])
		slices.Sort(created)
		if !slices.Equal(created, want) {
			t.Fatalf("created numbers %v, want %v", created, want)
		}
		var listed []string
		for _, tk := range testsupport.All[tickets.Ticket](t, c, "/api/v1/tickets") {
			listed = append(listed, tk.Number)
		}
		slices.Sort(listed)
		if !slices.Equal(listed, want) {
			t.Fatalf("listed numbers %v, want %v", listed, want)
		}
	}
	check(t, a, creates+holders)
	check(t, b, 5)
	// The numbers given back are reused: the next one follows on.
	if tk, want := testsupport.CreateTicket(t, a, map[string]any{"unitId": ua, "title": "Next"}), fmt.Sprintf("MT-%06d", creates+holders+1); tk.Number != want {
		t.Fatalf("next number %s, want %s", tk.Number, want)
	}
}

// TestTicketStateMachine tries every (from, to) status pair through the API. Allowed
// changes succeed and write one status_changed event; every other one answers 409 and
// changes nothing. It also covers reasons, live work orders and roles.
func TestTicketStateMachine(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "State Lets")
	admin, coord := o.Admin, o.Coordinator

	allowed := map[[2]tickets.Status]bool{
		{tickets.New, tickets.Triaged}: true, {tickets.New, tickets.Cancelled}: true,
		{tickets.Triaged, tickets.InProgress}: true, {tickets.Triaged, tickets.Resolved}: true, {tickets.Triaged, tickets.Cancelled}: true,
		{tickets.InProgress, tickets.Resolved}: true, {tickets.InProgress, tickets.Cancelled}: true,
		{tickets.Resolved, tickets.Closed}: true, {tickets.Resolved, tickets.InProgress}: true,
	}
	// Each starting point, reached through the API.
	type start struct {
		name   string
		status tickets.Status
		reach  func(t *testing.T, id uuid.UUID)
		// liveWorkOrder: the ticket has a live work order (resolving and cancelling wait for it).
		liveWorkOrder bool
	}
	starts := []start{
		{"NEW", tickets.New, func(*testing.T, uuid.UUID) {}, false},
		{"TRIAGED", tickets.Triaged, func(t *testing.T, id uuid.UUID) { tkMove(t, coord, id, tickets.Triaged) }, false},
		{"IN_PROGRESS by hand", tickets.InProgress, func(t *testing.T, id uuid.UUID) { tkMove(t, coord, id, tickets.Triaged, tickets.InProgress) }, false},
		{"IN_PROGRESS by work order", tickets.InProgress, func(t *testing.T, id uuid.UUID) { testsupport.RaiseWorkOrder(t, admin, id, o.ContractorID) }, true},
		{"RESOLVED", tickets.Resolved, func(t *testing.T, id uuid.UUID) {
			tkMove(t, coord, id, tickets.Triaged, tickets.InProgress, tickets.Resolved)
		}, false},
		{"CLOSED", tickets.Closed, func(t *testing.T, id uuid.UUID) {
			tkMove(t, coord, id, tickets.Triaged, tickets.InProgress, tickets.Resolved, tickets.Closed)
		}, false},
		{"CANCELLED", tickets.Cancelled, func(t *testing.T, id uuid.UUID) { tkMove(t, coord, id, tickets.Cancelled) }, false},
	}

	t.Run("every pair", func(t *testing.T) {
		for _, from := range starts {
			for _, to := range tickets.Statuses {
				ok := allowed[[2]tickets.Status{from.status, to}] && !(from.liveWorkOrder && (to == tickets.Resolved || to == tickets.Cancelled))
				name := fmt.Sprintf("%s to %s", from.name, to)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					tk := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.UnitID, "title": name})
					from.reach(t, tk.ID)
					before := testsupport.GetTicket(t, admin, tk.ID)
					if before.Status != from.status {
						t.Fatalf("set up %s, got %s", from.status, before.Status)
					}
					r := tkTransition(coord, t, tk.ID, to, "a good reason")
					after := testsupport.GetTicket(t, admin, tk.ID)
					if !ok {
						r.ExpectFailure(http.StatusConflict, apperr.Conflict)
						tkSame(t, "refused transition: ticket", before, after)
						return
					}
					var got tickets.Ticket
					r.Expect(http.StatusOK).Data(&got)
					if got.Status != to || after.Status != to {
						t.Fatalf("answered %s, stored %s, want %s", got.Status, after.Status, to)
					}
					if len(after.Timeline) != len(before.Timeline)+1 {
						t.Fatalf("%d events, had %d: %v", len(after.Timeline), len(before.Timeline), tkActions(after.Timeline))
					}
					e := after.Timeline[len(after.Timeline)-1]
					var eb, ea map[string]any
					_ = json.Unmarshal(e.Before, &eb)
					_ = json.Unmarshal(e.After, &ea)
					if e.Action != "status_changed" || e.EntityID != tk.ID || e.ActorID == nil || *e.ActorID != coord.UserID ||
						eb["status"] != string(from.status) || ea["status"] != string(to) || ea["reason"] != "a good reason" {
						t.Fatalf("event %+v (before %s, after %s)", e, e.Before, e.After)
					}
					switch to {
					case tickets.Resolved:
						if after.ResolvedAt == nil || after.ClosedAt != nil {
							t.Fatalf("resolved: resolvedAt %v closedAt %v", after.ResolvedAt, after.ClosedAt)
						}
					case tickets.Closed, tickets.Cancelled:
						if after.ClosedAt == nil {
							t.Fatalf("%s without closedAt", to)
						}
					case tickets.InProgress:
						if after.ResolvedAt != nil {
							t.Fatalf("reopened with resolvedAt %v", after.ResolvedAt)
						}
					}
				})
			}
		}
	})

	t.Run("cancelling and reopening need a reason", func(t *testing.T) {
		cases := []struct {
			name string
			path []tickets.Status
			to   tickets.Status
		}{
			{"cancel NEW", nil, tickets.Cancelled},
			{"cancel TRIAGED", []tickets.Status{tickets.Triaged}, tickets.Cancelled},
			{"cancel IN_PROGRESS", []tickets.Status{tickets.Triaged, tickets.InProgress}, tickets.Cancelled},
			{"reopen RESOLVED", []tickets.Status{tickets.Triaged, tickets.Resolved}, tickets.InProgress},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tk := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.UnitID, "title": tc.name})
				tkMove(t, coord, tk.ID, tc.path...)
				before := testsupport.GetTicket(t, admin, tk.ID)
				for _, reason := range []any{nil, "", "   ", strings.Repeat("r", 1001)} {
					body := map[string]any{"to": tc.to}
					if reason != nil {
						body["reason"] = reason
					}
					coord.With(t).Post("/api/v1/tickets/"+tk.ID.String()+"/transition", body).ExpectFailure(422, apperr.Invalid, "reason")
				}
				tkSame(t, "ticket after refused transitions", before, testsupport.GetTicket(t, admin, tk.ID))
				// With a reason (1000 characters is the limit) it goes through, and the
				// reason is on the trail.
				reason := strings.Repeat("é", 1000)
				tkTransition(coord, t, tk.ID, tc.to, reason).Expect(http.StatusOK)
				d := testsupport.GetTicket(t, admin, tk.ID)
				var after map[string]any
				_ = json.Unmarshal(d.Timeline[len(d.Timeline)-1].After, &after)
				if d.Status != tc.to || after["reason"] != reason {
					t.Fatalf("status %s, event after %v", d.Status, after)
				}
			})
		}
	})

	t.Run("bad target status", func(t *testing.T) {
		tk := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.UnitID, "title": "Bad target"})
		for _, body := range []any{map[string]any{"to": "DONE"}, map[string]any{"to": "triaged"}, map[string]any{}, map[string]any{"reason": "x"}} {
			coord.With(t).Post("/api/v1/tickets/"+tk.ID.String()+"/transition", body).ExpectFailure(422, apperr.Invalid, "to")
		}
		if d := testsupport.GetTicket(t, admin, tk.ID); d.Status != tickets.New || len(d.Timeline) != 1 {
			t.Fatalf("status %s, %d events", d.Status, len(d.Timeline))
		}
		tkTransition(coord, t, uuid.New(), tickets.Triaged, "").ExpectFailure(http.StatusNotFound, apperr.NotFound)
	})

	t.Run("live work orders hold resolving and cancelling", func(t *testing.T) {
		tk := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.UnitID, "title": "Needs a plumber"})
		tkMove(t, coord, tk.ID, tickets.Triaged)
		wo := testsupport.RaiseWorkOrder(t, admin, tk.ID, o.ContractorID)
		if d := testsupport.GetTicket(t, admin, tk.ID); d.Status != tickets.InProgress {
			t.Fatalf("raising a work order left the ticket %s", d.Status)
		}
		before := testsupport.GetTicket(t, admin, tk.ID)
		tkTransition(coord, t, tk.ID, tickets.Resolved, "").ExpectFailure(http.StatusConflict, apperr.Conflict)
		tkTransition(coord, t, tk.ID, tickets.Cancelled, "duplicate").ExpectFailure(http.StatusConflict, apperr.Conflict)
		tkSame(t, "ticket", before, testsupport.GetTicket(t, admin, tk.ID))
		// The contractor accepts: still live.
		o.Contractor.With(t).Post("/api/v1/work-orders/"+wo.ID.String()+"/transition", map[string]any{"action": "accept"}).Expect(http.StatusOK)
		tkTransition(coord, t, tk.ID, tickets.Resolved, "").ExpectFailure(http.StatusConflict, apperr.Conflict)
		// Cancelled: the ticket goes back to TRIAGED and may then be resolved by hand.
		admin.With(t).Post("/api/v1/work-orders/"+wo.ID.String()+"/transition", map[string]any{"action": "cancel", "reason": "tenant fixed it"}).Expect(http.StatusOK)
		if d := testsupport.GetTicket(t, admin, tk.ID); d.Status != tickets.Triaged {
			t.Fatalf("after the only work order was cancelled the ticket is %s", d.Status)
		}
		tkMove(t, coord, tk.ID, tickets.Resolved, tickets.Closed)
	})

	t.Run("only staff change status", func(t *testing.T) {
		tk := testsupport.CreateTicket(t, o.Tenant, map[string]any{"unitId": o.UnitID, "title": "Who may triage"})
		testsupport.RaiseWorkOrder(t, admin, tk.ID, o.ContractorID) // so the contractor can see it
		before := testsupport.GetTicket(t, admin, tk.ID)
		for _, c := range []*testsupport.Client{o.Tenant, o.Contractor} {
			for _, to := range []tickets.Status{tickets.Triaged, tickets.Resolved, tickets.Cancelled} {
				tkTransition(c, t, tk.ID, to, "please").ExpectFailure(http.StatusForbidden, apperr.Forbidden)
			}
		}
		tkTransition(app.Anonymous(), t, tk.ID, tickets.Cancelled, "x").ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
		tkSame(t, "ticket", before, testsupport.GetTicket(t, admin, tk.ID))
	})
}

// TestTicketSLAOverHTTP: due times on tickets made through the API, recomputed from the
// report time when the priority changes, and the overdue flag and filter against the real
// clock (tickets backdated through the service with a fixed clock).
func TestTicketSLAOverHTTP(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "Overdue Lets")
	other := tkNewOrg(t, app, "Overdue Elsewhere")
	ew := ukcalendar.New(ukcalendar.EnglandWales)

	t.Run("priority change recomputes from createdAt", func(t *testing.T) {
		tk := testsupport.CreateTicket(t, o.Admin, map[string]any{"unitId": o.UnitID, "title": "Cold radiators"})
		if want := ew.AddWorkingDays(tk.CreatedAt, 28); !tk.SLADueAt.Equal(want) {
			t.Fatalf("ROUTINE due %v, want %v", tk.SLADueAt, want)
		}
		var got tickets.Ticket
		o.Coordinator.With(t).Patch("/api/v1/tickets/"+tk.ID.String(), map[string]any{"priority": "EMERGENCY"}).Expect(http.StatusOK).Data(&got)
		if want := tk.CreatedAt.Add(24 * time.Hour); !got.SLADueAt.Equal(want) || !got.CreatedAt.Equal(tk.CreatedAt) {
			t.Fatalf("EMERGENCY due %v, want %v", got.SLADueAt, want)
		}
		o.Coordinator.With(t).Patch("/api/v1/tickets/"+tk.ID.String(), map[string]any{"priority": "URGENT"}).Expect(http.StatusOK).Data(&got)
		if want := ew.AddWorkingDays(tk.CreatedAt, 7); !got.SLADueAt.Equal(want) {
			t.Fatalf("URGENT due %v, want %v", got.SLADueAt, want)
		}
		if d := testsupport.GetTicket(t, o.Admin, tk.ID); !d.SLADueAt.Equal(got.SLADueAt) {
			t.Fatalf("stored due %v, answered %v", d.SLADueAt, got.SLADueAt)
		}
	})

	t.Run("the organisation's windows apply", func(t *testing.T) {
		other.Admin.With(t).Patch("/api/v1/settings", map[string]any{"sla": map[string]any{"URGENT": map[string]any{"hours": 2}}}).Expect(http.StatusOK)
		tk := testsupport.CreateTicket(t, other.Coordinator, map[string]any{"unitId": other.UnitID, "title": "Two hours", "priority": "URGENT"})
		if want := tk.CreatedAt.Add(2 * time.Hour); !tk.SLADueAt.Equal(want) {
			t.Fatalf("URGENT with a 2 hour window due %v, want %v", tk.SLADueAt, want)
		}
		// o's settings are untouched.
		tk = testsupport.CreateTicket(t, o.Coordinator, map[string]any{"unitId": o.UnitID, "title": "Seven days", "priority": "URGENT"})
		if want := ew.AddWorkingDays(tk.CreatedAt, 7); !tk.SLADueAt.Equal(want) {
			t.Fatalf("URGENT due %v, want %v", tk.SLADueAt, want)
		}
	})

	t.Run("overdue", func(t *testing.T) {
		// Reported 40 days ago through a service whose clock says so.
		clk := testsupport.NewClock(time.Now().Add(-40 * 24 * time.Hour))
		past := tickets.NewService(app.DB, events.Discard{}, clk.Now, tickets.PublicLimits{ReportsPerHour: 100})
		mk := func(priority string, unit uuid.UUID, title string) uuid.UUID {
			t.Helper()
			clk.Set(clk.Now().Add(time.Minute))
			tk, err := past.Create(context.Background(), tkActor(o.Admin), tickets.CreateInput{UnitID: unit, Priority: priority, Title: title})
			if err != nil {
				t.Fatal(err)
			}
			return tk.ID
		}
		openEmergency := mk("EMERGENCY", o.UnitID, "Old emergency")
		openUrgent := mk("URGENT", o.U2, "Old urgent")
		resolved := mk("EMERGENCY", o.UnitID, "Old but resolved")
		cancelled := mk("EMERGENCY", o.UnitID, "Old but cancelled")
		closed := mk("URGENT", o.UnitID, "Old but closed")
		inProgress := mk("EMERGENCY", o.UB, "Old and in progress")
		tkMove(t, o.Coordinator, resolved, tickets.Triaged, tickets.Resolved)
		tkMove(t, o.Coordinator, cancelled, tickets.Cancelled)
		tkMove(t, o.Coordinator, closed, tickets.Triaged, tickets.Resolved, tickets.Closed)
		testsupport.RaiseWorkOrder(t, o.Admin, inProgress, o.ContractorID)
		// An old one in another organisation is never in o's list.
		clk.Set(time.Now().Add(-40 * 24 * time.Hour))
		if _, err := past.Create(context.Background(), tkActor(other.Admin), tickets.CreateInput{UnitID: other.UnitID, Priority: "EMERGENCY", Title: "Theirs"}); err != nil {
			t.Fatal(err)
		}

		want := []uuid.UUID{inProgress, openUrgent, openEmergency} // newest first
		list := testsupport.All[tickets.Ticket](t, o.Admin, "/api/v1/tickets?overdue=true")
		if got := tkIDs(list); !slices.Equal(got, want) {
			t.Fatalf("overdue %v, want %v", got, want)
		}
		for _, tk := range list {
			if !tk.Overdue || !tk.SLADueAt.Before(time.Now()) {
				t.Fatalf("listed %+v", tk)
			}
		}
		for id, want := range map[uuid.UUID]bool{openEmergency: true, openUrgent: true, inProgress: true, resolved: false, cancelled: false, closed: false} {
			if d := testsupport.GetTicket(t, o.Coordinator, id); d.Overdue != want {
				t.Fatalf("%s (%s) overdue=%v, want %v", d.Title, d.Status, d.Overdue, want)
			}
		}
		// The flag is on plain list items too, and overdue=false does not filter.
		all := testsupport.All[tickets.Ticket](t, o.Admin, "/api/v1/tickets?overdue=false")
		if len(all) != len(testsupport.All[tickets.Ticket](t, o.Admin, "/api/v1/tickets")) {
			t.Fatalf("overdue=false filtered the list")
		}
		for _, tk := range all {
			if tk.Overdue != slices.Contains(want, tk.ID) {
				t.Fatalf("%s overdue=%v in the plain list", tk.Title, tk.Overdue)
			}
		}
		// Combined with other filters, and scoped for a tenant.
		if got := tkIDs(testsupport.All[tickets.Ticket](t, o.Admin, "/api/v1/tickets?overdue=true&priority=URGENT")); !slices.Equal(got, []uuid.UUID{openUrgent}) {
			t.Fatalf("overdue URGENT %v", got)
		}
		if got := tkIDs(testsupport.All[tickets.Ticket](t, o.Tenant, "/api/v1/tickets?overdue=true")); !slices.Equal(got, []uuid.UUID{openEmergency}) {
			t.Fatalf("tenant's overdue %v, want %v", got, []uuid.UUID{openEmergency})
		}
		if got := tkIDs(testsupport.All[tickets.Ticket](t, o.Contractor, "/api/v1/tickets?overdue=true")); !slices.Equal(got, []uuid.UUID{inProgress}) {
			t.Fatalf("contractor's overdue %v", got)
		}
		o.Admin.With(t).Get("/api/v1/tickets?overdue=maybe").ExpectFailure(422, apperr.Invalid, "overdue")
	})
}

// tkFixture is one ticket of the list-filter test, with what the filters look at.
type tkFixture struct {
	id                         uuid.UUID
	status                     tickets.Status
	priority, category         string
	unit, property             uuid.UUID
	assignee                   *uuid.UUID
	overdue                    bool
	title, description, number string
}

// TestTicketListFilters: each filter narrows the list to exactly the matching tickets,
// newest first, alone and combined; pages; bad values answer 422; full-text search.
func TestTicketListFilters(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "Filter Lets")
	other := tkNewOrg(t, app, "Filter Elsewhere")
	admin, coord := o.Admin, o.Coordinator
	coordID, adminID := coord.UserID, admin.UserID

	var all []tkFixture // in creation order
	propertyOf := map[uuid.UUID]uuid.UUID{o.UnitID: o.PropertyID, o.UB: o.PropertyID, o.U2: o.P2}

	// Two old tickets first, through a service whose clock is 60 days back: one still open
	// (overdue), one resolved.
	clk := testsupport.NewClock(time.Now().Add(-60 * 24 * time.Hour))
	past := tickets.NewService(app.DB, events.Discard{}, clk.Now, tickets.PublicLimits{ReportsPerHour: 100})
	for _, f := range []tkFixture{
		{priority: "EMERGENCY", category: "PEST_CONTROL", unit: o.U2, title: "Mice in the loft", description: "Droppings near the water tank", status: tickets.New, overdue: true},
		{priority: "URGENT", category: "HVAC", unit: o.UnitID, title: "Boiler pressure low", description: "Needs topping up weekly", status: tickets.Resolved},
	} {
		clk.Set(clk.Now().Add(time.Hour))
		tk, err := past.Create(context.Background(), tkActor(admin), tickets.CreateInput{UnitID: f.unit, Priority: f.priority, Category: f.category, Title: f.title, Description: f.description})
		if err != nil {
			t.Fatal(err)
		}
		f.id, f.property, f.number = tk.ID, propertyOf[f.unit], tk.Number
		if f.status == tickets.Resolved {
			tkMove(t, coord, f.id, tickets.Triaged, tickets.Resolved)
		}
		all = append(all, f)
	}
	for _, f := range []tkFixture{
		{priority: "URGENT", category: "PLUMBING", unit: o.UnitID, assignee: &coordID, title: "Kitchen tap leaking", description: "Water drips constantly from the kitchen tap"},
		{priority: "EMERGENCY", category: "ELECTRICAL", unit: o.UB, title: "Sparking socket", description: "The socket in the hallway sparks when used"},
		{priority: "ROUTINE", category: "HVAC", unit: o.U2, assignee: &adminID, title: "Boiler not heating", description: "Radiators cold upstairs"},
		{priority: "ROUTINE", category: "PLUMBING", unit: o.U2, assignee: &coordID, title: "Bathroom leak under bath", description: "A leak has stained the ceiling below", status: tickets.Triaged},
		{priority: "URGENT", category: "APPLIANCE", unit: o.UnitID, title: "Oven door broken", description: "The hinge snapped", status: tickets.Cancelled},
		{priority: "EMERGENCY", category: "PLUMBING", unit: o.UB, assignee: &coordID, title: "Burst pipe in loft", description: "Water everywhere in the loft", status: tickets.InProgress},
		{priority: "ROUTINE", category: "STRUCTURAL", unit: o.UnitID, title: "Cracked window pane", description: "Bedroom window, no draught yet", status: tickets.Closed},
	} {
		body := map[string]any{"unitId": f.unit, "priority": f.priority, "category": f.category, "title": f.title, "description": f.description}
		if f.assignee != nil {
			body["assigneeUserId"] = *f.assignee
		}
		tk := testsupport.CreateTicket(t, admin, body)
		f.id, f.property, f.number = tk.ID, propertyOf[f.unit], tk.Number
		switch f.status {
		case tickets.Triaged:
			tkMove(t, coord, f.id, tickets.Triaged)
		case tickets.Cancelled:
			tkMove(t, coord, f.id, tickets.Cancelled)
		case tickets.InProgress:
			testsupport.RaiseWorkOrder(t, admin, f.id, o.ContractorID)
		case tickets.Closed:
			tkMove(t, coord, f.id, tickets.Triaged, tickets.Resolved, tickets.Closed)
		default:
			f.status = tickets.New
		}
		all = append(all, f)
	}
	// The other organisation has look-alikes that must never show.
	theirs := testsupport.CreateTicket(t, other.Admin, map[string]any{"unitId": other.UnitID, "priority": "URGENT", "category": "PLUMBING", "title": "Kitchen tap leaking", "description": "Boiler and socket too"})

	expect := func(keep func(f tkFixture) bool) []uuid.UUID {
		ids := []uuid.UUID{}
		for i := len(all) - 1; i >= 0; i-- { // newest first
			if keep(all[i]) {
				ids = append(ids, all[i].id)
			}
		}
		return ids
	}
	check := func(t *testing.T, c *testsupport.Client, query string, want []uuid.UUID) {
		t.Helper()
		got := tkIDs(testsupport.All[tickets.Ticket](t, c, "/api/v1/tickets?"+query))
		if !slices.Equal(got, want) {
			t.Fatalf("GET /tickets?%s:\n got %v\nwant %v", query, got, want)
		}
		if slices.Contains(got, theirs.ID) {
			t.Fatalf("another organisation's ticket listed")
		}
	}
	isAssigned := func(id uuid.UUID) func(f tkFixture) bool {
		return func(f tkFixture) bool { return f.assignee != nil && *f.assignee == id }
	}

	t.Run("no filter lists everything newest first", func(t *testing.T) {
		check(t, admin, "", expect(func(tkFixture) bool { return true }))
		check(t, coord, "", expect(func(tkFixture) bool { return true }))
	})

	t.Run("each filter", func(t *testing.T) {
		for _, s := range tickets.Statuses {
			check(t, admin, "status="+string(s), expect(func(f tkFixture) bool { return f.status == s }))
		}
		for _, p := range tickets.Priorities {
			check(t, admin, "priority="+p, expect(func(f tkFixture) bool { return f.priority == p }))
		}
		for _, c := range tickets.Categories {
			check(t, admin, "category="+c, expect(func(f tkFixture) bool { return f.category == c }))
		}
		for _, u := range []uuid.UUID{o.UnitID, o.UB, o.U2, uuid.New(), other.UnitID} {
			check(t, admin, "unitId="+u.String(), expect(func(f tkFixture) bool { return f.unit == u }))
		}
		for _, p := range []uuid.UUID{o.PropertyID, o.P2, other.PropertyID} {
			check(t, admin, "propertyId="+p.String(), expect(func(f tkFixture) bool { return f.property == p }))
		}
		for _, u := range []uuid.UUID{coordID, adminID, o.Tenant.UserID, other.Admin.UserID} {
			check(t, admin, "assigneeUserId="+u.String(), expect(isAssigned(u)))
		}
		check(t, admin, "overdue=true", expect(func(f tkFixture) bool { return f.overdue }))
	})

	t.Run("combined filters", func(t *testing.T) {
		check(t, admin, "category=PLUMBING&propertyId="+o.PropertyID.String(), expect(func(f tkFixture) bool { return f.category == "PLUMBING" && f.property == o.PropertyID }))
		check(t, admin, "category=PLUMBING&assigneeUserId="+coordID.String()+"&unitId="+o.UB.String(),
			expect(func(f tkFixture) bool { return f.category == "PLUMBING" && isAssigned(coordID)(f) && f.unit == o.UB }))
		check(t, admin, "status=NEW&priority=ROUTINE", expect(func(f tkFixture) bool { return f.status == tickets.New && f.priority == "ROUTINE" }))
		check(t, admin, "status=NEW&priority=EMERGENCY&propertyId="+o.P2.String(),
			expect(func(f tkFixture) bool {
				return f.status == tickets.New && f.priority == "EMERGENCY" && f.property == o.P2
			}))
		check(t, admin, "overdue=true&propertyId="+o.PropertyID.String(), []uuid.UUID{})
		check(t, admin, "status=CLOSED&category=PLUMBING", []uuid.UUID{})
		check(t, admin, "q=leak&status=NEW", expect(func(f tkFixture) bool { return f.title == "Kitchen tap leaking" }))
	})

	t.Run("pages newest first", func(t *testing.T) {
		want := expect(func(tkFixture) bool { return true })
		var got []uuid.UUID
		var sizes []int
		path := "/api/v1/tickets?limit=2"
		for range 20 {
			items, next := testsupport.Page[tickets.Ticket](t, admin, path)
			got = append(got, tkIDs(items)...)
			sizes = append(sizes, len(items))
			if next == "" {
				break
			}
			path = "/api/v1/tickets?limit=2&cursor=" + url.QueryEscape(next)
		}
		if !slices.Equal(got, want) || !slices.Equal(sizes, []int{2, 2, 2, 2, 1}) {
			t.Fatalf("pages %v gave %v, want %v", sizes, got, want)
		}
		// A filtered list pages too, keeping its filter.
		wantPlumbing := expect(func(f tkFixture) bool { return f.category == "PLUMBING" })
		got = nil
		path = "/api/v1/tickets?category=PLUMBING&limit=1"
		for range 20 {
			items, next := testsupport.Page[tickets.Ticket](t, admin, path)
			got = append(got, tkIDs(items)...)
			if next == "" {
				break
			}
			path = "/api/v1/tickets?category=PLUMBING&limit=1&cursor=" + url.QueryEscape(next)
		}
		if !slices.Equal(got, wantPlumbing) {
			t.Fatalf("PLUMBING pages gave %v, want %v", got, wantPlumbing)
		}
		// The default page holds everything with no next cursor.
		items, next := testsupport.Page[tickets.Ticket](t, admin, "/api/v1/tickets")
		if len(items) != len(all) || next != "" {
			t.Fatalf("default page: %d items, next %q", len(items), next)
		}
	})

	t.Run("bad parameters", func(t *testing.T) {
		for _, tc := range []struct{ query, field string }{
			{"status=OPEN", "status"}, {"priority=LOW", "priority"}, {"category=GAS", "category"},
			{"unitId=flat-1", "unitId"}, {"propertyId=1", "propertyId"}, {"assigneeUserId=me", "assigneeUserId"},
			{"overdue=yes", "overdue"}, {"limit=201", "limit"}, {"limit=-1", "limit"}, {"cursor=not-a-cursor!", "cursor"},
			{"q=" + strings.Repeat("q", 201), "q"},
		} {
			admin.With(t).Get("/api/v1/tickets?"+tc.query).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
		}
	})

	t.Run("full-text search", func(t *testing.T) {
		titled := func(titles ...string) []uuid.UUID {
			return expect(func(f tkFixture) bool { return slices.Contains(titles, f.title) })
		}
		cases := []struct {
			q    string
			want []uuid.UUID
		}{
			{"leaking", titled("Kitchen tap leaking", "Bathroom leak under bath")},             // stemming: leaking ~ leak
			{"leak", titled("Kitchen tap leaking", "Bathroom leak under bath")},                // and back
			{"boilers", titled("Boiler not heating", "Boiler pressure low")},                   // plural ~ singular, any case
			{"BOILER", titled("Boiler not heating", "Boiler pressure low")},                    // case-insensitive
			{"hallway", titled("Sparking socket")},                                             // description only
			{"radiator", titled("Boiler not heating")},                                         // description, stemmed
			{"water", titled("Kitchen tap leaking", "Burst pipe in loft", "Mice in the loft")}, // title or description
			{`"kitchen tap"`, titled("Kitchen tap leaking")},                                   // phrase
			{`"tap kitchen"`, titled()},                                                        // phrase order matters
			{"leak -bath", titled("Kitchen tap leaking")},                                      // exclusion
			{"loft -mice", titled("Burst pipe in loft")},                                       // exclusion, stemmed
			{"leak or socket", titled("Kitchen tap leaking", "Bathroom leak under bath", "Sparking socket")},
			{"boiler heating", titled("Boiler not heating")}, // both words
			{"unicorn", titled()},                // no match: empty
			{"the", titled()},                    // only a stop word
			{`(&|!:* ' "`, titled()},             // syntax is not an error
			{strings.Repeat("é", 150), titled()}, // 150 characters (300 bytes) is allowed
		}
		for _, tc := range cases {
			check(t, admin, "q="+url.QueryEscape(tc.q), tc.want)
		}
		// The other organisation finds only its own.
		if got := tkIDs(testsupport.All[tickets.Ticket](t, other.Admin, "/api/v1/tickets?q=leaking")); !slices.Equal(got, []uuid.UUID{theirs.ID}) {
			t.Fatalf("other org's search %v, want only %s", got, theirs.ID)
		}
		// A tenant searches only what they may see: the tap on their unit U, not the bath on U2.
		if got := tkIDs(testsupport.All[tickets.Ticket](t, o.Tenant, "/api/v1/tickets?q=leak")); !slices.Equal(got, titled("Kitchen tap leaking")) {
			t.Fatalf("tenant's search %v", got)
		}
	})
}

// TestTicketVisibility: a TENANT sees the tickets they reported or that concern a unit they
// live in, a CONTRACTOR those their company has a work order for; residents see only
// resident comments and events, without before/after. Comments follow the same scope.
func TestTicketVisibility(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "Visible Lets")
	admin, coord := o.Admin, o.Coordinator

	mine := testsupport.CreateTicket(t, o.Tenant, map[string]any{"unitId": o.UnitID, "title": "My boiler"})                   // reported by Tenant
	staffOnMine := testsupport.CreateTicket(t, coord, map[string]any{"unitId": o.UnitID, "title": "Gas check for your flat"}) // Tenant's unit
	neighbours := testsupport.CreateTicket(t, o.TenantB, map[string]any{"unitId": o.UB, "title": "Neighbour's leak"})
	vacant := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.U2, "title": "Vacant flat damp"})
	otherCompany := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.U2, "title": "Other company's job"})
	testsupport.RaiseWorkOrder(t, admin, neighbours.ID, o.ContractorID)
	testsupport.RaiseWorkOrder(t, admin, otherCompany.ID, o.OtherContractorID)
	// A declined work order no longer shows the contractor the ticket it was for.
	declined := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.U2, "title": "Declined job"})
	wo := testsupport.RaiseWorkOrder(t, admin, declined.ID, o.ContractorID)
	o.Contractor.With(t).Post("/api/v1/work-orders/"+wo.ID.String()+"/transition", map[string]any{"action": "decline", "reason": "too far"}).Expect(http.StatusOK)

	everything := []uuid.UUID{declined.ID, otherCompany.ID, vacant.ID, neighbours.ID, staffOnMine.ID, mine.ID}
	cases := []struct {
		name    string
		c       *testsupport.Client
		visible []uuid.UUID // newest first
	}{
		{"admin", admin, everything},
		{"coordinator", coord, everything},
		{"tenant", o.Tenant, []uuid.UUID{staffOnMine.ID, mine.ID}},
		{"neighbour", o.TenantB, []uuid.UUID{neighbours.ID}},
		{"contractor", o.Contractor, []uuid.UUID{neighbours.ID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tkIDs(testsupport.All[tickets.Ticket](t, tc.c, "/api/v1/tickets")); !slices.Equal(got, tc.visible) {
				t.Fatalf("list %v, want %v", got, tc.visible)
			}
			missing := tc.c.With(t).Get("/api/v1/tickets/"+uuid.NewString()).ExpectFailure(http.StatusNotFound, apperr.NotFound)
			for _, id := range everything {
				if slices.Contains(tc.visible, id) {
					if d := testsupport.GetTicket(t, tc.c, id); d.ID != id {
						t.Fatalf("got %s, want %s", d.ID, id)
					}
					continue
				}
				f := tc.c.With(t).Get("/api/v1/tickets/"+id.String()).ExpectFailure(http.StatusNotFound, apperr.NotFound)
				if f.Message != missing.Message {
					t.Fatalf("invisible ticket says %q, a missing one %q", f.Message, missing.Message)
				}
				// No commenting on what one cannot see.
				tc.c.With(t).Post("/api/v1/tickets/"+id.String()+"/comments", map[string]any{"body": "hello?"}).ExpectFailure(http.StatusNotFound, apperr.NotFound)
			}
			// Filters never widen the scope.
			for _, q := range []string{"unitId=" + o.UB.String(), "propertyId=" + o.P2.String(), "status=NEW", "q=leak"} {
				for _, tk := range testsupport.All[tickets.Ticket](t, tc.c, "/api/v1/tickets?"+q) {
					if !slices.Contains(tc.visible, tk.ID) {
						t.Fatalf("?%s showed %q", q, tk.Title)
					}
				}
			}
		})
	}

	t.Run("comments", func(t *testing.T) {
		internal := testsupport.Comment(t, coord, mine.ID, "Check the warranty first", "")
		if internal.Visibility != "INTERNAL" || internal.AuthorID == nil || *internal.AuthorID != coord.UserID || internal.AuthorName != "Member COORDINATOR" || internal.Body != "Check the warranty first" {
			t.Fatalf("staff default comment %+v", internal)
		}
		toResident := testsupport.Comment(t, admin, mine.ID, "  An engineer will call tomorrow  ", "RESIDENT")
		if toResident.Visibility != "RESIDENT" || toResident.Body != "An engineer will call tomorrow" {
			t.Fatalf("resident comment %+v", toResident)
		}
		fromTenant := testsupport.Comment(t, o.Tenant, mine.ID, "Thanks, I'm in all day", "")
		if fromTenant.Visibility != "RESIDENT" || *fromTenant.AuthorID != o.Tenant.UserID {
			t.Fatalf("tenant comment %+v", fromTenant)
		}
		if c := testsupport.Comment(t, o.Tenant, mine.ID, "Explicitly resident", "RESIDENT"); c.Visibility != "RESIDENT" {
			t.Fatalf("tenant comment %+v", c)
		}
		o.Tenant.With(t).Post("/api/v1/tickets/"+mine.ID.String()+"/comments", map[string]any{"body": "sneaky", "visibility": "INTERNAL"}).
			ExpectFailure(422, apperr.Invalid, "visibility")
		// The contractor comments on the job they have (INTERNAL by default).
		if c := testsupport.Comment(t, o.Contractor, neighbours.ID, "Parts ordered", ""); c.Visibility != "INTERNAL" {
			t.Fatalf("contractor comment %+v", c)
		}
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"body": ""}, "body"}, {map[string]any{"body": "   "}, "body"}, {map[string]any{}, "body"},
			{map[string]any{"body": strings.Repeat("b", 5001)}, "body"}, {map[string]any{"body": "x", "visibility": "PUBLIC"}, "visibility"},
		} {
			admin.With(t).Post("/api/v1/tickets/"+mine.ID.String()+"/comments", tc.body).ExpectFailure(422, apperr.Invalid, tc.field)
		}
		app.Anonymous().With(t).Post("/api/v1/tickets/"+mine.ID.String()+"/comments", map[string]any{"body": "hi"}).ExpectFailure(401, apperr.Unauthenticated)
		admin.With(t).Post("/api/v1/tickets/"+uuid.NewString()+"/comments", map[string]any{"body": "hi"}).ExpectFailure(404, apperr.NotFound)

		bodies := func(cs []tickets.Comment) []string {
			out := make([]string, len(cs))
			for i, c := range cs {
				out[i] = c.Visibility + ":" + c.Body
			}
			return out
		}
		all := []string{"INTERNAL:Check the warranty first", "RESIDENT:An engineer will call tomorrow", "RESIDENT:Thanks, I'm in all day", "RESIDENT:Explicitly resident"}
		if got := bodies(testsupport.GetTicket(t, coord, mine.ID).Comments); !slices.Equal(got, all) {
			t.Fatalf("staff see %v, want %v", got, all)
		}
		if got := bodies(testsupport.GetTicket(t, o.Tenant, mine.ID).Comments); !slices.Equal(got, all[1:]) {
			t.Fatalf("tenant sees %v, want %v", got, all[1:])
		}
		if got := testsupport.GetTicket(t, o.Contractor, neighbours.ID).Comments; len(got) != 1 || got[0].Body != "Parts ordered" {
			t.Fatalf("contractor sees %+v", got)
		}
		// Comments with no other activity show as an empty array, not null.
		var raw struct {
			Comments json.RawMessage `json:"comments"`
			Timeline json.RawMessage `json:"timeline"`
		}
		admin.With(t).Get("/api/v1/tickets/" + vacant.ID.String()).Expect(http.StatusOK).Data(&raw)
		if string(raw.Comments) != "[]" || !strings.HasPrefix(string(raw.Timeline), "[{") {
			t.Fatalf("comments %s, timeline %s", raw.Comments, raw.Timeline)
		}
	})

	t.Run("a tenant's detail hides the team's side", func(t *testing.T) {
		// Staff activity on the tenant's ticket: reassign, retitle, a work order, status.
		coord.With(t).Patch("/api/v1/tickets/"+mine.ID.String(), map[string]any{"assigneeUserId": coord.UserID}).Expect(http.StatusOK)
		coord.With(t).Patch("/api/v1/tickets/"+mine.ID.String(), map[string]any{"priority": "URGENT", "title": "My boiler (no hot water)"}).Expect(http.StatusOK)
		tkMove(t, coord, mine.ID, tickets.Triaged)
		testsupport.GasSafe(t, admin, o.OtherContractorID) // boiler work needs a Gas Safe registration
		testsupport.RaiseWorkOrder(t, admin, mine.ID, o.OtherContractorID)

		staff := testsupport.GetTicket(t, admin, mine.ID).Timeline
		wantStaff := []string{"ticket:created", "ticket:comment_added", "ticket:comment_added", "ticket:comment_added", "ticket:comment_added",
			"ticket:assigned", "ticket:updated", "ticket:status_changed", "work_order:created", "ticket:status_changed"}
		if got := tkActions(staff); !slices.Equal(got, wantStaff) {
			t.Fatalf("staff timeline %v, want %v", got, wantStaff)
		}
		resident := testsupport.GetTicket(t, o.Tenant, mine.ID).Timeline
		wantResident := []string{"ticket:created", "ticket:comment_added", "ticket:comment_added", "ticket:comment_added",
			"ticket:status_changed", "ticket:status_changed"}
		if got := tkActions(resident); !slices.Equal(got, wantResident) {
			t.Fatalf("resident timeline %v, want %v", got, wantResident)
		}
		for _, e := range resident {
			if len(e.Before) != 0 || len(e.After) != 0 {
				t.Fatalf("resident sees before/after: %+v", e)
			}
		}
		// The resident still sees the current state of their ticket.
		if d := testsupport.GetTicket(t, o.Tenant, mine.ID); d.Status != tickets.InProgress || d.Title != "My boiler (no hot water)" {
			t.Fatalf("tenant detail %+v", d.Ticket)
		}
	})
}

// TestTicketPatch: partial updates by staff, unassigning, linking an unmatched public report
// to its unit, no-op patches, closed tickets, validation and roles.
func TestTicketPatch(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "Patch Lets")
	other := tkNewOrg(t, app, "Patch Elsewhere")
	admin, coord := o.Admin, o.Coordinator
	path := func(id uuid.UUID) string { return "/api/v1/tickets/" + id.String() }
	patch := func(t *testing.T, c *testsupport.Client, id uuid.UUID, body any) tickets.Ticket {
		t.Helper()
		var got tickets.Ticket
		c.With(t).Patch(path(id), body).Expect(http.StatusOK).Data(&got)
		return got
	}
	events := func(t *testing.T, id uuid.UUID) int {
		t.Helper()
		return len(testsupport.GetTicket(t, admin, id).Timeline)
	}

	tk := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.UnitID, "title": "Leaky gutter", "description": "Front of house", "category": "STRUCTURAL"})

	t.Run("partial updates", func(t *testing.T) {
		want := tk
		steps := []struct {
			name  string
			body  map[string]any
			apply func(w *tickets.Ticket)
		}{
			{"title", map[string]any{"title": "  Leaking gutter  "}, func(w *tickets.Ticket) { w.Title = "Leaking gutter" }},
			{"description", map[string]any{"description": "Front and back"}, func(w *tickets.Ticket) { w.Description = "Front and back" }},
			{"clear description", map[string]any{"description": ""}, func(w *tickets.Ticket) { w.Description = "" }},
			{"category", map[string]any{"category": "PLUMBING"}, func(w *tickets.Ticket) { w.Category = "PLUMBING" }},
			{"assign", map[string]any{"assigneeUserId": coord.UserID}, func(w *tickets.Ticket) { id := coord.UserID; w.AssigneeUserID = &id }},
			{"reassign to an admin", map[string]any{"assigneeUserId": admin.UserID}, func(w *tickets.Ticket) { id := admin.UserID; w.AssigneeUserID = &id }},
			{"unassign", map[string]any{"unassign": true}, func(w *tickets.Ticket) { w.AssigneeUserID = nil }},
			{"move to another unit", map[string]any{"unitId": o.U2}, func(w *tickets.Ticket) { u, p := o.U2, o.P2; w.UnitID, w.PropertyID = &u, &p }},
			{"two fields", map[string]any{"title": "Gutter", "category": "OTHER"}, func(w *tickets.Ticket) { w.Title, w.Category = "Gutter", "OTHER" }},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				n := events(t, tk.ID)
				s.apply(&want)
				got := patch(t, coord, tk.ID, s.body)
				stored := testsupport.GetTicket(t, admin, tk.ID).Ticket
				for _, v := range []tickets.Ticket{got, stored} {
					v.UpdatedAt, want.UpdatedAt = time.Time{}, time.Time{}
					tkSame(t, "patched ticket vs want", want, v)
				}
				if events(t, tk.ID) != n+1 {
					t.Fatalf("no single event for the patch")
				}
			})
		}
	})

	t.Run("no-op patches write nothing", func(t *testing.T) {
		before := testsupport.GetTicket(t, admin, tk.ID)
		for _, body := range []any{map[string]any{}, map[string]any{"title": before.Title}, map[string]any{"category": before.Category, "unitId": *before.UnitID},
			map[string]any{"unassign": true}, map[string]any{"unassign": false}} {
			got := patch(t, coord, tk.ID, body)
			tkSame(t, "answer to a no-op patch", before.Ticket, got)
		}
		tkSame(t, "ticket after no-op patches", before, testsupport.GetTicket(t, admin, tk.ID))
	})

	t.Run("refused patches change nothing", func(t *testing.T) {
		before := testsupport.GetTicket(t, admin, tk.ID)
		for _, tc := range []struct {
			name  string
			body  any
			field string
		}{
			{"empty title", map[string]any{"title": ""}, "title"},
			{"blank title", map[string]any{"title": "  ", "category": "HVAC"}, "title"},
			{"long title", map[string]any{"title": strings.Repeat("t", 201)}, "title"},
			{"long description", map[string]any{"description": strings.Repeat("d", 2001)}, "description"},
			{"bad category", map[string]any{"category": "GAS"}, "category"},
			{"bad priority", map[string]any{"priority": "LOW"}, "priority"},
			{"tenant as assignee", map[string]any{"assigneeUserId": o.Tenant.UserID}, "assigneeUserId"},
			{"contractor as assignee", map[string]any{"assigneeUserId": o.Contractor.UserID}, "assigneeUserId"},
			{"other org's admin as assignee", map[string]any{"assigneeUserId": other.Admin.UserID, "title": "x"}, "assigneeUserId"},
			{"assign and unassign", map[string]any{"assigneeUserId": coord.UserID, "unassign": true}, "unassign"},
			{"unknown unit", map[string]any{"unitId": uuid.New()}, "unitId"},
			{"other org's unit", map[string]any{"unitId": other.UnitID, "title": "y"}, "unitId"},
			{"unit not a uuid", map[string]any{"unitId": "flat"}, ""}, // field not named: see report
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := coord.With(t).Patch(path(tk.ID), tc.body)
				if tc.field == "" {
					r.ExpectFailure(422, apperr.Invalid)
					return
				}
				r.ExpectFailure(422, apperr.Invalid, tc.field)
			})
		}
		admin.With(t).Patch(path(tk.ID), `{"title": `).ExpectFailure(400, apperr.BadRequest)
		admin.With(t).Patch(path(uuid.New()), map[string]any{"title": "x"}).ExpectFailure(404, apperr.NotFound)
		admin.With(t).Patch("/api/v1/tickets/nope", map[string]any{"title": "x"}).ExpectFailure(422, apperr.Invalid, "id")
		tkSame(t, "ticket after refused patches", before, testsupport.GetTicket(t, admin, tk.ID))
	})

	t.Run("roles", func(t *testing.T) {
		mine := testsupport.CreateTicket(t, o.Tenant, map[string]any{"unitId": o.UnitID, "title": "Tenant's own"})
		testsupport.RaiseWorkOrder(t, admin, mine.ID, o.ContractorID)
		before := testsupport.GetTicket(t, admin, mine.ID)
		o.Tenant.With(t).Patch(path(mine.ID), map[string]any{"priority": "EMERGENCY"}).ExpectFailure(403, apperr.Forbidden)
		o.Contractor.With(t).Patch(path(mine.ID), map[string]any{"title": "Done by me"}).ExpectFailure(403, apperr.Forbidden)
		app.Anonymous().With(t).Patch(path(mine.ID), map[string]any{"title": "x"}).ExpectFailure(401, apperr.Unauthenticated)
		tkSame(t, "ticket after refused patches", before, testsupport.GetTicket(t, admin, mine.ID))
		if got := patch(t, admin, mine.ID, map[string]any{"priority": "EMERGENCY"}); got.Priority != "EMERGENCY" {
			t.Fatalf("admin patch: %+v", got)
		}
		if got := patch(t, coord, mine.ID, map[string]any{"category": "HVAC"}); got.Category != "HVAC" {
			t.Fatalf("coordinator patch: %+v", got)
		}
	})

	t.Run("unit links an unmatched public report", func(t *testing.T) {
		receipt, err := pubDirect(app, o.Slug, "198.51.100.7", tickets.PublicReport{
			Name: "Sam Walk-in", Phone: "07911 123457", Address: "Flat 2, 1 Patch Lets Road", Title: "No heating",
		}, nil)
		if err != nil {
			t.Fatalf("public report: %+v, %v", receipt, err)
		}
		d := testsupport.GetTicket(t, coord, receipt.TicketID)
		if d.UnitID != nil || d.PropertyID != nil || d.Source != tickets.SourcePublicForm || d.ReportedAddress != "Flat 2, 1 Patch Lets Road" {
			t.Fatalf("unmatched report %+v", d.Ticket)
		}
		// Unmatched tickets appear in no unit's or property's list until linked.
		if slices.Contains(tkIDs(testsupport.All[tickets.Ticket](t, admin, "/api/v1/tickets?propertyId="+o.PropertyID.String())), d.ID) {
			t.Fatal("unmatched ticket listed under a property")
		}
		got := patch(t, coord, d.ID, map[string]any{"unitId": o.UB})
		if got.UnitID == nil || *got.UnitID != o.UB || got.PropertyID == nil || *got.PropertyID != o.PropertyID {
			t.Fatalf("linked %+v", got)
		}
		if !slices.Contains(tkIDs(testsupport.All[tickets.Ticket](t, admin, "/api/v1/tickets?propertyId="+o.PropertyID.String())), d.ID) || !slices.Contains(tkIDs(testsupport.All[tickets.Ticket](t, admin, "/api/v1/tickets?unitId="+o.UB.String())), d.ID) {
			t.Fatal("linked ticket not listed under its unit and property")
		}
		// Now the resident of that unit can follow it.
		if got := testsupport.GetTicket(t, o.TenantB, d.ID); got.ID != d.ID {
			t.Fatal("the unit's resident cannot see the linked report")
		}
	})

	t.Run("audit action names", func(t *testing.T) {
		tk := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.UnitID, "title": "Audit names"})
		last := func(t *testing.T) timeline.Event {
			t.Helper()
			events := testsupport.GetTicket(t, admin, tk.ID).Timeline
			return events[len(events)-1]
		}
		for _, step := range []struct {
			body   map[string]any
			action string
		}{
			{map[string]any{"assigneeUserId": coord.UserID}, "assigned"},
			{map[string]any{"unassign": true}, "assigned"},
			{map[string]any{"assigneeUserId": admin.UserID, "title": "Audit names 2"}, "updated"},
			{map[string]any{"assigneeUserId": coord.UserID, "unitId": o.U2}, "updated"}, // the unit moved too
			{map[string]any{"unitId": o.UnitID}, "updated"},
		} {
			patch(t, coord, tk.ID, step.body)
			if e := last(t); e.Action != step.action {
				t.Fatalf("patch %v recorded %q, want %q", step.body, e.Action, step.action)
			}
		}
	})

	t.Run("closed and cancelled tickets cannot change", func(t *testing.T) {
		closed := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.UnitID, "title": "Closed one"})
		tkMove(t, coord, closed.ID, tickets.Triaged, tickets.Resolved)
		// A RESOLVED ticket may still be corrected.
		if got := patch(t, coord, closed.ID, map[string]any{"category": "HVAC"}); got.Category != "HVAC" {
			t.Fatalf("resolved ticket patch %+v", got)
		}
		tkMove(t, coord, closed.ID, tickets.Closed)
		cancelled := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.UnitID, "title": "Cancelled one"})
		tkMove(t, coord, cancelled.ID, tickets.Cancelled)
		for _, id := range []uuid.UUID{closed.ID, cancelled.ID} {
			before := testsupport.GetTicket(t, admin, id)
			for _, body := range []map[string]any{{"title": "Changed"}, {"priority": "EMERGENCY"}, {"unassign": true, "description": "x"}, {"assigneeUserId": coord.UserID}} {
				coord.With(t).Patch(path(id), body).ExpectFailure(409, apperr.Conflict)
			}
			tkSame(t, "final ticket", before, testsupport.GetTicket(t, admin, id))
		}
	})
}

// TestTicketCrossTenant: another organisation's ticket id answers 404 on every ticket
// endpoint, exactly like a missing id, and changes nothing; its units, users and tickets
// are never usable or listed.
func TestTicketCrossTenant(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	a := tkNewOrg(t, app, "Alpha Tickets")
	b := tkNewOrg(t, app, "Bravo Tickets")

	theirs := testsupport.CreateTicket(t, b.Tenant, map[string]any{"unitId": b.UnitID, "title": "Bravo leak", "description": "shared words here"})
	testsupport.RaiseWorkOrder(t, b.Admin, theirs.ID, b.ContractorID)
	testsupport.Comment(t, b.Coordinator, theirs.ID, "Bravo internal note", "")
	ours := testsupport.CreateTicket(t, a.Tenant, map[string]any{"unitId": a.UnitID, "title": "Alpha leak", "description": "shared words here"})
	testsupport.RaiseWorkOrder(t, a.Admin, ours.ID, a.ContractorID)
	if ours.Number != "MT-000001" || theirs.Number != "MT-000001" {
		t.Fatalf("numbers %s and %s: each organisation starts at MT-000001", ours.Number, theirs.Number)
	}
	snapshot := func(t *testing.T) tickets.Detail { return testsupport.GetTicket(t, b.Admin, theirs.ID) }

	endpoints := []struct {
		name   string
		method string
		suffix string
		body   any
	}{
		{"get", http.MethodGet, "", nil},
		{"patch", http.MethodPatch, "", map[string]any{"title": "Taken over", "priority": "EMERGENCY"}},
		{"transition", http.MethodPost, "/transition", map[string]any{"to": "CANCELLED", "reason": "mine now"}},
		{"comment", http.MethodPost, "/comments", map[string]any{"body": "Hello from Alpha", "visibility": "RESIDENT"}},
	}
	for _, ep := range endpoints {
		for _, c := range []*testsupport.Client{a.Admin, a.Coordinator, a.Tenant, a.Contractor} {
			t.Run(ep.name+" as "+string(c.Role), func(t *testing.T) {
				before := snapshot(t)
				got := c.With(t).Do(ep.method, "/api/v1/tickets/"+theirs.ID.String()+ep.suffix, ep.body)
				missing := c.With(t).Do(ep.method, "/api/v1/tickets/"+uuid.NewString()+ep.suffix, ep.body)
				if ep.method == http.MethodGet || c.Role.IsStaff() || ep.name == "comment" {
					fg := got.ExpectFailure(http.StatusNotFound, apperr.NotFound)
					fm := missing.ExpectFailure(http.StatusNotFound, apperr.NotFound)
					if fg.Message != fm.Message {
						t.Fatalf("another org's ticket says %q, a missing one %q", fg.Message, fm.Message)
					}
				} else {
					// Wrong role in one's own organisation comes first, the same for both ids.
					if got.Status != missing.Status || (got.Status != http.StatusForbidden && got.Status != http.StatusNotFound) {
						t.Fatalf("status %d for another org's ticket, %d for a missing one", got.Status, missing.Status)
					}
				}
				tkSame(t, "Bravo's ticket", before, snapshot(t))
			})
		}
	}

	t.Run("other organisation's references are refused", func(t *testing.T) {
		a.Admin.With(t).Post("/api/v1/tickets", map[string]any{"unitId": b.UnitID, "title": "Into Bravo"}).ExpectFailure(422, apperr.Invalid, "unitId")
		a.Admin.With(t).Post("/api/v1/tickets", map[string]any{"unitId": a.UnitID, "title": "x", "assigneeUserId": b.Coordinator.UserID}).ExpectFailure(422, apperr.Invalid, "assigneeUserId")
		a.Admin.With(t).Patch("/api/v1/tickets/"+ours.ID.String(), map[string]any{"unitId": b.UB}).ExpectFailure(422, apperr.Invalid, "unitId")
		a.Admin.With(t).Patch("/api/v1/tickets/"+ours.ID.String(), map[string]any{"assigneeUserId": b.Admin.UserID}).ExpectFailure(422, apperr.Invalid, "assigneeUserId")
		a.Admin.With(t).Post("/api/v1/work-orders", map[string]any{"ticketId": theirs.ID, "contractorId": a.ContractorID, "description": "x"}).
			ExpectFailure(422, apperr.Invalid, "ticketId")
		if d := testsupport.GetTicket(t, a.Admin, ours.ID); *d.UnitID != a.UnitID || d.AssigneeUserID != nil {
			t.Fatalf("our ticket changed: %+v", d.Ticket)
		}
	})

	t.Run("lists never show the other organisation", func(t *testing.T) {
		for _, c := range []*testsupport.Client{a.Admin, a.Coordinator, a.Tenant, a.Contractor} {
			for _, q := range []string{"", "q=leak", "q=shared", "unitId=" + b.UnitID.String(), "propertyId=" + b.PropertyID.String(),
				"assigneeUserId=" + b.Admin.UserID.String(), "status=IN_PROGRESS", "category=OTHER"} {
				for _, tk := range testsupport.All[tickets.Ticket](t, c, "/api/v1/tickets?"+q) {
					if tk.ID == theirs.ID || tk.ID != ours.ID {
						t.Fatalf("%s ?%s listed %s (%s)", c.Role, q, tk.Title, tk.ID)
					}
				}
			}
		}
		// The same queries from Bravo show only Bravo's.
		if got := tkIDs(testsupport.All[tickets.Ticket](t, b.Admin, "/api/v1/tickets?q=shared")); !slices.Equal(got, []uuid.UUID{theirs.ID}) {
			t.Fatalf("Bravo's search %v", got)
		}
	})
}

// TestTicketTimeline: creating, patching, transitioning, commenting and raising a work order
// write events, in order, with actor and before/after, read back on the ticket and through
// GET /timeline?entity=ticket.
func TestTicketTimeline(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "Trail Lets")
	other := tkNewOrg(t, app, "Trail Elsewhere")
	admin, coord := o.Admin, o.Coordinator

	tk := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.UnitID, "title": "Mould in bathroom", "category": "STRUCTURAL"})
	coord.With(t).Patch("/api/v1/tickets/"+tk.ID.String(), map[string]any{"title": "Black mould in bathroom", "priority": "URGENT"}).Expect(http.StatusOK)
	coord.With(t).Patch("/api/v1/tickets/"+tk.ID.String(), map[string]any{}).Expect(http.StatusOK) // no event
	coord.With(t).Patch("/api/v1/tickets/"+tk.ID.String(), map[string]any{"assigneeUserId": coord.UserID}).Expect(http.StatusOK)
	tkTransition(coord, t, tk.ID, tickets.Closed, "").ExpectFailure(409, apperr.Conflict) // no event
	tkMove(t, coord, tk.ID, tickets.Triaged)
	testsupport.Comment(t, o.Tenant, tk.ID, "It is spreading", "")
	testsupport.Comment(t, admin, tk.ID, "Possible Awaab's Law case", "INTERNAL")
	wo := testsupport.RaiseWorkOrder(t, admin, tk.ID, o.ContractorID)

	want := []struct {
		entity, action string
		actor          *testsupport.Client
		before, after  map[string]any // fields that must be in before/after (nil: before must be absent)
	}{
		{"ticket", "created", admin, nil, map[string]any{"title": "Mould in bathroom", "status": "NEW", "number": "MT-000001", "priority": "ROUTINE"}},
		{"ticket", "updated", coord, map[string]any{"title": "Mould in bathroom", "priority": "ROUTINE"}, map[string]any{"title": "Black mould in bathroom", "priority": "URGENT"}},
		{"ticket", "assigned", coord, map[string]any{"assigneeUserId": nil}, map[string]any{"assigneeUserId": coord.UserID.String()}},
		{"ticket", "status_changed", coord, map[string]any{"status": "NEW"}, map[string]any{"status": "TRIAGED"}},
		{"ticket", "comment_added", o.Tenant, nil, map[string]any{"visibility": "RESIDENT"}},
		{"ticket", "comment_added", admin, nil, map[string]any{"visibility": "INTERNAL"}},
		{"work_order", "created", admin, nil, map[string]any{"ticketId": tk.ID.String(), "contractorId": o.ContractorID.String(), "status": "ASSIGNED"}},
		{"ticket", "status_changed", admin, map[string]any{"status": "TRIAGED"}, map[string]any{"status": "IN_PROGRESS"}},
	}
	checkTrail := func(t *testing.T, events []timeline.Event) {
		t.Helper()
		if len(events) != len(want) {
			t.Fatalf("%d events %v, want %d", len(events), tkActions(events), len(want))
		}
		for i, w := range want {
			e := events[i]
			wantID := tk.ID
			if w.entity == "work_order" {
				wantID = wo.ID
			}
			if e.EntityType != w.entity || e.Action != w.action || e.EntityID != wantID || e.ActorID == nil || *e.ActorID != w.actor.UserID ||
				e.ActorRole != string(w.actor.Role) || e.ID == uuid.Nil || e.OccurredAt.IsZero() {
				t.Fatalf("event %d: %+v, want %s %s by %s", i, e, w.entity, w.action, w.actor.Role)
			}
			if i > 0 && e.OccurredAt.Before(events[i-1].OccurredAt) {
				t.Fatalf("event %d at %v, before event %d at %v", i, e.OccurredAt, i-1, events[i-1].OccurredAt)
			}
			for _, side := range []struct {
				name string
				raw  json.RawMessage
				want map[string]any
			}{{"before", e.Before, w.before}, {"after", e.After, w.after}} {
				if side.want == nil {
					if side.name == "before" && len(side.raw) != 0 {
						t.Fatalf("event %d (%s) has before: %s", i, e.Action, side.raw)
					}
					continue
				}
				var got map[string]any
				if err := json.Unmarshal(side.raw, &got); err != nil {
					t.Fatalf("event %d %s: %v: %s", i, side.name, err, side.raw)
				}
				for k, v := range side.want {
					if gv, ok := got[k]; !ok || gv != v {
						t.Fatalf("event %d (%s) %s.%s = %v, want %v: %s", i, e.Action, side.name, k, gv, v, side.raw)
					}
				}
			}
		}
	}

	t.Run("on the ticket", func(t *testing.T) {
		checkTrail(t, testsupport.GetTicket(t, coord, tk.ID).Timeline)
	})

	t.Run("through the timeline endpoint", func(t *testing.T) {
		trail := "/api/v1/timeline?sort=oldest&entity=ticket&id=" + tk.ID.String()
		var events []timeline.Event
		coord.With(t).Get(trail + "&limit=200").Expect(http.StatusOK).Data(&events)
		checkTrail(t, events)
		// Paging gives the same trail.
		var paged []timeline.Event
		path := trail + "&limit=3"
		for range 10 {
			r := admin.With(t).Get(path).Expect(http.StatusOK)
			var page []timeline.Event
			var env struct {
				Meta struct {
					NextCursor string `json:"nextCursor"`
				} `json:"meta"`
			}
			r.Data(&page)
			_ = json.Unmarshal(r.Body, &env)
			paged = append(paged, page...)
			if env.Meta.NextCursor == "" {
				break
			}
			path = trail + "&limit=3&cursor=" + url.QueryEscape(env.Meta.NextCursor)
		}
		checkTrail(t, paged)
		// The resident sees their side only, without before/after.
		var resident []timeline.Event
		o.Tenant.With(t).Get(trail).Expect(http.StatusOK).Data(&resident)
		if got, want := tkActions(resident), []string{"ticket:created", "ticket:status_changed", "ticket:comment_added", "ticket:status_changed"}; !slices.Equal(got, want) {
			t.Fatalf("resident trail %v, want %v", got, want)
		}
		for _, e := range resident {
			if len(e.Before) != 0 || len(e.After) != 0 {
				t.Fatalf("resident sees before/after: %+v", e)
			}
		}
		// Invisible and foreign tickets answer 404.
		o.TenantB.With(t).Get(trail).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		other.Admin.With(t).Get(trail).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		other.Contractor.With(t).Get(trail).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		admin.With(t).Get("/api/v1/timeline?sort=oldest&entity=ticket&id="+uuid.NewString()).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	})
}

// envelopeData is the data member of a success envelope.
func envelopeData(body []byte) []byte {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &env) != nil {
		return nil
	}
	return env.Data
}
