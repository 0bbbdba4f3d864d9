package web_test

import (
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/testsupport/browser"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// phoneWidth is the narrowest phone the contractor pages are drawn for.
const phoneWidth = 360

// noSideScroll fails when the page is wider than a 360 px phone (it would scroll sideways).
func noSideScroll(t *testing.T, b *browser.Browser, where string) {
	t.Helper()
	if w := browser.Eval[int](b, "document.documentElement.scrollWidth"); w > phoneWidth {
		t.Errorf("%s is %d px wide on a %d px phone: it scrolls sideways", where, w, phoneWidth)
	}
}

// status fetches path in the page (with its session) and answers the HTTP status.
func status(b *browser.Browser, path string) int {
	return browser.Eval[int](b, "fetch('"+path+"').then(r => r.status)")
}

// A contractor on a phone takes a job from assignment to invoice: accepts it, books a
// visit, quotes two lines (a mistyped price refused beside its field), starts once the
// letting team approves, uploads a photo, completes it and invoices. Nobody else's job,
// in this organisation or another, opens.
func TestBrowserContractorJob(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Contractor Portal", testsupport.EstateOptions{})
	tk := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Dripping kitchen tap",
		"priority": "URGENT", "description": "The cold tap drips all night."})
	wo := testsupport.RaiseWorkOrder(t, e.Coordinator, tk.ID, e.ContractorID)
	// Another contractor company's job in the same organisation.
	tk2 := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Flickering hall light"})
	theirs := testsupport.RaiseWorkOrder(t, e.Coordinator, tk2.ID, e.OtherContractorID)
	// Another organisation's job.
	far := app.NewEstate(t, "Far Away Lettings", testsupport.EstateOptions{Postcode: "M1 1AE"})
	ftk := testsupport.CreateTicket(t, far.Coordinator, map[string]any{"unitId": far.UnitID, "title": "Broken far window"})
	foreign := testsupport.RaiseWorkOrder(t, far.Coordinator, ftk.ID, far.ContractorID)

	b := signIn(t, app, e.Contractor, phoneWidth)
	if p := b.Path(); p != "/jobs" {
		t.Fatalf("a contractor signs in to %s, want /jobs", p)
	}
	checkPage(t, b, app.Server.URL, "/jobs", "contractor-jobs")
	noSideScroll(t, b, "/jobs")
	if s := b.Text("#jobs-new"); !strings.Contains(s, tk.Number) || !strings.Contains(s, "Dripping kitchen tap") ||
		!strings.Contains(s, "Urgent") || !strings.Contains(s, "Assigned") {
		t.Fatalf("new jobs say %q", s)
	}
	if s := b.Text("main"); strings.Contains(s, "Flickering hall light") || strings.Contains(s, "Broken far window") {
		t.Fatalf("the list shows someone else's job: %q", s)
	}

	b.Click("#jobs-new a.card")
	jobPath := "/jobs/" + wo.ID.String()
	if p := b.Path(); p != jobPath {
		t.Fatalf("the card opened %s, want %s", p, jobPath)
	}
	checkPage(t, b, app.Server.URL, jobPath, "contractor-job")
	noSideScroll(t, b, "a new job")
	if s := b.Text("main"); !strings.Contains(s, "The cold tap drips all night.") || !strings.Contains(s, "Please attend") {
		t.Fatalf("the job page says %q", s)
	}

	// Accept.
	b.Click("#accept")
	b.WaitText("[role=status]", "You accepted the job")
	if s := b.Text(".facts"); !strings.Contains(s, "Accepted") || !strings.Contains(s, "Not booked yet") {
		t.Fatalf("after accepting, the facts say %q", s)
	}

	// Book a visit for 09:30 a week ahead, London time.
	visit := time.Now().In(ukcalendar.London).AddDate(0, 0, 7)
	visit = time.Date(visit.Year(), visit.Month(), visit.Day(), 9, 30, 0, 0, ukcalendar.London)
	b.Fill("#scheduledFor", visit.Format("2006-01-02T15:04"))
	b.Click("#schedule")
	b.WaitText("[role=status]", "The visit is booked")
	if s, want := b.Text(".facts"), visit.Format("Mon 2 Jan 2006, 15:04"); !strings.Contains(s, want) || !strings.Contains(s, "Scheduled") {
		t.Fatalf("after booking, the facts say %q, want %q", s, want)
	}
	if got := testsupport.GetWorkOrder(t, e.Coordinator, wo.ID); got.ScheduledFor == nil || !got.ScheduledFor.Equal(visit) {
		t.Fatalf("booked for %v, want %v", got.ScheduledFor, visit.UTC())
	}
	b.Open("/jobs")
	if s := b.Text("#jobs-booked"); !strings.Contains(s, tk.Number) || !strings.Contains(s, "Booked for "+visit.Format("Mon 2 Jan 2006, 15:04")) {
		t.Fatalf("booked jobs say %q", s)
	}
	b.Open(jobPath)

	// A quote of two lines; a price that is not money is refused beside its field.
	b.Click("#quote-form summary")
	b.Fill("#quote-0-description", "Replace tap cartridge")
	b.Fill("#quote-0-price", "120.50")
	b.Fill("#quote-1-description", "Labour (hours)")
	b.Fill("#quote-1-quantity", "2")
	b.Fill("#quote-1-price", "forty five")
	b.Click("#send-quote")
	if s := b.Text("#quote-1-price-error"); !strings.Contains(s, "price in pounds") {
		t.Fatalf("the mistyped price says %q", s)
	}
	if v := browser.Eval[string](b, "document.querySelector('#quote-1-price').getAttribute('aria-invalid')"); v != "true" {
		t.Fatalf("the mistyped price is not marked invalid: %q", v)
	}
	if v := browser.Eval[string](b, "document.querySelector('#quote-0-description').value"); v != "Replace tap cartridge" {
		t.Fatalf("the form lost what was typed: %q", v)
	}
	noSideScroll(t, b, "the quote form with an error")
	b.Fill("#quote-1-price", "45")
	b.Click("#send-quote")
	b.WaitText("[role=status]", "Your quote is sent")
	// 120.50 + 2 × 45.00 = 210.50 net, 42.10 VAT at 20%.
	if s := b.Text("#quotes"); !strings.Contains(s, "£252.60") || !strings.Contains(s, "£42.10") || !strings.Contains(s, "Submitted") ||
		!strings.Contains(s, "Labour (hours)") {
		t.Fatalf("the quote shows %q", s)
	}

	// The letting team approves it.
	qs := testsupport.All[quotes.Quote](t, e.Coordinator, "/api/v1/quotes?workOrderId="+wo.ID.String())
	if len(qs) != 1 || qs[0].TotalPence != 25260 {
		t.Fatalf("quotes %+v", qs)
	}
	testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Coordinator, qs[0].ID, "approve"), http.StatusOK, nil)
	b.Open(jobPath)
	if s := b.Text("#quotes"); !strings.Contains(s, "Approved") {
		t.Fatalf("after approval the quote shows %q", s)
	}

	// Start.
	b.Click("#start")
	b.WaitText("[role=status]", "The job is started")
	if s := b.Text(".facts"); !strings.Contains(s, "In progress") {
		t.Fatalf("after starting, the facts say %q", s)
	}

	// A photo from the phone's camera.
	photo := filepath.Join(t.TempDir(), "tap.png")
	writePNG(t, photo)
	b.Upload("#photo", photo)
	b.Click("#upload")
	b.WaitText("[role=status]", "The photo is uploaded")
	if n := browser.Eval[int](b, "document.querySelectorAll('#photos img').length"); n != 1 {
		t.Fatalf("%d photos shown, want 1", n)
	}
	src := browser.Eval[string](b, "document.querySelector('#photos img').getAttribute('src')")
	if got := browser.Eval[string](b, "fetch('"+src+"').then(r => r.status + ' ' + r.headers.get('content-type'))"); got != "200 image/png" {
		t.Fatalf("the photo at %s answers %q", src, got)
	}

	// Complete.
	b.Fill("#notes", "Replaced the cartridge; no more drips.")
	b.Click("#complete")
	b.WaitText("[role=status]", "The job is complete")
	if s := b.Text("#next"); !strings.Contains(s, "Replaced the cartridge") {
		t.Fatalf("after completing, the next step says %q", s)
	}
	if got := testsupport.GetWorkOrder(t, e.Coordinator, wo.ID); got.Status != workorders.Completed {
		t.Fatalf("the work order is %s", got.Status)
	}

	// Invoice, as quoted: the form starts with the approved quote's lines.
	if v := browser.Eval[string](b, "document.querySelector('#invoice-1-description').value + ' ' + document.querySelector('#invoice-1-quantity').value + ' ' + document.querySelector('#invoice-1-price').value"); v != "Labour (hours) 2 45.00" {
		t.Fatalf("the invoice's second line starts as %q", v)
	}
	b.Fill("#invoice-reference", "INV-1042")
	b.Fill("#invoice-0-description", "Tap cartridge")
	b.Fill("#invoice-0-price", "£120.50")
	b.Fill("#invoice-1-description", "Labour (hours)")
	b.Fill("#invoice-1-quantity", "2")
	b.Fill("#invoice-1-price", "45")
	b.Click("#send-invoice")
	b.WaitText("[role=status]", "Your invoice is sent")
	if s := b.Text("#invoices"); !strings.Contains(s, "INV-1042") || !strings.Contains(s, "£252.60") || !strings.Contains(s, "Submitted") {
		t.Fatalf("the invoice shows %q", s)
	}
	if n := browser.Eval[int](b, "document.querySelectorAll('#send-invoice, #send-quote').length"); n != 0 {
		t.Fatalf("%d quote or invoice forms still offered", n)
	}

	// A message to the letting team.
	b.Fill("#body", "Left the stopcock open.")
	b.Click("#send-comment")
	b.WaitText("#comments", "Left the stopcock open.")
	noSideScroll(t, b, "a finished job")
	b.Screenshot("contractor-job-invoiced")

	// Another company's job and another organisation's answer 404 and show nothing.
	for _, id := range []string{theirs.ID.String(), foreign.ID.String()} {
		b.Open("/jobs/" + id)
		if h := b.Text("h1"); h != "Not found" {
			t.Errorf("/jobs/%s shows %q", id, h)
		}
		if s := b.Text("main"); strings.Contains(s, "Flickering") || strings.Contains(s, "Broken far window") {
			t.Errorf("/jobs/%s shows the job: %q", id, s)
		}
		if st := status(b, "/jobs/"+id); st != http.StatusNotFound {
			t.Errorf("/jobs/%s answers %d", id, st)
		}
	}
	// The photo is no one else's to see: the other company's contractor gets 404.
	rival := app.AddMember(e.Admin, "CONTRACTOR")
	rb := signIn(t, app, rival, phoneWidth)
	if st := status(rb, src); st != http.StatusNotFound {
		t.Errorf("another contractor company's member opens the photo: %d", st)
	}
	if st := status(rb, jobPath); st != http.StatusNotFound {
		t.Errorf("another contractor company's member opens the job: %d", st)
	}
}

