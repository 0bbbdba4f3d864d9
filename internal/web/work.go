package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	pages "github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// workRoutes registers staff's work orders, quotes and invoices: /work-orders, /work-orders/{id}, quote comparison and approval, invoice review.
func (u *UI) workRoutes(mux *http.ServeMux) {
	staff := []access.Role{access.Admin, access.Coordinator}
	mux.HandleFunc("GET /work-orders", u.signedIn(u.workOrderList, staff...))
	mux.HandleFunc("GET /work-orders/{id}", u.signedIn(u.workOrderDetail, staff...))
	mux.HandleFunc("POST /work-orders/{id}/cancel", u.signedIn(u.cancelWorkOrder, staff...))
	mux.HandleFunc("POST /work-orders/{id}/quotes/{item}/{decision}", u.signedIn(u.decideQuote, staff...))
	mux.HandleFunc("POST /work-orders/{id}/invoices/{item}/{decision}", u.signedIn(u.decideInvoice, staff...))
	// The API serves the PDF to bearer tokens; this is the same for a signed-in member
	// (the service decides who may see which invoice).
	mux.HandleFunc("GET /invoices/{id}/pdf", u.signedIn(u.invoicePDF))
}

// workOrderRow is a work order as the list shows it.
type workOrderRow struct {
	workorders.WorkOrder
	TicketNumber, TicketTitle, Contractor string
}

type workOrderListData struct {
	Status   string
	Statuses []workorders.Status
	Rows     []workOrderRow
	Next     string
}

// names looks up ticket numbers and contractor names once each for a page.
type names struct {
	u           *UI
	r           *http.Request
	tickets     map[uuid.UUID][2]string
	contractors map[uuid.UUID]string
}

func (u *UI) names(r *http.Request) *names {
	return &names{u: u, r: r, tickets: map[uuid.UUID][2]string{}, contractors: map[uuid.UUID]string{}}
}

func (n *names) ticket(id uuid.UUID) (number, title string, err error) {
	if t, ok := n.tickets[id]; ok {
		return t[0], t[1], nil
	}
	t, err := n.u.deps.Tickets.Get(n.r.Context(), visitOf(n.r.Context()).Actor, id)
	if err != nil {
		return "", "", err
	}
	n.tickets[id] = [2]string{t.Number, t.Title}
	return t.Number, t.Title, nil
}

func (n *names) contractor(id uuid.UUID) (string, error) {
	if c, ok := n.contractors[id]; ok {
		return c, nil
	}
	c, err := n.u.deps.Contractors.Get(n.r.Context(), visitOf(n.r.Context()).Actor, id)
	if err != nil {
		return "", err
	}
	n.contractors[id] = c.CompanyName
	return c.CompanyName, nil
}

// workOrderList is the organisation's work orders, newest first, by status, a page at a
// time; the table alone when htmx asks for it.
func (u *UI) workOrderList(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	q := r.URL.Query()
	d := workOrderListData{Status: q.Get("status"), Statuses: workorders.Statuses}
	p := page{Title: "Work orders", Nav: "work", Data: &d}
	status := d.Status
	if status != "" && !validStatus(status) {
		p.Errors = map[string]string{"status": "Choose a status from the list."}
		u.render(w, r, http.StatusUnprocessableEntity, u.fragmentOr(r, "work-orders", "work-order-rows"), p)
		return
	}
	res, err := u.deps.WorkOrders.List(r.Context(), v.Actor, workorders.Filter{Status: status}, pages.Request{Limit: 25, Cursor: q.Get("cursor")})
	if err != nil {
		u.failed(w, r, "work orders", err)
		return
	}
	n := u.names(r)
	for _, wo := range res.Items {
		row := workOrderRow{WorkOrder: wo}
		if row.TicketNumber, row.TicketTitle, err = n.ticket(wo.TicketID); err != nil {
			u.failed(w, r, "work orders", err)
			return
		}
		if row.Contractor, err = n.contractor(wo.ContractorID); err != nil {
			u.failed(w, r, "work orders", err)
			return
		}
		d.Rows = append(d.Rows, row)
	}
	if res.NextCursor != "" {
		next := url.Values{}
		if status != "" {
			next.Set("status", status)
		}
		next.Set("cursor", res.NextCursor)
		d.Next = next.Encode()
	}
	u.render(w, r, http.StatusOK, u.fragmentOr(r, "work-orders", "work-order-rows"), p)
}

