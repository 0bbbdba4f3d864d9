package httpapi_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// TestWholeJob walks one repair through the HTTP API from the resident's report to the
// contractor being paid, then reads the ticket's trail back and checks every step is there,
// in order.
func TestWholeJob(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, map[string]string{"DATA_DIR": t.TempDir()})
	team := app.NewTeam("Whole Job Lettings")
	admin, coordinator, contractor := team.Admin, team.Coordinator, team.Contractor

	var me struct {
		Org struct {
			Slug string `json:"slug"`
		} `json:"org"`
	}
	admin.Get("/api/v1/auth/me").Expect(http.StatusOK).Data(&me)
	property := admin.Post("/api/v1/properties", map[string]any{"addressLine1": "7 Mill Lane", "town": "Sheffield", "postcode": "S1 2HE"}).Expect(http.StatusCreated).ID()
	unit := admin.Post("/api/v1/properties/"+property.String()+"/units", map[string]any{"label": "Flat 3", "reference": "ML-3"}).Expect(http.StatusCreated).ID()
	contractorID := contractorOf(t, admin, contractor.UserID)

	// 1. A resident without an account reports a leak through the public form.
	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	for k, v := range map[string]string{
		"name": "Pat Resident", "email": "pat@example.com", "phone": "07911 123456", "unitReference": "ml-3",
		"title": "Water leaking through kitchen ceiling", "description": "Started this morning, dripping onto the cooker.",
	} {
		_ = w.WriteField(k, v)
	}
	_ = w.Close()
	var receipt struct {
		TicketID     uuid.UUID `json:"ticketId"`
		TicketNumber string    `json:"ticketNumber"`
	}
	app.Anonymous().Do(http.MethodPost, "/api/v1/public/"+me.Org.Slug+"/reports", form.Bytes(), "Content-Type", w.FormDataContentType()).
		Expect(http.StatusCreated).Data(&receipt)
	if receipt.TicketNumber != "MT-000001" {
		t.Fatalf("receipt %+v: want MT-000001", receipt)
	}
	ticket := "/api/v1/tickets/" + receipt.TicketID.String()
	var tk struct {
		Status string    `json:"status"`
		UnitID uuid.UUID `json:"unitId"`
	}
	coordinator.Get(ticket).Expect(http.StatusOK).Data(&tk)
	if tk.Status != "NEW" || tk.UnitID != unit {
		t.Fatalf("reported ticket %+v", tk)
	}

	// 2. The coordinator triages it.
	coordinator.Patch(ticket, map[string]any{"category": "PLUMBING", "priority": "URGENT", "assigneeUserId": coordinator.UserID}).Expect(http.StatusOK)
	coordinator.Post(ticket+"/transition", map[string]any{"to": "TRIAGED"}).Expect(http.StatusOK)

	// 3. … and sends the contractor.
	wo := coordinator.Post("/api/v1/work-orders", map[string]any{"ticketId": receipt.TicketID, "contractorId": contractorID, "description": "Trace and fix the leak above the kitchen"}).
		Expect(http.StatusCreated).ID()
	woPath := "/api/v1/work-orders/" + wo.String()
	expectTicketStatus(t, coordinator, ticket, "IN_PROGRESS")

	// 4. The contractor accepts and quotes.
	contractor.Post(woPath+"/transition", map[string]any{"action": "accept"}).Expect(http.StatusOK)
	var quote struct {
		ID         uuid.UUID `json:"id"`
		TotalPence int64     `json:"totalPence"`
	}
	contractor.Post(woPath+"/quotes", map[string]any{
		"validUntil": time.Now().AddDate(0, 1, 0).Format(time.DateOnly),
		"lines": []map[string]any{
			{"description": "Labour (hours)", "quantity": 2, "unitPricePence": 4500},
			{"description": "Compression fittings", "quantity": 2, "unitPricePence": 350},
		},
	}).Expect(http.StatusCreated).Data(&quote)
	if quote.TotalPence != (9000+700)*120/100 {
		t.Fatalf("quote total %d, want %d", quote.TotalPence, (9000+700)*120/100)
	}

	// 5. The coordinator approves it (under the £500 threshold); no further quotes then.
	coordinator.Post("/api/v1/quotes/"+quote.ID.String()+"/approve", nil).Expect(http.StatusOK)
	contractor.Post(woPath+"/quotes", map[string]any{
		"validUntil": time.Now().AddDate(0, 1, 0).Format(time.DateOnly),
		"lines":      []map[string]any{{"description": "Second thoughts", "quantity": 1, "unitPricePence": 100}},
	}).Expect(http.StatusConflict)

	// 6. The contractor schedules, starts and completes the job; the ticket resolves.
	contractor.Post(woPath+"/transition", map[string]any{"action": "schedule", "scheduledFor": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}).Expect(http.StatusOK)
	contractor.Post(woPath+"/transition", map[string]any{"action": "start"}).Expect(http.StatusOK)
	contractor.Post(woPath+"/transition", map[string]any{"action": "complete", "notes": "Replaced a failed joint; ceiling drying."}).Expect(http.StatusOK)
	expectTicketStatus(t, coordinator, ticket, "RESOLVED")

	// 7. The contractor invoices; the coordinator approves and the ADMIN marks it paid
	// (separation of duties: the approver cannot).
	invoice := contractor.Post(woPath+"/invoices", map[string]any{
		"reference": "SP-1042",
		"lines":     []map[string]any{{"description": "Leak repair as quoted", "quantity": 1, "unitPricePence": 9700}},
	}).Expect(http.StatusCreated).ID()
	invoicePath := "/api/v1/invoices/" + invoice.String()
	coordinator.Post(invoicePath+"/approve", nil).Expect(http.StatusOK)
	admin.Post(invoicePath+"/mark-paid", map[string]any{"paymentReference": "BACS 0042"}).Expect(http.StatusOK)
	pdf := coordinator.Get(invoicePath + "/pdf").Expect(http.StatusOK)
	if !bytes.HasPrefix(pdf.Body, []byte("%PDF-")) {
		t.Fatal("the invoice PDF is not a PDF")
	}
	coordinator.Post(ticket+"/transition", map[string]any{"to": "CLOSED"}).Expect(http.StatusOK)

	// 8. The trail tells the whole story in order.
	var trail []timeline.Event
	coordinator.Get("/api/v1/timeline?sort=oldest&entity=ticket&limit=200&id=" + receipt.TicketID.String()).Expect(http.StatusOK).Data(&trail)
	want := []string{
		"ticket created", "ticket updated", "ticket status_changed", // report, triage edits, TRIAGED
		"work_order created", "ticket status_changed", // raised; ticket IN_PROGRESS
		"work_order status_changed", "quote submitted", "quote approved", // accepted, quoted, approved
		"work_order status_changed", "work_order status_changed", "work_order status_changed", // scheduled, started, completed
		"ticket status_changed",                                 // ticket RESOLVED
		"invoice submitted", "invoice approved", "invoice paid", // billing
		"ticket status_changed", // CLOSED
	}
	var got []string
	for _, e := range trail {
		got = append(got, e.EntityType+" "+e.Action)
	}
	if len(got) != len(want) {
		t.Fatalf("trail has %d steps, want %d:\n got %q\nwant %q", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("step %d is %q, want %q\n got %q", i, got[i], want[i], got)
		}
	}
	for i := 1; i < len(trail); i++ {
		if trail[i].OccurredAt.Before(trail[i-1].OccurredAt) {
			t.Fatalf("step %d happened before step %d", i, i-1)
		}
	}

	// 9. Each step published its messages (docs/events.md), in order: emails to the
	// people concerned, and every event to webhooks.
	rows, err := app.DB.Pool.Query(context.Background(),
		`SELECT kind || ' ' || (args->'event'->>'name') FROM river_job WHERE kind IN ('email.send', 'event.publish') ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var published []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(s, "member.invited") { // the team's set-up, not the job
			published = append(published, s)
		}
	}
	wantPublished := []string{
		"email.send ticket.created", "event.publish ticket.created",
		"event.publish ticket.status_changed", // TRIAGED
		"email.send work_order.assigned", "event.publish work_order.assigned",
		"event.publish ticket.status_changed",     // IN_PROGRESS
		"event.publish work_order.status_changed", // accepted
		"email.send quote.submitted", "event.publish quote.submitted",
		"email.send quote.approved", "event.publish quote.approved",
		"event.publish work_order.status_changed", "event.publish work_order.status_changed", // scheduled, started
		"event.publish work_order.status_changed", "event.publish ticket.status_changed", // completed; RESOLVED
		"email.send invoice.submitted", "event.publish invoice.submitted",
		"email.send invoice.approved", "event.publish invoice.approved",
		"email.send invoice.paid", "event.publish invoice.paid",
		"event.publish ticket.status_changed", // CLOSED
	}
	if strings.Join(published, "\n") != strings.Join(wantPublished, "\n") {
		t.Fatalf("published:\n%s\nwant:\n%s", strings.Join(published, "\n"), strings.Join(wantPublished, "\n"))
	}
}

// contractorOf returns the contractor company a CONTRACTOR member is linked to.
func contractorOf(t *testing.T, admin *testsupport.Client, userID uuid.UUID) uuid.UUID {
	t.Helper()
	var members []struct {
		UserID       uuid.UUID  `json:"userId"`
		ContractorID *uuid.UUID `json:"contractorId"`
	}
	admin.Get("/api/v1/members").Expect(http.StatusOK).Data(&members)
	for _, m := range members {
		if m.UserID == userID && m.ContractorID != nil {
			return *m.ContractorID
		}
	}
	t.Fatalf("no contractor company for user %s", userID)
	return uuid.Nil
}

func expectTicketStatus(t *testing.T, c *testsupport.Client, path, want string) {
	t.Helper()
	var tk struct {
		Status string `json:"status"`
	}
	c.Get(path).Expect(http.StatusOK).Data(&tk)
	if tk.Status != want {
		t.Fatalf("ticket status %s, want %s", tk.Status, want)
	}
}

// TestTicketTrailPerContractor: two companies sent to one ticket each see their own work
// order and quote on its trail, never the other's (jobs and prices are private).
func TestTicketTrailPerContractor(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	team := app.NewTeam("Two Trades Lettings")
	other := app.AddMember(team.Admin, "CONTRACTOR")
	property := team.Admin.Post("/api/v1/properties", map[string]any{"addressLine1": "1 Dock Road", "town": "Hull", "postcode": "HU1 1AA"}).Expect(http.StatusCreated).ID()
	unit := team.Admin.Post("/api/v1/properties/"+property.String()+"/units", map[string]any{"label": "Flat 1", "reference": "DR-1"}).Expect(http.StatusCreated).ID()
	ticket := team.Admin.Post("/api/v1/tickets", map[string]any{"unitId": unit, "title": "Damp and a broken socket"}).Expect(http.StatusCreated).ID()

	quoteFor := func(c *testsupport.Client) uuid.UUID {
		wo := team.Admin.Post("/api/v1/work-orders", map[string]any{"ticketId": ticket, "contractorId": contractorOf(t, team.Admin, c.UserID), "description": "Have a look"}).
			Expect(http.StatusCreated).ID()
		c.Post("/api/v1/work-orders/"+wo.String()+"/quotes", map[string]any{
			"validUntil": time.Now().AddDate(0, 1, 0).Format(time.DateOnly),
			"lines":      []map[string]any{{"description": "Visit", "quantity": 1, "unitPricePence": 5000}},
		}).Expect(http.StatusCreated)
		return wo
	}
	mine, theirs := quoteFor(team.Contractor), quoteFor(other)

	var trail []timeline.Event
	team.Contractor.Get("/api/v1/timeline?sort=oldest&entity=ticket&id=" + ticket.String()).Expect(http.StatusOK).Data(&trail)
	sawMine := false
	for _, e := range trail {
		if e.EntityID == theirs || bytes.Contains(e.After, []byte(theirs.String())) {
			t.Fatalf("contractor sees another company's job: %s %s", e.EntityType, e.Action)
		}
		sawMine = sawMine || e.EntityID == mine
	}
	if !sawMine {
		t.Fatalf("contractor does not see their own work order on the trail: %+v", trail)
	}
	var all []timeline.Event
	team.Admin.Get("/api/v1/timeline?sort=oldest&entity=ticket&id=" + ticket.String()).Expect(http.StatusOK).Data(&all)
	if len(all) <= len(trail) {
		t.Fatalf("staff see %d events, the contractor %d: staff should see both companies'", len(all), len(trail))
	}
}
