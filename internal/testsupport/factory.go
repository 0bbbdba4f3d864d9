package testsupport

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// The factory makes the records tests build on, through the API as c, and checks each
// answered as made. Tests that examine the creation itself call the API directly.

var markerSeq atomic.Int64

// Marker is a string unique in the test process, prefix-N: for references, emails and
// titles that must not collide across parallel tests.
func Marker(prefix string) string { return fmt.Sprintf("%s-%d", prefix, markerSeq.Add(1)) }

// CreateTicket reports a repair (POST /tickets with body) as c.
func CreateTicket(t testing.TB, c *Client, body map[string]any) tickets.Ticket {
	t.Helper()
	var tk tickets.Ticket
	c.With(t).Post("/api/v1/tickets", body).Expect(http.StatusCreated).Data(&tk)
	return tk
}

// Comment adds a comment to a ticket as c; visibility "" takes the default.
func Comment(t testing.TB, c *Client, ticketID uuid.UUID, body, visibility string) tickets.Comment {
	t.Helper()
	req := map[string]any{"body": body}
	if visibility != "" {
		req["visibility"] = visibility
	}
	var cm tickets.Comment
	c.With(t).Post("/api/v1/tickets/"+ticketID.String()+"/comments", req).Expect(http.StatusCreated).Data(&cm)
	return cm
}

// RaiseWorkOrder sends contractorID to a ticket as c; the work order starts ASSIGNED.
func RaiseWorkOrder(t testing.TB, c *Client, ticketID, contractorID uuid.UUID) workorders.WorkOrder {
	t.Helper()
	var wo workorders.WorkOrder
	c.With(t).Post("/api/v1/work-orders", map[string]any{"ticketId": ticketID, "contractorId": contractorID, "description": "Please attend"}).
		Expect(http.StatusCreated).Data(&wo)
	if wo.Status != workorders.Assigned || wo.TicketID != ticketID || wo.ContractorID != contractorID {
		t.Fatalf("raised work order %+v", wo)
	}
	return wo
}

// Line is a line item body: quantity of unitPence, at vatPercent (nil: the default rate).
func Line(desc string, qty float64, unitPence int64, vatPercent *int) map[string]any {
	l := map[string]any{"description": desc, "quantity": qty, "unitPricePence": unitPence}
	if vatPercent != nil {
		l["vatRatePercent"] = *vatPercent
	}
	return l
}

// zeroRated is VAT at 0%, so a one-line total is the line's price.
var zeroRated = func() *int { v := 0; return &v }()

// SubmitFlatQuote submits, as c, a one-line zero-rated quote for exactly totalPence, valid
// for 30 days.
func SubmitFlatQuote(t testing.TB, c *Client, woID uuid.UUID, totalPence int64) quotes.Quote {
	t.Helper()
	var q quotes.Quote
	c.With(t).Post("/api/v1/work-orders/"+woID.String()+"/quotes", map[string]any{
		"validUntil": time.Now().In(ukcalendar.London).AddDate(0, 0, 30).Format(time.DateOnly),
		"lines":      []any{Line("Works as described", 1, totalPence, zeroRated)},
	}).Expect(http.StatusCreated).Data(&q)
	if q.Status != quotes.Submitted || q.TotalPence != totalPence || q.WorkOrderID != woID {
		t.Fatalf("submitted quote %+v", q)
	}
	return q
}

// SubmitFlatInvoice submits, as c, a one-line zero-rated invoice for exactly totalPence
// with a fresh reference.
func SubmitFlatInvoice(t testing.TB, c *Client, woID uuid.UUID, totalPence int64) invoices.Invoice {
	t.Helper()
	var inv invoices.Invoice
	ref := Marker("INV")
	c.With(t).Post("/api/v1/work-orders/"+woID.String()+"/invoices", map[string]any{
		"reference": ref, "lines": []any{Line("Works as quoted", 1, totalPence, zeroRated)},
	}).Expect(http.StatusCreated).Data(&inv)
	if inv.Status != invoices.Submitted || inv.TotalPence != totalPence || inv.WorkOrderID != woID || inv.Reference != ref {
		t.Fatalf("submitted invoice %+v", inv)
	}
	return inv
}