func validStatus(s string) bool {
	for _, st := range workorders.Statuses {
		if string(st) == s {
			return true
		}
	}
	return false
}

// quoteView is a quote beside its rivals: whether approving it needs an ADMIN.
type quoteView struct {
	quotes.Quote
	Contractor string
	NeedsAdmin bool
	// N numbers the quotes in the order they came.
	N int
}

// ValidDay is the last day the price holds, as people write it.
func (q quoteView) ValidDay() string {
	d, err := time.Parse(time.DateOnly, q.ValidUntil)
	if err != nil {
		return q.ValidUntil
	}
	return d.Format("2 Jan 2006")
}

// invoiceView is an invoice reviewed against the approved quote.
type invoiceView struct {
	invoices.Invoice
	Contractor string
	// Quoted is the approved quote's total (HasQuote false: there is none); Difference
	// the invoice's total less it, OverPercent how far over, in whole percent.
	HasQuote    bool
	Quoted      int64
	Difference  int64
	OverPercent int64
	NeedsAdmin  bool
}

type workOrderData struct {
	WorkOrder    *workorders.WorkOrder
	TicketNumber string
	TicketTitle  string
	Contractor   string
	Settings     orgsettings.Settings
	Admin        bool
	Cancellable  bool
	Quotes       []quoteView
	Invoices     []invoiceView
	Tolerance    int
	// Problem is a refusal from the services, shown at the top; Values what a failed form
	// held, by field.
	Problem string
	Values  map[string]string
	// Override is the ADMIN's compliance override it was raised with, if any.
	Override *overrideNote
}

// doneMessages are the notices a decision's redirect may ask for (?done=).
var doneMessages = map[string]string{
	"quote-approved":   "Quote approved. The work order's other open quotes were rejected.",
	"quote-rejected":   "Quote rejected. The contractor has been told why.",
	"invoice-approved": "Invoice approved. Another member of staff may now mark it paid.",
	"invoice-rejected": "Invoice rejected. The contractor has been told why.",
	"invoice-paid":     "Invoice marked paid.",
	"cancelled":        "Work order cancelled.",
}

// workOrderDetail is one work order: its job, its quotes side by side and its invoices
// against the approved quote, with the decisions staff may take on each.
func (u *UI) workOrderDetail(w http.ResponseWriter, r *http.Request) {
	u.showWorkOrder(w, r, http.StatusOK, "", nil, nil)
}

