package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/certificates"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// certDay is the London date days from today, as the API reads and writes it.
func certDay(days int) string {
	return certificates.Today(time.Now()).AddDate(0, 0, days).Format(time.DateOnly)
}

func certCreate(t *testing.T, c *testsupport.Client, propertyID uuid.UUID, body map[string]any) certificates.Certificate {
	t.Helper()
	var out certificates.Certificate
	c.With(t).Post("/api/v1/properties/"+propertyID.String()+"/certificates", body).Expect(http.StatusCreated).Data(&out)
	return out
}

func TestCertificatesCreateListAndRules(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Certs Lettings", testsupport.EstateOptions{})
	prop := e.PropertyID

	// A gas safety record 30 days old: expiry a year on, tenant copy due after 28 days and
	// now overdue; the same for a coordinator.
	issued := certificates.Today(time.Now()).AddDate(0, 0, -30)
	gas := certCreate(t, e.Coordinator, prop, map[string]any{"kind": "GAS_SAFETY", "issuedOn": issued.Format(time.DateOnly),
		"reference": "CP12-1", "contractorName": "Aire Gas Ltd"})
	if gas.ExpiresOn == nil || *gas.ExpiresOn != certificates.AddMonths(issued, 12).Format(time.DateOnly) || gas.State != "VALID" {
		t.Fatalf("gas %+v", gas)
	}
	if !gas.TenantCopyOverdue || gas.TenantCopyDueOn == nil || *gas.TenantCopyDueOn != issued.AddDate(0, 0, 28).Format(time.DateOnly) {
		t.Fatalf("tenant copy %+v", gas)
	}
	// Recording the copy clears the overdue flag.
	var patched certificates.Certificate
	e.Admin.With(t).Patch("/api/v1/certificates/"+gas.ID.String(), map[string]any{"tenantCopySentOn": certDay(-1), "reference": "CP12-1A"}).
		Expect(http.StatusOK).Data(&patched)
	if patched.TenantCopyOverdue || patched.TenantCopySentOn == nil || patched.Reference != "CP12-1A" {
		t.Fatalf("patched %+v", patched)
	}

	// An EPC with its printed expiry, 40 days away: EXPIRING.
	epc := certCreate(t, e.Admin, prop, map[string]any{"kind": "EPC", "issuedOn": certDay(-3600), "expiresOn": certDay(40), "rating": "c"})
	if epc.Rating == nil || *epc.Rating != "C" || epc.State != "EXPIRING" || *epc.ExpiresOn != certDay(40) {
		t.Fatalf("epc %+v", epc)
	}
	// An EICR over 5 years old: EXPIRED.
	eicr := certCreate(t, e.Admin, prop, map[string]any{"kind": "EICR", "issuedOn": certificates.AddMonths(certificates.Today(time.Now()), -61).Format(time.DateOnly)})
	if eicr.State != "EXPIRED" {
		t.Fatalf("eicr %+v", eicr)
	}

	var got certificates.Certificate
	e.Admin.With(t).Get("/api/v1/certificates/" + epc.ID.String()).Expect(http.StatusOK).Data(&got)
	if got.ID != epc.ID || got.Kind != "EPC" {
		t.Fatalf("get %+v", got)
	}
	var list []certificates.Certificate
	e.Admin.With(t).Get("/api/v1/properties/" + prop.String() + "/certificates?limit=2").Expect(http.StatusOK).Data(&list)
	if len(list) != 2 || list[0].ID != eicr.ID || list[1].ID != epc.ID {
		t.Fatalf("list %+v", list)
	}

	// The compliance view: smoke alarms MISSING at the estate's property; a second
	// property with nothing at all.
	other := e.Admin.With(t).Post("/api/v1/properties", map[string]any{"addressLine1": "2 Park Row", "town": "Leeds", "postcode": "LS1 5AB"}).
		Expect(http.StatusCreated).ID()
	var view []certificates.PropertyCompliance
	e.Admin.With(t).Get("/api/v1/compliance/certificates").Expect(http.StatusOK).Data(&view)
	if len(view) != 2 || view[0].PropertyID != other || view[1].PropertyID != prop {
		t.Fatalf("view %+v", view)
	}
	states := map[string]string{}
	for _, k := range view[1].Kinds {
		states[k.Kind] = k.State
	}
	want := map[string]string{"GAS_SAFETY": "VALID", "EPC": "EXPIRING", "EICR": "EXPIRED", "SMOKE_CO_ALARMS": "MISSING"}
	if len(states) != 4 || states["GAS_SAFETY"] != want["GAS_SAFETY"] || states["EPC"] != want["EPC"] || states["EICR"] != want["EICR"] ||
		states["SMOKE_CO_ALARMS"] != want["SMOKE_CO_ALARMS"] || view[1].Compliant {
		t.Fatalf("states %v", states)
	}
	for _, k := range view[0].Kinds {
		if k.State != "MISSING" || k.CertificateID != nil {
			t.Fatalf("empty property %+v", view[0])
		}
	}
	// Filtered: EXPIRING finds only the EPC; then the alarms are checked and MISSING
	// names only the other property.
	e.Admin.With(t).Get("/api/v1/compliance/certificates?state=EXPIRING").Expect(http.StatusOK).Data(&view)
	if len(view) != 1 || len(view[0].Kinds) != 1 || view[0].Kinds[0].Kind != "EPC" || *view[0].Kinds[0].ExpiresOn != certDay(40) {
		t.Fatalf("expiring %+v", view)
	}
	smoke := certCreate(t, e.Admin, prop, map[string]any{"kind": "SMOKE_CO_ALARMS", "issuedOn": certDay(0)})
	if smoke.ExpiresOn != nil || smoke.State != "VALID" || smoke.TenantCopyDueOn != nil {
		t.Fatalf("smoke %+v", smoke)
	}
	e.Admin.With(t).Get("/api/v1/compliance/certificates?state=MISSING").Expect(http.StatusOK).Data(&view)
	if len(view) != 1 || view[0].PropertyID != other || len(view[0].Kinds) != 4 {
		t.Fatalf("missing %+v", view)
	}
	// Paged: one property a page.
	r := e.Admin.With(t).Get("/api/v1/compliance/certificates?limit=1").Expect(http.StatusOK)
	var env struct {
		Meta struct {
			NextCursor string `json:"nextCursor"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil || env.Meta.NextCursor == "" {
		t.Fatalf("page 1: %v %s", err, r.Body)
	}
	if r.Data(&view); len(view) != 1 || view[0].PropertyID != other {
		t.Fatalf("page 1 %+v", view)
	}
	e.Admin.With(t).Get("/api/v1/compliance/certificates?limit=1&cursor=" + env.Meta.NextCursor).Expect(http.StatusOK).Data(&view)
	if len(view) != 1 || view[0].PropertyID != prop {
		t.Fatalf("page 2 %+v", view)
	}

	// Residents and contractors see none of it.
	e.Tenant.With(t).Get("/api/v1/compliance/certificates").ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	e.Contractor.With(t).Get("/api/v1/certificates/"+gas.ID.String()).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
}

func TestCertificatesGasSafetyKeepsItsDateWhenRenewedEarly(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Early Gas", testsupport.EstateOptions{})
	today := certificates.Today(time.Now())
	// Last year's record expires in 30 days; a check today (11 months on) keeps that date.
	first := certCreate(t, e.Admin, e.PropertyID, map[string]any{"kind": "GAS_SAFETY", "issuedOn": certificates.AddMonths(today.AddDate(0, 0, 30), -12).Format(time.DateOnly)})
	renewed := certCreate(t, e.Admin, e.PropertyID, map[string]any{"kind": "GAS_SAFETY", "issuedOn": today.Format(time.DateOnly)})
	prev, _ := time.Parse(time.DateOnly, *first.ExpiresOn)
	if *renewed.ExpiresOn != certificates.AddMonths(prev, 12).Format(time.DateOnly) {
		t.Fatalf("renewed expires %s, previous %s", *renewed.ExpiresOn, *first.ExpiresOn)
	}
}

func TestCertificatesValidation(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Strict Lets", testsupport.EstateOptions{})
	path := "/api/v1/properties/" + e.PropertyID.String() + "/certificates"
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"issued in the future", map[string]any{"kind": "EICR", "issuedOn": certDay(2)}, "issuedOn"},
		{"not a date", map[string]any{"kind": "EICR", "issuedOn": "2026-02-30"}, "issuedOn"},
		{"expiry before issue", map[string]any{"kind": "EICR", "issuedOn": certDay(-10), "expiresOn": certDay(-20)}, "expiresOn"},
		{"alarm checks do not expire", map[string]any{"kind": "SMOKE_CO_ALARMS", "issuedOn": certDay(-1), "expiresOn": certDay(300)}, "expiresOn"},
		{"an EPC needs its rating", map[string]any{"kind": "EPC", "issuedOn": certDay(-1)}, "rating"},
		{"ratings run A to G", map[string]any{"kind": "EPC", "issuedOn": certDay(-1), "rating": "H"}, "rating"},
		{"only an EPC has a rating", map[string]any{"kind": "GAS_SAFETY", "issuedOn": certDay(-1), "rating": "B"}, "rating"},
		{"copy before the check", map[string]any{"kind": "GAS_SAFETY", "issuedOn": certDay(-1), "tenantCopySentOn": certDay(-5)}, "tenantCopySentOn"},
		{"copy in the future", map[string]any{"kind": "GAS_SAFETY", "issuedOn": certDay(-1), "tenantCopySentOn": certDay(3)}, "tenantCopySentOn"},
		{"contractor name with a control character", map[string]any{"kind": "EICR", "issuedOn": certDay(-1), "contractorName": "Bad\u0007Name"}, "contractorName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.Admin.With(t).Post(path, tc.body).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
		})
	}
	t.Run("unknown kind", func(t *testing.T) {
		e.Admin.With(t).Post(path, map[string]any{"kind": "FIRE", "issuedOn": certDay(-1)}).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid)
	})
	t.Run("patch", func(t *testing.T) {
		c := certCreate(t, e.Admin, e.PropertyID, map[string]any{"kind": "GAS_SAFETY", "issuedOn": certDay(-3)})
		e.Admin.With(t).Patch("/api/v1/certificates/"+c.ID.String(), map[string]any{"tenantCopySentOn": certDay(-4)}).
			ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "tenantCopySentOn")
	})
	t.Run("unknown state", func(t *testing.T) {
		e.Admin.With(t).Get("/api/v1/compliance/certificates?state=LAPSED").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid)
	})
}

func TestCertificateDocument(t *testing.T) {
	app, dataDir := atNewApp(t, nil)
	e := app.NewEstate(t, "Paper Trail", testsupport.EstateOptions{})
	c := certCreate(t, e.Admin, e.PropertyID, map[string]any{"kind": "EICR", "issuedOn": certDay(-1)})
	put := func(cl *testsupport.Client, id uuid.UUID, name string, data []byte) *testsupport.Response {
		body, ct := atForm(t, nil, atPart{field: "file", filename: name, contentType: "application/pdf", data: data})
		return cl.With(t).Do(http.MethodPut, "/api/v1/certificates/"+id.String()+"/document", body, "Content-Type", ct)
	}
	// None yet.
	e.Admin.With(t).Get("/api/v1/certificates/"+c.ID.String()+"/document").ExpectFailure(http.StatusNotFound, apperr.NotFound)
	// Not a PDF nor a photo, whatever it claims: refused, nothing stored.
	put(e.Admin, c.ID, "report.pdf", []byte("MZ\x90\x00 not a pdf at all")).ExpectFailure(http.StatusUnsupportedMediaType, apperr.UnsupportedType)
	if s := atStored(t, dataDir); len(s) != 0 {
		t.Fatalf("stored %v", s)
	}
	pdf := atPDF("eicr")
	var got certificates.Certificate
	put(e.Coordinator, c.ID, "../../etc/EICR 2026.pdf", pdf).Expect(http.StatusOK).Data(&got)
	if got.Document == nil || got.Document.ContentType != "application/pdf" || got.Document.SizeBytes != int64(len(pdf)) {
		t.Fatalf("document %+v", got.Document)
	}
	r := e.Admin.With(t).Get("/api/v1/certificates/" + c.ID.String() + "/document").Expect(http.StatusOK)
	if !bytes.Equal(r.Body, pdf) || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download %q, %d bytes", r.Header.Get("Content-Type"), len(r.Body))
	}
	if s := atStored(t, dataDir); len(s) != 1 || s[0] != e.OrgID.String()+"/"+atSum(pdf)[:2]+"/"+atSum(pdf) {
		t.Fatalf("stored %v", s)
	}
	// Too large.
	put(e.Admin, c.ID, "big.jpg", atJPEG("big", 10<<20+1)).ExpectFailure(http.StatusRequestEntityTooLarge, apperr.TooLarge)
	// Only staff.
	put(e.Tenant, c.ID, "x.pdf", atPDF("tenant")).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
}

func TestCertificatesCrossTenant(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	a := app.NewEstate(t, "Alpha Certs", testsupport.EstateOptions{})
	b := app.NewEstate(t, "Bravo Certs", testsupport.EstateOptions{})
	bc := certCreate(t, b.Admin, b.PropertyID, map[string]any{"kind": "EICR", "issuedOn": certDay(-1)})
	body, ct := atForm(t, nil, atPart{field: "file", filename: "b.pdf", data: atPDF("bravo")})
	b.Admin.With(t).Do(http.MethodPut, "/api/v1/certificates/"+bc.ID.String()+"/document", body, "Content-Type", ct).Expect(http.StatusOK)

	for _, c := range []*testsupport.Client{a.Admin, a.Coordinator} {
		c.With(t).Post("/api/v1/properties/"+b.PropertyID.String()+"/certificates", map[string]any{"kind": "EICR", "issuedOn": certDay(-1)}).
			ExpectFailure(http.StatusNotFound, apperr.NotFound)
		c.With(t).Get("/api/v1/properties/"+b.PropertyID.String()+"/certificates").ExpectFailure(http.StatusNotFound, apperr.NotFound)
		c.With(t).Get("/api/v1/certificates/"+bc.ID.String()).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		c.With(t).Patch("/api/v1/certificates/"+bc.ID.String(), map[string]any{"reference": "mine"}).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		c.With(t).Get("/api/v1/certificates/"+bc.ID.String()+"/document").ExpectFailure(http.StatusNotFound, apperr.NotFound)
		body, ct := atForm(t, nil, atPart{field: "file", filename: "a.pdf", data: atPDF("alpha")})
		c.With(t).Do(http.MethodPut, "/api/v1/certificates/"+bc.ID.String()+"/document", body, "Content-Type", ct).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	}
	// Alpha's compliance view lists only Alpha's property.
	var view []certificates.PropertyCompliance
	a.Admin.With(t).Get("/api/v1/compliance/certificates").Expect(http.StatusOK).Data(&view)
	if len(view) != 1 || view[0].PropertyID != a.PropertyID {
		t.Fatalf("view %+v", view)
	}
}
