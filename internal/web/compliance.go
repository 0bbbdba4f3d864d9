package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/certificates"
	"github.com/maintainuk/maintainuk/internal/estate"
	pages "github.com/maintainuk/maintainuk/internal/page"
)

// complianceRoutes registers the compliance pages: the portfolio's certificates and a
// property's certificates with their upload.
func (u *UI) complianceRoutes(mux *http.ServeMux) {
	staff := []access.Role{access.Admin, access.Coordinator}
	mux.HandleFunc("GET /compliance", u.signedIn(u.compliance, staff...))
	mux.HandleFunc("GET /properties/{id}/certificates", u.signedIn(u.propertyCertificates, staff...))
	mux.HandleFunc("POST /properties/{id}/certificates", u.signedIn(u.createCertificate, staff...))
	mux.HandleFunc("POST /certificates/{id}/tenant-copy", u.signedIn(u.certificateTenantCopy, staff...))
	mux.HandleFunc("GET /certificates/{id}/document", u.signedIn(u.certificateDocument, staff...))
}

// stateNames are the compliance states in the pages' words, worst first.
var stateNames = []choice{
	{certificates.StateMissing, "Missing"},
	{certificates.StateExpired, "Lapsed"},
	{certificates.StateExpiring, "Expiring soon"},
	{certificates.StateValid, "Current"},
}

// kindNames are the certificate kinds as column headings and select options.
var kindNames = map[string]string{
	certificates.GasSafety:     "Gas safety record (CP12)",
	certificates.EICR:          "Electrical report (EICR)",
	certificates.EPC:           "Energy performance (EPC)",
	certificates.SmokeCOAlarms: "Smoke and CO alarm check",
}

type choice struct{ Value, Label string }

func stateName(state string) string {
	for _, o := range stateNames {
		if o.Value == state {
			return o.Label
		}
	}
	return words(state)
}

// stateClass is the tag class a state is shown with.
func stateClass(state string) string {
	switch state {
	case certificates.StateMissing, certificates.StateExpired:
		return "lapsed"
	case certificates.StateExpiring:
		return "expiring"
	}
	return "current"
}

func kindOptions() []choice {
	out := make([]choice, 0, len(certificates.Rules))
	for _, r := range certificates.Rules {
		out = append(out, choice{r.Kind, kindNames[r.Kind]})
	}
	return out
}

// dateOf shows a YYYY-MM-DD date as "3 Dec 2026"; nil as "".
func dateOf(s *string) string {
	if s == nil {
		return ""
	}
	return dateText(*s)
}

// ---- The portfolio ----

// stateCell is one kind's state at a property; Shown is false for a kind the filter left out.
type stateCell struct {
	Shown                  bool
	State, Label, Class    string
	Issued, Expires        string
	CertificateID, KindKey string
}

type complianceRow struct {
	PropertyID uuid.UUID
	Name       string
	Address    string
	Compliant  bool
	Cells      []stateCell
}

type stateCount struct {
	choice
	Class string
	Count int
}

type complianceData struct {
	State      string
	States     []choice
	Kinds      []choice
	Rows       []complianceRow
	Next       string
	Counts     []stateCount
	Properties int
	Compliant  int
	// Partial is true when the counts stopped short of the whole portfolio.
	Partial bool
}

// countPages bounds how many pages of the portfolio the counts read.
const countPages = 20

// compliance is every property with each required certificate's state, filterable by
// state, newest property first as the service orders them; the counts at the top are of
// the whole portfolio.
func (u *UI) compliance(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	q := r.URL.Query()
	d := &complianceData{State: strings.ToUpper(strings.TrimSpace(q.Get("state"))), States: stateNames, Kinds: kindOptions()}
	p := page{Title: "Compliance", Nav: "compliance", Data: d}
	res, err := u.deps.Certificates.Compliance(r.Context(), v.Actor, d.State, pages.Request{Limit: 25, Cursor: q.Get("cursor")})
	if errs := fieldErrors(err); errs != nil {
		p.Errors = map[string]string{"state": "Choose a state from the list."}
		d.State = ""
		u.render(w, r, http.StatusUnprocessableEntity, u.fragmentOr(r, "compliance", "compliance-rows"), p)
		return
	}
	if err != nil {
		u.failed(w, r, "compliance", err)
		return
	}
	for _, pc := range res.Items {
		d.Rows = append(d.Rows, complianceRowOf(pc))
	}
	d.Next = nextQuery(q, res.NextCursor)
	if r.Header.Get("HX-Target") != "compliance-rows" {
		if err := u.countCompliance(r, d); err != nil {
			u.failed(w, r, "compliance", err)
			return
		}
	}
	u.render(w, r, http.StatusOK, u.fragmentOr(r, "compliance", "compliance-rows"), p)
}