func (u *UI) showWorkOrder(w http.ResponseWriter, r *http.Request, status int, problem string, errs, values map[string]string) {
	v := visitOf(r.Context())
	ctx := r.Context()
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		u.failed(w, r, "work order", apperr.NotFoundf("work order"))
		return
	}
	wo, err := u.deps.WorkOrders.Get(ctx, v.Actor, id)
	if err != nil {
		u.failed(w, r, "work order", err)
		return
	}
	settings, err := u.deps.Settings.Get(ctx, v.Actor)
	if err != nil {
		u.failed(w, r, "work order", err)
		return
	}
	n := u.names(r)
	d := workOrderData{WorkOrder: wo, Settings: settings, Admin: v.Actor.Role == access.Admin, Tolerance: invoices.OverQuoteTolerancePercent,
		Cancellable: cancellable(wo.Status), Problem: problem, Values: values}
	if d.TicketNumber, d.TicketTitle, err = n.ticket(wo.TicketID); err != nil {
		u.failed(w, r, "work order", err)
		return
	}
	if d.Contractor, err = n.contractor(wo.ContractorID); err != nil {
		u.failed(w, r, "work order", err)
		return
	}
	trail, err := u.deps.Timeline.List(ctx, v.Actor, timeline.EntityWorkOrder, id, pages.Request{Limit: pages.MaxLimit}, true)
	if err != nil {
		u.failed(w, r, "work order", err)
		return
	}
	for _, note := range overrideNotes(trail.Items) {
		d.Override = note
	}
	ql, err := u.deps.Quotes.List(ctx, v.Actor, quotes.Filter{WorkOrderID: &id}, pages.Request{Limit: pages.MaxLimit})
	if err != nil {
		u.failed(w, r, "work order", err)
		return
	}
	var approved *quotes.Quote
	for i := len(ql.Items) - 1; i >= 0; i-- { // oldest first, left to right
		q, err := u.deps.Quotes.Get(ctx, v.Actor, ql.Items[i].ID)
		if err != nil {
			u.failed(w, r, "work order", err)
			return
		}
		qv := quoteView{Quote: *q, NeedsAdmin: q.TotalPence > settings.ApprovalThresholdPence, N: len(d.Quotes) + 1}
		if qv.Contractor, err = n.contractor(q.ContractorID); err != nil {
			u.failed(w, r, "work order", err)
			return
		}
		if q.Status == quotes.Approved {
			approved = q
		}
		d.Quotes = append(d.Quotes, qv)
	}
	il, err := u.deps.Invoices.List(ctx, v.Actor, invoices.Filter{WorkOrderID: &id}, pages.Request{Limit: pages.MaxLimit})
	if err != nil {
		u.failed(w, r, "work order", err)
		return
	}
	for _, item := range il.Items {
		inv, err := u.deps.Invoices.Get(ctx, v.Actor, item.ID)
		if err != nil {
			u.failed(w, r, "work order", err)
			return
		}
		iv := invoiceView{Invoice: *inv}
		if iv.Contractor, err = n.contractor(inv.ContractorID); err != nil {
			u.failed(w, r, "work order", err)
			return
		}
		if approved != nil {
			iv.HasQuote, iv.Quoted, iv.Difference = true, approved.TotalPence, inv.TotalPence-approved.TotalPence
			if approved.TotalPence > 0 && iv.Difference > 0 {
				iv.OverPercent = (iv.Difference*200 + approved.TotalPence) / (2 * approved.TotalPence) // rounded
			}
			iv.NeedsAdmin = inv.TotalPence*100 > approved.TotalPence*(100+invoices.OverQuoteTolerancePercent)
		} else {
			iv.NeedsAdmin = inv.TotalPence > settings.ApprovalThresholdPence
		}
		d.Invoices = append(d.Invoices, iv)
	}
	title := "Work order for " + d.TicketNumber
	u.render(w, r, status, "work-order", page{Title: title, Nav: "work", Errors: errs, Flash: doneMessages[r.URL.Query().Get("done")], Data: &d})
}

// cancellable reports whether staff may cancel a work order in status s.
func cancellable(s workorders.Status) bool {
	_, ok := workorders.Next(s, workorders.Cancel)
	return ok
}

// cancelWorkOrder cancels a work order with a reason (staff).
func (u *UI) cancelWorkOrder(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		u.failed(w, r, "cancel work order", apperr.NotFoundf("work order"))
		return
	}
	reason := r.PostFormValue("reason")
	_, err = u.deps.WorkOrders.Transition(r.Context(), v.Actor, id, workorders.TransitionInput{Action: workorders.Cancel, Reason: reason})
	u.afterDecision(w, r, id, "cancel", "reason", reason, "cancelled", err)
}

