package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/invoices"
	moneylines "github.com/maintainuk/maintainuk/internal/money"
	pages "github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// contractorRoutes registers the contractor portal, phone-first: /jobs, /jobs/{id}, the
// job's forms, and /files/{id}, which shows an attachment to any signed-in member who may
// see it (the attachments service decides).
func (u *UI) contractorRoutes(mux *http.ServeMux) {
	c := access.Contractor
	mux.HandleFunc("GET /jobs", u.signedIn(u.jobList, c))
	mux.HandleFunc("GET /jobs/{id}", u.signedIn(u.jobDetail, c))
	mux.HandleFunc("POST /jobs/{id}/status", u.signedIn(u.jobTransition, c))
	mux.HandleFunc("POST /jobs/{id}/photos", u.signedIn(u.jobPhoto, c))
	mux.HandleFunc("POST /jobs/{id}/quotes", u.signedIn(u.jobQuote, c))
	mux.HandleFunc("POST /jobs/{id}/invoices", u.signedIn(u.jobInvoice, c))
	mux.HandleFunc("POST /jobs/{id}/comments", u.signedIn(u.jobComment, c))
	mux.HandleFunc("GET /files/{id}", u.signedIn(u.file))
}

// job is a work order with what its card shows of the ticket.
type job struct {
	workorders.WorkOrder
	Ticket tickets.Ticket
}

type jobGroup struct {
	ID, Heading, Empty string
	Jobs               []job
}

type jobListData struct {
	Groups []jobGroup
	More   bool
}

// jobList is the contractor's jobs, what needs an answer first: new assignments, then
// those to schedule, then the booked and started ones by time, then the finished.
func (u *UI) jobList(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	res, err := u.deps.WorkOrders.List(r.Context(), v.Actor, workorders.Filter{}, pages.Request{Limit: 100})
	if err != nil {
		u.failed(w, r, "jobs", err)
		return
	}
	groups := []jobGroup{
		{ID: "new", Heading: "New jobs to accept or decline", Empty: "No new jobs."},
		{ID: "booked", Heading: "To schedule, booked and in progress", Empty: "Nothing booked."},
		{ID: "done", Heading: "Finished and closed", Empty: ""},
	}
	seen := map[uuid.UUID]tickets.Ticket{}
	for _, wo := range res.Items {
		t, ok := seen[wo.TicketID]
		if !ok && !closedJob(wo.Status) {
			d, err := u.deps.Tickets.Get(r.Context(), v.Actor, wo.TicketID)
			if err != nil {
				u.failed(w, r, "jobs", err)
				return
			}
			t = d.Ticket
			seen[wo.TicketID] = t
		}
		g := 2
		switch wo.Status {
		case workorders.Assigned:
			g = 0
		case workorders.Accepted, workorders.Scheduled, workorders.InProgress:
			g = 1
		}
		groups[g].Jobs = append(groups[g].Jobs, job{WorkOrder: wo, Ticket: t})
	}
	// Booked: those to schedule first, then by the time they are booked for.
	slices.SortStableFunc(groups[1].Jobs, func(a, b job) int {
		switch {
		case a.ScheduledFor == nil && b.ScheduledFor == nil:
			return 0
		case a.ScheduledFor == nil:
			return -1
		case b.ScheduledFor == nil:
			return 1
		}
		return a.ScheduledFor.Compare(*b.ScheduledFor)
	})
	u.render(w, r, http.StatusOK, "jobs", page{Title: "Your jobs", Nav: "jobs",
		Data: jobListData{Groups: groups, More: res.NextCursor != ""}})
}

// closedJob reports whether a job was declined or cancelled: its ticket is no longer the
// contractor's to see.
func closedJob(s workorders.Status) bool {
	return s == workorders.Declined || s == workorders.Cancelled
}

// lineRow is one line of a quote or invoice form as typed.
type lineRow struct {
	N, No                        int // from 0, and as people count
	Description, Quantity, Price string
	VAT                          string
}

// docForm is a quote or invoice form as typed, to show again with its errors.
type docForm struct {
	Lines                        []lineRow
	ValidUntil, Reference, Notes string
	// Typed is a form sent back with errors (not to be filled in afresh).
	Typed bool
}

// formLines is how many lines the quote and invoice forms offer (blank ones are ignored).
const formLines = 3

func blankDoc() docForm {
	d := docForm{}
	for i := range formLines {
		d.Lines = append(d.Lines, lineRow{N: i, No: i + 1, Quantity: "1", VAT: "20"})
	}
	return d
}

