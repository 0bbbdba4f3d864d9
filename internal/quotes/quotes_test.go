package quotes_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// testQuoteSubmit: totals computed line by line (VAT per line, rounded half up), stored
// and returned with the lines; invalid input names the field; only live work orders take
// quotes.
func testQuoteSubmit(t *testing.T, e *testsupport.Workflow) {

	t.Run("totals", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Accepted)
		lines := []any{
			testsupport.Line("Labour (hours)", 2.5, 4500, nil),                    // 11250 + 2250 (20% by default)
			testsupport.Line("Washers", 3, 33, testsupport.VAT(20)),               // 99 + 19.8 → 20
			testsupport.Line("Energy-saving valve", 1, 1010, testsupport.VAT(5)),  // 1010 + 50.5 → 51 (half up, not to even)
			testsupport.Line("Zero-rated item", 0.333, 1000, testsupport.VAT(0)),  // 333 + 0
			testsupport.Line("Half a penny of net", 1.5, 33, testsupport.VAT(20)), // 49.5 → 50, + 10
			testsupport.Line("Half a penny of VAT", 1, 10, testsupport.VAT(5)),    // 10 + 0.5 → 1
			testsupport.Line("Eighth of a unit", 0.125, 999, testsupport.VAT(20)), // 124.875 → 125, + 25
		}
		wantNet := []int64{11250, 99, 1010, 333, 50, 10, 125}
		wantVAT := []int64{2250, 20, 51, 0, 10, 1, 25}
		wantQty := []float64{2.5, 3, 1, 0.333, 1.5, 1, 0.125}
		wantRate := []int{20, 20, 5, 0, 20, 5, 20}
		var submitted quotes.Quote
		testsupport.ExpectOK(t, testsupport.PostQuote(t, e.Contractor, wo.ID, map[string]any{"validUntil": testsupport.QuoteDate(14), "notes": "  Parts in stock  ", "lines": lines}), http.StatusCreated, &submitted)
		stored := testsupport.GetQuote(t, e.Coordinator, submitted.ID)
		for _, q := range []quotes.Quote{submitted, stored} {
			// Rounding each line's VAT gives 2357; rounding the sum of exact VAT (2355.8) would give 2356.
			if q.NetPence != 12877 || q.VATPence != 2357 || q.TotalPence != 15234 {
				t.Fatalf("totals net %d vat %d total %d, want 12877 2357 15234", q.NetPence, q.VATPence, q.TotalPence)
			}
			if q.Status != quotes.Submitted || q.ValidUntil != testsupport.QuoteDate(14) || q.Notes != "Parts in stock" ||
				q.WorkOrderID != wo.ID || q.ContractorID != e.ContractorID || q.DecidedAt != nil {
				t.Fatalf("quote %+v", q)
			}
			if len(q.Lines) != len(lines) {
				t.Fatalf("%d lines, want %d", len(q.Lines), len(lines))
			}
			for i, l := range q.Lines {
				if l.NetPence != wantNet[i] || l.VATPence != wantVAT[i] || l.Quantity != wantQty[i] || l.VATRatePercent != wantRate[i] ||
					l.Description != lines[i].(map[string]any)["description"] {
					t.Errorf("line %d: %+v, want net %d vat %d qty %v rate %d", i, l, wantNet[i], wantVAT[i], wantQty[i], wantRate[i])
				}
			}
		}
		// Lists leave lines out but carry the totals.
		var listed []quotes.Quote
		testsupport.ExpectOK(t, e.Admin.With(t).Get("/api/v1/quotes?workOrderId="+wo.ID.String()), http.StatusOK, &listed)
		if len(listed) != 1 || listed[0].ID != submitted.ID || listed[0].TotalPence != 15234 {
			t.Fatalf("listed %+v", listed)
		}
	})

	t.Run("validation", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Assigned)
		good := testsupport.Line("Labour", 1, 1000, nil)
		cases := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"no lines", map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{}}, "lines"},
			{"lines missing", map[string]any{"validUntil": testsupport.QuoteDate(7)}, "lines"},
			{"quantity with 4 decimals", map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{testsupport.Line("x", 1.0005, 100, nil)}}, "lines[0].quantity"},
			{"second line's quantity", map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{good, testsupport.Line("x", 2.1234, 100, nil)}}, "lines[1].quantity"},
			{"zero quantity", map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{testsupport.Line("x", 0, 100, nil)}}, "lines[0].quantity"},
			{"negative quantity", map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{testsupport.Line("x", -1, 100, nil)}}, "lines[0].quantity"},
			{"negative price", map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{testsupport.Line("x", 1, -1, nil)}}, "lines[0].unitPricePence"},
			{"VAT 17", map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{testsupport.Line("x", 1, 100, testsupport.VAT(17))}}, "lines[0].vatRatePercent"},
			{"blank description", map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{good, testsupport.Line("  ", 1, 100, nil)}}, "lines[1].description"},
			{"validUntil yesterday", map[string]any{"validUntil": testsupport.QuoteDate(-1), "lines": []any{good}}, "validUntil"},
			{"validUntil not a date", map[string]any{"validUntil": "31/12/2030", "lines": []any{good}}, "validUntil"},
			{"validUntil missing", map[string]any{"lines": []any{good}}, "validUntil"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				testsupport.ExpectFailure(t, testsupport.PostQuote(t, e.Contractor, wo.ID, tc.body), http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
			})
		}
		if ids := testsupport.ListIDs(t, e.Admin, "/api/v1/quotes?workOrderId="+wo.ID.String()); len(ids) != 0 {
			t.Fatalf("refused quotes were stored: %v", ids)
		}
		// Valid until today is fine: the last day the price holds.
		var q quotes.Quote
		testsupport.ExpectOK(t, testsupport.PostQuote(t, e.Contractor, wo.ID, map[string]any{"validUntil": testsupport.QuoteDate(0), "lines": []any{good}}), http.StatusCreated, &q)
		if q.ValidUntil != testsupport.QuoteDate(0) {
			t.Fatalf("validUntil %s, want %s", q.ValidUntil, testsupport.QuoteDate(0))
		}
	})

	t.Run("work order status", func(t *testing.T) {
		t.Parallel()
		for _, status := range workorders.Statuses {
			wo := e.WorkOrder(t, status)
			r := testsupport.PostQuote(t, e.Contractor, wo.ID, map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{testsupport.Line("x", 1, 100, nil)}})
			if status.Live() {
				testsupport.ExpectOK(t, r, http.StatusCreated, nil)
				continue
			}
			testsupport.ExpectFailure(t, r, http.StatusConflict, apperr.Conflict)
			testsupport.ExpectFailure(t, testsupport.PostQuote(t, e.Admin, wo.ID, map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{testsupport.Line("x", 1, 100, nil)}}), http.StatusConflict, apperr.Conflict)
			if ids := testsupport.ListIDs(t, e.Admin, "/api/v1/quotes?workOrderId="+wo.ID.String()); len(ids) != 0 {
				t.Fatalf("a %s work order has quotes %v", status, ids)
			}
		}
	})
}

