package testsupport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// Workflow is an Estate ready for the job workflow: a rival CONTRACTOR member (its own
// company) beside the team's, and an open invitation.
type Workflow struct {
	*Estate
	App          *App
	Rival        *Client
	InvitationID uuid.UUID
	// Coordinator2 is a second COORDINATOR, added by the tests that need one.
	Coordinator2 *Client
}

// NewWorkflow builds a Workflow named name.
func NewWorkflow(t testing.TB, app *App, name string) *Workflow {
	t.Helper()
	e := app.NewEstate(t, name, EstateOptions{Postcode: "LS2 7EY", Reference: Marker("WF")})
	w := &Workflow{Estate: e, App: app, Rival: app.AddMember(e.Admin, access.Contractor)}
	w.InvitationID = e.Admin.With(t).Post("/api/v1/members", map[string]any{"email": strings.ToLower(Marker("open")) + "@example.com", "role": "COORDINATOR"}).
		Expect(http.StatusCreated).ID()
	return w
}

// Ticket reports a repair on the estate's unit (as the ADMIN); it starts NEW.
func (w *Workflow) Ticket(t testing.TB) uuid.UUID {
	t.Helper()
	tk := CreateTicket(t, w.Admin, map[string]any{"unitId": w.UnitID, "title": "Leaking tap " + Marker("T")})
	if tk.Status != tickets.New {
		t.Fatalf("new ticket is %s, want NEW", tk.Status)
	}
	return tk.ID
}

// WorkOrder reports a ticket and raises a work order for the team CONTRACTOR's company,
// taken to status by the ADMIN.
func (w *Workflow) WorkOrder(t testing.TB, status workorders.Status) workorders.WorkOrder {
	t.Helper()
	wo := RaiseWorkOrder(t, w.Admin, w.Ticket(t), w.ContractorID)
	DriveWorkOrder(t, w.Admin, wo.ID, status)
	return GetWorkOrder(t, w.Admin, wo.ID)
}

// CompletedWorkOrder is a completed work order of the team CONTRACTOR's company; with a
// quoted total above zero, a quote for it was approved (by the ADMIN) before the work.
func (w *Workflow) CompletedWorkOrder(t testing.TB, quoted int64) workorders.WorkOrder {
	t.Helper()
	wo := w.WorkOrder(t, workorders.Accepted)
	if quoted > 0 {
		q := SubmitFlatQuote(t, w.Contractor, wo.ID, quoted)
		ExpectOK(t, DecideQuote(t, w.Admin, q.ID, "approve"), http.StatusOK, nil)
	}
	for _, a := range []string{"schedule", "start", "complete"} {
		ExpectOK(t, ActOnWorkOrder(t, w.Contractor, wo.ID, a), http.StatusOK, nil)
	}
	return wo
}

// ActionBody is a valid work-order transition body for action: a reason to decline or
// cancel, a time two days ahead to schedule, notes to complete.
func ActionBody(action string) map[string]any {
	body := map[string]any{"action": action}
	switch action {
	case "decline", "cancel":
		body["reason"] = "Reason to " + action
	case "schedule":
		body["scheduledFor"] = time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	case "complete":
		body["notes"] = "Replaced the washer"
	}
	return body
}

// ActOnWorkOrder posts a transition with a valid body, as c.
func ActOnWorkOrder(t testing.TB, c *Client, id uuid.UUID, action string) *Response {
	t.Helper()
	return c.With(t).Post("/api/v1/work-orders/"+id.String()+"/transition", ActionBody(action))
}

// PathTo is how a new (ASSIGNED) work order reaches each status.
var PathTo = map[workorders.Status][]string{
	workorders.Assigned:   nil,
	workorders.Accepted:   {"accept"},
	workorders.Declined:   {"decline"},
	workorders.Scheduled:  {"accept", "schedule"},
	workorders.InProgress: {"accept", "schedule", "start"},
	workorders.Completed:  {"accept", "schedule", "start", "complete"},
	workorders.Cancelled:  {"cancel"},
}

// DriveWorkOrder takes a work order from ASSIGNED to status, as c.
func DriveWorkOrder(t testing.TB, c *Client, id uuid.UUID, status workorders.Status) {
	t.Helper()
	for _, a := range PathTo[status] {
		ExpectOK(t, ActOnWorkOrder(t, c, id, a), http.StatusOK, nil)
	}
	if got := GetWorkOrder(t, c, id); got.Status != status {
		t.Fatalf("driven to %s, work order is %s", status, got.Status)
	}
}

