package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/ai"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// reportExpired answers a report whose CSRF token does not match its cookie. A successful
// report replaces the cookie, so this is also what sending the same form twice (reloading
// the confirmation) gets, instead of a second ticket.
const reportExpired = "This form has expired or was already sent. If you were given a reference, we have your report. " +
	"Otherwise open the report page again and send it."

// The form's photos: at most maxFormPhotos, carryPhotoBytes in all. Between the advice
// and the report they travel back in the page as base64 (a third larger), which must fit
// a form's body.
const (
	maxFormPhotos   = 5
	carryPhotoBytes = 7 << 20
)

// reportForm is what the resident typed, shown again when a field needs changing, and
// carried in hidden fields past the self-help advice.
type reportForm struct {
	Name, Email, Phone, UnitReference, Address, Title, Description, Category string
	// Emergency asks for EMERGENCY priority; otherwise the service's default (ROUTINE).
	Emergency bool
	// Photos are those already sent, carried in the page.
	Photos []carriedPhoto
	// Triage is the advice shown, once it has been: the form then goes straight to the
	// report.
	Triage string
	// NoPhotos: the organisation's photos for today are used up.
	NoPhotos bool
}

// carriedPhoto is a photo sent with the form, as base64, to send again with the report.
type carriedPhoto struct {
	Name, Data string
	size       int
}