// fromLines is a form holding lines (an approved quote's, to invoice as quoted).
func fromLines(lines []moneylines.Line) docForm {
	d := blankDoc()
	for i, l := range lines {
		row := lineRow{N: i, No: i + 1, Description: l.Description, Quantity: strconv.FormatFloat(l.Quantity, 'f', -1, 64),
			Price: fmt.Sprintf("%d.%02d", l.UnitPricePence/100, l.UnitPricePence%100), VAT: strconv.Itoa(l.VATRatePercent)}
		if i < len(d.Lines) {
			d.Lines[i] = row
		} else {
			d.Lines = append(d.Lines, row)
		}
	}
	return d
}

// jobQuote is a quote on a contractor's job, with its last valid day for people.
type jobQuote struct {
	quotes.Quote
	Valid string
}

type jobDetailData struct {
	Job      workorders.WorkOrder
	Ticket   *tickets.Detail
	Photos   []attachments.Attachment
	Files    []attachments.Attachment
	Quotes   []jobQuote
	Invoices []invoices.Invoice
	// What the contractor may do now.
	CanAnswer, CanSchedule, CanStart, CanComplete, CanQuote, CanInvoice bool
	// The forms as typed, after a refusal.
	Reason, ScheduledFor, Notes, Comment string
	Quote, Invoice                       docForm
	// QuoteOpen shows the quote form unfolded (it was sent back with errors).
	QuoteOpen        bool
	MinDate, MinTime string
}

// jobFlash are the notices a job page shows after an action (by the done parameter).
var jobFlash = map[string]string{
	"accept":   "You accepted the job. Next, book a time.",
	"decline":  "You declined the job. The letting team has been told.",
	"schedule": "The visit is booked.",
	"start":    "The job is started.",
	"complete": "The job is complete. You can now send your invoice.",
	"photo":    "The photo is uploaded.",
	"quote":    "Your quote is sent to the letting team.",
	"invoice":  "Your invoice is sent to the letting team.",
	"comment":  "Your message is sent to the letting team.",
}

func (u *UI) jobDetail(w http.ResponseWriter, r *http.Request) {
	d := jobDetailData{Quote: blankDoc(), Invoice: blankDoc()}
	u.showJob(w, r, http.StatusOK, &d, nil)
}

