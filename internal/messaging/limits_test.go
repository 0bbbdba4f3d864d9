package messaging_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/messaging"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// meter reads an organisation's usage meter for this month.
func meter(t *testing.T, app *testsupport.App, e *testsupport.Estate, metric plans.Metric) int64 {
	t.Helper()
	var n int64
	now := time.Now().UTC()
	err := app.DB.InTx(context.Background(), database.Scope{OrgID: e.OrgID}, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT coalesce((SELECT quantity FROM usage_meters WHERE org_id = $1 AND metric = $2 AND period_start = $3), 0)`,
			e.OrgID, string(metric), time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The free plan's 50 SMS are checked and counted in one step: 60 texts sent in parallel
// by 20 workers at once give exactly 50 sent and 10 blocked, and the meter says 50.
func TestAllowance_parallelSendsCannotOvershoot(t *testing.T) {
	app := newTexting(t, map[string]string{"SMS_PROVIDER": "dev"})
	e := app.NewEstate(t, "Allowance", testsupport.EstateOptions{})
	noQuietHours(t, e)
	grant(t, e.Tenant, map[string]any{"type": "SMS", "value": "07400 123800"})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Fence"})

	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/messages", tk.ID), map[string]any{"channel": "SMS", "body": "Update " + strings.Repeat("x", i%10)}).Expect(http.StatusCreated)
		})
	}
	wg.Wait()
	work(t, app.App) // 60 jobs waiting, claimed 20 at a time
	deadline := time.Now().Add(30 * time.Second)
	var sent, blocked int
	for {
		sent, blocked = 0, 0
		for _, m := range texts(t, e.Coordinator, tk.ID) {
			switch m.Status {
			case "SENT":
				sent++
			case "BLOCKED":
				blocked++
				if !strings.Contains(m.StatusReason, "allowance") {
					t.Fatalf("blocked for %q", m.StatusReason)
				}
			}
		}
		if sent+blocked == 60 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if sent != 50 || blocked != 10 {
		t.Fatalf("sent %d, blocked %d; want 50 and 10", sent, blocked)
	}
	if got := meter(t, app.App, e, plans.SMS); got != 50 {
		t.Fatalf("meter %d", got)
	}
}

// Quiet hours hold a text until they end; an emergency's goes at once. Long texts are
// cut to the configured segments with a link to the ticket.
func TestQuietHoursAndSegments(t *testing.T) {
	app := newTexting(t, map[string]string{"SMS_MAX_SEGMENTS": "2"})
	e := app.NewEstate(t, "Quiet", testsupport.EstateOptions{})
	london, _ := time.LoadLocation("Europe/London")
	now := time.Now().In(london)
	start, end := now.Add(-time.Hour).Format("15:04"), now.Add(2*time.Hour).Format("15:04")
	e.Admin.With(t).Patch("/api/v1/settings", map[string]any{"quietHours": map[string]string{"start": start, "end": end}}).Expect(http.StatusOK)
	grant(t, e.Tenant, map[string]any{"type": "SMS", "value": "07400 123900"})

	routine := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Squeaky door"})
	m := send(t, e.Coordinator, routine.ID, map[string]any{"channel": "SMS", "body": strings.Repeat("word ", 100)})
	if m.HoldUntil == nil || m.HoldUntil.In(london).Format("15:04") != end {
		t.Fatalf("held until %v, want %s London", m.HoldUntil, end)
	}
	if m.Segments != 2 || !strings.HasSuffix(m.Body, "/tickets/"+routine.ID.String()) || !strings.Contains(m.Body, "...") {
		t.Fatalf("cut text: %d segments, %q", m.Segments, m.Body)
	}
	emergency := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Gas smell", "priority": "EMERGENCY"})
	m = send(t, e.Coordinator, emergency.ID, map[string]any{"channel": "SMS", "body": "Leave the flat; an engineer is on the way."})
	if m.HoldUntil != nil || !m.Emergency {
		t.Fatalf("an emergency text was held: %+v", m)
	}
	// UCS-2 when a character needs it: 70 per single segment.
	m = send(t, e.Coordinator, emergency.ID, map[string]any{"channel": "SMS", "body": "Diolch – we’ll be there"})
	if m.Encoding != "UCS-2" || m.Segments != 1 {
		t.Fatalf("UCS-2 text %+v", m)
	}
}

// A ticket resolved reaches its resident by text on their preferred consented channel.
func TestNotify_ticketResolvedTextsTheResident(t *testing.T) {
	app := newTexting(t, nil)
	work(t, app.App)
	e := app.NewEstate(t, "Notify", testsupport.EstateOptions{})
	noQuietHours(t, e)
	grant(t, e.Tenant, map[string]any{"type": "WHATSAPP", "value": "07400 124000"})
	grant(t, e.Tenant, map[string]any{"type": "SMS", "value": "07400 124000", "preferred": true})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Bathroom fan"})
	e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/transition", tk.ID), map[string]any{"to": "TRIAGED"}).Expect(http.StatusOK)
	e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/transition", tk.ID), map[string]any{"to": "RESOLVED", "reason": "Fan replaced"}).Expect(http.StatusOK)

	deadline := time.Now().Add(20 * time.Second)
	for len(app.fake.Messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	reqs := app.fake.Messages()
	if len(reqs) != 1 || reqs[0].To != "+447400124000" || !strings.Contains(reqs[0].Body, tk.Number) || !strings.Contains(reqs[0].Body, "resolved") {
		t.Fatalf("fake saw %+v", reqs)
	}
	got := texts(t, e.Coordinator, tk.ID)
	if len(got) != 1 || got[0].Channel != "SMS" {
		t.Fatalf("ticket texts %+v", got)
	}
	// "Not fixed", in reply: it joins the resolved ticket rather than opening another.
	reply := inbound(t, app.App, "", "+447400124000", "It is still not working")
	if !strings.Contains(reply, "added your message to "+tk.Number) {
		t.Fatalf("reply %s", reply)
	}

	// A report staff logged: whoever lives in the unit hears, never the staff member.
	grant(t, e.Coordinator, map[string]any{"type": "SMS", "value": "07400 124050"})
	logged := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Extractor hood"})
	e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/transition", logged.ID), map[string]any{"to": "TRIAGED"}).Expect(http.StatusOK)
	e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/transition", logged.ID), map[string]any{"to": "RESOLVED", "reason": "Done"}).Expect(http.StatusOK)
	for len(app.fake.Messages()) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	reqs = app.fake.Messages()
	if len(reqs) != 2 || reqs[1].To != "+447400124000" || !strings.Contains(reqs[1].Body, logged.Number) {
		t.Fatalf("fake saw %+v", reqs)
	}
}

// setPlan changes an organisation's plan as only the billing path may: through the
// schema owner, since the application's role cannot write the plan column.
func setPlan(t *testing.T, app *testsupport.App, e *testsupport.Estate, plan string) {
	t.Helper()
	owner, err := database.Open(context.Background(), app.DBs.OwnerURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	err = owner.InTx(context.Background(), database.Scope{OrgID: e.OrgID}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(context.Background(), "UPDATE organisations SET plan = $1 WHERE id = $2", plan, e.OrgID)
		if err == nil && tag.RowsAffected() != 1 {
			t.Fatalf("plan of %d organisations changed", tag.RowsAffected())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	plans.Forget(e.OrgID) // written behind billing's back: the process's cache must not answer
}

// Beyond the allowance a paid plan sends and counts the overage; the free plan blocks.
// Job arguments carry ids only, never the number or the words.
func TestAllowance_paidPlanCountsOverage(t *testing.T) {
	app := newTexting(t, map[string]string{"SMS_PROVIDER": "dev"})
	e := app.NewEstate(t, "Overage", testsupport.EstateOptions{})
	noQuietHours(t, e)
	setPlan(t, app.App, e, plans.Starter.Code)
	grant(t, e.Tenant, map[string]any{"type": "SMS", "value": "07400 124100"})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Gutter"})
	// The month's 500 are used up already.
	now := time.Now().UTC()
	if err := app.DB.InTx(context.Background(), database.Scope{OrgID: e.OrgID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO usage_meters (org_id, metric, period_start, quantity) VALUES ($1, 'sms', $2, 500)`,
			e.OrgID, time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	m := send(t, e.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "Secret words for +447400124100"})

	var args []string
	if err := app.DB.Pool.QueryRow(context.Background(), `SELECT coalesce(array_agg(args::text), '{}') FROM river_job WHERE kind = 'text.send'`).Scan(&args); err != nil {
		t.Fatal(err)
	}
	if len(args) != 1 || strings.Contains(args[0], "Secret") || strings.Contains(args[0], "7400124100") || !strings.Contains(args[0], m.ID.String()) {
		t.Fatalf("job arguments %v", args)
	}

	work(t, app.App)
	waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return m.Status == "SENT" })
	if got := meter(t, app.App, e, plans.SMS); got != 501 {
		t.Fatalf("meter %d, want 501 (one over)", got)
	}
}

