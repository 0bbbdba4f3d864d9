package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/testsupport/browser"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// statusOf fetches path in the browser's session and answers its status.
func statusOf(b *browser.Browser, path string) int {
	return browser.Eval[int](b, fmt.Sprintf("fetch(%q, {redirect: 'manual'}).then(r => r.status)", path))
}

// A coordinator adds a property and a unit and makes the tenant its resident; adds a
// contractor company; is refused members and settings; and another organisation's
// property, unit and contractor answer 404 without showing them.
func TestBrowserEstateCoordinator(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Estate Pages", testsupport.EstateOptions{})
	other := app.NewEstate(t, "Other Lettings", testsupport.EstateOptions{Postcode: "LS2 7EY", Reference: "OTH-1"})

	b := signIn(t, app, e.Coordinator, 1280)
	checkPage(t, b, app.Server.URL, "/properties", "properties")
	if s := b.Text("#property-rows"); !strings.Contains(s, "Estate Pages House") || strings.Contains(s, "Other Lettings") {
		t.Fatalf("the property list says %q", s)
	}

	// A property, with its postcode tidied by the service.
	b.Fill("#name", "Canal Wharf")
	b.Fill("#addressLine1", "5 Canal Wharf")
	b.Fill("#town", "Leeds")
	b.Fill("#postcode", "ls11 5pz")
	b.Click("form[method=post][action='/properties'] button[type=submit]")
	if p := b.Path(); !strings.HasPrefix(p, "/properties/") {
		t.Fatalf("after adding a property at %s", p)
	}
	if h1, facts := b.Text("h1"), b.Text(".facts"); h1 != "Canal Wharf" || !strings.Contains(facts, "LS11 5PZ") {
		t.Fatalf("the new property shows %q, %q", h1, facts)
	}
	checkPage(t, b, app.Server.URL, b.Path(), "")

	// A unit with a reference that breaks the rule, then a good one.
	b.Fill("#label", "Flat 3")
	b.Fill("#reference", "-x")
	b.Click("form[action$='/units'] button[type=submit]")
	if msg := b.Text("#reference-error"); msg == "" {
		t.Fatal("a bad reference shows no error")
	}
	b.Fill("#reference", "cw-3")
	b.Fill("#bedrooms", "1")
	b.Click("form[action$='/units'] button[type=submit]")
	if p := b.Path(); !strings.HasPrefix(p, "/units/") {
		t.Fatalf("after adding a unit at %s", p)
	}
	if h1 := b.Text("h1"); !strings.Contains(h1, "Flat 3") || !strings.Contains(h1, "CW-3") {
		t.Fatalf("the unit is titled %q", h1)
	}
	if s := b.Text("#residents"); !strings.Contains(s, "Nobody lives here yet") {
		t.Fatalf("a new unit's residents: %q", s)
	}

	// The tenant moves in (from today, as the form suggests).
	b.Select("#userId", e.Tenant.UserID.String())
	b.Click("form[action$='/occupants'] button[type=submit]")
	b.WaitText("#residents table", e.Tenant.Email)
	if s := b.Text("#residents table"); !strings.Contains(s, "Living here") {
		t.Fatalf("the resident's row says %q", s)
	}
	if s := b.Text("[role=status]"); !strings.Contains(s, "resident is added") {
		t.Fatalf("no confirmation: %q", s)
	}
	checkPage(t, b, app.Server.URL, b.Path(), "")

	// Moving out before moving in is refused beside the field; a date ahead is kept.
	london := time.Now().In(ukcalendar.London)
	endField := "#residents form[action$='/end'] input[type=date]"
	b.Fill(endField, london.AddDate(0, 0, -1).Format(time.DateOnly))
	b.Click("#residents form[action$='/end'] button")
	if msg := b.Text("#residents .error"); msg == "" {
		t.Fatal("an end before the start shows no error")
	}
	moveOut := london.AddDate(0, 1, 0)
	b.Fill(endField, moveOut.Format(time.DateOnly))
	b.Click("#residents form[action$='/end'] button")
	b.WaitText("#residents table", moveOut.Format("2 Jan 2006"))

	// A contractor company.
	checkPage(t, b, app.Server.URL, "/contractors", "contractors")
	b.Fill("#companyName", "Wharf Plumbing Ltd")
	b.Check("#trade-PLUMBING")
	b.Fill("#email", "office@wharfplumbing.example.com")
	b.Fill("#insuranceExpiresOn", "2020-01-31")
	b.Click("form[method=post][action='/contractors'] button[type=submit]")
	if p := b.Path(); !strings.HasPrefix(p, "/contractors/") {
		t.Fatalf("after adding a contractor at %s", p)
	}
	if facts := b.Text(".facts"); !strings.Contains(facts, "Plumbing") || !strings.Contains(facts, "Insurance lapsed on 31 Jan 2020") || !strings.Contains(facts, "Active") {
		t.Fatalf("the new company shows %q", facts)
	}
	b.Click("form[action$='/active'] button")
	if facts := b.Text(".facts"); !strings.Contains(facts, "Deactivated") {
		t.Fatalf("after deactivating, the company shows %q", facts)
	}

	// Members and settings are for ADMINs.
	for _, path := range []string{"/settings", "/members"} {
		b.Open(path)
		if h1 := b.Text("h1"); h1 != "Not available" {
			t.Errorf("a coordinator opening %s sees %q", path, h1)
		}
		if code := statusOf(b, path); code != http.StatusForbidden {
			t.Errorf("a coordinator opening %s: status %d", path, code)
		}
	}

	// Another organisation's ids.
	for _, path := range []string{"/properties/" + other.PropertyID.String(), "/units/" + other.UnitID.String(), "/contractors/" + other.OtherContractorID.String()} {
		b.Open(path)
		if h1 := b.Text("h1"); h1 != "Not found" {
			t.Errorf("%s (another organisation's) shows %q", path, h1)
		}
		if s := b.Text("main"); strings.Contains(s, "Other Lettings") || strings.Contains(s, "OTH-1") {
			t.Errorf("%s shows the other organisation's: %q", path, s)
		}
		if code := statusOf(b, path); code != http.StatusNotFound {
			t.Errorf("%s (another organisation's): status %d", path, code)
		}
	}
}