// testQuoteDecisions: approving one quote rejects its open siblings; decisions are taken
// only on SUBMITTED quotes; roles.
func testQuoteDecisions(t *testing.T, e *testsupport.Workflow) {

	t.Run("approve rejects the siblings", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Accepted)
		chosen := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 12000)
		sibling := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 15000)
		paper := testsupport.SubmitFlatQuote(t, e.Coordinator, wo.ID, 9000) // entered by staff
		withdrawn := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 11000)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Contractor, withdrawn.ID, "withdraw"), http.StatusOK, nil)
		elsewhere := testsupport.SubmitFlatQuote(t, e.Contractor, e.WorkOrder(t, workorders.Accepted).ID, 8000)

		start := time.Now().Add(-time.Minute)
		var approved quotes.Quote
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Coordinator, chosen.ID, "approve"), http.StatusOK, &approved)
		if approved.Status != quotes.Approved || approved.DecidedBy == nil || *approved.DecidedBy != e.Coordinator.UserID ||
			approved.DecidedAt == nil || approved.DecidedAt.Before(start) || len(approved.Lines) != 1 {
			t.Fatalf("approved %+v", approved)
		}
		for _, id := range []uuid.UUID{sibling.ID, paper.ID} {
			q := testsupport.GetQuote(t, e.Admin, id)
			if q.Status != quotes.Rejected || q.DecisionReason == "" || q.DecidedAt == nil || q.DecidedBy == nil || *q.DecidedBy != e.Coordinator.UserID {
				t.Fatalf("sibling %+v, want REJECTED with a reason", q)
			}
			if !strings.Contains(q.DecisionReason, "another quote") {
				t.Errorf("sibling's reason %q does not say another quote was approved", q.DecisionReason)
			}
		}
		if q := testsupport.GetQuote(t, e.Admin, withdrawn.ID); q.Status != quotes.Withdrawn {
			t.Fatalf("withdrawn sibling became %s", q.Status)
		}
		if q := testsupport.GetQuote(t, e.Admin, elsewhere.ID); q.Status != quotes.Submitted {
			t.Fatalf("another work order's quote became %s", q.Status)
		}
		if q := testsupport.GetQuote(t, e.Admin, chosen.ID); q.Status != quotes.Approved {
			t.Fatalf("stored status %s", q.Status)
		}
		// Each sibling's rejection is on the ticket's trail.
		events := testsupport.GetTicket(t, e.Admin, wo.TicketID).Timeline
		for _, id := range []uuid.UUID{sibling.ID, paper.ID} {
			if !slices.ContainsFunc(events, func(ev timeline.Event) bool { return ev.EntityID == id && ev.Action == "rejected" }) {
				t.Errorf("no rejected event for sibling %s", id)
			}
		}
	})

	t.Run("no quote can follow an approved one", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Accepted)
		first := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 10000)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Admin, first.ID, "approve"), http.StatusOK, nil)
		// A revised quote after the approval is refused at submission (the partial unique
		// index quotes_one_approved_idx would refuse a second approval anyway).
		late := e.Contractor.With(t).Post("/api/v1/work-orders/"+wo.ID.String()+"/quotes", map[string]any{
			"validUntil": time.Now().AddDate(0, 1, 0).Format(time.DateOnly),
			"lines":      []map[string]any{{"description": "Revised", "quantity": 1, "unitPricePence": 9000}},
		})
		testsupport.ExpectFailure(t, late, http.StatusConflict, apperr.Conflict)
		var list []quotes.Quote
		e.Admin.With(t).Get("/api/v1/quotes?workOrderId=" + wo.ID.String()).Expect(http.StatusOK).Data(&list)
		if len(list) != 1 {
			t.Fatalf("%d quotes on the work order, want the approved one only", len(list))
		}
		if q := testsupport.GetQuote(t, e.Admin, first.ID); q.Status != quotes.Approved {
			t.Fatalf("first quote became %s", q.Status)
		}
	})

	t.Run("decisions only from SUBMITTED", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Accepted)
		rejected := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 5000)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Admin, rejected.ID, "reject"), http.StatusOK, nil)
		withdrawn := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 5000)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Contractor, withdrawn.ID, "withdraw"), http.StatusOK, nil)
		approved := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 5000)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Admin, approved.ID, "approve"), http.StatusOK, nil)
		for _, q := range []quotes.Quote{rejected, withdrawn, approved} {
			before := testsupport.JSON(t, testsupport.GetQuote(t, e.Admin, q.ID))
			for _, d := range testsupport.QuoteDecisions {
				f := testsupport.ExpectFailure(t, testsupport.DecideQuote(t, e.Admin, q.ID, d), http.StatusConflict, apperr.Conflict)
				if !strings.Contains(strings.ToUpper(f.Message), string(testsupport.GetQuote(t, e.Admin, q.ID).Status)) {
					t.Errorf("409 message %q does not name the status", f.Message)
				}
			}
			testsupport.ExpectFailure(t, testsupport.DecideQuote(t, e.Contractor, q.ID, "withdraw"), http.StatusConflict, apperr.Conflict)
			if after := testsupport.JSON(t, testsupport.GetQuote(t, e.Admin, q.ID)); after != before {
				t.Fatalf("refused decisions changed the quote:\nbefore %s\nafter  %s", before, after)
			}
		}
	})

	t.Run("reject needs a reason and keeps it", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Assigned)
		q := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 5000)
		for _, body := range []any{map[string]any{}, map[string]any{"reason": ""}, map[string]any{"reason": "   "}} {
			testsupport.ExpectFailure(t, e.Coordinator.With(t).Post("/api/v1/quotes/"+q.ID.String()+"/reject", body), http.StatusUnprocessableEntity, apperr.Invalid, "reason")
		}
		if got := testsupport.GetQuote(t, e.Admin, q.ID); got.Status != quotes.Submitted {
			t.Fatalf("refused rejection made it %s", got.Status)
		}
		var got quotes.Quote
		testsupport.ExpectOK(t, e.Coordinator.With(t).Post("/api/v1/quotes/"+q.ID.String()+"/reject", map[string]any{"reason": " Labour rate too high "}), http.StatusOK, &got)
		if stored := testsupport.GetQuote(t, e.Admin, q.ID); got.Status != quotes.Rejected || stored.Status != quotes.Rejected || stored.DecisionReason != "Labour rate too high" {
			t.Fatalf("rejected %+v, stored %+v", got, stored)
		}
	})

	t.Run("a reason of 1000 characters fits", func(t *testing.T) {
		t.Parallel()
		q := testsupport.SubmitFlatQuote(t, e.Contractor, e.WorkOrder(t, workorders.Assigned).ID, 5000)
		long := strings.Repeat("é", 1000) // 2000 bytes
		path := "/api/v1/quotes/" + q.ID.String() + "/reject"
		testsupport.ExpectFailure(t, e.Coordinator.With(t).Post(path, map[string]any{"reason": long + "é"}), http.StatusUnprocessableEntity, apperr.Invalid, "reason")
		testsupport.ExpectOK(t, e.Coordinator.With(t).Post(path, map[string]any{"reason": long}), http.StatusOK, nil)
		if got := testsupport.GetQuote(t, e.Admin, q.ID); got.Status != quotes.Rejected || got.DecisionReason != long {
			t.Fatalf("rejected with a long reason: %s, %d characters", got.Status, len([]rune(got.DecisionReason)))
		}
	})

	t.Run("no approval once the work order is finished", func(t *testing.T) {
		t.Parallel()
		for _, finish := range []string{"cancel", "complete"} {
			wo := e.WorkOrder(t, workorders.InProgress)
			q := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 5000)
			testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, e.Admin, wo.ID, finish), http.StatusOK, nil)
			testsupport.ExpectFailure(t, testsupport.DecideQuote(t, e.Admin, q.ID, "approve"), http.StatusConflict, apperr.Conflict)
			if got := testsupport.GetQuote(t, e.Admin, q.ID); got.Status != quotes.Submitted {
				t.Fatalf("quote on a %sd work order became %s", finish, got.Status)
			}
		}
	})

	t.Run("roles", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Accepted)
		otherWO := testsupport.RaiseWorkOrder(t, e.Admin, e.Ticket(t), e.OtherContractorID)
		own := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 7000)
		other := testsupport.SubmitFlatQuote(t, e.Admin, otherWO.ID, 7000) // a paper quote from the other company
		if other.ContractorID != e.OtherContractorID {
			t.Fatalf("staff-entered quote belongs to %s, want the work order's contractor %s", other.ContractorID, e.OtherContractorID)
		}
		snapshot := func(t *testing.T) string {
			return testsupport.JSON(t, []quotes.Quote{testsupport.GetQuote(t, e.Admin, own.ID), testsupport.GetQuote(t, e.Admin, other.ID)})
		}
		before := snapshot(t)

		// CONTRACTOR: submits for their own company's work orders only; never decides.
		body := map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{testsupport.Line("x", 1, 100, nil)}}
		testsupport.ExpectFailure(t, testsupport.PostQuote(t, e.Contractor, otherWO.ID, body), http.StatusNotFound, apperr.NotFound)
		testsupport.ExpectFailure(t, testsupport.PostQuote(t, e.Rival, wo.ID, body), http.StatusNotFound, apperr.NotFound)
		for _, d := range []string{"approve", "reject"} {
			testsupport.ExpectFailure(t, testsupport.DecideQuote(t, e.Contractor, own.ID, d), http.StatusForbidden, apperr.Forbidden)
			testsupport.ExpectFailure(t, testsupport.DecideQuote(t, e.Rival, own.ID, d), http.StatusForbidden, apperr.Forbidden)
		}
		missing := testsupport.ExpectFailure(t, e.Rival.With(t).Get("/api/v1/quotes/"+uuid.NewString()), http.StatusNotFound, apperr.NotFound)
		if got := testsupport.ExpectFailure(t, e.Rival.With(t).Get("/api/v1/quotes/"+own.ID.String()), http.StatusNotFound, apperr.NotFound); got.Message != missing.Message {
			t.Fatalf("message %q for another company's quote, %q for a missing one", got.Message, missing.Message)
		}
		testsupport.ExpectFailure(t, e.Contractor.With(t).Get("/api/v1/quotes/"+other.ID.String()), http.StatusNotFound, apperr.NotFound)
		testsupport.ExpectFailure(t, testsupport.DecideQuote(t, e.Rival, own.ID, "withdraw"), http.StatusNotFound, apperr.NotFound)
		testsupport.ExpectFailure(t, testsupport.DecideQuote(t, e.Contractor, other.ID, "withdraw"), http.StatusNotFound, apperr.NotFound)

		// TENANT: nothing.
		testsupport.ExpectFailure(t, testsupport.PostQuote(t, e.Tenant, wo.ID, body), http.StatusForbidden, apperr.Forbidden)
		testsupport.ExpectFailure(t, e.Tenant.With(t).Get("/api/v1/quotes"), http.StatusForbidden, apperr.Forbidden)
		testsupport.ExpectFailure(t, e.Tenant.With(t).Get("/api/v1/quotes/"+own.ID.String()), http.StatusForbidden, apperr.Forbidden)
		for _, d := range testsupport.QuoteDecisions {
			testsupport.ExpectFailure(t, testsupport.DecideQuote(t, e.Tenant, own.ID, d), http.StatusForbidden, apperr.Forbidden)
		}
		if after := snapshot(t); after != before {
			t.Fatalf("refused requests changed quotes:\nbefore %s\nafter  %s", before, after)
		}
		if ids := testsupport.ListIDs(t, e.Admin, "/api/v1/quotes?workOrderId="+wo.ID.String()); !slices.Equal(ids, []uuid.UUID{own.ID}) {
			t.Fatalf("work order's quotes %v", ids)
		}

		// Lists: a contractor sees their company's quotes only, whatever they filter by.
		for _, path := range []string{"/api/v1/quotes", "/api/v1/quotes?contractorId=" + e.OtherContractorID.String(), "/api/v1/quotes?workOrderId=" + otherWO.ID.String()} {
			ids := testsupport.ListIDs(t, e.Contractor, path)
			if slices.Contains(ids, other.ID) {
				t.Fatalf("GET %s as the contractor shows another company's quote", path)
			}
			if path == "/api/v1/quotes" && !slices.Contains(ids, own.ID) {
				t.Fatalf("GET %s as the contractor misses their own quote", path)
			}
		}
		if ids := testsupport.ListIDs(t, e.Rival, "/api/v1/quotes"); len(ids) != 0 {
			t.Fatalf("a contractor with no quotes sees %v", ids)
		}
		for _, c := range []*testsupport.Client{e.Admin, e.Coordinator} {
			ids := testsupport.ListIDs(t, c, "/api/v1/quotes")
			if !slices.Contains(ids, own.ID) || !slices.Contains(ids, other.ID) {
				t.Fatalf("staff list misses quotes")
			}
		}
		if ids := testsupport.ListIDs(t, e.Admin, "/api/v1/quotes?contractorId="+e.OtherContractorID.String()+"&status=SUBMITTED"); !slices.Contains(ids, other.ID) || slices.Contains(ids, own.ID) {
			t.Fatalf("contractor filter: %v", ids)
		}

		// The contractor withdraws their own quote.
		var got quotes.Quote
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Contractor, own.ID, "withdraw"), http.StatusOK, &got)
		if got.Status != quotes.Withdrawn || testsupport.GetQuote(t, e.Contractor, own.ID).Status != quotes.Withdrawn {
			t.Fatalf("withdrawn %+v", got)
		}
		if ids := testsupport.ListIDs(t, e.Admin, "/api/v1/quotes?status=WITHDRAWN"); !slices.Contains(ids, own.ID) || slices.Contains(ids, other.ID) {
			t.Fatalf("status filter: %v", ids)
		}
	})
}