// showJob renders a job page with d's forms as typed and errs beside their fields.
func (u *UI) showJob(w http.ResponseWriter, r *http.Request, status int, d *jobDetailData, errs map[string]string) {
	v := visitOf(r.Context())
	ctx := r.Context()
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		u.failed(w, r, "job", apperr.NotFoundf("work order"))
		return
	}
	wo, err := u.deps.WorkOrders.Get(ctx, v.Actor, id)
	if err != nil {
		u.failed(w, r, "job", err)
		return
	}
	// A declined or cancelled job no longer opens its ticket to the contractor: the page
	// shows the job alone.
	var t *tickets.Detail
	var files []attachments.Attachment
	title := words(string(wo.Status)) + " job"
	if !closedJob(wo.Status) {
		if t, err = u.deps.Tickets.Get(ctx, v.Actor, wo.TicketID); err != nil {
			u.failed(w, r, "job", err)
			return
		}
		if files, err = u.deps.Attachments.ListForTicket(ctx, v.Actor, wo.TicketID); err != nil {
			u.failed(w, r, "job", err)
			return
		}
		title = t.Number + " " + t.Title
	}
	qs, err := u.deps.Quotes.List(ctx, v.Actor, quotes.Filter{WorkOrderID: &wo.ID}, pages.Request{Limit: 50})
	if err != nil {
		u.failed(w, r, "job", err)
		return
	}
	invs, err := u.deps.Invoices.List(ctx, v.Actor, invoices.Filter{WorkOrderID: &wo.ID}, pages.Request{Limit: 50})
	if err != nil {
		u.failed(w, r, "job", err)
		return
	}
	d.Job, d.Ticket = *wo, t
	var approved *quotes.Quote
	// The lists leave out the lines: read each one (a job has a quote or two).
	for _, q := range qs.Items {
		full, err := u.deps.Quotes.Get(ctx, v.Actor, q.ID)
		if err != nil {
			u.failed(w, r, "job", err)
			return
		}
		q = *full
		if q.Status == quotes.Approved {
			approved = full
		}
		valid := q.ValidUntil
		if at, err := time.Parse(time.DateOnly, q.ValidUntil); err == nil {
			valid = at.Format("2 Jan 2006")
		}
		d.Quotes = append(d.Quotes, jobQuote{Quote: q, Valid: valid})
	}
	if approved != nil && !d.Invoice.Typed {
		d.Invoice = fromLines(approved.Lines) // invoiced as quoted, unless changed
	}
	for _, inv := range invs.Items {
		full, err := u.deps.Invoices.Get(ctx, v.Actor, inv.ID)
		if err != nil {
			u.failed(w, r, "job", err)
			return
		}
		d.Invoices = append(d.Invoices, *full)
	}
	for _, f := range files {
		if strings.HasPrefix(f.ContentType, "image/") && f.ContentType != "image/heic" {
			d.Photos = append(d.Photos, f)
		} else {
			d.Files = append(d.Files, f)
		}
	}
	d.CanAnswer = wo.Status == workorders.Assigned
	d.CanSchedule = wo.Status == workorders.Accepted || wo.Status == workorders.Scheduled
	d.CanStart = wo.Status == workorders.Scheduled
	d.CanComplete = wo.Status == workorders.InProgress
	d.CanQuote = wo.Status.Quotable() && !slices.ContainsFunc(qs.Items, func(q quotes.Quote) bool {
		return q.Status == quotes.Submitted || q.Status == quotes.Approved
	})
	d.CanInvoice = wo.Status == workorders.Completed && !slices.ContainsFunc(invs.Items, func(i invoices.Invoice) bool {
		return i.Status != invoices.Rejected
	})
	now := time.Now().In(ukcalendar.London)
	d.MinDate, d.MinTime = now.Format(time.DateOnly), now.Format("2006-01-02T15:04")
	if d.ScheduledFor == "" && wo.ScheduledFor != nil {
		d.ScheduledFor = wo.ScheduledFor.In(ukcalendar.London).Format("2006-01-02T15:04")
	}
	if d.Quote.ValidUntil == "" {
		d.Quote.ValidUntil = now.AddDate(0, 0, 30).Format(time.DateOnly)
	}
	for k := range errs {
		d.QuoteOpen = d.QuoteOpen || strings.HasPrefix(k, "quote-")
	}
	p := page{Title: title, Nav: "jobs", Errors: errs, Data: d}
	if status == http.StatusOK {
		p.Flash = jobFlash[r.URL.Query().Get("done")]
	}
	u.render(w, r, status, "job", p)
}

// jobID is the job of the request's path, or false (the page answered) when it is not one.
func (u *UI) jobID(w http.ResponseWriter, r *http.Request) (uuid.UUID, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		u.failed(w, r, "job", apperr.NotFoundf("work order"))
		return id, false
	}
	return id, true
}

func (u *UI) jobDone(w http.ResponseWriter, r *http.Request, id uuid.UUID, done, anchor string) {
	u.redirect(w, r, "/jobs/"+id.String()+"?done="+done+anchor)
}

// jobTransition accepts, declines, schedules, starts or completes a job, as the API's
// transition does.
func (u *UI) jobTransition(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, ok := u.jobID(w, r)
	if !ok {
		return
	}
	action := workorders.Action(r.PostFormValue("action"))
	in := workorders.TransitionInput{Action: action, Reason: r.PostFormValue("reason"), Notes: r.PostFormValue("notes")}
	d := jobDetailData{Quote: blankDoc(), Invoice: blankDoc(), Reason: in.Reason, Notes: in.Notes, ScheduledFor: r.PostFormValue("scheduledFor")}
	if action == workorders.Schedule && d.ScheduledFor != "" {
		at, err := time.ParseInLocation("2006-01-02T15:04", d.ScheduledFor, ukcalendar.London)
		if err != nil {
			u.showJob(w, r, http.StatusUnprocessableEntity, &d, map[string]string{"scheduledFor": "Enter a date and time, like 5 December at 09:30."})
			return
		}
		utc := at.UTC()
		in.ScheduledFor = &utc
	}
	if _, err := u.deps.WorkOrders.Transition(r.Context(), v.Actor, id, in); err != nil {
		if errs := fieldErrors(err); errs != nil {
			u.showJob(w, r, http.StatusUnprocessableEntity, &d, errs)
			return
		}
		u.failed(w, r, "job", err)
		return
	}
	u.jobDone(w, r, id, string(action), "")
}