func complianceRowOf(pc certificates.PropertyCompliance) complianceRow {
	row := complianceRow{PropertyID: pc.PropertyID, Name: pc.Name, Compliant: pc.Compliant,
		Address: strings.Join(nonEmpty(pc.AddressLine1, pc.Town, pc.Postcode), ", ")}
	if row.Name == "" {
		row.Name = pc.AddressLine1
	}
	for _, rule := range certificates.Rules {
		c := stateCell{KindKey: rule.Kind}
		for _, ks := range pc.Kinds {
			if ks.Kind != rule.Kind {
				continue
			}
			c = stateCell{Shown: true, KindKey: rule.Kind, State: ks.State, Label: stateName(ks.State), Class: stateClass(ks.State),
				Issued: dateOf(ks.IssuedOn), Expires: dateOf(ks.ExpiresOn)}
			if ks.CertificateID != nil {
				c.CertificateID = ks.CertificateID.String()
			}
		}
		row.Cells = append(row.Cells, c)
	}
	return row
}

func nonEmpty(xs ...string) []string {
	out := xs[:0:0]
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			out = append(out, x)
		}
	}
	return out
}

// countCompliance counts, across the portfolio, the properties, those compliant, and
// each state's certificates (a property's missing kind counts as one).
func (u *UI) countCompliance(r *http.Request, d *complianceData) error {
	v := visitOf(r.Context())
	byState := map[string]int{}
	cursor := ""
	for i := 0; ; i++ {
		if i == countPages {
			d.Partial = true
			break
		}
		res, err := u.deps.Certificates.Compliance(r.Context(), v.Actor, "", pages.Request{Limit: pages.MaxLimit, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, pc := range res.Items {
			d.Properties++
			if pc.Compliant {
				d.Compliant++
			}
			for _, ks := range pc.Kinds {
				byState[ks.State]++
			}
		}
		if cursor = res.NextCursor; cursor == "" {
			break
		}
	}
	for _, o := range stateNames {
		d.Counts = append(d.Counts, stateCount{choice: o, Class: stateClass(o.Value), Count: byState[o.Value]})
	}
	return nil
}

// ---- A property's certificates ----

// certificateForm is the new-certificate form as sent.
type certificateForm struct {
	Kind, IssuedOn, ExpiresOn, Rating, Reference, ContractorName, TenantCopySentOn string
}

type certificateRow struct {
	certificates.Certificate
	KindName, StateLabel, StateClass string
	Issued, Expires, CopySent        string
	CopyDue                          string
	// CopyValue is the tenant-copy date field's value (what was sent, when refused).
	CopyValue string
}

type kindSummary struct {
	Name, Label, Class, Expires string
}

type propertyCertificatesData struct {
	Property     *estate.Property
	PropertyName string
	Summary      []kindSummary
	Certificates []certificateRow
	More         bool
	Form         certificateForm
	Kinds        []choice
	Ratings      []string
	Today        string
	Notice       string
}

// certificateLimit bounds the certificates a property's page shows (newest first).
const certificateLimit = pages.MaxLimit

func (u *UI) propertyCertificates(w http.ResponseWriter, r *http.Request) {
	u.showCertificates(w, r, http.StatusOK, nil, nil, "", "")
}

// showCertificates shows a property's certificates with the forms; form, when not nil, is
// the new-certificate form as sent back with errs; copyID and copyValue the tenant-copy
// date refused for one certificate.
func (u *UI) showCertificates(w http.ResponseWriter, r *http.Request, status int, form *certificateForm, errs map[string]string, copyID, copyValue string) {
	u.showCertificatesOf(w, r, status, uuid.Nil, form, errs, copyID, copyValue, "")
}

func (u *UI) showCertificatesOf(w http.ResponseWriter, r *http.Request, status int, propertyID uuid.UUID, form *certificateForm,
	errs map[string]string, copyID, copyValue, notice string) {
	v := visitOf(r.Context())
	if propertyID == uuid.Nil {
		id, err := pathID(r, "id", "property")
		if err != nil {
			u.failed(w, r, "certificates", err)
			return
		}
		propertyID = id
	}
	prop, err := u.deps.Estate.GetProperty(r.Context(), v.Actor, propertyID)
	if err != nil {
		u.failed(w, r, "certificates", err)
		return
	}
	res, err := u.deps.Certificates.ListForProperty(r.Context(), v.Actor, propertyID, pages.Request{Limit: certificateLimit})
	if err != nil {
		u.failed(w, r, "certificates", err)
		return
	}
	name := prop.Name
	if name == "" {
		name = prop.AddressLine1
	}
	d := propertyCertificatesData{Property: prop, PropertyName: name, More: res.NextCursor != "", Kinds: kindOptions(),
		Ratings: []string{"A", "B", "C", "D", "E", "F", "G"}, Today: today(), Notice: notice}
	if form != nil {
		d.Form = *form
	}
	latest := map[string]certificates.Certificate{}
	for _, c := range res.Items {
		row := certificateRow{Certificate: c, KindName: kindNames[c.Kind], StateLabel: stateName(c.State), StateClass: stateClass(c.State),
			Issued: dateText(c.IssuedOn), Expires: dateOf(c.ExpiresOn), CopySent: dateOf(c.TenantCopySentOn), CopyDue: dateOf(c.TenantCopyDueOn)}
		if c.TenantCopySentOn != nil {
			row.CopyValue = *c.TenantCopySentOn
		}
		if copyID == c.ID.String() {
			row.CopyValue = copyValue
		}
		d.Certificates = append(d.Certificates, row)
		if l, ok := latest[c.Kind]; !ok || c.IssuedOn > l.IssuedOn {
			latest[c.Kind] = c
		}
	}
	for _, rule := range certificates.Rules {
		s := kindSummary{Name: kindNames[rule.Kind], Label: stateName(certificates.StateMissing), Class: stateClass(certificates.StateMissing)}
		if c, ok := latest[rule.Kind]; ok {
			s.Label, s.Class, s.Expires = stateName(c.State), stateClass(c.State), dateOf(c.ExpiresOn)
		}
		d.Summary = append(d.Summary, s)
	}
	p := page{Title: "Certificates · " + name, Nav: "compliance", Data: d, Errors: errs}
	if status == http.StatusOK && notice == "" {
		p.Flash = u.certificateFlash(r, res.Items)
	}
	u.render(w, r, status, "property-certificates", p)
}

// certificateFlash is the notice after a certificate is recorded or changed: what it is
// and when it expires (with the 10-12 month rule named when it set the expiry).
func (u *UI) certificateFlash(r *http.Request, items []certificates.Certificate) string {
	q := r.URL.Query()
	var id string
	switch {
	case q.Get("added") != "":
		id = q.Get("added")
	case q.Get("copy") != "":
		id = q.Get("copy")
	default:
		return ""
	}
	for _, c := range items {
		if c.ID.String() != id {
			continue
		}
		rule, _ := certificates.RuleOf(c.Kind)
		what := "The " + rule.Name
		if q.Get("copy") != "" {
			if c.TenantCopySentOn == nil {
				return what + " no longer records a copy sent to the tenant."
			}
			return what + " records the tenant's copy as sent on " + dateOf(c.TenantCopySentOn) + "."
		}
		msg := what + " is recorded"
		if c.ExpiresOn == nil {
			msg += "; it does not expire."
		} else {
			msg += ": it expires on " + dateOf(c.ExpiresOn) + "."
		}
		if q.Get("kept") == "1" {
			msg += " The check was within two months before the last record's expiry, so it runs 12 months from that expiry (the 10–12 month rule)."
		}
		if q.Get("document") == "1" && c.Document != nil {
			msg += " The document " + c.Document.Filename + " is stored."
		}
		return msg
	}
	return ""
}

func certificateFormOf(r *http.Request) certificateForm {
	return certificateForm{Kind: r.PostFormValue("kind"), IssuedOn: strings.TrimSpace(r.PostFormValue("issuedOn")),
		ExpiresOn: strings.TrimSpace(r.PostFormValue("expiresOn")), Rating: strings.TrimSpace(r.PostFormValue("rating")),
		Reference: r.PostFormValue("reference"), ContractorName: r.PostFormValue("contractorName"),
		TenantCopySentOn: strings.TrimSpace(r.PostFormValue("tenantCopySentOn"))}
}

// createCertificate records a certificate, as the API's createCertificate does, then
// stores its document (sent in the same form), as putCertificateDocument does. The file
// is checked before anything is recorded, so a refused file records nothing.
func (u *UI) createCertificate(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "property")
	if err != nil {
		u.failed(w, r, "add certificate", err)
		return
	}
	if err := parseForm(r); err != nil {
		u.failed(w, r, "add certificate", apperr.New(apperr.Invalid, "the form could not be read"))
		return
	}
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	f := certificateFormOf(r)
	file, header, ferr := r.FormFile("document")
	if ferr != nil && !errors.Is(ferr, http.ErrMissingFile) {
		u.showCertificates(w, r, http.StatusUnprocessableEntity, &f, map[string]string{"document": "The file could not be read: choose it again."}, "", "")
		return
	}
	if file != nil {
		defer file.Close()
		if header.Size == 0 && header.Filename == "" {
			file = nil
		} else if err := attachments.Check("document", file, header.Size); err != nil {
			u.showCertificates(w, r, statusOfErr(err), &f, map[string]string{"document": documentProblem(err)}, "", "")
			return
		}
	}
	in := certificates.Input{Kind: f.Kind, IssuedOn: f.IssuedOn, Reference: f.Reference, ContractorName: f.ContractorName}
	if f.ExpiresOn != "" {
		in.ExpiresOn = &f.ExpiresOn
	}
	if f.Rating != "" {
		in.Rating = &f.Rating
	}
	if f.TenantCopySentOn != "" {
		in.TenantCopySentOn = &f.TenantCopySentOn
	}
	c, err := u.deps.Certificates.Create(r.Context(), v.Actor, id, in)
	if errs := readableErrors(formErrors(err)); errs != nil {
		if errs["kind"] != "" {
			errs["kind"] = "Choose the kind of certificate."
		}
		u.showCertificates(w, r, http.StatusUnprocessableEntity, &f, errs, "", "")
		return
	}
	if err != nil {
		u.failed(w, r, "add certificate", err)
		return
	}
	q := url.Values{"added": {c.ID.String()}}
	if c.Kind == certificates.GasSafety && f.ExpiresOn == "" && c.ExpiresOn != nil {
		issued, _ := time.Parse(time.DateOnly, c.IssuedOn)
		if *c.ExpiresOn != certificates.AddMonths(issued, 12).Format(time.DateOnly) {
			q.Set("kept", "1")
		}
	}
	if file != nil {
		if _, err := file.Seek(0, io.SeekStart); err != nil {
			u.failed(w, r, "add certificate", err)
			return
		}
		if _, err := u.deps.Certificates.UploadDocument(r.Context(), v.Actor, c.ID, header.Filename, file); err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code == apperr.Internal {
				u.logFailure(r.Context(), "certificate document", err)
			}
			u.showCertificatesOf(w, r, statusOfErr(err), id, nil, nil, "", "",
				"The certificate is recorded, but its document was not stored: "+documentProblem(err)+" Record it again with the file, or upload it through the API.")
			return
		}
		q.Set("document", "1")
	}
	u.redirect(w, r, "/properties/"+id.String()+"/certificates?"+q.Encode()+"#certificates")
}