// GetWorkOrder reads a work order as c.
func GetWorkOrder(t testing.TB, c *Client, id uuid.UUID) workorders.WorkOrder {
	t.Helper()
	var wo workorders.WorkOrder
	ExpectOK(t, c.With(t).Get("/api/v1/work-orders/"+id.String()), http.StatusOK, &wo)
	return wo
}

// QuoteDate is the London date days from today, as a quote's validUntil wants it.
func QuoteDate(days int) string {
	return time.Now().In(ukcalendar.London).AddDate(0, 0, days).Format(time.DateOnly)
}

// VAT is a VAT rate for a Line.
func VAT(percent int) *int { return &percent }

// PostQuote submits a quote body for a work order as c.
func PostQuote(t testing.TB, c *Client, woID uuid.UUID, body map[string]any) *Response {
	t.Helper()
	return c.With(t).Post("/api/v1/work-orders/"+woID.String()+"/quotes", body)
}

// GetQuote reads a quote as c.
func GetQuote(t testing.TB, c *Client, id uuid.UUID) quotes.Quote {
	t.Helper()
	var q quotes.Quote
	ExpectOK(t, c.With(t).Get("/api/v1/quotes/"+id.String()), http.StatusOK, &q)
	return q
}

// QuoteDecisions are the decisions on a quote.
var QuoteDecisions = []string{"approve", "reject", "withdraw"}

// DecideQuote posts a decision (approve, reject with a reason, withdraw) on a quote as c.
func DecideQuote(t testing.TB, c *Client, id uuid.UUID, decision string) *Response {
	t.Helper()
	var body any
	if decision == "reject" {
		body = map[string]any{"reason": "Too dear"}
	}
	return c.With(t).Post("/api/v1/quotes/"+id.String()+"/"+decision, body)
}

// PostInvoice submits an invoice body for a work order as c.
func PostInvoice(t testing.TB, c *Client, woID uuid.UUID, body map[string]any) *Response {
	t.Helper()
	return c.With(t).Post("/api/v1/work-orders/"+woID.String()+"/invoices", body)
}

// GetInvoice reads an invoice as c.
func GetInvoice(t testing.TB, c *Client, id uuid.UUID) invoices.Invoice {
	t.Helper()
	var inv invoices.Invoice
	ExpectOK(t, c.With(t).Get("/api/v1/invoices/"+id.String()), http.StatusOK, &inv)
	return inv
}

// InvoiceDecisions are the decisions on an invoice.
var InvoiceDecisions = []string{"approve", "reject", "mark-paid"}

// DecideInvoice posts a decision with a valid body (a reason to reject, a payment
// reference to mark paid) as c.
func DecideInvoice(t testing.TB, c *Client, id uuid.UUID, decision string) *Response {
	t.Helper()
	var body any
	switch decision {
	case "reject":
		body = map[string]any{"reason": "Wrong VAT rate"}
	case "mark-paid":
		body = map[string]any{"paymentReference": "BACS-" + id.String()[:8]}
	}
	return c.With(t).Post("/api/v1/invoices/"+id.String()+"/"+decision, body)
}

// ListIDs lists the ids c sees at path, every page.
func ListIDs(t testing.TB, c *Client, path string) []uuid.UUID {
	t.Helper()
	return IDs(All[Row](t, c, path))
}

// Pounds renders pence as the API's messages do: £1,234.56.
func Pounds(pence int64) string {
	pounds := fmt.Sprint(pence / 100)
	var b strings.Builder
	for i, r := range pounds {
		if i > 0 && (len(pounds)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("£%s.%02d", b.String(), pence%100)
}

// JSON renders v for comparing snapshots.
func JSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// RawPost posts jsonBody (nil: no body) to path as c without a test to report to, for
// goroutines racing each other; it answers the status and body.
func RawPost(c *Client, path string, jsonBody []byte) (int, []byte, error) {
	var body io.Reader
	if jsonBody != nil {
		body = bytes.NewReader(jsonBody)
	}
	req, err := http.NewRequest(http.MethodPost, c.App.Server.URL+path, body)
	if err != nil {
		return 0, nil, err
	}
	if jsonBody != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.App.Server.Client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, err
}
