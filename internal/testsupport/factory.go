package testsupport

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/estate"
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

// GetTicket reads a ticket's detail as c.
func GetTicket(t testing.TB, c *Client, id uuid.UUID) tickets.Detail {
	t.Helper()
	var d tickets.Detail
	c.With(t).Get("/api/v1/tickets/" + id.String()).Expect(http.StatusOK).Data(&d)
	return d
}

// Page reads one page of a list as c: its items and the next page's cursor, checking the
// answer is a list envelope {data: [...], error: null, meta: {nextCursor}, traceId}.
func Page[T any](t testing.TB, c *Client, path string) (items []T, next string) {
	t.Helper()
	r := c.With(t).Get(path).Expect(http.StatusOK)
	var env struct {
		Data  *[]T `json:"data"`
		Error any  `json:"error"`
		Meta  *struct {
			NextCursor string `json:"nextCursor"`
		} `json:"meta"`
		TraceID string `json:"traceId"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil || env.Data == nil || env.Meta == nil || env.Error != nil || env.TraceID == "" {
		t.Fatalf("GET %s: not a list envelope (%v): %s", path, err, r.Body)
	}
	return *env.Data, env.Meta.NextCursor
}

// All reads every page of a list as c, 200 at a time.
func All[T any](t testing.TB, c *Client, path string) []T {
	t.Helper()
	sep := "?"
	if strings.HasSuffix(path, "?") {
		sep = ""
	} else if strings.Contains(path, "?") {
		sep = "&"
	}
	var all []T
	cursor := ""
	for range 100 {
		p := path + sep + "limit=200"
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		items, next := Page[T](t, c, p)
		all = append(all, items...)
		if next == "" {
			return all
		}
		cursor = next
	}
	t.Fatalf("GET %s: more than 100 pages", path)
	return nil
}

// Row is the identifying part of any listed row.
type Row struct {
	ID       uuid.UUID `json:"id"`
	UserID   uuid.UUID `json:"userId"`
	EntityID uuid.UUID `json:"entityId"`
}

// IDs are the rows' ids, in order.
func IDs(rows []Row) []uuid.UUID {
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids
}

// PropertyBody is a valid POST /properties body for a property called name.
func PropertyBody(name string) map[string]any {
	return map[string]any{"name": name, "addressLine1": "1 Mill Lane", "town": "York", "postcode": "YO1 7HH"}
}

// SamePropertyFields compares two properties on everything but their timestamps.
func SamePropertyFields(a, b estate.Property) bool {
	a.CreatedAt, a.UpdatedAt, b.CreatedAt, b.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return a == b
}

// GasSafe records a current Gas Safe registration (a year ahead) for each contractor
// company, as admin, so that gas work (HVAC, or a ticket naming gas or a boiler) may be
// sent to it (docs/compliance.md).
func GasSafe(t testing.TB, admin *Client, contractorIDs ...uuid.UUID) {
	t.Helper()
	for _, id := range contractorIDs {
		admin.With(t).Patch("/api/v1/contractors/"+id.String(), map[string]any{
			"gasSafeNumber": "123456", "gasSafeExpiresOn": time.Now().AddDate(1, 0, 0).Format(time.DateOnly),
		}).Expect(http.StatusOK)
	}
}