// An ADMIN invites a member, changes a role (and is told the organisation must keep an
// ADMIN when stepping down alone), and sets the approval threshold in pounds.
func TestBrowserEstateAdmin(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Estate Admin", testsupport.EstateOptions{})

	b := signIn(t, app, e.Admin, 1280)
	checkPage(t, b, app.Server.URL, "/members", "members")

	// An invitation.
	b.Fill("#email", "new.coordinator@example.co.uk")
	b.Select("#role", "COORDINATOR")
	b.Click("form[action='/members'] button[type=submit]")
	b.WaitText("#invitations-h + *", "new.coordinator@example.co.uk")
	if s := b.Text("[role=status]"); !strings.Contains(s, "invitation is sent") {
		t.Fatalf("no confirmation: %q", s)
	}
	// A contractor needs a company: the refusal shows beside the field.
	b.Fill("#email", "sparky@example.co.uk")
	b.Select("#role", "CONTRACTOR")
	b.Click("form[action='/members'] button[type=submit]")
	if msg := b.Text("#contractorId-error"); !strings.Contains(msg, "required") {
		t.Fatalf("a contractor without a company: %q", msg)
	}

	// The only ADMIN may not step down.
	self := e.MemberID[e.Admin.UserID].String()
	b.Open("/members")
	b.Select("#role-"+self, "COORDINATOR")
	b.Click("#member-" + self + " form[action$='/role'] button")
	if msg := b.Text("#problem-" + self); !strings.Contains(msg, "at least one ADMIN") {
		t.Fatalf("stepping down as the last ADMIN: %q", msg)
	}

	// The coordinator becomes an ADMIN.
	coord := e.MemberID[e.Coordinator.UserID].String()
	b.Select("#role-"+coord, "ADMIN")
	b.Click("#member-" + coord + " form[action$='/role'] button")
	b.WaitText("[role=status]", "role is changed")
	if s := b.Text("#member-" + coord); !strings.Contains(s, "Admin") {
		t.Fatalf("the coordinator's row says %q", s)
	}

	// The approval threshold, in pounds.
	checkPage(t, b, app.Server.URL, "/settings", "settings")
	b.Fill("#approvalThreshold", "750.00")
	b.Click("form[action='/settings'] button[type=submit]")
	b.WaitText("[role=status]", "settings are saved")
	if v := browser.Eval[string](b, "document.getElementById('approvalThreshold').value"); v != "750.00" {
		t.Fatalf("the threshold shows %q after saving", v)
	}
	var st struct {
		ApprovalThresholdPence int64 `json:"approvalThresholdPence"`
	}
	e.Admin.Get("/api/v1/settings").Expect(http.StatusOK).Data(&st)
	if st.ApprovalThresholdPence != 75000 {
		t.Fatalf("stored threshold %d pence, want 75000", st.ApprovalThresholdPence)
	}
	b.Fill("#approvalThreshold", "7.505")
	b.Click("form[action='/settings'] button[type=submit]")
	if msg := b.Text("#approvalThreshold-error"); !strings.Contains(msg, "pounds") {
		t.Fatalf("an invalid amount says %q", msg)
	}
	if inv := browser.Eval[string](b, "document.getElementById('approvalThreshold').getAttribute('aria-invalid')"); inv != "true" {
		t.Fatalf("the invalid field is not marked: %q", inv)
	}
	e.Admin.Get("/api/v1/settings").Expect(http.StatusOK).Data(&st)
	if st.ApprovalThresholdPence != 75000 {
		t.Fatalf("an invalid amount changed the threshold to %d", st.ApprovalThresholdPence)
	}

	// The AI settings: a confidence out of range is refused beside its field; a good one kept.
	b.Fill("#autoApplyConfidence", "0.9")
	b.Check("#autoApply")
	b.Click("form[action='/settings/ai'] button[type=submit]")
	b.WaitText("[role=status]", "AI settings are saved")
	if v := browser.Eval[string](b, "document.getElementById('autoApplyConfidence').value"); v != "0.9" {
		t.Fatalf("the confidence shows %q after saving", v)
	}
	if on := browser.Eval[bool](b, "document.getElementById('autoApply').checked"); !on {
		t.Fatal("auto-apply is not kept")
	}

	// A webhook endpoint needs at least one event.
	b.Fill("#url", "https://hooks.example.com/maintainuk")
	b.Click("form[action='/settings/webhooks'] button[type=submit]")
	if msg := b.Text("#eventTypes-error"); !strings.Contains(msg, "at least one event") {
		t.Fatalf("an endpoint without events says %q", msg)
	}
	if v := browser.Eval[string](b, "document.getElementById('url').value"); v != "https://hooks.example.com/maintainuk" {
		t.Fatalf("the address entered is lost: %q", v)
	}
}
