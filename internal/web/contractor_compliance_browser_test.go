package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/testsupport/browser"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// ccDate is the London date offset days from today, as a form sends it and as the pages
// write it.
func ccDate(offset int) (iso, text string) {
	d := time.Now().In(ukcalendar.London).AddDate(0, 0, offset)
	return d.Format(time.DateOnly), d.Format("2 Jan 2006")
}

// workOrdersOf is how many work orders the organisation has (for the ticket, unless nil),
// as its ADMIN reads them through the API.
func workOrdersOf(t *testing.T, admin *testsupport.Client, ticketID uuid.UUID) int {
	t.Helper()
	path := "/api/v1/work-orders?limit=100"
	if ticketID != uuid.Nil {
		path += "&ticketId=" + ticketID.String()
	}
	var wos []workorders.WorkOrder
	admin.With(t).Get(path).Expect(http.StatusOK).Data(&wos)
	return len(wos)
}

// optionText is the text of the contractor option for id on the raise form.
func optionText(b *browser.Browser, id uuid.UUID) string {
	return browser.Eval[string](b, fmt.Sprintf("(document.querySelector('#contractor option[value=%q]') || {}).textContent || ''", id))
}

// A coordinator records a company's Gas Safe and NICEIC numbers (a bad number is refused
// beside its field, what was typed kept) and the pages say in words what is current, lapsed
// or missing; another organisation's company answers 404.
func TestBrowserContractorComplianceDetails(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Gas Pages", testsupport.EstateOptions{})
	other := app.NewEstate(t, "Other Gas Lets", testsupport.EstateOptions{Postcode: "LS2 7EY", Reference: "OGL-1"})
	lapsedOn, lapsedText := ccDate(-3)
	e.Admin.With(t).Post("/api/v1/contractors", map[string]any{"companyName": "Lapsed Cover Ltd", "email": "lapsed@example.com",
		"trades": []string{"GENERAL"}, "insuranceExpiresOn": lapsedOn, "gasSafeNumber": "654321", "gasSafeExpiresOn": lapsedOn}).Expect(http.StatusCreated)

	b := signIn(t, app, e.Coordinator, 1280)
	path := "/contractors/" + e.OtherContractorID.String()
	b.Open(path)
	if s := b.Text("#gas-safe-status"); !strings.Contains(s, "No Gas Safe registration") {
		t.Fatalf("a company without a number says %q", s)
	}
	if s := b.Text("#insurance-status"); !strings.Contains(s, "No insurance date on record") {
		t.Fatalf("a company without an insurance date says %q", s)
	}

	// Bad numbers are refused beside their fields, and what was typed is kept.
	b.Fill("#gasSafeNumber", "12345")
	b.Fill("#niceicNumber", "D1/2")
	b.Click("form[action='" + path + "'] button[type=submit]")
	b.WaitText("#gasSafeNumber-error", "Gas Safe Register number")
	if s := b.Text("#niceicNumber-error"); !strings.Contains(s, "NICEIC enrolment number") {
		t.Fatalf("the NICEIC error says %q", s)
	}
	if v := browser.Eval[string](b, "document.querySelector('#gasSafeNumber').value"); v != "12345" {
		t.Fatalf("the refused number was not kept: %q", v)
	}
	if inv := browser.Eval[string](b, "document.querySelector('#gasSafeNumber').getAttribute('aria-describedby') || ''"); inv != "gasSafeNumber-error" {
		t.Fatalf("the field does not point at its error: %q", inv)
	}

	// Good ones are saved (normalised) and the status says until when.
	expires, expiresText := ccDate(365)
	b.Fill("#gasSafeNumber", "123 456")
	b.Fill("#gasSafeExpiresOn", expires)
	b.Fill("#niceicNumber", "d12-3456")
	b.Click("form[action='" + path + "'] button[type=submit]")
	b.WaitText("#gas-safe-status", "Gas Safe registered until "+expiresText)
	if s := b.Text(".facts"); !strings.Contains(s, "Number 123456") || !strings.Contains(s, "D123456") {
		t.Fatalf("the saved numbers read %q", s)
	}
	if v := browser.Eval[string](b, "document.querySelector('#gasSafeExpiresOn').value"); v != expires {
		t.Fatalf("the edit form holds expiry %q", v)
	}

	// The list says it in words for each company.
	b.Open("/contractors")
	rows := b.Text("#contractor-rows")
	for _, want := range []string{"Gas Safe registered until " + expiresText, "No Gas Safe registration", "Gas Safe lapsed on " + lapsedText,
		"Insurance lapsed on " + lapsedText, "No insurance date on record"} {
		if !strings.Contains(rows, want) {
			t.Errorf("the list does not say %q: %q", want, rows)
		}
	}

	// Adding a company with a bad number keeps everything typed.
	b.Fill("#companyName", "Warm Homes Ltd")
	b.Fill("#email", "warm@example.com")
	b.Fill("#gasSafeNumber", "GS1234")
	b.Click("form[method=post][action='/contractors'] button[type=submit]")
	b.WaitText("#gasSafeNumber-error", "Gas Safe Register number")
	if v := browser.Eval[string](b, "document.querySelector('#companyName').value"); v != "Warm Homes Ltd" {
		t.Fatalf("the company name was not kept: %q", v)
	}

	// Another organisation's company is not found and shows nothing of it.
	if code := statusOf(b, "/contractors/"+other.OtherContractorID.String()); code != http.StatusNotFound {
		t.Fatalf("another organisation's company answered %d", code)
	}
	b.Open("/contractors/" + other.OtherContractorID.String())
	if s := b.Text("main"); strings.Contains(s, "Other Gas Lets") {
		t.Fatalf("another organisation's company shows: %q", s)
	}

	checkPage(t, b, app.Server.URL, path, "contractor-compliance")
}