// readableErrors names the service's fields in the messages as the form labels them.
func readableErrors(errs map[string]string) map[string]string {
	for k, m := range errs {
		errs[k] = strings.NewReplacer("issuedOn", "the issue date").Replace(m)
	}
	return errs
}

// documentProblem is a refused file's reason in words.
func documentProblem(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code != apperr.Internal {
		return sentence(ae.Message)
	}
	return "Something went wrong on our side storing the file."
}

// certificateTenantCopy sets or clears the date the tenant was given a copy, as the API's
// updateCertificate does.
func (u *UI) certificateTenantCopy(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "certificate")
	if err != nil {
		u.failed(w, r, "tenant copy", err)
		return
	}
	c, err := u.deps.Certificates.Get(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "tenant copy", err)
		return
	}
	sent := strings.TrimSpace(r.PostFormValue("tenantCopySentOn"))
	_, err = u.deps.Certificates.Update(r.Context(), v.Actor, id, certificates.Patch{TenantCopySentOn: &sent})
	if errs := readableErrors(formErrors(err)); errs != nil {
		msg := errs["tenantCopySentOn"]
		if msg == "" {
			for _, m := range errs {
				msg = m
			}
		}
		u.showCertificatesOf(w, r, http.StatusUnprocessableEntity, c.PropertyID, nil,
			map[string]string{"tenantCopySentOn-" + id.String(): msg}, id.String(), sent, "")
		return
	}
	if err != nil {
		u.failed(w, r, "tenant copy", err)
		return
	}
	u.redirect(w, r, "/properties/"+c.PropertyID.String()+"/certificates?copy="+id.String()+"#certificates")
}

// certificateDocument streams a certificate's document as a download, sandboxed so
// nothing in it runs with this site's origin.
func (u *UI) certificateDocument(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "certificate")
	if err != nil {
		u.failed(w, r, "certificate document", err)
		return
	}
	doc, rc, err := u.deps.Certificates.OpenDocument(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "certificate document", err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", doc.ContentType)
	h.Set("Content-Disposition", `attachment; filename="`+strings.NewReplacer(`"`, "", "\r", "", "\n", "", `\`, "").Replace(doc.Filename)+`"`)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=300")
	if _, err := io.Copy(w, io.LimitReader(rc, attachments.MaxBytes)); err != nil {
		u.logFailure(r.Context(), "certificate document", err)
	}
}
