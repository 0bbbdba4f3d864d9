package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/testsupport/browser"
)

// tinyPNG is a 1×1 PNG: enough for a photo upload.
var tinyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x0bIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82")

// What a coordinator does on a ticket, in the browser: the AI's triage accepted, a
// classification of their own, a summary, a drafted message sent by email, a text that
// waits for consent, a contractor sent, a photo added and the status moved on.
func TestBrowserTicketActions(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Ticket Actions", testsupport.EstateOptions{})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Smell of gas in the kitchen",
		"description": "Strong gas smell near the boiler since this morning."})
	testsupport.GasSafe(t, e.Admin, e.ContractorID, e.OtherContractorID) // gas work needs a Gas Safe registration
	b := signIn(t, app, e.Coordinator, 1280)
	path := "/tickets/" + tk.ID.String()
	b.Open(path)

	// The AI's triage: classify (the builtin engine answers at once), then accept.
	b.Click("form[action$='/ai/classify'] button")
	b.WaitText("#ai", "Suggested: Hvac")
	b.WaitText("#ai", "Emergency")
	b.Click("form[action$='/ai/accept'] button")
	b.WaitText("#ai", "Accepted")
	if s := b.Text(".facts"); !strings.Contains(s, "Emergency") || !strings.Contains(s, "Hvac") {
		t.Fatalf("after accepting, the ticket says %q", s)
	}
	// A summary of the story.
	b.Click("form[action$='/ai/summary'] button")
	b.WaitText("#ai", "Summary")

	// A drafted message, edited and sent by email: it becomes a comment the resident sees.
	b.Fill("#draftPurpose", "tell them an engineer is coming today")
	b.Click("form[action$='/ai/draft'] button")
	if drafted := b.Text("label[for=message]"); !strings.Contains(drafted, "Drafted by the AI") {
		t.Fatalf("the composer says %q", drafted)
	}
	b.Fill("#message", "An engineer will call today between 2pm and 4pm. Please keep the windows open.")
	b.Click("#composer button[type=submit]")
	b.WaitText("#comments", "An engineer will call today between 2pm and 4pm.")

	// A text to a number with no consent is kept, blocked, and says why.
	b.Click("#channel-sms")
	b.Fill("#to", "07400 123456")
	b.Fill("#message", "The engineer is on the way.")
	b.Click("#composer button[type=submit]")
	b.WaitText("#messages", "Blocked")

	// A contractor sent.
	company := strings.TrimSpace(strings.Split(browser.Eval[string](b, "document.querySelector('#contractor').selectedOptions[0].textContent"), "(")[0])
	b.Fill("#workDescription", "Make safe and check the boiler for a gas leak.")
	b.Click("form[action$='/work-orders'] button")
	b.WaitText("#work-orders ul", company)

	// A photo.
	photo := filepath.Join(t.TempDir(), "boiler.png")
	if err := os.WriteFile(photo, tinyPNG, 0o600); err != nil {
		t.Fatal(err)
	}
	b.Upload("#photo", photo)
	b.Click("form[action$='/photos'] button")
	b.WaitText("#files", "boiler.png")

	// A refused change says why, next to the field: cancelling needs a reason.
	b.Select("#statusTo", "CANCELLED")
	b.Click("form[action$='/status'] button")
	b.WaitText("#status .error", "required to cancel")

	checkPage(t, b, app.Server.URL, path, "ticket-staff")
}

// A resident reports a repair for their home from the signed-in pages and sees it in their
// repairs; a coordinator logs a phoned-in report for a unit with the caller's details; an
// empty title is refused next to the field.
func TestBrowserReportWhenSignedIn(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Signed In Reports", testsupport.EstateOptions{})
	b := signIn(t, app, e.Tenant, 360)
	if p := b.Path(); p != "/tickets" {
		t.Fatalf("a resident starts at %s", p)
	}
	checkPage(t, b, app.Server.URL, "/tickets/new", "resident-new-ticket")
	// Spaces pass the browser's own "required" and are refused by the service.
	b.Fill("#title", "   ")
	b.Fill("#description", "It drips all night.")
	b.Click("form[action='/tickets/new'] button[type=submit]")
	if msg := b.Text("#title-error"); msg == "" {
		t.Fatal("a blank title was not refused next to its field")
	}
	if kept := browser.Eval[string](b, "document.querySelector('#description').value"); kept != "It drips all night." {
		t.Fatalf("the form lost what was typed: %q", kept)
	}
	b.Fill("#title", "Dripping bathroom tap")
	b.Click("form[action='/tickets/new'] button[type=submit]")
	b.WaitText("h1", "Dripping bathroom tap")
	b.Open("/tickets")
	b.WaitText("#ticket-rows", "Dripping bathroom tap")
	checkPage(t, b, app.Server.URL, "/tickets", "resident-tickets")

	c := signIn(t, app, e.Coordinator, 1280)
	c.Open("/tickets/new")
	c.Fill("#title", "Front door will not lock")
	c.Fill("#name", "Priya Shah")
	c.Fill("#phone", "07400 123789")
	c.Check("#emergency")
	c.Click("form[action='/tickets/new'] button[type=submit]")
	c.WaitText("h1", "Front door will not lock")
	if s := c.Text(".facts"); !strings.Contains(s, "Priya Shah") || !strings.Contains(s, "Emergency") || !strings.Contains(s, "+447400123789") {
		t.Fatalf("the phoned-in report says %q", s)
	}
}

// Staff tag a ticket's HHSRS hazards from its page; the resident sees them named.
func TestBrowserHazardTags(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Hazard Pages", testsupport.EstateOptions{})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "No heating and mould"})
	b := signIn(t, app, e.Coordinator, 1280)
	path := "/tickets/" + tk.ID.String()
	b.Open(path)
	b.Click("#hazards summary")
	b.Check("#hazard-EXCESS_COLD")
	b.Check("#hazard-DAMP_MOULD")
	b.Click("#hazards form button[type=submit]")
	b.WaitText("#hazards", "Tagged: Damp and mould growth, Excess cold.")
	r := signIn(t, app, e.Tenant, 360)
	r.Open(path)
	r.WaitText("main", "Damp and mould growth, Excess cold")
}

// A social landlord's emergency shows Awaab's clock to staff and to the resident; staff
// record it made safe and the page says it was met.
func TestBrowserClocks(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Clock Pages", testsupport.EstateOptions{})
	e.Admin.With(t).Patch("/api/v1/settings", map[string]any{"landlord": "SOCIAL"}).Expect(200)
	tk := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Electrics sparking", "priority": "EMERGENCY"})
	path := "/tickets/" + tk.ID.String()
	r := signIn(t, app, e.Tenant, 360)
	r.Open(path)
	r.WaitText("#clocks", "Emergency hazard investigated and made safe")
	r.WaitText("#clocks", "due ")
	b := signIn(t, app, e.Coordinator, 1280)
	b.Open(path)
	b.Select("#milestone", "MADE_SAFE")
	b.Click("form[action$='/clocks'] input[value=milestone] ~ button")
	b.WaitText("#clocks", "met")
	checkPage(t, b, app.Server.URL, path, "")
}