// Raising work orders against the compliance checks: a coordinator is refused gas work for
// a company without Gas Safe (the reasons beside the contractor, no override offered), and
// any work for a company whose insurance lapsed; another organisation's company posted in
// the form creates nothing; an ADMIN overrides with a reason, which the ticket's history and
// the work order show; a company with no insurance date is sent with a warning.
func TestBrowserContractorComplianceRaise(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Gas Raise", testsupport.EstateOptions{})
	other := app.NewEstate(t, "Other Raise", testsupport.EstateOptions{Postcode: "LS2 7EY", Reference: "ORA-1"})
	lapsedOn, lapsedText := ccDate(-1)
	current, _ := ccDate(200)
	lapsed := e.Admin.With(t).Post("/api/v1/contractors", map[string]any{"companyName": "Lapsed Cover Ltd", "email": "lapsed@example.com",
		"trades": []string{"PLUMBING"}, "insuranceExpiresOn": lapsedOn}).Expect(http.StatusCreated).ID()
	// e.ContractorID has no Gas Safe number and no insurance date; this one is insured.
	e.Admin.With(t).Patch("/api/v1/contractors/"+e.ContractorID.String(), map[string]any{"insuranceExpiresOn": current}).Expect(http.StatusOK)
	boiler := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Boiler not firing", "description": "No heating since last night."})
	tap := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Dripping tap in the bathroom"})

	// A coordinator: gas work to a company without Gas Safe is refused, no override offered.
	b := signIn(t, app, e.Coordinator, 1280)
	boilerPath := "/tickets/" + boiler.ID.String()
	b.Open(boilerPath)
	if s := optionText(b, e.ContractorID); !strings.Contains(s, "no current Gas Safe registration") {
		t.Fatalf("the option for a company without Gas Safe says %q", s)
	}
	if n := browser.Eval[int](b, "document.querySelectorAll('#complianceOverride, #complianceReason').length"); n != 0 {
		t.Fatalf("a coordinator is offered the override (%d fields)", n)
	}
	b.Select("#contractor", e.ContractorID.String())
	b.Fill("#workDescription", "Service the boiler and check the flue.")
	b.Click("form[action$='/work-orders'] button[type=submit]")
	b.WaitText("#contractor-error", "Gas work needs a Gas Safe registered contractor")
	if s := b.Text("#contractor-error"); !strings.Contains(s, "an administrator may override") {
		t.Fatalf("the refusal says %q", s)
	}
	if v := browser.Eval[string](b, "document.querySelector('#workDescription').value"); v != "Service the boiler and check the flue." {
		t.Fatalf("the description was not kept: %q", v)
	}
	if v := browser.Eval[string](b, "document.querySelector('#contractor').value"); v != e.ContractorID.String() {
		t.Fatalf("the chosen contractor was not kept: %q", v)
	}
	if n := browser.Eval[int](b, "document.querySelectorAll('#complianceOverride').length"); n != 0 {
		t.Fatal("the refusal offers a coordinator the override")
	}
	// A coordinator's forged override is refused too, with a clear message.
	browser.Eval[bool](b, `(() => { const f = document.querySelector("form[action$='/work-orders']");
		f.insertAdjacentHTML('beforeend', '<input type="hidden" name="override" value="on"><input type="hidden" name="overrideReason" value="forged">'); return true })()`)
	b.Click("form[action$='/work-orders'] button[type=submit]")
	b.WaitText("#work-orders", "Only an administrator may override the compliance checks.")
	if n := workOrdersOf(t, e.Admin, boiler.ID); n != 0 {
		t.Fatalf("refused raises made %d work orders", n)
	}

	// Lapsed insurance refuses any work.
	tapPath := "/tickets/" + tap.ID.String()
	b.Open(tapPath)
	if s := optionText(b, lapsed); !strings.Contains(s, "insurance lapsed on "+lapsedText) {
		t.Fatalf("the option for a lapsed company says %q", s)
	}
	if s := optionText(b, e.ContractorID); strings.Contains(s, "Gas Safe") {
		t.Fatalf("a job that is not gas work mentions Gas Safe: %q", s)
	}
	b.Select("#contractor", lapsed.String())
	b.Fill("#workDescription", "Replace the tap washer.")
	b.Click("form[action$='/work-orders'] button[type=submit]")
	b.WaitText("#contractor-error", "insurance lapsed on "+lapsedOn)

	// Another organisation's company, posted in the form, is refused and creates nothing.
	browser.Eval[bool](b, fmt.Sprintf(`(() => { const s = document.querySelector('#contractor'); s.add(new Option('Elsewhere', %q, true, true)); return true })()`, other.ContractorID))
	b.Fill("#workDescription", "Replace the tap washer.")
	b.Click("form[action$='/work-orders'] button[type=submit]")
	b.WaitText("#contractor-error", "No such contractor in this organisation")
	if n := workOrdersOf(t, e.Admin, tap.ID); n != 0 {
		t.Fatalf("refused raises made %d work orders", n)
	}
	if n := workOrdersOf(t, other.Admin, uuid.Nil); n != 0 { // nothing in the other organisation either
		t.Fatalf("the other organisation has %d work orders", n)
	}
	if code := statusOf(b, "/tickets/"+testsupport.CreateTicket(t, other.Tenant, map[string]any{"unitId": other.UnitID, "title": "Elsewhere boiler"}).ID.String()); code != http.StatusNotFound {
		t.Fatalf("another organisation's ticket answered %d", code)
	}

	// An ADMIN overrides: without a reason it is refused beside the reason field.
	a := signIn(t, app, e.Admin, 1280)
	a.Open(boilerPath)
	a.Select("#contractor", e.ContractorID.String())
	a.Fill("#workDescription", "Service the boiler and check the flue.")
	a.Check("#complianceOverride")
	a.Click("form[action$='/work-orders'] button[type=submit]")
	a.WaitText("#complianceReason-error", "Required with override")
	if !browser.Eval[bool](a, "document.querySelector('#complianceOverride').checked") {
		t.Fatal("the override tick was not kept")
	}
	reason := "Only engineer free tonight; registration renewal seen by phone"
	a.Fill("#complianceReason", reason)
	a.Click("form[action$='/work-orders'] button[type=submit]")
	a.WaitText("#work-orders ul", "Test Contractor")
	if p := a.Path(); strings.Contains(p, "raised=") {
		t.Fatalf("an insured company's raise warned: %s", p)
	}
	history := a.Text("#history-h + ol")
	if !strings.Contains(history, "Work order sent over the compliance checks by an administrator (gas work needs a Gas Safe registered contractor") ||
		!strings.Contains(history, "Reason: "+reason) {
		t.Fatalf("the history says %q", history)
	}
	a.Click("#work-orders ul a")
	a.WaitText("#wo-override", "Checks overridden")
	if s := a.Text("#wo-override"); !strings.Contains(s, reason) {
		t.Fatalf("the work order's override says %q", s)
	}

	// A company with no insurance date on record is sent, with a warning.
	testsupport.GasSafe(t, e.Admin, e.OtherContractorID)
	a.Open(boilerPath)
	a.Select("#contractor", e.OtherContractorID.String())
	if s := optionText(a, e.OtherContractorID); !strings.Contains(s, "no insurance date on record") || strings.Contains(s, "Gas Safe") {
		t.Fatalf("the option for a company without an insurance date says %q", s)
	}
	a.Fill("#workDescription", "Second opinion on the boiler.")
	a.Click("form[action$='/work-orders'] button[type=submit]")
	a.WaitText("main .notice", "no insurance expiry date on record")
	if n := workOrdersOf(t, e.Admin, boiler.ID); n != 2 {
		t.Fatalf("the boiler has %d work orders, want 2", n)
	}

	checkPage(t, a, app.Server.URL, boilerPath, "contractor-compliance-raise")
}