// testQuoteThreshold: a quote over the organisation's approval threshold needs an ADMIN;
// exactly at the threshold a COORDINATOR may approve; the threshold is the organisation's
// setting.
func testQuoteThreshold(t *testing.T, e *testsupport.Workflow) {
	check := func(t *testing.T, threshold int64) {
		t.Helper()
		over := testsupport.SubmitFlatQuote(t, e.Contractor, e.WorkOrder(t, workorders.Accepted).ID, threshold+1)
		f := testsupport.ExpectFailure(t, testsupport.DecideQuote(t, e.Coordinator, over.ID, "approve"), http.StatusForbidden, apperr.Forbidden)
		for _, amount := range []string{testsupport.Pounds(threshold + 1), testsupport.Pounds(threshold)} {
			if !strings.Contains(f.Message, amount) {
				t.Errorf("403 message %q does not name %s", f.Message, amount)
			}
		}
		if q := testsupport.GetQuote(t, e.Admin, over.ID); q.Status != quotes.Submitted || q.DecidedAt != nil {
			t.Fatalf("refused approval changed the quote: %+v", q)
		}
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Admin, over.ID, "approve"), http.StatusOK, nil)
		if q := testsupport.GetQuote(t, e.Admin, over.ID); q.Status != quotes.Approved || *q.DecidedBy != e.Admin.UserID {
			t.Fatalf("ADMIN approval: %+v", q)
		}
		at := testsupport.SubmitFlatQuote(t, e.Contractor, e.WorkOrder(t, workorders.Accepted).ID, threshold)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Coordinator, at.ID, "approve"), http.StatusOK, nil)
		// Rejecting and withdrawing are not approvals: no threshold.
		big := testsupport.SubmitFlatQuote(t, e.Contractor, e.WorkOrder(t, workorders.Accepted).ID, threshold*10+1)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Coordinator, big.ID, "reject"), http.StatusOK, nil)
	}
	t.Run("default £500", func(t *testing.T) { check(t, 50000) })
	t.Run("changed to £200", func(t *testing.T) {
		var st struct {
			ApprovalThresholdPence int64 `json:"approvalThresholdPence"`
		}
		testsupport.ExpectFailure(t, e.Coordinator.With(t).Patch("/api/v1/settings", map[string]any{"approvalThresholdPence": 20000}), http.StatusForbidden, apperr.Forbidden)
		testsupport.ExpectOK(t, e.Admin.With(t).Patch("/api/v1/settings", map[string]any{"approvalThresholdPence": 20000}), http.StatusOK, &st)
		if st.ApprovalThresholdPence != 20000 {
			t.Fatalf("threshold %d", st.ApprovalThresholdPence)
		}
		check(t, 20000)
	})
	t.Run("VAT counts", func(t *testing.T) {
		// £200 threshold: £166.67 + 20% VAT = £200.00 is at it; £166.68 + VAT = £200.02 is over.
		wo := e.WorkOrder(t, workorders.Accepted)
		var at, over quotes.Quote
		testsupport.ExpectOK(t, testsupport.PostQuote(t, e.Contractor, wo.ID, map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{testsupport.Line("Labour", 1, 16667, nil)}}), http.StatusCreated, &at)
		testsupport.ExpectOK(t, testsupport.PostQuote(t, e.Contractor, wo.ID, map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{testsupport.Line("Labour", 1, 16668, nil)}}), http.StatusCreated, &over)
		if at.TotalPence != 20000 || over.TotalPence != 20002 {
			t.Fatalf("totals %d and %d, want 20000 and 20002", at.TotalPence, over.TotalPence)
		}
		testsupport.ExpectFailure(t, testsupport.DecideQuote(t, e.Coordinator, over.ID, "approve"), http.StatusForbidden, apperr.Forbidden)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Coordinator, at.ID, "approve"), http.StatusOK, nil)
	})
}

