package invoices_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// testInvoiceSubmit: invoices only for COMPLETED work orders, one open invoice per work
// order (a new one only after a rejection), totals computed and stored.
func testInvoiceSubmit(t *testing.T, e *testsupport.Workflow) {
	body := func() map[string]any {
		return map[string]any{"reference": testsupport.Marker("INV"), "lines": []any{testsupport.Line("Labour", 2, 4500, nil)}}
	}

	t.Run("only for completed work orders", func(t *testing.T) {
		t.Parallel()
		for _, status := range workorders.Statuses {
			if status == workorders.Completed {
				continue
			}
			wo := e.WorkOrder(t, status)
			f := testsupport.ExpectFailure(t, testsupport.PostInvoice(t, e.Contractor, wo.ID, body()), http.StatusConflict, apperr.Conflict)
			if !strings.Contains(f.Message, string(status)) {
				t.Errorf("409 message %q does not name %s", f.Message, status)
			}
			testsupport.ExpectFailure(t, testsupport.PostInvoice(t, e.Admin, wo.ID, body()), http.StatusConflict, apperr.Conflict)
			if ids := testsupport.ListIDs(t, e.Admin, "/api/v1/invoices?workOrderId="+wo.ID.String()); len(ids) != 0 {
				t.Fatalf("a %s work order has invoices %v", status, ids)
			}
		}
	})

	t.Run("totals and lines", func(t *testing.T) {
		t.Parallel()
		wo := e.CompletedWorkOrder(t, 0)
		var inv invoices.Invoice
		testsupport.ExpectOK(t, testsupport.PostInvoice(t, e.Contractor, wo.ID, map[string]any{"reference": "  INV-0042  ", "notes": "Thanks", "lines": []any{
			testsupport.Line("Labour (hours)", 2.5, 4500, nil),                   // 11250 + 2250
			testsupport.Line("Energy-saving valve", 1, 1010, testsupport.VAT(5)), // 1010 + 50.5 → 51
			testsupport.Line("Zero-rated", 0.333, 1000, testsupport.VAT(0)),      // 333 + 0
		}}), http.StatusCreated, &inv)
		stored := testsupport.GetInvoice(t, e.Coordinator, inv.ID)
		for _, v := range []invoices.Invoice{inv, stored} {
			if v.NetPence != 12593 || v.VATPence != 2301 || v.TotalPence != 14894 || v.Reference != "INV-0042" || v.Notes != "Thanks" ||
				v.ContractorID != e.ContractorID || v.Status != invoices.Submitted || len(v.Lines) != 3 {
				t.Fatalf("invoice %+v", v)
			}
			if l := v.Lines[1]; l.NetPence != 1010 || l.VATPence != 51 || l.VATRatePercent != 5 || l.Description != "Energy-saving valve" {
				t.Fatalf("line 1 %+v", l)
			}
			if l := v.Lines[2]; l.Quantity != 0.333 || l.NetPence != 333 || l.VATPence != 0 {
				t.Fatalf("line 2 %+v", l)
			}
		}
	})

	t.Run("validation", func(t *testing.T) {
		t.Parallel()
		wo := e.CompletedWorkOrder(t, 0)
		good := testsupport.Line("Labour", 1, 1000, nil)
		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"blank reference", map[string]any{"reference": "  ", "lines": []any{good}}, "reference"},
			{"long reference", map[string]any{"reference": strings.Repeat("R", 51), "lines": []any{good}}, "reference"},
			{"no lines", map[string]any{"reference": "R1", "lines": []any{}}, "lines"},
			{"quantity with 4 decimals", map[string]any{"reference": "R1", "lines": []any{good, testsupport.Line("x", 0.0001, 100, nil)}}, "lines[1].quantity"},
			{"negative price", map[string]any{"reference": "R1", "lines": []any{testsupport.Line("x", 1, -5, nil)}}, "lines[0].unitPricePence"},
			{"VAT 17", map[string]any{"reference": "R1", "lines": []any{testsupport.Line("x", 1, 100, testsupport.VAT(17))}}, "lines[0].vatRatePercent"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				testsupport.ExpectFailure(t, testsupport.PostInvoice(t, e.Contractor, wo.ID, tc.body), http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
			})
		}
		if ids := testsupport.ListIDs(t, e.Admin, "/api/v1/invoices?workOrderId="+wo.ID.String()); len(ids) != 0 {
			t.Fatalf("refused invoices were stored: %v", ids)
		}
	})

	t.Run("one open invoice per work order", func(t *testing.T) {
		t.Parallel()
		wo := e.CompletedWorkOrder(t, 0)
		first := testsupport.SubmitFlatInvoice(t, e.Contractor, wo.ID, 9000)
		testsupport.ExpectFailure(t, testsupport.PostInvoice(t, e.Contractor, wo.ID, body()), http.StatusConflict, apperr.Conflict)
		testsupport.ExpectFailure(t, testsupport.PostInvoice(t, e.Coordinator, wo.ID, body()), http.StatusConflict, apperr.Conflict)
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Coordinator, first.ID, "reject"), http.StatusOK, nil)
		second := testsupport.SubmitFlatInvoice(t, e.Contractor, wo.ID, 8500) // the corrected one
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Coordinator, second.ID, "approve"), http.StatusOK, nil)
		testsupport.ExpectFailure(t, testsupport.PostInvoice(t, e.Contractor, wo.ID, body()), http.StatusConflict, apperr.Conflict)
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Admin, second.ID, "mark-paid"), http.StatusOK, nil) // not its approver
		testsupport.ExpectFailure(t, testsupport.PostInvoice(t, e.Contractor, wo.ID, body()), http.StatusConflict, apperr.Conflict)
		ids := testsupport.ListIDs(t, e.Admin, "/api/v1/invoices?workOrderId="+wo.ID.String())
		if len(ids) != 2 || !slices.Contains(ids, first.ID) || !slices.Contains(ids, second.ID) {
			t.Fatalf("work order's invoices %v", ids)
		}
	})
}