// jobPhoto adds a photo to the job's ticket, as the API's upload does.
func (u *UI) jobPhoto(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, ok := u.jobID(w, r)
	if !ok {
		return
	}
	wo, err := u.deps.WorkOrders.Get(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "photo", err)
		return
	}
	refuse := func(msg string) {
		u.showJob(w, r, http.StatusUnprocessableEntity, &jobDetailData{Quote: blankDoc(), Invoice: blankDoc()}, map[string]string{"photo": msg})
	}
	f, h, err := r.FormFile("photo")
	if err != nil {
		refuse("Choose a photo to upload.")
		return
	}
	defer f.Close()
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	if _, err := u.deps.Attachments.Upload(r.Context(), v.Actor, wo.TicketID, h.Filename, f, nil); err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) && (ae.Code == apperr.TooLarge || ae.Code == apperr.UnsupportedType || ae.Code == apperr.Invalid) {
			refuse(sentence(ae.Message))
			return
		}
		u.failed(w, r, "photo", err)
		return
	}
	u.jobDone(w, r, id, "photo", "#photos")
}

// jobQuote submits a quote for the job, as the API's submitQuote does.
func (u *UI) jobQuote(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, ok := u.jobID(w, r)
	if !ok {
		return
	}
	form, lines, rows, errs := readDoc(r, "quote")
	in := quotes.SubmitInput{Lines: lines, ValidUntil: form.ValidUntil, Notes: form.Notes}
	d := jobDetailData{Quote: form, Invoice: blankDoc()}
	if len(errs) > 0 {
		mergeDocErrors(errs, "quote", rows, in.Check(quotes.Today(time.Now())))
		u.showJob(w, r, http.StatusUnprocessableEntity, &d, errs)
		return
	}
	if _, err := u.deps.Quotes.Submit(r.Context(), v.Actor, id, in); err != nil {
		if fe := fieldErrors(err); fe != nil {
			mergeDocErrors(errs, "quote", rows, err)
			u.showJob(w, r, http.StatusUnprocessableEntity, &d, errs)
			return
		}
		u.failed(w, r, "quote", err)
		return
	}
	u.jobDone(w, r, id, "quote", "#quotes")
}

// jobInvoice submits an invoice for the completed job, as the API's submitInvoice does.
func (u *UI) jobInvoice(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, ok := u.jobID(w, r)
	if !ok {
		return
	}
	form, lines, rows, errs := readDoc(r, "invoice")
	in := invoices.SubmitInput{Reference: form.Reference, Lines: lines, Notes: form.Notes}
	d := jobDetailData{Quote: blankDoc(), Invoice: form}
	if len(errs) > 0 {
		mergeDocErrors(errs, "invoice", rows, in.Check())
		u.showJob(w, r, http.StatusUnprocessableEntity, &d, errs)
		return
	}
	if _, err := u.deps.Invoices.Submit(r.Context(), v.Actor, id, in); err != nil {
		if fe := fieldErrors(err); fe != nil {
			mergeDocErrors(errs, "invoice", rows, err)
			u.showJob(w, r, http.StatusUnprocessableEntity, &d, errs)
			return
		}
		u.failed(w, r, "invoice", err)
		return
	}
	u.jobDone(w, r, id, "invoice", "#invoices")
}

// jobComment adds a comment for the letting team to the job's ticket, as the ticket
// page's comment form does for a contractor, and comes back to the job.
func (u *UI) jobComment(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, ok := u.jobID(w, r)
	if !ok {
		return
	}
	wo, err := u.deps.WorkOrders.Get(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "comment", err)
		return
	}
	in := tickets.CommentInput{Body: r.PostFormValue("body")}
	if _, err := u.deps.Tickets.AddComment(r.Context(), v.Actor, wo.TicketID, in); err != nil {
		if errs := fieldErrors(err); errs != nil {
			u.showJob(w, r, http.StatusUnprocessableEntity, &jobDetailData{Quote: blankDoc(), Invoice: blankDoc(), Comment: in.Body}, errs)
			return
		}
		u.failed(w, r, "comment", err)
		return
	}
	u.jobDone(w, r, id, "comment", "#comments")
}

