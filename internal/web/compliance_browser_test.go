package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/certificates"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/testsupport/browser"
)

// smallPDF is a minimal PDF, enough for the type to be read from its content.
const smallPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

// A coordinator records a gas safety record with its document and sees its expiry; a
// check 11 months later keeps the old expiry plus 12 months (and says so); refusals show
// beside their fields with what was entered kept; the tenant's copy is recorded; the
// document downloads; and the compliance view counts and filters the portfolio, showing a
// property without certificates as missing.
func TestBrowserComplianceCertificates(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Compliance Pages", testsupport.EstateOptions{})
	bare := e.Admin.Post("/api/v1/properties", map[string]any{
		"name": "Bare Cottage", "addressLine1": "2 Moor Lane", "town": "Leeds", "postcode": "LS6 2AA",
	}).Expect(http.StatusCreated).ID()

	today := certificates.Today(time.Now())
	first := certificates.AddMonths(today, -13)
	second := certificates.AddMonths(first, 11)
	firstExpiry := certificates.AddMonths(first, 12)
	kept := certificates.AddMonths(firstExpiry, 12)
	show := func(d time.Time) string { return d.Format("2 Jan 2006") }

	b := signIn(t, app, e.Coordinator, 1280)

	// From the property page to its certificates.
	b.Open("/properties/" + e.PropertyID.String())
	b.Click("a[href$='/certificates']")
	certsPath := "/properties/" + e.PropertyID.String() + "/certificates"
	if p := b.Path(); p != certsPath {
		t.Fatalf("the property's certificates link went to %s", p)
	}
	if s := b.Text("#certificates"); !strings.Contains(s, "No certificates recorded yet") {
		t.Fatalf("a property without certificates shows %q", s)
	}

	// The first gas safety record, with its document.
	pdf := filepath.Join(t.TempDir(), "cp12-2025.pdf")
	if err := os.WriteFile(pdf, []byte(smallPDF), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Select("#kind", certificates.GasSafety)
	b.Fill("#issuedOn", first.Format(time.DateOnly))
	b.Fill("#reference", "CP12-0001")
	b.Upload("#document", pdf)
	b.Click("form[enctype] button[type=submit]")
	b.WaitText("[role=status]", "gas safety record is recorded")
	if s := b.Text("[role=status]"); !strings.Contains(s, "expires on "+show(firstExpiry)) || !strings.Contains(s, "cp12-2025.pdf") {
		t.Fatalf("after the first record the notice says %q", s)
	}
	if s := b.Text("#certificates table"); !strings.Contains(s, show(firstExpiry)) || !strings.Contains(s, "Lapsed") || !strings.Contains(s, "cp12-2025.pdf") {
		t.Fatalf("the first record is listed as %q", s)
	}

	// The document downloads, as an attachment.
	href := browser.Eval[string](b, "document.querySelector('#certificates a[href$=\"/document\"]').getAttribute('href')")
	got := browser.Eval[string](b, fmt.Sprintf(`fetch(%q).then(async r => r.status + ' ' + r.headers.get('content-type') + ' ' + r.headers.get('content-disposition') + ' ' + (await r.text()).slice(0, 8))`, href))
	if want := `200 application/pdf attachment; filename="cp12-2025.pdf" %PDF-1.4`; got != want {
		t.Fatalf("the document at %s answers %q, want %q", href, got, want)
	}

	// A field error: an expiry before the check. What was entered stays.
	b.Select("#kind", certificates.GasSafety)
	b.Fill("#issuedOn", second.Format(time.DateOnly))
	b.Fill("#expiresOn", first.Format(time.DateOnly))
	b.Fill("#contractorName", "A. Fitter, Gas Safe 1234567")
	b.Click("form[enctype] button[type=submit]")
	if msg := b.Text("#expiresOn-error"); !strings.Contains(msg, "after the issue date") {
		t.Fatalf("an expiry before the check says %q", msg)
	}
	if v := browser.Eval[string](b, "document.getElementById('issuedOn').value + '|' + document.getElementById('kind').value + '|' + document.getElementById('contractorName').value"); v != second.Format(time.DateOnly)+"|GAS_SAFETY|A. Fitter, Gas Safe 1234567" {
		t.Fatalf("the form kept %q", v)
	}
	if inv := browser.Eval[string](b, "document.getElementById('expiresOn').getAttribute('aria-invalid')"); inv != "true" {
		t.Fatalf("the refused field is not marked: %q", inv)
	}
	// An EPC needs its rating.
	b.Select("#kind", certificates.EPC)
	b.Fill("#issuedOn", today.Format(time.DateOnly))
	browser.Eval[string](b, "document.getElementById('expiresOn').value = ''")
	b.Click("form[enctype] button[type=submit]")
	if msg := b.Text("#rating-error"); !strings.Contains(msg, "energy rating") {
		t.Fatalf("an EPC without a rating says %q", msg)
	}

	// A file that is not a PDF or photo is refused before anything is recorded.
	txt := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(txt, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Select("#kind", certificates.EICR)
	b.Fill("#issuedOn", today.Format(time.DateOnly))
	b.Upload("#document", txt)
	b.Click("form[enctype] button[type=submit]")
	if msg := b.Text("#document-error"); !strings.Contains(msg, "PDF") {
		t.Fatalf("a text file says %q", msg)
	}
	if s := b.Text("#certificates table"); strings.Contains(s, "EICR") {
		t.Fatalf("a refused file still recorded the certificate: %q", s)
	}

	// The check 11 months after the first keeps the first's expiry plus 12 months.
	b.Open(certsPath)
	b.Select("#kind", certificates.GasSafety)
	b.Fill("#issuedOn", second.Format(time.DateOnly))
	b.Click("form[enctype] button[type=submit]")
	b.WaitText("[role=status]", "10–12 month rule")
	if s := b.Text("[role=status]"); !strings.Contains(s, "expires on "+show(kept)) {
		t.Fatalf("after the second record the notice says %q", s)
	}
	if s := b.Text("#now-h + .facts"); !strings.Contains(s, "Current") || !strings.Contains(s, show(kept)) {
		t.Fatalf("the property's gas safety now shows %q", s)
	}
	row := b.Text("#certificates tbody tr:first-child")
	if !strings.Contains(row, show(kept)) || !strings.Contains(row, "Not sent: due by "+show(second.AddDate(0, 0, 28))) {
		t.Fatalf("the second record's row says %q", row)
	}

	// The tenant's copy: a date before the check is refused beside it, then one is kept.
	field := "#certificates tbody tr:first-child input[name=tenantCopySentOn]"
	b.Fill(field, second.AddDate(0, 0, -3).Format(time.DateOnly))
	b.Click("#certificates tbody tr:first-child form button")
	if msg := b.Text("#certificates .error"); !strings.Contains(msg, "before the issue date") {
		t.Fatalf("a copy sent in the future says %q", msg)
	}
	sent := second.AddDate(0, 0, 5)
	b.Fill(field, sent.Format(time.DateOnly))
	b.Click("#certificates tbody tr:first-child form button")
	b.WaitText("[role=status]", "tenant's copy as sent on "+show(sent))
	if row := b.Text("#certificates tbody tr:first-child"); !strings.Contains(row, "Sent "+show(sent)) {
		t.Fatalf("after recording the copy the row says %q", row)
	}
	checkPage(t, b, app.Server.URL, certsPath, "property-certificates")

	// The compliance view: counts, the bare property missing everything, filters.
	checkPage(t, b, app.Server.URL, "/compliance", "compliance")
	if s := b.Text(".cards"); !strings.Contains(s, "0 of 2") || !strings.Contains(s, "7\nmissing") && !strings.Contains(s, "7 missing") {
		t.Fatalf("the counts say %q", s)
	}
	rows := b.Text("#compliance-rows")
	if !strings.Contains(rows, "Bare Cottage") || !strings.Contains(rows, "Compliance Pages House") || !strings.Contains(rows, "expires "+show(kept)) {
		t.Fatalf("the compliance view says %q", rows)
	}
	if n := browser.Eval[int](b, "[...document.querySelectorAll('#compliance-rows tr')].filter(r => r.textContent.includes('Bare Cottage'))[0].querySelectorAll('.cert-lapsed').length"); n != 4 {
		t.Fatalf("the bare property shows %d kinds missing, want 4", n)
	}
	b.Select("#state", certificates.StateValid)
	b.Click("form[role=search] button[type=submit]")
	b.WaitText("#compliance-rows", "Compliance Pages House")
	if s := b.Text("#compliance-rows"); strings.Contains(s, "Bare Cottage") || !strings.Contains(s, "Current") {
		t.Fatalf("filtered to current, the view says %q", s)
	}
	if p := b.Path(); !strings.Contains(p, "state=VALID") {
		t.Fatalf("the filter is not in the address: %s", p)
	}
	// Without JavaScript's help the same filter is a plain GET.
	b.Open("/compliance?state=MISSING")
	if s := b.Text("#compliance-rows"); !strings.Contains(s, "Bare Cottage") || strings.Contains(s, "Current") {
		t.Fatalf("filtered to missing, the view says %q", s)
	}
	b.Click("#compliance-rows a[href='/properties/" + bare.String() + "/certificates']")
	if h1 := b.Text("h1"); !strings.Contains(h1, "Bare Cottage") {
		t.Fatalf("the bare property's link opens %q", h1)
	}
}

// Residents and contractors are refused the compliance pages; another organisation's
// property and certificate (and its document) answer 404 and show nothing of it.
func TestBrowserComplianceAccess(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Compliance Access", testsupport.EstateOptions{})
	other := app.NewEstate(t, "Rival Lettings", testsupport.EstateOptions{Postcode: "LS2 7EY", Reference: "RIV-1"})
	var cert certificates.Certificate
	other.Coordinator.Post(fmt.Sprintf("/api/v1/properties/%s/certificates", other.PropertyID), map[string]any{
		"kind": "GAS_SAFETY", "issuedOn": time.Now().AddDate(0, -1, 0).Format(time.DateOnly), "reference": "RIVAL-CP12",
	}).Expect(http.StatusCreated).Data(&cert)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", "rival.pdf")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write([]byte(smallPDF))
	_ = mw.Close()
	other.Coordinator.Do(http.MethodPut, fmt.Sprintf("/api/v1/certificates/%s/document", cert.ID), body.Bytes(),
		"Content-Type", mw.FormDataContentType()).Expect(http.StatusOK)

	for _, c := range []*testsupport.Client{e.Tenant, e.Contractor} {
		b := signIn(t, app, c, 360)
		for _, path := range []string{"/compliance", "/properties/" + e.PropertyID.String() + "/certificates"} {
			b.Open(path)
			if h1 := b.Text("h1"); h1 != "Not available" {
				t.Errorf("%s opening %s sees %q", c.Email, path, h1)
			}
			if code := statusOf(b, path); code != http.StatusForbidden {
				t.Errorf("%s opening %s: status %d", c.Email, path, code)
			}
		}
	}

	b := signIn(t, app, e.Coordinator, 360)
	checkPage(t, b, app.Server.URL, "/compliance", "")
	if s := b.Text("main"); strings.Contains(s, "Rival Lettings") {
		t.Fatalf("the compliance view shows the other organisation's: %q", s)
	}
	for _, path := range []string{"/properties/" + other.PropertyID.String() + "/certificates", "/certificates/" + cert.ID.String() + "/document"} {
		b.Open(path)
		if h1 := b.Text("h1"); h1 != "Not found" {
			t.Errorf("%s (another organisation's) shows %q", path, h1)
		}
		if s := b.Text("main"); strings.Contains(s, "Rival") || strings.Contains(s, "RIVAL") || strings.Contains(s, "%PDF") {
			t.Errorf("%s shows the other organisation's: %q", path, s)
		}
		if code := statusOf(b, path); code != http.StatusNotFound {
			t.Errorf("%s (another organisation's): status %d", path, code)
		}
	}
	// Nor may its tenant-copy date be set, nor a certificate recorded at its property.
	post := func(path string, fields string) int {
		return browser.Eval[int](b, fmt.Sprintf(`(() => { const f = new FormData(); %s
			return fetch(%q, {method: 'POST', body: f, redirect: 'manual', headers: {'X-CSRF-Token': JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']}}).then(r => r.status) })()`, fields, path))
	}
	if code := post("/certificates/"+cert.ID.String()+"/tenant-copy", `f.append('tenantCopySentOn', '`+time.Now().Format(time.DateOnly)+`');`); code != http.StatusNotFound {
		t.Errorf("setting another organisation's tenant copy: status %d", code)
	}
	if code := post("/properties/"+other.PropertyID.String()+"/certificates", `f.append('kind', 'EICR'); f.append('issuedOn', '`+time.Now().AddDate(0, 0, -1).Format(time.DateOnly)+`');`); code != http.StatusNotFound {
		t.Errorf("recording a certificate at another organisation's property: status %d", code)
	}
	var got certificates.Certificate
	other.Coordinator.Get("/api/v1/certificates/" + cert.ID.String()).Expect(http.StatusOK).Data(&got)
	if got.TenantCopySentOn != nil {
		t.Fatalf("another organisation's certificate changed: %+v", got)
	}
	items := testsupport.All[certificates.Certificate](t, other.Coordinator, fmt.Sprintf("/api/v1/properties/%s/certificates", other.PropertyID))
	if len(items) != 1 {
		t.Fatalf("the other organisation's property has %d certificates, want 1", len(items))
	}
}