// testInvoiceSubmitRace: the contractor and three staff submit an invoice for the same
// completed work order at the same moment; exactly one is stored, the others answer 409.
func testInvoiceSubmitRace(t *testing.T, e *testsupport.Workflow) {
	submitters := []*testsupport.Client{e.Contractor, e.Coordinator, e.Admin, e.Contractor}
	if e.Coordinator2 != nil {
		submitters[3] = e.Coordinator2
	}
	for round := range 6 {
		t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
			wo := e.CompletedWorkOrder(t, 0)
			statuses := make([]int, len(submitters))
			errs := make([]error, len(submitters))
			ready := make(chan struct{})
			var wg sync.WaitGroup
			for i := range submitters {
				body, err := json.Marshal(map[string]any{"reference": fmt.Sprintf("RACE-%d-%d", round, i), "lines": []any{testsupport.Line("x", 1, 1000, nil)}})
				if err != nil {
					t.Fatal(err)
				}
				wg.Go(func() {
					<-ready
					statuses[i], _, errs[i] = testsupport.RawPost(submitters[i], "/api/v1/work-orders/"+wo.ID.String()+"/invoices", body)
				})
			}
			close(ready)
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			slices.Sort(statuses)
			if !slices.Equal(statuses, []int{http.StatusCreated, http.StatusConflict, http.StatusConflict, http.StatusConflict}) {
				t.Fatalf("statuses %v, want one 201 and 409s", statuses)
			}
			if ids := testsupport.ListIDs(t, e.Admin, "/api/v1/invoices?workOrderId="+wo.ID.String()); len(ids) != 1 {
				t.Fatalf("%d invoices stored", len(ids))
			}
		})
	}
}

// testInvoiceApproval: an invoice more than 10% over the approved quote needs an ADMIN;
// without an approved quote the organisation's approval threshold applies.
func testInvoiceApproval(t *testing.T, e *testsupport.Workflow) {
	refused := func(t *testing.T, inv invoices.Invoice, amounts ...string) {
		t.Helper()
		f := testsupport.ExpectFailure(t, testsupport.DecideInvoice(t, e.Coordinator, inv.ID, "approve"), http.StatusForbidden, apperr.Forbidden)
		for _, a := range amounts {
			if !strings.Contains(f.Message, a) {
				t.Errorf("403 message %q does not name %s", f.Message, a)
			}
		}
		if got := testsupport.GetInvoice(t, e.Admin, inv.ID); got.Status != invoices.Submitted || got.ApprovedAt != nil {
			t.Fatalf("refused approval changed the invoice: %+v", got)
		}
		var got invoices.Invoice
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Admin, inv.ID, "approve"), http.StatusOK, &got)
		if got.Status != invoices.Approved || got.ApprovedBy == nil || *got.ApprovedBy != e.Admin.UserID {
			t.Fatalf("ADMIN approval: %+v", got)
		}
	}
	allowed := func(t *testing.T, inv invoices.Invoice) {
		t.Helper()
		var got invoices.Invoice
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Coordinator, inv.ID, "approve"), http.StatusOK, &got)
		if got.Status != invoices.Approved || got.ApprovedBy == nil || *got.ApprovedBy != e.Coordinator.UserID || got.ApprovedAt == nil {
			t.Fatalf("COORDINATOR approval: %+v", got)
		}
	}

	t.Run("10% over the quote is fine", func(t *testing.T) {
		t.Parallel()
		allowed(t, testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 10000).ID, 11000))
	})
	t.Run("a penny more needs an ADMIN", func(t *testing.T) {
		t.Parallel()
		refused(t, testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 10000).ID, 11001), "£110.01", "£100.00")
	})
	t.Run("with VAT lines", func(t *testing.T) {
		t.Parallel()
		// Quote £83.33 + 20% = £100.00; invoice £91.67 + 20% = £110.00 (£110.004 → £110.00).
		wo := e.WorkOrder(t, workorders.Accepted)
		var q quotes.Quote
		testsupport.ExpectOK(t, testsupport.PostQuote(t, e.Contractor, wo.ID, map[string]any{"validUntil": testsupport.QuoteDate(7), "lines": []any{testsupport.Line("Labour", 1, 8333, nil)}}), http.StatusCreated, &q)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Admin, q.ID, "approve"), http.StatusOK, nil)
		ivComplete(t, e, wo.ID)
		var inv invoices.Invoice
		testsupport.ExpectOK(t, testsupport.PostInvoice(t, e.Contractor, wo.ID, map[string]any{"reference": testsupport.Marker("INV"), "lines": []any{testsupport.Line("Labour", 1, 9167, nil)}}), http.StatusCreated, &inv)
		if q.TotalPence != 10000 || inv.TotalPence != 11000 {
			t.Fatalf("quote %d, invoice %d; want 10000 and 11000", q.TotalPence, inv.TotalPence)
		}
		allowed(t, inv)
	})
	t.Run("under the quote", func(t *testing.T) {
		t.Parallel()
		allowed(t, testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 10000).ID, 9000))
	})
	t.Run("an approved quote over the threshold covers its invoice", func(t *testing.T) {
		t.Parallel()
		allowed(t, testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 60000).ID, 66000))
	})
	t.Run("no quote: over the threshold needs an ADMIN", func(t *testing.T) {
		t.Parallel()
		refused(t, testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 0).ID, 50001), "£500.01", "£500.00")
	})
	t.Run("no quote: at the threshold is fine", func(t *testing.T) {
		t.Parallel()
		allowed(t, testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 0).ID, 50000))
	})
	t.Run("only an approved quote counts", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Accepted)
		rejected := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 10000)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Admin, rejected.ID, "reject"), http.StatusOK, nil)
		withdrawn := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 10000)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Contractor, withdrawn.ID, "withdraw"), http.StatusOK, nil)
		testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 10000) // still SUBMITTED
		ivComplete(t, e, wo.ID)
		// Double the unapproved quotes but under the threshold: the threshold rule applies.
		allowed(t, testsupport.SubmitFlatInvoice(t, e.Contractor, wo.ID, 20000))
		wo2 := e.WorkOrder(t, workorders.Accepted)
		rejected = testsupport.SubmitFlatQuote(t, e.Contractor, wo2.ID, 60000)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Admin, rejected.ID, "reject"), http.StatusOK, nil)
		ivComplete(t, e, wo2.ID)
		refused(t, testsupport.SubmitFlatInvoice(t, e.Contractor, wo2.ID, 60000), "£600.00", "£500.00")
	})
}