// decideQuote approves or rejects (with a reason) a quote of the work order.
func (u *UI) decideQuote(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	woID, err1 := uuid.Parse(r.PathValue("id"))
	qid, err2 := uuid.Parse(r.PathValue("item"))
	if err1 != nil || err2 != nil {
		u.failed(w, r, "quote", apperr.NotFoundf("quote"))
		return
	}
	q, err := u.deps.Quotes.Get(r.Context(), v.Actor, qid)
	if err == nil && q.WorkOrderID != woID {
		err = apperr.NotFoundf("quote")
	}
	if err != nil {
		u.failed(w, r, "quote", err)
		return
	}
	reason := r.PostFormValue("reason")
	switch r.PathValue("decision") {
	case "approve":
		_, err = u.deps.Quotes.Approve(r.Context(), v.Actor, qid)
		u.afterDecision(w, r, woID, "quote-"+qid.String(), "", "", "quote-approved", err)
	case "reject":
		_, err = u.deps.Quotes.Reject(r.Context(), v.Actor, qid, reason)
		u.afterDecision(w, r, woID, "quote-"+qid.String(), "reason", reason, "quote-rejected", err)
	default:
		u.notFound(w, r)
	}
}

// decideInvoice approves, rejects (with a reason) or marks paid (with a payment
// reference) an invoice of the work order.
func (u *UI) decideInvoice(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	woID, err1 := uuid.Parse(r.PathValue("id"))
	iid, err2 := uuid.Parse(r.PathValue("item"))
	if err1 != nil || err2 != nil {
		u.failed(w, r, "invoice", apperr.NotFoundf("invoice"))
		return
	}
	inv, err := u.deps.Invoices.Get(r.Context(), v.Actor, iid)
	if err == nil && inv.WorkOrderID != woID {
		err = apperr.NotFoundf("invoice")
	}
	if err != nil {
		u.failed(w, r, "invoice", err)
		return
	}
	key := "invoice-" + iid.String()
	switch r.PathValue("decision") {
	case "approve":
		_, err = u.deps.Invoices.Approve(r.Context(), v.Actor, iid)
		u.afterDecision(w, r, woID, key, "", "", "invoice-approved", err)
	case "reject":
		reason := r.PostFormValue("reason")
		_, err = u.deps.Invoices.Reject(r.Context(), v.Actor, iid, reason)
		u.afterDecision(w, r, woID, key, "reason", reason, "invoice-rejected", err)
	case "mark-paid":
		ref := r.PostFormValue("paymentReference")
		_, err = u.deps.Invoices.MarkPaid(r.Context(), v.Actor, iid, ref)
		u.afterDecision(w, r, woID, key, "paymentReference", ref, "invoice-paid", err)
	default:
		u.notFound(w, r)
	}
}

// afterDecision sends the browser back to the work order with a notice when a decision
// was taken; a refusal (the service's own words: a threshold, separation of duties, a
// status that no longer allows it) or a field error is shown on the work order page.
// key names the form: its field is named field+"-"+key (e.g. "reason-quote-<id>") and
// held value.
func (u *UI) afterDecision(w http.ResponseWriter, r *http.Request, woID uuid.UUID, key, field, value, done string, err error) {
	if err == nil {
		u.redirect(w, r, "/work-orders/"+woID.String()+"?done="+done)
		return
	}
	if errs := fieldErrors(err); errs != nil {
		named := map[string]string{}
		for f, msg := range errs {
			named[f+"-"+key] = msg
		}
		u.showWorkOrder(w, r, http.StatusUnprocessableEntity, "", named, map[string]string{field + "-" + key: value})
		return
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && (ae.Code == apperr.Forbidden || ae.Code == apperr.Conflict) {
		status := http.StatusConflict
		if ae.Code == apperr.Forbidden {
			status = http.StatusForbidden
		}
		u.showWorkOrder(w, r, status, sentence(ae.Message), nil, nil)
		return
	}
	u.failed(w, r, "work order decision", err)
}

// invoicePDF streams an invoice's PDF to a signed-in member who may see it.
func (u *UI) invoicePDF(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		u.failed(w, r, "invoice pdf", apperr.NotFoundf("invoice"))
		return
	}
	name, content, err := u.deps.Invoices.PDF(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "invoice pdf", err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	_, _ = w.Write(content)
}
