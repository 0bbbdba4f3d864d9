package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/testsupport/browser"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// fetchStatus is what the page's own fetch of path answers (with the session's cookie):
// its status and content type.
func fetchStatus(b *browser.Browser, path string) string {
	return browser.Eval[string](b, fmt.Sprintf(`fetch(%q).then(r => r.status + " " + r.headers.get("content-type"))`, path))
}

// A coordinator compares two quotes and approves the cheaper (the dearer, over the
// threshold, is refused to them in the service's words, then rejected by the approval);
// the invoice is reviewed against the approved quote, approved by the coordinator, refused
// to them to mark paid (separation of duties) and marked paid by the ADMIN; its PDF is a
// PDF; another organisation's work order and invoice answer 404.
func TestBrowserWorkOrdersQuotesInvoices(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Works", testsupport.EstateOptions{})
	tk := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Kitchen tap dripping"})
	wo := testsupport.RaiseWorkOrder(t, e.Coordinator, tk.ID, e.ContractorID)
	testsupport.DriveWorkOrder(t, e.Contractor, wo.ID, workorders.Accepted)
	cheap := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 42000)
	dear := testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 61000)
	woPath := "/work-orders/" + wo.ID.String()
	quoteForm := func(q quotes.Quote, decision string) string {
		return fmt.Sprintf("form[action='%s/quotes/%s/%s'] button", woPath, q.ID, decision)
	}

	b := signIn(t, app, e.Coordinator, 1280)
	checkPage(t, b, app.Server.URL, "/work-orders", "work-orders")
	if s := b.Text("#work-order-rows"); !strings.Contains(s, tk.Number) || !strings.Contains(s, "Kitchen tap dripping") || !strings.Contains(s, "Accepted") {
		t.Fatalf("the work order list says %q", s)
	}
	b.Select("#status", "COMPLETED")
	b.Click("form[role=search] button[type=submit]")
	b.WaitText("#work-order-rows", "No work orders match")

	checkPage(t, b, app.Server.URL, woPath, "work-order")
	if s := b.Text("#threshold"); s != "£500.00" {
		t.Fatalf("the threshold shows as %q", s)
	}
	if s := b.Text("table.compare"); !strings.Contains(s, "£420.00") || !strings.Contains(s, "£610.00") || !strings.Contains(s, "Works as described") {
		t.Fatalf("the comparison says %q", s)
	}

	// Rejecting without a reason: the field says so.
	b.Click(quoteForm(dear, "reject"))
	if s := b.Text(fmt.Sprintf("#reason-quote-%s-error", dear.ID)); !strings.Contains(s, "Is required") {
		t.Fatalf("the reason's error says %q", s)
	}
	// Over the threshold: the service refuses a coordinator and says why.
	b.Click(quoteForm(dear, "approve"))
	if s := b.Text("#problem"); !strings.Contains(s, "This quote (£610.00) is over the approval threshold of £500.00: an ADMIN must approve it") {
		t.Fatalf("the refusal says %q", s)
	}
	b.Click(quoteForm(cheap, "approve"))
	if p := b.Path(); p != woPath+"?done=quote-approved" {
		t.Fatalf("after approving at %s", p)
	}
	if s := b.Text("main .done"); !strings.Contains(s, "Quote approved") {
		t.Fatalf("the notice says %q", s)
	}
	if got := testsupport.GetQuote(t, e.Admin, cheap.ID).Status; got != quotes.Approved {
		t.Fatalf("the approved quote is %s", got)
	}
	if got := testsupport.GetQuote(t, e.Admin, dear.ID).Status; got != quotes.Rejected {
		t.Fatalf("the other quote is %s, want REJECTED", got)
	}
	if s := b.Text("table.compare"); !strings.Contains(s, "Approved") || !strings.Contains(s, "Rejected") {
		t.Fatalf("the comparison after approval says %q", s)
	}

	// The work is done and invoiced, 7% over the quote.
	for _, a := range []string{"schedule", "start", "complete"} {
		testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, e.Contractor, wo.ID, a), 200, nil)
	}
	inv := testsupport.SubmitFlatInvoice(t, e.Contractor, wo.ID, 45000)
	invForm := func(decision string) string {
		return fmt.Sprintf("form[action='%s/invoices/%s/%s'] button", woPath, inv.ID, decision)
	}
	checkPage(t, b, app.Server.URL, woPath, "")
	if s := b.Text(".difference"); s != "+£30.00 (7% over)" {
		t.Fatalf("the difference shows as %q", s)
	}
	if s := b.Text("#invoices"); !strings.Contains(s, "£420.00") || !strings.Contains(s, "£450.00") || !strings.Contains(s, inv.Reference) {
		t.Fatalf("the invoice review says %q", s)
	}
	if s := fetchStatus(b, "/invoices/"+inv.ID.String()+"/pdf"); s != "200 application/pdf" {
		t.Fatalf("the PDF link answers %q", s)
	}
	if n := browser.Eval[int](b, fmt.Sprintf(`document.querySelectorAll('a[href="/invoices/%s/pdf"]').length`, inv.ID)); n != 1 {
		t.Fatalf("%d links to the PDF", n)
	}
	b.Click(invForm("approve"))
	if s := b.Text("main .done"); !strings.Contains(s, "Invoice approved") {
		t.Fatalf("after approving the invoice the notice says %q", s)
	}
	// The same coordinator may not mark it paid too.
	payRef := fmt.Sprintf("#paymentReference-invoice-%s", inv.ID)
	b.Fill(payRef, "BACS-123")
	b.Click(invForm("mark-paid"))
	if s := b.Text("#problem"); !strings.Contains(s, "You approved this invoice: separation of duties needs another member of staff to mark it paid") {
		t.Fatalf("the separation of duties refusal says %q", s)
	}
	if got := testsupport.GetInvoice(t, e.Admin, inv.ID).Status; got != invoices.Approved {
		t.Fatalf("after the refusal the invoice is %s", got)
	}

	// The ADMIN marks it paid, on a phone.
	a := signIn(t, app, e.Admin, 360)
	a.Open(woPath)
	a.Fill(payRef, "BACS-123")
	a.Click(invForm("mark-paid"))
	if s := a.Text("main .done"); !strings.Contains(s, "Invoice marked paid") {
		t.Fatalf("after marking paid the notice says %q", s)
	}
	if s := a.Text(".invoice-status"); s != "Paid" {
		t.Fatalf("the invoice shows as %q", s)
	}
	if got := testsupport.GetInvoice(t, e.Admin, inv.ID); got.Status != invoices.Paid || got.PaymentReference != "BACS-123" {
		t.Fatalf("the invoice is %s, reference %q", got.Status, got.PaymentReference)
	}

	// Cancelling needs a reason; with one, the work order is cancelled.
	wo2 := testsupport.RaiseWorkOrder(t, e.Coordinator, tk.ID, e.OtherContractorID)
	b.Open("/work-orders/" + wo2.ID.String())
	b.Click("#cancel button[type=submit]")
	if s := b.Text("#reason-cancel-error"); !strings.Contains(s, "Is required to cancel") {
		t.Fatalf("cancelling without a reason says %q", s)
	}
	b.Fill("#reason-cancel", "The tenant fixed it themselves.")
	b.Click("#cancel button[type=submit]")
	if s := b.Text("#wo-status"); s != "Cancelled" {
		t.Fatalf("after cancelling the work order is %q", s)
	}
	if s := b.Text("main .done"); !strings.Contains(s, "Work order cancelled") {
		t.Fatalf("after cancelling the notice says %q", s)
	}
	if got := testsupport.GetWorkOrder(t, e.Admin, wo2.ID); got.Status != workorders.Cancelled || got.StatusReason != "The tenant fixed it themselves." {
		t.Fatalf("the cancelled work order is %+v", got)
	}
	if n := browser.Eval[int](b, "document.querySelectorAll('#cancel').length"); n != 0 {
		t.Fatalf("a cancelled work order still offers cancelling")
	}

	// Another organisation's work order and invoice are not found.
	other := app.NewEstate(t, "Elsewhere", testsupport.EstateOptions{})
	otk := testsupport.CreateTicket(t, other.Coordinator, map[string]any{"unitId": other.UnitID, "title": "Elsewhere boiler"})
	testsupport.GasSafe(t, other.Admin, other.ContractorID) // boiler work needs a Gas Safe registration
	owo := testsupport.RaiseWorkOrder(t, other.Coordinator, otk.ID, other.ContractorID)
	testsupport.DriveWorkOrder(t, other.Contractor, owo.ID, workorders.Completed)
	oinv := testsupport.SubmitFlatInvoice(t, other.Contractor, owo.ID, 1000)
	for _, path := range []string{"/work-orders/" + owo.ID.String(), "/invoices/" + oinv.ID.String() + "/pdf", "/work-orders/" + uuid.NewString()} {
		if s := fetchStatus(b, path); !strings.HasPrefix(s, "404 text/html") {
			t.Errorf("%s answers %q, want 404", path, s)
		}
	}
	b.Open("/work-orders/" + owo.ID.String())
	if s := b.Text("main"); !strings.Contains(s, "Not found") || strings.Contains(s, "Elsewhere boiler") || strings.Contains(s, otk.Number) {
		t.Fatalf("another organisation's work order shows %q", s)
	}
	// Deciding on another organisation's invoice from this work order's address: not found.
	if s := browser.Eval[int](b, fmt.Sprintf(`fetch(%q, {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"},
		body: "csrf=" + encodeURIComponent(document.querySelector("input[name=csrf]").value)}).then(r => r.status)`,
		woPath+"/invoices/"+oinv.ID.String()+"/approve")); s != 404 {
		t.Fatalf("approving another organisation's invoice answered %d", s)
	}
}