// ivComplete takes an ACCEPTED work order to COMPLETED as its contractor.
func ivComplete(t *testing.T, e *testsupport.Workflow, id uuid.UUID) {
	t.Helper()
	for _, a := range []string{"schedule", "start", "complete"} {
		testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, e.Contractor, id, a), http.StatusOK, nil)
	}
}

// testInvoiceLifecycle: SUBMITTED → APPROVED → PAID, or REJECTED with a reason; every
// other decision answers 409 and changes nothing.
func testInvoiceLifecycle(t *testing.T, e *testsupport.Workflow) {

	t.Run("reject needs a reason and keeps it", func(t *testing.T) {
		t.Parallel()
		inv := testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 0).ID, 5000)
		path := "/api/v1/invoices/" + inv.ID.String() + "/reject"
		for _, body := range []any{map[string]any{}, map[string]any{"reason": ""}, map[string]any{"reason": "   "}} {
			testsupport.ExpectFailure(t, e.Coordinator.With(t).Post(path, body), http.StatusUnprocessableEntity, apperr.Invalid, "reason")
		}
		if got := testsupport.GetInvoice(t, e.Admin, inv.ID); got.Status != invoices.Submitted {
			t.Fatalf("refused rejection made it %s", got.Status)
		}
		var got invoices.Invoice
		testsupport.ExpectOK(t, e.Coordinator.With(t).Post(path, map[string]any{"reason": "  Charged VAT on a zero-rated item "}), http.StatusOK, &got)
		stored := testsupport.GetInvoice(t, e.Contractor, inv.ID)
		for _, v := range []invoices.Invoice{got, stored} {
			if v.Status != invoices.Rejected || v.RejectionReason != "Charged VAT on a zero-rated item" || v.PaidAt != nil || v.ApprovedAt != nil {
				t.Fatalf("rejected %+v", v)
			}
		}
	})

	t.Run("approve then pay", func(t *testing.T) {
		t.Parallel()
		inv := testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 0).ID, 5000)
		testsupport.ExpectFailure(t, testsupport.DecideInvoice(t, e.Admin, inv.ID, "mark-paid"), http.StatusConflict, apperr.Conflict)
		if got := testsupport.GetInvoice(t, e.Admin, inv.ID); got.Status != invoices.Submitted || got.PaidAt != nil || got.PaymentReference != "" {
			t.Fatalf("refused payment changed the invoice: %+v", got)
		}
		start := time.Now().Add(-time.Minute)
		var approved invoices.Invoice
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Coordinator, inv.ID, "approve"), http.StatusOK, &approved)
		if approved.Status != invoices.Approved || approved.ApprovedAt == nil || approved.ApprovedAt.Before(start) || approved.PaidAt != nil {
			t.Fatalf("approved %+v", approved)
		}
		var paid invoices.Invoice
		testsupport.ExpectOK(t, e.Admin.With(t).Post("/api/v1/invoices/"+inv.ID.String()+"/mark-paid", map[string]any{"paymentReference": " BACS 2026-000123 "}), http.StatusOK, &paid)
		stored := testsupport.GetInvoice(t, e.Contractor, inv.ID)
		for _, v := range []invoices.Invoice{paid, stored} {
			if v.Status != invoices.Paid || v.PaymentReference != "BACS 2026-000123" || v.PaidAt == nil || v.PaidAt.Before(start) ||
				v.ApprovedAt == nil || !v.ApprovedAt.Equal(*approved.ApprovedAt) {
				t.Fatalf("paid %+v", v)
			}
		}
	})

	t.Run("a payment reference is optional", func(t *testing.T) {
		t.Parallel()
		inv := testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 0).ID, 5000)
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Admin, inv.ID, "approve"), http.StatusOK, nil)
		var paid invoices.Invoice
		testsupport.ExpectOK(t, e.Coordinator.With(t).Post("/api/v1/invoices/"+inv.ID.String()+"/mark-paid", map[string]any{}), http.StatusOK, &paid)
		if paid.Status != invoices.Paid || paid.PaidAt == nil || paid.PaymentReference != "" {
			t.Fatalf("paid %+v", paid)
		}
	})

	t.Run("limits count characters, not bytes", func(t *testing.T) {
		t.Parallel()
		wo := e.CompletedWorkOrder(t, 0)
		line := []any{testsupport.Line("Labour", 1, 1000, nil)}
		testsupport.ExpectFailure(t, testsupport.PostInvoice(t, e.Contractor, wo.ID, map[string]any{"reference": strings.Repeat("£", 51), "lines": line}), http.StatusUnprocessableEntity, apperr.Invalid, "reference")
		var inv invoices.Invoice
		testsupport.ExpectOK(t, testsupport.PostInvoice(t, e.Contractor, wo.ID, map[string]any{"reference": strings.Repeat("£", 50), "lines": line}), http.StatusCreated, &inv)
		if inv.Reference != strings.Repeat("£", 50) {
			t.Fatalf("reference %q", inv.Reference)
		}
		long := strings.Repeat("é", 1000)
		path := "/api/v1/invoices/" + inv.ID.String()
		testsupport.ExpectFailure(t, e.Admin.With(t).Post(path+"/reject", map[string]any{"reason": long + "é"}), http.StatusUnprocessableEntity, apperr.Invalid, "reason")
		testsupport.ExpectOK(t, e.Admin.With(t).Post(path+"/reject", map[string]any{"reason": long}), http.StatusOK, &inv)
		if inv.RejectionReason != long {
			t.Fatalf("rejection reason of %d characters", len([]rune(inv.RejectionReason)))
		}
		inv = testsupport.SubmitFlatInvoice(t, e.Contractor, wo.ID, 1000)
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Admin, inv.ID, "approve"), http.StatusOK, nil)
		payRef := strings.Repeat("ü", 100)
		testsupport.ExpectFailure(t, e.Coordinator.With(t).Post("/api/v1/invoices/"+inv.ID.String()+"/mark-paid", map[string]any{"paymentReference": payRef + "ü"}), http.StatusUnprocessableEntity, apperr.Invalid, "paymentReference")
		testsupport.ExpectOK(t, e.Coordinator.With(t).Post("/api/v1/invoices/"+inv.ID.String()+"/mark-paid", map[string]any{"paymentReference": payRef}), http.StatusOK, &inv)
		if inv.PaymentReference != payRef {
			t.Fatalf("payment reference of %d characters", len([]rune(inv.PaymentReference)))
		}
	})

	t.Run("decisions from the wrong status", func(t *testing.T) {
		t.Parallel()
		rejected := testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 0).ID, 5000)
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Admin, rejected.ID, "reject"), http.StatusOK, nil)
		approved := testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 0).ID, 5000)
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Admin, approved.ID, "approve"), http.StatusOK, nil)
		paid := testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 0).ID, 5000)
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Admin, paid.ID, "approve"), http.StatusOK, nil)
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Coordinator, paid.ID, "mark-paid"), http.StatusOK, nil)
		allowed := map[invoices.Status]string{invoices.Approved: "mark-paid"}
		for _, inv := range []invoices.Invoice{rejected, approved, paid} {
			current := testsupport.GetInvoice(t, e.Admin, inv.ID)
			before := testsupport.JSON(t, current)
			for _, d := range testsupport.InvoiceDecisions {
				if allowed[current.Status] == d {
					continue
				}
				t.Run(fmt.Sprintf("%s %s", current.Status, d), func(t *testing.T) {
					testsupport.ExpectFailure(t, testsupport.DecideInvoice(t, e.Admin, inv.ID, d), http.StatusConflict, apperr.Conflict)
					if after := testsupport.JSON(t, testsupport.GetInvoice(t, e.Admin, inv.ID)); after != before {
						t.Fatalf("refused %s changed the invoice:\nbefore %s\nafter  %s", d, before, after)
					}
				})
			}
		}
	})
}