// adviceData is the self-help step: the advice and what will be filed.
type adviceData struct {
	ai.TriageResult
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

// report shows the repair form for the organisation slug names and takes it in two
// steps: the first sending shows safety advice and self-help for the fault (the AI
// service's public triage); from there "That fixed it" records that and files nothing,
// "Send my report" files it. Every request is admitted first, before its body is read, as
// the API admits the same requests: the form and the report by the report form's limits
// (an unknown address answers 404 at once, and probing counts against the client's hourly
// limit), the advice and its answer by the self-help's.
func (u *UI) report(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	answer := ""
	if r.Method == http.MethodPost {
		answer = r.URL.Query().Get("answer")
	}
	var org tickets.PublicOrg
	var aiOrg ai.PublicOrg
	var err error
	switch {
	case r.Method != http.MethodPost:
		org, err = u.deps.Reports.AdmitPublic(r.Context(), slug, u.clientIP(r))
	case answer == "send":
		if org, err = u.deps.Reports.AdmitPublic(r.Context(), slug, u.clientIP(r)); err == nil {
			aiOrg, err = u.deps.AI.AdmitPublic(r.Context(), slug, u.clientIP(r))
		}
	default: // the advice, or "That fixed it"
		aiOrg, err = u.deps.AI.AdmitPublic(r.Context(), slug, u.clientIP(r))
	}
	if err != nil {
		u.reportFailed(w, r, page{}, err)
		return
	}
	if !u.anonymousForm(w, r, reportExpired) {
		return
	}
	pg := page{Title: "Report a repair", Slug: slug, CSRF: u.csrfFor(w, r)}
	if r.Method != http.MethodPost {
		pg.Report.NoPhotos = org.PhotosFull()
		u.render(w, r, http.StatusOK, "report", pg)
		return
	}
	f := r.PostForm
	pg.Report = reportForm{
		Name: f.Get("name"), Email: f.Get("email"), Phone: f.Get("phone"), UnitReference: f.Get("unitReference"),
		Address: f.Get("address"), Title: f.Get("title"), Description: f.Get("description"), Category: f.Get("category"),
		Emergency: f.Get("emergency") != "", Triage: f.Get("triage"),
	}
	photos, perr := formPhotos(r)
	pg.Report.Photos = photos
	if perr != nil {
		u.reportFailed(w, r, pg, perr)
		return
	}

	switch answer {
	case "fixed":
		u.selfHelpFixed(w, r, pg, aiOrg)
	case "send":
		u.sendReport(w, r, pg, org, aiOrg)
	default:
		u.reportAdvice(w, r, pg, aiOrg)
	}
}

// reportAdvice is the first sending: the form is checked, then the advice shown, or with
// none to give, the report filed at once.
func (u *UI) reportAdvice(w http.ResponseWriter, r *http.Request, pg page, aiOrg ai.PublicOrg) {
	if errs := checkReport(pg.Report); errs != nil {
		pg.Errors = errs
		u.render(w, r, http.StatusUnprocessableEntity, "report", pg)
		return
	}
	advice, err := u.deps.AI.Triage(r.Context(), aiOrg, ai.TriageInput{Title: pg.Report.Title, Description: pg.Report.Description})
	if err != nil {
		u.reportFailed(w, r, pg, err)
		return
	}
	if len(advice.WhatToDoNow) == 0 && len(advice.SelfHelp) == 0 {
		org, err := u.deps.Reports.AdmitPublic(r.Context(), pg.Slug, u.clientIP(r))
		if err != nil {
			u.reportFailed(w, r, pg, err)
			return
		}
		u.fileReport(w, r, pg, org)
		return
	}
	pg.Report.Triage = advice.TriageID.String()
	pg.Title = "Before you send your report"
	pg.Data = adviceData{TriageResult: advice}
	u.render(w, r, http.StatusOK, "report-advice", pg)
}

// selfHelpFixed records that the advice fixed it: nothing is filed.
func (u *UI) selfHelpFixed(w http.ResponseWriter, r *http.Request, pg page, aiOrg ai.PublicOrg) {
	id, err := uuid.Parse(pg.Report.Triage)
	if err != nil {
		u.reportFailed(w, r, pg, apperr.NotFoundf("triage"))
		return
	}
	guide := r.PostFormValue("guide")
	if _, err := u.deps.AI.RecordSelfHelp(r.Context(), aiOrg, id, ai.SelfHelpOutcome{Fixed: true, GuideID: guide}); err != nil {
		u.reportFailed(w, r, pg, err)
		return
	}
	u.newCSRF(w)
	u.message(w, r, http.StatusOK, "Glad that fixed it", "Thank you for letting us know. We have not filed a report. "+
		"If the problem comes back, open this page again and tell us.", true)
}

// sendReport records that the advice did not fix it, then files the report.
func (u *UI) sendReport(w http.ResponseWriter, r *http.Request, pg page, org tickets.PublicOrg, aiOrg ai.PublicOrg) {
	if pg.Report.Triage != "" {
		id, err := uuid.Parse(pg.Report.Triage)
		if err != nil {
			u.reportFailed(w, r, pg, apperr.NotFoundf("triage"))
			return
		}
		// A report sent again after a field was corrected finds the answer recorded.
		if _, err := u.deps.AI.RecordSelfHelp(r.Context(), aiOrg, id, ai.SelfHelpOutcome{Fixed: false}); err != nil && !apperr.Is(err, apperr.Conflict) {
			u.reportFailed(w, r, pg, err)
			return
		}
	}
	u.fileReport(w, r, pg, org)
}

// fileReport files the report with its photos, which are checked, stored and recorded inside
// the ticket's transaction (after they count against the organisation's daily cap).
func (u *UI) fileReport(w http.ResponseWriter, r *http.Request, pg page, org tickets.PublicOrg) {
	rf := pg.Report
	in := tickets.PublicReport{
		Name: rf.Name, Email: rf.Email, Phone: rf.Phone, UnitReference: rf.UnitReference,
		Address: rf.Address, Title: rf.Title, Description: rf.Description, Category: rf.Category, Photos: len(rf.Photos),
	}
	if rf.Emergency {
		in.Priority = "EMERGENCY"
	}
	var attach func(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID) error
	if len(rf.Photos) > 0 {
		attach = func(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID) error {
			var staged []attachments.Staged
			for _, p := range rf.Photos {
				data, err := base64.StdEncoding.DecodeString(p.Data)
				if err != nil {
					return photoError("a photo could not be read; attach it again")
				}
				st, err := u.deps.Attachments.Stage(ctx, actor.OrgID, p.Name, bytes.NewReader(data))
				if err != nil {
					return err
				}
				staged = append(staged, st)
			}
			_, err := u.deps.Attachments.Attach(ctx, tx, actor, ticketID, staged)
			return err
		}
	}
	receipt, err := u.deps.Reports.ReportPublic(r.Context(), org, in, attach)
	if err != nil {
		if apperr.Is(err, apperr.RateLimited) && len(rf.Photos) > 0 {
			// The organisation's photos for today are used up: the report may go without.
			pg.Report.Photos, pg.Report.NoPhotos = nil, true
			err = photoError("this form cannot take more photos today; send your report without them, or try again tomorrow")
		}
		u.reportFailed(w, r, pg, err)
		return
	}
	u.newCSRF(w)
	// Nothing here says whether the unit reference matched a home: see tickets.Receipt.
	u.message(w, r, http.StatusOK, "Repair reported", fmt.Sprintf("We have your report “%s”. Your reference is %s. "+
		"Keep it: quote it if you call or text us.", in.Title, receipt.TicketNumber), true)
}

func photoError(msg string) error {
	var f apperr.Fields
	f.Add("photos", msg)
	return f.Err()
}

// formPhotos are the photos the form carries (sent before, as base64) and those sent now
// (multipart), each checked as the attachments service will (size, type), at most
// maxFormPhotos and carryPhotoBytes in all.
func formPhotos(r *http.Request) ([]carriedPhoto, error) {
	var out []carriedPhoto
	total := 0
	names, data := r.PostForm["photoName"], r.PostForm["photoData"]
	for i := range min(len(names), len(data)) {
		raw, err := base64.StdEncoding.DecodeString(data[i])
		if err != nil {
			return nil, photoError("a photo could not be read; attach it again")
		}
		out = append(out, carriedPhoto{Name: names[i], Data: data[i], size: len(raw)})
		total += len(raw)
	}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["photos"]
	}
	for _, fh := range files {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the empty file input
		}
		f, err := fh.Open()
		if err != nil {
			return out, fmt.Errorf("web: read photo: %w", err)
		}
		raw, err := io.ReadAll(io.LimitReader(f, attachments.MaxBytes+1))
		f.Close()
		if err != nil {
			return out, fmt.Errorf("web: read photo: %w", err)
		}
		if err := attachments.Check("photos", bytes.NewReader(raw), int64(len(raw))); err != nil {
			return out, photoRefused(err)
		}
		out = append(out, carriedPhoto{Name: fh.Filename, Data: base64.StdEncoding.EncodeToString(raw), size: len(raw)})
		total += len(raw)
	}
	if len(out) > maxFormPhotos {
		return out[:maxFormPhotos], photoError(fmt.Sprintf("send at most %d photos", maxFormPhotos))
	}
	if total > carryPhotoBytes {
		return nil, photoError("photos may be at most 7 MB in all on this form; leave some out, or send smaller ones")
	}
	return out, nil
}