// readDoc reads a quote or invoice form (fields named prefix-…): its lines, skipping
// blank ones, with prices in pounds turned to pence. errs names the fields that could not
// be read, by their form names; rows are the form's line numbers of the lines.
func readDoc(r *http.Request, prefix string) (form docForm, lines []moneylines.LineInput, rows []int, errs map[string]string) {
	errs = map[string]string{}
	form = docForm{ValidUntil: r.PostFormValue(prefix + "-validUntil"), Reference: r.PostFormValue(prefix + "-reference"),
		Notes: r.PostFormValue(prefix + "-notes")}
	form.Typed = true
	for i := 0; i < moneylines.MaxLines; i++ {
		name := func(f string) string { return fmt.Sprintf("%s-%d-%s", prefix, i, f) }
		if _, sent := r.PostForm[name("description")]; !sent {
			break
		}
		row := lineRow{N: i, No: i + 1, Description: r.PostFormValue(name("description")), Quantity: strings.TrimSpace(r.PostFormValue(name("quantity"))),
			Price: strings.TrimSpace(r.PostFormValue(name("price"))), VAT: r.PostFormValue(name("vat"))}
		form.Lines = append(form.Lines, row)
		if strings.TrimSpace(row.Description) == "" && row.Price == "" {
			continue // a blank line (its quantity and VAT keep their defaults)
		}
		l := moneylines.LineInput{Description: row.Description}
		q, err := strconv.ParseFloat(row.Quantity, 64)
		if err != nil || row.Quantity == "" {
			errs[name("quantity")] = "Enter a quantity, like 1 or 2.5."
		}
		l.Quantity = q
		pence, ok := pounds(row.Price)
		if !ok {
			errs[name("price")] = "Enter a price in pounds, like 120.50."
		}
		l.UnitPricePence = pence
		if vat, err := strconv.Atoi(row.VAT); err == nil {
			l.VATRatePercent = &vat
		}
		lines, rows = append(lines, l), append(rows, i)
	}
	if len(lines) == 0 {
		errs[prefix+"-lines"] = "Enter at least one line: what you will do and its price."
	}
	return form, lines, rows, errs
}

// poundsPattern is a price in pounds as people type it: 120, 120.5, 120.50, £1,200.00.
var poundsPattern = regexp.MustCompile(`^£?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{0,2}))?$`)

// pounds turns a price in pounds into pence.
func pounds(s string) (int64, bool) {
	m := poundsPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	whole, err := strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
	if err != nil || whole > 10_000_000 {
		return 0, false
	}
	frac := m[2]
	if len(frac) == 1 {
		frac += "0"
	}
	p := int64(0)
	if frac != "" {
		p, _ = strconv.ParseInt(frac, 10, 64)
	}
	return whole*100 + p, true
}

// lineField is a service field (lines[0].unitPricePence) as the form names it.
var lineField = regexp.MustCompile(`^lines\[(\d+)\]\.(\w+)$`)

// mergeDocErrors adds a quote's or invoice's field refusals to errs by the form's names
// (a field already refused as unreadable keeps that message); the service numbers the
// lines sent, rows maps them to the form's.
func mergeDocErrors(errs map[string]string, prefix string, rows []int, err error) {
	for field, msg := range fieldErrors(err) {
		name := prefix + "-" + field
		if m := lineField.FindStringSubmatch(field); m != nil {
			f := m[2]
			switch f {
			case "unitPricePence":
				f = "price"
				msg = strings.Replace(msg, "from 0 to 1000000000 pence", "from £0 to £10,000,000", 1)
			case "vatRatePercent":
				f = "vat"
			}
			n, _ := strconv.Atoi(m[1])
			if n < len(rows) {
				n = rows[n]
			}
			name = fmt.Sprintf("%s-%d-%s", prefix, n, f)
		}
		if _, seen := errs[name]; !seen {
			errs[name] = msg
		}
	}
}

// file streams an attachment to a signed-in member who may see it: photos inline, other
// files as downloads, sandboxed so nothing in them runs with this site's origin.
func (u *UI) file(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		u.failed(w, r, "file", apperr.NotFoundf("attachment"))
		return
	}
	a, rc, err := u.deps.Attachments.Open(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "file", err)
		return
	}
	defer rc.Close()
	disposition := "attachment"
	if strings.HasPrefix(a.ContentType, "image/") {
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", disposition+`; filename="`+strings.NewReplacer(`"`, "", "\r", "", "\n", "", `\`, "").Replace(a.Filename)+`"`)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=300")
	if _, err := io.Copy(w, io.LimitReader(rc, attachments.MaxBytes)); err != nil {
		u.logFailure(r.Context(), "file", err)
	}
}