// testInvoicePDF: the PDF download is a real PDF naming the contractor, the reference and
// the total.
func testInvoicePDF(t *testing.T, e *testsupport.Workflow) {
	app := e.App
	var company contractors.Contractor
	testsupport.ExpectOK(t, e.Admin.Get("/api/v1/contractors/"+e.ContractorID.String()), http.StatusOK, &company)
	wo := e.CompletedWorkOrder(t, 0)
	ref := "INV-" + strings.ToUpper(uuid.NewString()[:8])
	var inv invoices.Invoice
	testsupport.ExpectOK(t, testsupport.PostInvoice(t, e.Contractor, wo.ID, map[string]any{"reference": ref, "notes": "Payment within 30 days (BACS)", "lines": []any{
		testsupport.Line("Boiler repair", 1, 100000, nil),        // 100000 + 20000
		testsupport.Line("Parts", 2.5, 1999, testsupport.VAT(5)), // 4997.5 → 4998, + 249.9 → 250
	}}), http.StatusCreated, &inv)
	if inv.TotalPence != 125248 {
		t.Fatalf("total %d, want 125248", inv.TotalPence)
	}
	testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Admin, inv.ID, "approve"), http.StatusOK, nil)

	for _, c := range []struct {
		name string
		c    *testsupport.Client
	}{{"admin", e.Admin}, {"coordinator", e.Coordinator}, {"own contractor", e.Contractor}} {
		t.Run(c.name, func(t *testing.T) {
			r := c.c.With(t).Get("/api/v1/invoices/" + inv.ID.String() + "/pdf")
			if r.Status != http.StatusOK {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
				t.Fatalf("Content-Type %q", ct)
			}
			cd := r.Header.Get("Content-Disposition")
			if m := regexp.MustCompile(`^attachment; filename="([^"/\\]+\.pdf)"$`).FindStringSubmatch(cd); m == nil || !strings.Contains(m[1], ref) {
				t.Fatalf("Content-Disposition %q, want an attachment with a .pdf filename naming %s", cd, ref)
			}
			if !bytes.HasPrefix(r.Body, []byte("%PDF-")) || !bytes.Contains(r.Body[max(0, len(r.Body)-1024):], []byte("%%EOF")) {
				t.Fatalf("not a PDF: %q…", r.Body[:min(len(r.Body), 16)])
			}
			text := testsupport.PDFText(t, r.Body)
			for _, want := range []string{company.CompanyName, ref, testsupport.CP1252("£1,252.48"), testsupport.CP1252("£1,000.00"), "Boiler repair", "APPROVED", "(BACS)"} {
				if !strings.Contains(text, want) {
					t.Errorf("the PDF does not show %q", want)
				}
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		path := "/api/v1/invoices/" + inv.ID.String() + "/pdf"
		testsupport.ExpectFailure(t, e.Rival.With(t).Get(path), http.StatusNotFound, apperr.NotFound)
		testsupport.ExpectFailure(t, e.Tenant.With(t).Get(path), http.StatusForbidden, apperr.Forbidden)
		testsupport.ExpectFailure(t, e.Admin.With(t).Get("/api/v1/invoices/"+uuid.NewString()+"/pdf"), http.StatusNotFound, apperr.NotFound)
		testsupport.ExpectFailure(t, app.Anonymous().With(t).Get(path), http.StatusUnauthorized, apperr.Unauthenticated)
	})
}

// testInvoiceRoles: who may call each invoice endpoint. A CONTRACTOR submits, reads and
// downloads their own company's invoices (another company's answer 404) and decides
// nothing (403); a TENANT is refused everything (403).
func testInvoiceRoles(t *testing.T, e *testsupport.Workflow) {
	own := testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 0).ID, 4000)
	otherWO := testsupport.RaiseWorkOrder(t, e.Admin, e.Ticket(t), e.OtherContractorID)
	testsupport.DriveWorkOrder(t, e.Admin, otherWO.ID, workorders.Completed)
	other := testsupport.SubmitFlatInvoice(t, e.Coordinator, otherWO.ID, 4000) // a paper invoice from the other company
	if other.ContractorID != e.OtherContractorID {
		t.Fatalf("staff-entered invoice belongs to %s, want %s", other.ContractorID, e.OtherContractorID)
	}
	snapshot := func(t *testing.T) string {
		return testsupport.JSON(t, []invoices.Invoice{testsupport.GetInvoice(t, e.Admin, own.ID), testsupport.GetInvoice(t, e.Admin, other.ID)})
	}

	t.Run("submit", func(t *testing.T) {
		for _, c := range []*testsupport.Client{e.Admin, e.Coordinator, e.Contractor} {
			inv := testsupport.SubmitFlatInvoice(t, c, e.CompletedWorkOrder(t, 0).ID, 1000)
			if inv.ContractorID != e.ContractorID {
				t.Fatalf("invoice by %s belongs to %s", c.Role, inv.ContractorID)
			}
		}
		wo := e.CompletedWorkOrder(t, 0)
		body := map[string]any{"reference": "R-1", "lines": []any{testsupport.Line("x", 1, 100, nil)}}
		testsupport.ExpectFailure(t, testsupport.PostInvoice(t, e.Rival, wo.ID, body), http.StatusNotFound, apperr.NotFound)
		testsupport.ExpectFailure(t, testsupport.PostInvoice(t, e.Tenant, wo.ID, body), http.StatusForbidden, apperr.Forbidden)
		wo2 := testsupport.RaiseWorkOrder(t, e.Admin, e.Ticket(t), e.OtherContractorID)
		testsupport.DriveWorkOrder(t, e.Admin, wo2.ID, workorders.Completed)
		testsupport.ExpectFailure(t, testsupport.PostInvoice(t, e.Contractor, wo2.ID, body), http.StatusNotFound, apperr.NotFound)
		for _, id := range []uuid.UUID{wo.ID, wo2.ID} {
			if ids := testsupport.ListIDs(t, e.Admin, "/api/v1/invoices?workOrderId="+id.String()); len(ids) != 0 {
				t.Fatalf("refused submissions stored %v", ids)
			}
		}
	})

	t.Run("read", func(t *testing.T) {
		for _, c := range []*testsupport.Client{e.Admin, e.Coordinator} {
			ids := testsupport.ListIDs(t, c, "/api/v1/invoices")
			if !slices.Contains(ids, own.ID) || !slices.Contains(ids, other.ID) {
				t.Fatalf("%s list misses invoices", c.Role)
			}
			testsupport.GetInvoice(t, c, own.ID)
			testsupport.GetInvoice(t, c, other.ID)
		}
		if got := testsupport.GetInvoice(t, e.Contractor, own.ID); got.ID != own.ID || len(got.Lines) != 1 {
			t.Fatalf("contractor's own invoice %+v", got)
		}
		missing := testsupport.ExpectFailure(t, e.Contractor.With(t).Get("/api/v1/invoices/"+uuid.NewString()), http.StatusNotFound, apperr.NotFound)
		if got := testsupport.ExpectFailure(t, e.Contractor.With(t).Get("/api/v1/invoices/"+other.ID.String()), http.StatusNotFound, apperr.NotFound); got.Message != missing.Message {
			t.Fatalf("message %q for another company's invoice, %q for a missing one", got.Message, missing.Message)
		}
		testsupport.ExpectFailure(t, e.Rival.With(t).Get("/api/v1/invoices/"+own.ID.String()), http.StatusNotFound, apperr.NotFound)
		testsupport.ExpectFailure(t, e.Tenant.With(t).Get("/api/v1/invoices"), http.StatusForbidden, apperr.Forbidden)
		testsupport.ExpectFailure(t, e.Tenant.With(t).Get("/api/v1/invoices/"+own.ID.String()), http.StatusForbidden, apperr.Forbidden)
		// A contractor's list is their company's, whatever they filter by.
		for _, path := range []string{"/api/v1/invoices", "/api/v1/invoices?contractorId=" + e.OtherContractorID.String(), "/api/v1/invoices?workOrderId=" + otherWO.ID.String()} {
			for _, id := range testsupport.ListIDs(t, e.Contractor, path) {
				if inv := testsupport.GetInvoice(t, e.Admin, id); inv.ContractorID != e.ContractorID {
					t.Fatalf("GET %s as the contractor shows another company's invoice %s", path, id)
				}
			}
		}
		if ids := testsupport.ListIDs(t, e.Contractor, "/api/v1/invoices"); !slices.Contains(ids, own.ID) {
			t.Fatalf("the contractor's list misses their invoice")
		}
		if ids := testsupport.ListIDs(t, e.Rival, "/api/v1/invoices"); len(ids) != 0 {
			t.Fatalf("a contractor with no invoices sees %v", ids)
		}
		if ids := testsupport.ListIDs(t, e.Admin, "/api/v1/invoices?contractorId="+e.OtherContractorID.String()+"&status=SUBMITTED"); !slices.Equal(ids, []uuid.UUID{other.ID}) {
			t.Fatalf("staff filter: %v", ids)
		}
	})

	t.Run("decide", func(t *testing.T) {
		before := snapshot(t)
		for _, d := range testsupport.InvoiceDecisions {
			for _, c := range []*testsupport.Client{e.Contractor, e.Rival, e.Tenant} {
				testsupport.ExpectFailure(t, testsupport.DecideInvoice(t, c, own.ID, d), http.StatusForbidden, apperr.Forbidden)
			}
		}
		if after := snapshot(t); after != before {
			t.Fatalf("refused decisions changed invoices:\nbefore %s\nafter  %s", before, after)
		}
		// Staff entered it: another member approves it, and a third party to the approval pays it.
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Admin, other.ID, "approve"), http.StatusOK, nil)
		testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Coordinator, other.ID, "mark-paid"), http.StatusOK, nil)
		if got := testsupport.GetInvoice(t, e.Admin, other.ID); got.Status != invoices.Paid {
			t.Fatalf("paid invoice is %s", got.Status)
		}
	})
}