// testQuoteExpiry: a quote can be approved up to and including its validUntil day in
// London, and not after (409). The API cannot travel in time, so the service is driven
// with a fake clock on the app's database. The dates are in British Summer Time, when
// London's date runs an hour ahead of UTC's.
func testQuoteExpiry(t *testing.T, e *testsupport.Workflow) {
	app := e.App
	validUntil := time.Date(time.Now().Year()+1, time.July, 15, 0, 0, 0, 0, time.UTC)
	submit := func(t *testing.T) quotes.Quote {
		var q quotes.Quote
		testsupport.ExpectOK(t, testsupport.PostQuote(t, e.Contractor, e.WorkOrder(t, workorders.Accepted).ID, map[string]any{
			"validUntil": validUntil.Format(time.DateOnly), "lines": []any{testsupport.Line("Labour", 1, 10000, nil)},
		}), http.StatusCreated, &q)
		return q
	}
	var clock time.Time
	svc := quotes.NewService(app.DB, events.Discard{}, func() time.Time { return clock })
	admin := access.Actor{UserID: e.Admin.UserID, OrgID: e.Admin.OrgID, Role: access.Admin}
	ctx := context.Background()
	// 00:30 on 16 July in London is 23:30 on 15 July in UTC: already expired in London.
	dayAfter := time.Date(validUntil.Year(), time.July, 16, 0, 30, 0, 0, ukcalendar.London)
	lastMinute := time.Date(validUntil.Year(), time.July, 15, 23, 59, 0, 0, ukcalendar.London)

	t.Run("expired", func(t *testing.T) {
		q := submit(t)
		clock = dayAfter
		_, err := svc.Approve(ctx, admin, q.ID)
		if apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("approving an expired quote: %v, want CONFLICT", err)
		}
		if !strings.Contains(err.Error(), "expired") {
			t.Errorf("message %q does not say the quote expired", err)
		}
		if got := testsupport.GetQuote(t, e.Admin, q.ID); got.Status != quotes.Submitted {
			t.Fatalf("refused approval made it %s", got.Status)
		}
		// An expired quote may still be withdrawn or rejected.
		if w, err := svc.Withdraw(ctx, access.Actor{UserID: e.Contractor.UserID, OrgID: e.Contractor.OrgID, Role: access.Contractor, ContractorID: e.ContractorID}, q.ID); err != nil || w.Status != quotes.Withdrawn {
			t.Fatalf("withdrawing an expired quote: %+v, %v", w, err)
		}
		// And on its last day it could have been approved.
		q = submit(t)
		clock = lastMinute
		got, err := svc.Approve(ctx, admin, q.ID)
		if err != nil || got.Status != quotes.Approved {
			t.Fatalf("approving on the last day: %+v, %v", got, err)
		}
		if got := testsupport.GetQuote(t, e.Admin, q.ID); got.Status != quotes.Approved {
			t.Fatalf("stored status %s", got.Status)
		}
	})
}