// Outside the 24-hour window a notification goes to WhatsApp only with an approved
// template configured for it (its variables the organisation and the ticket number); a
// resident who consented to nothing has the attempt kept as BLOCKED.
func TestNotify_whatsAppTemplateAndBlocked(t *testing.T) {
	sid := "HX" + strings.Repeat("cd", 16)
	app := newTexting(t, map[string]string{"WHATSAPP_TEMPLATES": "ticket.resolved=" + sid})
	work(t, app.App)
	e := app.NewEstate(t, "Templates", testsupport.EstateOptions{})
	noQuietHours(t, e)
	grant(t, e.Tenant, map[string]any{"type": "WHATSAPP", "value": "07400 124200"})
	resolve := func(tk tickets.Ticket) {
		e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/transition", tk.ID), map[string]any{"to": "TRIAGED"}).Expect(http.StatusOK)
		e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/transition", tk.ID), map[string]any{"to": "RESOLVED", "reason": "Done"}).Expect(http.StatusOK)
	}
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Loose tile"})
	resolve(tk)
	deadline := time.Now().Add(20 * time.Second)
	for len(app.fake.Messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	reqs := app.fake.Messages()
	if len(reqs) != 1 || reqs[0].ContentSid != sid || reqs[0].To != "whatsapp:+447400124200" || !strings.Contains(reqs[0].ContentVariables, tk.Number) {
		t.Fatalf("fake saw %+v", reqs)
	}

	// Consent withdrawn: the notification is written as BLOCKED, and nothing more is sent.
	e.Tenant.With(t).Post("/api/v1/consent/revoke", map[string]any{"type": "WHATSAPP", "value": "07400 124200"}).Expect(http.StatusOK)
	tk2 := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Dripping tap"})
	resolve(tk2)
	for time.Now().Before(deadline) {
		if got := texts(t, e.Coordinator, tk2.ID); len(got) == 1 {
			if got[0].Status != "BLOCKED" || !strings.Contains(got[0].StatusReason, "no consent") {
				t.Fatalf("text %+v", got[0])
			}
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := texts(t, e.Coordinator, tk2.ID); len(got) != 1 || len(app.fake.Messages()) != 1 {
		t.Fatalf("texts %+v, fake saw %d", got, len(app.fake.Messages()))
	}
}

// The contractor company's people who consented hear of the job raised, their quote
// approved and their invoice approved and paid; the resident hears of the visit booked,
// with the time in UK time.
func TestNotify_contractorsAndTheVisit(t *testing.T) {
	app := newTexting(t, nil)
	work(t, app.App)
	e := app.NewEstate(t, "Visits", testsupport.EstateOptions{})
	noQuietHours(t, e)
	grant(t, e.Contractor, map[string]any{"type": "SMS", "value": "07400 124400"})
	grant(t, e.Tenant, map[string]any{"type": "SMS", "value": "07400 124500"})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Broken window latch"})
	wo := testsupport.RaiseWorkOrder(t, e.Coordinator, tk.ID, e.ContractorID)
	act := func(body map[string]any) {
		e.Contractor.With(t).Post(testsupport.Path("/api/v1/work-orders/%s/transition", wo.ID), body).Expect(http.StatusOK)
	}
	act(map[string]any{"action": "accept"})
	q := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 12500)
	e.Coordinator.With(t).Post(testsupport.Path("/api/v1/quotes/%s/approve", q.ID), nil).Expect(http.StatusOK)
	visit := time.Date(2027, 3, 29, 9, 30, 0, 0, time.UTC) // the first Monday of British Summer Time: 10:30 in London
	act(map[string]any{"action": "schedule", "scheduledFor": visit.Format(time.RFC3339)})
	act(map[string]any{"action": "start"})
	act(map[string]any{"action": "complete", "notes": "Latch replaced"})
	inv := testsupport.SubmitFlatInvoice(t, e.Contractor, wo.ID, 12500)
	e.Coordinator.With(t).Post(testsupport.Path("/api/v1/invoices/%s/approve", inv.ID), nil).Expect(http.StatusOK)
	e.Admin.With(t).Post(testsupport.Path("/api/v1/invoices/%s/mark-paid", inv.ID), map[string]any{"paymentReference": "BACS 0042"}).Expect(http.StatusOK)

	deadline := time.Now().Add(20 * time.Second)
	for len(app.fake.Messages()) < 6 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	var contractor, resident []string
	for _, r := range app.fake.Messages() {
		switch r.To {
		case "+447400124400":
			contractor = append(contractor, r.Body)
		case "+447400124500":
			resident = append(resident, r.Body)
		}
	}
	want := []string{"new job " + tk.Number, "quote of £125.00 for " + tk.Number + " is approved", "invoice " + inv.Reference + " of £125.00 for " + tk.Number + " is approved",
		"has been paid (payment reference BACS 0042)"}
	if len(contractor) != len(want) {
		t.Fatalf("contractor's texts %q", contractor)
	}
	for _, w := range want {
		if !slices.ContainsFunc(contractor, func(b string) bool { return strings.Contains(b, w) }) {
			t.Errorf("no contractor text says %q: %q", w, contractor)
		}
	}
	// The ticket resolves when its work order completes: the resident hears of that too.
	if len(resident) != 2 || !slices.ContainsFunc(resident, func(b string) bool { return strings.Contains(b, "Monday 29 March at 10:30") }) ||
		!slices.ContainsFunc(resident, func(b string) bool { return strings.Contains(b, "resolved") }) {
		t.Fatalf("resident's texts %q", resident)
	}
}