// testInvoiceCrossTenant: every invoice endpoint answers another organisation's ids as
// missing ones, changes nothing, and lists never show them.
func testInvoiceCrossTenant(t *testing.T, a, b *testsupport.Workflow) {
	bInv := testsupport.SubmitFlatInvoice(t, b.Contractor, b.CompletedWorkOrder(t, 0).ID, 3000)
	bApproved := testsupport.SubmitFlatInvoice(t, b.Contractor, b.CompletedWorkOrder(t, 0).ID, 3000)
	testsupport.ExpectOK(t, testsupport.DecideInvoice(t, b.Admin, bApproved.ID, "approve"), http.StatusOK, nil)
	bFree := b.CompletedWorkOrder(t, 0) // completed, no invoice yet
	snapshot := func(t *testing.T) string {
		return testsupport.JSON(t, []any{testsupport.GetInvoice(t, b.Admin, bInv.ID), testsupport.GetInvoice(t, b.Admin, bApproved.ID), testsupport.ListIDs(t, b.Admin, "/api/v1/invoices?workOrderId="+bFree.ID.String())})
	}
	endpoints := []struct {
		name, method, path string
		id                 uuid.UUID
		body               any
	}{
		{"get", http.MethodGet, "/api/v1/invoices/%s", bInv.ID, nil},
		{"pdf", http.MethodGet, "/api/v1/invoices/%s/pdf", bInv.ID, nil},
		{"approve", http.MethodPost, "/api/v1/invoices/%s/approve", bInv.ID, nil},
		{"reject", http.MethodPost, "/api/v1/invoices/%s/reject", bInv.ID, map[string]any{"reason": "No"}},
		{"mark-paid", http.MethodPost, "/api/v1/invoices/%s/mark-paid", bApproved.ID, map[string]any{"paymentReference": "X"}},
		{"submit", http.MethodPost, "/api/v1/work-orders/%s/invoices", bFree.ID, map[string]any{"reference": "R", "lines": []any{testsupport.Line("x", 1, 100, nil)}}},
	}
	for _, actor := range []*testsupport.Client{a.Admin, a.Coordinator, a.Contractor} {
		for _, ep := range endpoints {
			if actor.Role == access.Contractor && slices.Contains(testsupport.InvoiceDecisions, ep.name) {
				continue // a role refusal (403) comes first for contractors
			}
			t.Run(string(actor.Role)+" "+ep.name, func(t *testing.T) {
				before := snapshot(t)
				got := testsupport.ExpectFailure(t, actor.With(t).Do(ep.method, fmt.Sprintf(ep.path, ep.id), ep.body), http.StatusNotFound, apperr.NotFound)
				missing := testsupport.ExpectFailure(t, actor.With(t).Do(ep.method, fmt.Sprintf(ep.path, uuid.New()), ep.body), http.StatusNotFound, apperr.NotFound)
				if got.Message != missing.Message {
					t.Fatalf("message %q for another org's id, %q for a missing one", got.Message, missing.Message)
				}
				if after := snapshot(t); after != before {
					t.Fatalf("the other org's invoices changed:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
		t.Run(string(actor.Role)+" lists", func(t *testing.T) {
			for _, path := range []string{"/api/v1/invoices", "/api/v1/invoices?workOrderId=" + bFree.ID.String(), "/api/v1/invoices?contractorId=" + b.ContractorID.String()} {
				ids := testsupport.ListIDs(t, actor, path)
				if slices.Contains(ids, bInv.ID) || slices.Contains(ids, bApproved.ID) {
					t.Fatalf("GET %s shows the other org's invoices", path)
				}
			}
		})
	}
}

// tlKey is what the workflow timeline test compares of an event.
type tlKey struct {
	Entity string
	ID     uuid.UUID
	Action string
}

// testWorkflowTimeline: a ticket's trail shows its work order's, quotes' and invoice's
// events, in the order they happened, on GET /tickets/{id} and GET /timeline alike.
// Events written by one transaction (a work order and the ticket following it; an approved
// quote and its rejected sibling) may be in either order among themselves.
func testWorkflowTimeline(t *testing.T, e *testsupport.Workflow) {
	ticket := e.Ticket(t)
	wo := testsupport.RaiseWorkOrder(t, e.Coordinator, ticket, e.ContractorID)
	testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, e.Contractor, wo.ID, "accept"), http.StatusOK, nil)
	q1 := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 12000)
	q2 := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 13000)
	testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Coordinator, q1.ID, "approve"), http.StatusOK, nil)
	ivComplete(t, e, wo.ID)
	inv := testsupport.SubmitFlatInvoice(t, e.Contractor, wo.ID, 12500)
	testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Coordinator, inv.ID, "approve"), http.StatusOK, nil)
	testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Admin, inv.ID, "mark-paid"), http.StatusOK, nil)

	tk := func(action string) tlKey { return tlKey{"ticket", ticket, action} }
	w := func(action string) tlKey { return tlKey{"work_order", wo.ID, action} }
	want := [][]tlKey{
		{tk("created")},
		{w("created"), tk("status_changed")}, // → IN_PROGRESS
		{w("status_changed")},                // accepted
		{{"quote", q1.ID, "submitted"}},
		{{"quote", q2.ID, "submitted"}},
		{{"quote", q1.ID, "approved"}, {"quote", q2.ID, "rejected"}},
		{w("status_changed")},                       // scheduled
		{w("status_changed")},                       // started
		{w("status_changed"), tk("status_changed")}, // completed → RESOLVED
		{{"invoice", inv.ID, "submitted"}},
		{{"invoice", inv.ID, "approved"}},
		{{"invoice", inv.ID, "paid"}},
	}
	check := func(t *testing.T, events []timeline.Event) {
		t.Helper()
		got := make([]tlKey, len(events))
		for i, ev := range events {
			got[i] = tlKey{ev.EntityType, ev.EntityID, ev.Action}
			if i > 0 && ev.OccurredAt.Before(events[i-1].OccurredAt) {
				t.Errorf("event %d (%v) occurred before event %d", i, got[i], i-1)
			}
		}
		at := 0
		for gi, group := range want {
			if at+len(group) > len(got) {
				t.Fatalf("trail ends before group %d %v; got %v", gi, group, got)
			}
			chunk := got[at : at+len(group)]
			for _, k := range group {
				if !slices.Contains(chunk, k) {
					t.Fatalf("group %d: want %v, got %v\nwhole trail: %v", gi, group, chunk, got)
				}
			}
			at += len(group)
		}
		if at != len(got) {
			t.Fatalf("unexpected events after the payment: %v", got[at:])
		}
		// The work order's and the ticket's status changes say where they went.
		var woSteps, ticketSteps []string
		for _, ev := range events {
			if ev.Action != "status_changed" {
				continue
			}
			var after struct {
				Status string `json:"status"`
			}
			if err := json.Unmarshal(ev.After, &after); err != nil {
				t.Fatalf("after of %v: %v", ev, err)
			}
			if ev.EntityType == "work_order" {
				woSteps = append(woSteps, after.Status)
				if ev.ActorRole != string(access.Contractor) || ev.ActorID == nil || *ev.ActorID != e.Contractor.UserID {
					t.Errorf("work order step by %v (%s), want the contractor", ev.ActorID, ev.ActorRole)
				}
			} else {
				ticketSteps = append(ticketSteps, after.Status)
			}
		}
		if !slices.Equal(woSteps, []string{"ACCEPTED", "SCHEDULED", "IN_PROGRESS", "COMPLETED"}) || !slices.Equal(ticketSteps, []string{"IN_PROGRESS", "RESOLVED"}) {
			t.Fatalf("work order steps %v, ticket steps %v", woSteps, ticketSteps)
		}
	}

	t.Run("ticket detail", func(t *testing.T) {
		check(t, testsupport.GetTicket(t, e.Admin, ticket).Timeline)
	})
	t.Run("timeline endpoint", func(t *testing.T) {
		check(t, testsupport.All[timeline.Event](t, e.Coordinator.With(t), "/api/v1/timeline?sort=oldest&entity=ticket&id="+ticket.String()))
		// Paged, it reads the same.
		var paged []timeline.Event
		cursor := ""
		for range 20 {
			p := "/api/v1/timeline?sort=oldest&entity=ticket&id=" + ticket.String() + "&limit=4"
			if cursor != "" {
				p += "&cursor=" + cursor
			}
			items, next := testsupport.Page[timeline.Event](t, e.Admin.With(t), p)
			paged = append(paged, items...)
			if cursor = next; cursor == "" {
				break
			}
		}
		check(t, paged)
	})
	t.Run("entity trails", func(t *testing.T) {
		for _, tc := range []struct {
			entity  string
			id      uuid.UUID
			actions []string
		}{
			{"work_order", wo.ID, []string{"created", "status_changed", "status_changed", "status_changed", "status_changed"}},
			{"quote", q1.ID, []string{"submitted", "approved"}},
			{"quote", q2.ID, []string{"submitted", "rejected"}},
			{"invoice", inv.ID, []string{"submitted", "approved", "paid"}},
		} {
			events := testsupport.All[timeline.Event](t, e.Admin.With(t), "/api/v1/timeline?sort=oldest&entity="+tc.entity+"&id="+tc.id.String())
			var actions []string
			for _, ev := range events {
				actions = append(actions, ev.Action)
			}
			if !slices.Equal(actions, tc.actions) {
				t.Errorf("%s trail %v, want %v", tc.entity, actions, tc.actions)
			}
		}
	})
	t.Run("the resident sees no money", func(t *testing.T) {
		for _, events := range [][]timeline.Event{testsupport.GetTicket(t, e.Tenant, ticket).Timeline,
			testsupport.All[timeline.Event](t, e.Tenant.With(t), "/api/v1/timeline?sort=oldest&entity=ticket&id="+ticket.String())} {
			if len(events) == 0 {
				t.Fatalf("the resident sees an empty trail")
			}
			for _, ev := range events {
				if ev.EntityType != "ticket" || ev.Before != nil || ev.After != nil {
					t.Fatalf("the resident sees %s %s with %s", ev.EntityType, ev.Action, ev.After)
				}
			}
		}
	})
}

// TestInvoices runs the invoice tests and the whole-trail timeline test in parallel on one
// application, each on its own work orders; the cross-tenant test adds a second
// organisation.
func TestInvoices(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	e := testsupport.NewWorkflow(t, app, "Invoice Lets")
	e.Coordinator2 = app.AddMember(e.Admin, access.Coordinator)
	other := testsupport.NewWorkflow(t, app, "Bravo Invoices")
	for _, tc := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Submit", func(t *testing.T) { testInvoiceSubmit(t, e) }},
		{"SubmitRace", func(t *testing.T) { testInvoiceSubmitRace(t, e) }},
		{"Approval", func(t *testing.T) { testInvoiceApproval(t, e) }},
		{"Lifecycle", func(t *testing.T) { testInvoiceLifecycle(t, e) }},
		{"PDF", func(t *testing.T) { testInvoicePDF(t, e) }},
		{"Roles", func(t *testing.T) { testInvoiceRoles(t, e) }},
		{"CrossTenant", func(t *testing.T) { testInvoiceCrossTenant(t, e, other) }},
		{"WorkflowTimeline", func(t *testing.T) { testWorkflowTimeline(t, e) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t)
		})
	}
}