// Declining needs a reason, asked for beside the field; a declined job moves to the
// finished ones, below a new job that still needs an answer.
func TestBrowserContractorDecline(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Contractor Decline", testsupport.EstateOptions{})
	tk := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Loose banister"})
	wo := testsupport.RaiseWorkOrder(t, e.Coordinator, tk.ID, e.ContractorID)
	tk2 := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Blocked gutter"})
	testsupport.RaiseWorkOrder(t, e.Coordinator, tk2.ID, e.ContractorID)

	b := signIn(t, app, e.Contractor, phoneWidth)
	b.Open("/jobs/" + wo.ID.String())
	b.Click("#decline")
	if s := b.Text("#reason-error"); !strings.Contains(s, "required to decline") {
		t.Fatalf("declining without a reason says %q", s)
	}
	b.Fill("#reason", "We do not do joinery.")
	b.Click("#decline")
	b.WaitText("[role=status]", "You declined the job")
	if s := b.Text(".facts"); !strings.Contains(s, "Declined") || !strings.Contains(s, "We do not do joinery.") {
		t.Fatalf("after declining, the facts say %q", s)
	}
	b.Open("/jobs")
	if s := b.Text("#jobs-new"); !strings.Contains(s, "Blocked gutter") || strings.Contains(s, "Loose banister") {
		t.Fatalf("new jobs say %q", s)
	}
	// A declined job's ticket is no longer the contractor's to see: the card shows the job.
	if s := b.Text("#jobs-done"); !strings.Contains(s, "(1)") || !strings.Contains(s, "Please attend") || !strings.Contains(s, "Declined") {
		t.Fatalf("finished jobs say %q", s)
	}
	noSideScroll(t, b, "/jobs with a declined job")
	// Staff have no jobs page.
	sb := signIn(t, app, e.Coordinator, 1280)
	if st := status(sb, "/jobs"); st != http.StatusForbidden {
		t.Fatalf("a coordinator opens /jobs: %d", st)
	}
}

// writePNG writes a small photo to path.
func writePNG(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for x := range 8 {
		for y := range 8 {
			img.Set(x, y, color.RGBA{R: uint8(30 * x), G: 90, B: uint8(30 * y), A: 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