// qtApprovedCount counts a work order's approved quotes in the database itself.
func qtApprovedCount(t *testing.T, app *testsupport.App, c *testsupport.Client, woID uuid.UUID) int {
	t.Helper()
	var n int
	err := app.DB.InOrg(context.Background(), c.OrgID, c.UserID, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM quotes WHERE org_id = $1 AND work_order_id = $2 AND status = 'APPROVED'`, c.OrgID, woID).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// testQuoteApprovalRace: two staff approve sibling quotes (or the same quote) at the same
// moment, each with their own client. Exactly one wins, the other gets 409, and the
// database holds exactly one approved quote, which its partial unique index guarantees.
func testQuoteApprovalRace(t *testing.T, e *testsupport.Workflow) {
	app := e.App
	if e.Coordinator2 == nil {
		t.Fatal("the race needs a second COORDINATOR")
	}
	approvers := []*testsupport.Client{e.Coordinator, e.Coordinator2}
	for round := range 7 {
		same := round >= 5 // the last rounds race on one quote
		t.Run(fmt.Sprintf("round %d same=%v", round, same), func(t *testing.T) {
			wo := e.WorkOrder(t, workorders.Accepted)
			qs := []quotes.Quote{testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 10000+int64(round)), testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 20000+int64(round))}
			if same {
				qs[1] = qs[0]
			}
			type answer struct {
				status int
				body   []byte
				err    error
			}
			answers := make([]answer, 2)
			ready := make(chan struct{})
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Go(func() {
					<-ready
					s, b, err := testsupport.RawPost(approvers[i], "/api/v1/quotes/"+qs[i].ID.String()+"/approve", nil)
					answers[i] = answer{s, b, err}
				})
			}
			close(ready)
			wg.Wait()
			winner := -1
			for i, a := range answers {
				if a.err != nil {
					t.Fatalf("request %d: %v", i, a.err)
				}
				switch a.status {
				case http.StatusOK:
					if winner >= 0 {
						t.Fatalf("both approvals succeeded: %s / %s", answers[0].body, answers[1].body)
					}
					winner = i
				case http.StatusConflict:
					if !strings.Contains(string(a.body), `"CONFLICT"`) {
						t.Fatalf("409 without CONFLICT: %s", a.body)
					}
				default:
					t.Fatalf("request %d: status %d: %s", i, a.status, a.body)
				}
			}
			if winner < 0 {
				t.Fatalf("no approval succeeded: %s / %s", answers[0].body, answers[1].body)
			}
			if got := testsupport.GetQuote(t, e.Admin, qs[winner].ID); got.Status != quotes.Approved {
				t.Fatalf("winner's quote is %s", got.Status)
			}
			if !same {
				if got := testsupport.GetQuote(t, e.Admin, qs[1-winner].ID); got.Status != quotes.Rejected {
					t.Fatalf("loser's quote is %s, want REJECTED", got.Status)
				}
			}
			if n := qtApprovedCount(t, app, e.Admin, wo.ID); n != 1 {
				t.Fatalf("%d approved quotes in the database", n)
			}
			if !same {
				// The database itself refuses a second approved quote for the work order.
				err := app.DB.InOrg(context.Background(), e.Admin.OrgID, e.Admin.UserID, func(tx pgx.Tx) error {
					_, err := tx.Exec(context.Background(), `UPDATE quotes SET status = 'APPROVED' WHERE org_id = $1 AND id = $2`, e.Admin.OrgID, qs[1-winner].ID)
					return err
				})
				if !database.IsUniqueViolation(err, "quotes_one_approved_idx") {
					t.Fatalf("second approved quote written directly: %v, want a violation of quotes_one_approved_idx", err)
				}
			}
		})
	}
}

// testQuoteCrossTenant: every quote endpoint answers another organisation's ids as
// missing ones, changes nothing, and lists never show them.
func testQuoteCrossTenant(t *testing.T, a, b *testsupport.Workflow) {
	bWO := b.WorkOrder(t, workorders.Accepted)
	bQuote := testsupport.SubmitFlatQuote(t, b.Contractor, bWO.ID, 4000)
	bDecided := testsupport.SubmitFlatQuote(t, b.Contractor, b.WorkOrder(t, workorders.Accepted).ID, 4000)
	testsupport.ExpectOK(t, testsupport.DecideQuote(t, b.Admin, bDecided.ID, "approve"), http.StatusOK, nil)
	snapshot := func(t *testing.T) string {
		return testsupport.JSON(t, []any{testsupport.GetQuote(t, b.Admin, bQuote.ID), testsupport.GetQuote(t, b.Admin, bDecided.ID),
			testsupport.ListIDs(t, b.Admin, "/api/v1/quotes?workOrderId="+bWO.ID.String())})
	}
	submit := map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{testsupport.Line("x", 1, 100, nil)}}
	endpoints := []struct {
		name, method, path string // %s: the id
		id                 uuid.UUID
		body               any
	}{
		{"get", http.MethodGet, "/api/v1/quotes/%s", bQuote.ID, nil},
		{"approve", http.MethodPost, "/api/v1/quotes/%s/approve", bQuote.ID, nil},
		{"reject", http.MethodPost, "/api/v1/quotes/%s/reject", bQuote.ID, map[string]any{"reason": "Nope"}},
		{"withdraw", http.MethodPost, "/api/v1/quotes/%s/withdraw", bQuote.ID, nil},
		{"get decided", http.MethodGet, "/api/v1/quotes/%s", bDecided.ID, nil},
		{"withdraw decided", http.MethodPost, "/api/v1/quotes/%s/withdraw", bDecided.ID, nil},
		{"submit", http.MethodPost, "/api/v1/work-orders/%s/quotes", bWO.ID, submit},
	}
	for _, actor := range []struct {
		name string
		c    *testsupport.Client
	}{{"admin", a.Admin}, {"coordinator", a.Coordinator}, {"contractor", a.Contractor}} {
		for _, ep := range endpoints {
			if actor.c.Role == access.Contractor && (ep.name == "approve" || ep.name == "reject") {
				continue // a role refusal (403) comes first for contractors
			}
			t.Run(actor.name+" "+ep.name, func(t *testing.T) {
				before := snapshot(t)
				got := testsupport.ExpectFailure(t, actor.c.With(t).Do(ep.method, fmt.Sprintf(ep.path, ep.id), ep.body), http.StatusNotFound, apperr.NotFound)
				missing := testsupport.ExpectFailure(t, actor.c.With(t).Do(ep.method, fmt.Sprintf(ep.path, uuid.New()), ep.body), http.StatusNotFound, apperr.NotFound)
				if got.Message != missing.Message {
					t.Fatalf("message %q for another org's id, %q for a missing one", got.Message, missing.Message)
				}
				if after := snapshot(t); after != before {
					t.Fatalf("the other org's quotes changed:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
		t.Run(actor.name+" lists", func(t *testing.T) {
			for _, path := range []string{"/api/v1/quotes", "/api/v1/quotes?workOrderId=" + bWO.ID.String(), "/api/v1/quotes?contractorId=" + b.ContractorID.String()} {
				ids := testsupport.ListIDs(t, actor.c, path)
				if slices.Contains(ids, bQuote.ID) || slices.Contains(ids, bDecided.ID) {
					t.Fatalf("GET %s shows the other org's quotes", path)
				}
			}
		})
	}
}

// TestQuotes runs the quote tests in parallel on one application. The threshold test
// changes its organisation's settings, so it has an organisation of its own.
func TestQuotes(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	e := testsupport.NewWorkflow(t, app, "Quote Lets")
	e.Coordinator2 = app.AddMember(e.Admin, access.Coordinator)
	other := testsupport.NewWorkflow(t, app, "Bravo Quotes")
	threshold := testsupport.NewWorkflow(t, app, "Threshold Lets")
	for _, tc := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Submit", func(t *testing.T) { testQuoteSubmit(t, e) }},
		{"Decisions", func(t *testing.T) { testQuoteDecisions(t, e) }},
		{"Threshold", func(t *testing.T) { testQuoteThreshold(t, threshold) }},
		{"Expiry", func(t *testing.T) { testQuoteExpiry(t, e) }},
		{"ApprovalRace", func(t *testing.T) { testQuoteApprovalRace(t, e) }},
		{"CrossTenant", func(t *testing.T) { testQuoteCrossTenant(t, e, other) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t)
		})
	}
}
