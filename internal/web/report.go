package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// reportExpired answers a report whose CSRF token does not match its cookie. A successful
// report replaces the cookie, so this is also what sending the same form twice (reloading
// the confirmation) gets, instead of a second ticket.
const reportExpired = "This form has expired or was already sent. If you were given a reference, we have your report. " +
	"Otherwise open the report page again and send it."

// reportForm is what the resident typed, shown again when a field needs changing.
type reportForm struct {
	Name, Email, Phone, UnitReference, Address, Title, Description, Category string
	// Emergency asks for EMERGENCY priority; otherwise the service's default (ROUTINE).
	Emergency bool
}

// option is a choice in a select: the value sent and its plain-English label.
type option struct{ Value, Label string }

// categories label tickets.Categories for residents, who may not know the trade's name.
var categories = []option{
	{"PLUMBING", "Water, leaks, toilets or drains"},
	{"ELECTRICAL", "Electrics, lights or sockets"},
	{"HVAC", "Heating or ventilation"},
	{"APPLIANCE", "An appliance, such as an oven or washing machine"},
	{"STRUCTURAL", "Walls, roof, floors, windows or doors"},
	{"PEST_CONTROL", "Pests, such as mice or insects"},
	{"OTHER", "Something else"},
}

// report shows the repair form for the organisation slug names and takes its submission.
// Every request, showing the form too, is admitted first, so an unknown address answers
// 404 at once and probing for organisations counts against the client's hourly limit.
func (u *UI) report(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	org, err := u.deps.Reports.AdmitPublic(r.Context(), slug, u.clientIP(r))
	if err != nil {
		u.reportFailed(w, r, page{}, err)
		return
	}
	if !u.anonymousForm(w, r, reportExpired) {
		return
	}
	pg := page{Title: "Report a repair", Slug: slug, CSRF: u.csrfFor(w, r)}
	if r.Method != http.MethodPost {
		u.render(w, r, http.StatusOK, "report", pg)
		return
	}
	f := r.PostForm
	pg.Report = reportForm{
		Name: f.Get("name"), Email: f.Get("email"), Phone: f.Get("phone"), UnitReference: f.Get("unitReference"),
		Address: f.Get("address"), Title: f.Get("title"), Description: f.Get("description"), Category: f.Get("category"),
		Emergency: f.Get("emergency") != "",
	}
	in := tickets.PublicReport{
		Name: pg.Report.Name, Email: pg.Report.Email, Phone: pg.Report.Phone, UnitReference: pg.Report.UnitReference,
		Address: pg.Report.Address, Title: pg.Report.Title, Description: pg.Report.Description, Category: pg.Report.Category,
	}
	if pg.Report.Emergency {
		in.Priority = "EMERGENCY"
	}
	receipt, err := u.deps.Reports.ReportPublic(r.Context(), org, in, nil) // this page takes no photos
	if err != nil {
		u.reportFailed(w, r, pg, err)
		return
	}
	u.newCSRF(w)
	// Nothing here says whether the unit reference matched a home: see tickets.Receipt.
	u.message(w, r, http.StatusOK, "Repair reported", fmt.Sprintf("We have your report “%s”. Your reference is %s. "+
		"Keep it: quote it if you call or text us.", in.Title, receipt.TicketNumber), true)
}

// reportFailed answers a refused admission or report in the resident's terms; field
// errors and anything else go as on the other pages.
func (u *UI) reportFailed(w http.ResponseWriter, r *http.Request, pg page, err error) {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		switch ae.Code {
		case apperr.RateLimited:
			retryAfter(w, ae.RetryAfter)
			u.message(w, r, http.StatusTooManyRequests, "Please try again later",
				"Too many reports have come from your connection recently. Please try again in an hour or so, "+
					"or phone us if the repair is urgent.", false)
			return
		case apperr.NotFound:
			u.message(w, r, http.StatusNotFound, "No organisation at this address",
				"Check the link in the message you were sent, or contact your landlord or letting agent another way.", false)
			return
		}
	}
	if errs := fieldErrors(err); errs != nil {
		pg.Errors = errs
		u.render(w, r, http.StatusUnprocessableEntity, "report", pg)
		return
	}
	u.failed(w, r, "report", err)
}

// Categories are the report form's choices of category.
func (page) Categories() []option { return categories }