// photoRefused puts a refused photo's reason (too large, not a photo) next to the field.
func photoRefused(err error) error {
	if ae, ok := errors.AsType[*apperr.Error](err); ok && ae.Code != apperr.Internal {
		if ae.Code == apperr.Invalid {
			return photoError("the photo is empty")
		}
		return photoError(ae.Message)
	}
	return err
}

// checkReport applies the report's simple rules before the advice is shown, so that the
// resident is not sent back to the form after it; the service checks everything again.
func checkReport(f reportForm) map[string]string {
	errs := map[string]string{}
	if strings.TrimSpace(f.Name) == "" {
		errs["name"] = "Is required."
	}
	if strings.TrimSpace(f.Email) == "" && strings.TrimSpace(f.Phone) == "" {
		errs["email"] = "Give an email address or a phone number so we can reach you."
	}
	if strings.TrimSpace(f.UnitReference) == "" && strings.TrimSpace(f.Address) == "" {
		errs["unitReference"] = "Give your unit reference or your address."
	}
	if strings.TrimSpace(f.Title) == "" {
		errs["title"] = "Is required."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
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
			if strings.HasPrefix(ae.Message, "triage") {
				u.message(w, r, http.StatusNotFound, "Advice not found",
					"We cannot find the advice this form answers. Open the report page again and send your report.", false)
				return
			}
			u.message(w, r, http.StatusNotFound, "No organisation at this address",
				"Check the link in the message you were sent, or contact your landlord or letting agent another way.", false)
			return
		case apperr.Conflict:
			u.message(w, r, http.StatusConflict, "Already answered", "We already have your answer to this advice. "+
				"If the problem is still there, open the report page again and send your report.", false)
			return
		case apperr.TooLarge, apperr.UnsupportedType:
			err = photoError(ae.Message)
		}
	}
	if errs := fieldErrors(err); errs != nil {
		pg.Errors = errs
		pg.Title = "Report a repair"
		u.render(w, r, http.StatusUnprocessableEntity, "report", pg)
		return
	}
	u.failed(w, r, "report", err)
}

// Categories are the report form's choices of category.
func (page) Categories() []option { return categories }
