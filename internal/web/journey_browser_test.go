package web_test

import (
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

// The whole repair, in three browsers and nothing else: a resident reports a leak with a
// photo on a phone; the coordinator accepts the AI's triage and sends a contractor; the
// contractor accepts, books and quotes on a 360 px phone; the coordinator approves the
// quote; the contractor does the work and invoices; the coordinator approves the invoice
// and the ADMIN pays it; the resident sees their repair resolved.
func TestBrowserJourneyReportToPayment(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Journey Lettings", testsupport.EstateOptions{})

	// The resident reports, with a photo.
	resident := signIn(t, app, e.Tenant, 360)
	resident.Open("/tickets/new")
	resident.Fill("#title", "Water coming through the kitchen ceiling")
	resident.Fill("#description", "Dripping from the light fitting since last night; the flat above has a leak.")
	resident.Click("form[action='/tickets/new'] button[type=submit]")
	resident.WaitText("h1", "Water coming through the kitchen ceiling")
	ticketPath := resident.Path()
	photo := filepath.Join(t.TempDir(), "ceiling.png")
	if err := os.WriteFile(photo, tinyPNG, 0o600); err != nil {
		t.Fatal(err)
	}
	resident.Upload("#photo", photo)
	resident.Click("form[action$='/photos'] button")
	resident.WaitText("#files", "ceiling.png")
	number := strings.Fields(resident.Text("h1"))[0]

	// The coordinator triages with the AI and sends the contractor.
	coord := signIn(t, app, e.Coordinator, 1280)
	coord.Open("/tickets")
	coord.WaitText("#ticket-rows", number)
	coord.Open(ticketPath)
	coord.WaitText("#files", "ceiling.png")
	coord.Click("form[action$='/ai/classify'] button")
	coord.WaitText("#ai", "Suggested:")
	suggested := coord.Text("#ai")
	coord.Click("form[action$='/ai/accept'] button")
	coord.WaitText("#ai", "Accepted")
	if !strings.Contains(suggested, "Electrical") && !strings.Contains(suggested, "Plumbing") {
		t.Fatalf("the AI suggested %q for water through a light fitting", suggested)
	}
	coord.Select("#contractor", e.ContractorID.String())
	coord.Fill("#workDescription", "Isolate the kitchen lights, find and stop the leak from the flat above, make good.")
	coord.Click("form[action$='/work-orders'] button")
	coord.WaitText("#work-orders ul", "Assigned")
	woPath := coord.HTML("#work-orders ul a")
	woPath = woPath[strings.Index(woPath, "/work-orders/"):]
	woPath = woPath[:strings.Index(woPath, `"`)]

	// The contractor, on a phone: accept, book, quote.
	con := signIn(t, app, e.Contractor, 360)
	con.WaitText("#jobs-new", number)
	con.Click("#jobs-new a.card")
	con.Click("#accept")
	con.WaitText("[role=status]", "You accepted the job")
	visit := time.Now().In(ukcalendar.London).AddDate(0, 0, 2)
	visit = time.Date(visit.Year(), visit.Month(), visit.Day(), 8, 0, 0, 0, ukcalendar.London)
	con.Fill("#scheduledFor", visit.Format("2006-01-02T15:04"))
	con.Click("#schedule")
	con.WaitText("[role=status]", "The visit is booked")
	con.Click("#quote-form summary")
	con.Fill("#quote-0-description", "Trace and repair leak, isolate lighting circuit")
	con.Fill("#quote-0-price", "180")
	con.Fill("#quote-1-description", "Make good ceiling plaster")
	con.Fill("#quote-1-price", "95.50")
	con.Click("#send-quote")
	con.WaitText("[role=status]", "Your quote is sent")
	if w := browser.Eval[int](con, "document.documentElement.scrollWidth"); w > 360 {
		t.Fatalf("the job page is %d px wide on a 360 px phone", w)
	}
	jobPath := con.Path()

	// The coordinator compares and approves the quote (£330.60 with VAT: under the threshold).
	coord.Open(woPath)
	coord.WaitText("main", "£330.60")
	coord.Click("form[action*='/quotes/'][action$='/approve'] button")
	coord.WaitText("main .done", "approved")

	// The contractor does the work and invoices as quoted.
	con.Open(jobPath)
	con.WaitText("#quotes", "Approved")
	con.Click("#start")
	con.WaitText("[role=status]", "The job is started")
	con.Fill("#notes", "Leak from the upstairs bath waste fixed; ceiling made good; lights tested.")
	con.Click("#complete")
	con.WaitText("[role=status]", "The job is complete")
	con.Fill("#invoice-reference", "JL-2001")
	con.Click("#send-invoice")
	con.WaitText("[role=status]", "Your invoice is sent")

	// The coordinator approves the invoice; the ADMIN pays it (separation of duties).
	coord.Open(woPath)
	coord.WaitText("#invoices", "JL-2001")
	coord.Click("form[action*='/invoices/'][action$='/approve'] button")
	coord.WaitText("main .done", "Invoice approved")
	admin := signIn(t, app, e.Admin, 1280)
	admin.Open(woPath)
	ref := admin.HTML("#invoices input[name=paymentReference]")
	id := ref[strings.Index(ref, `id="`)+4:]
	id = id[:strings.Index(id, `"`)]
	admin.Fill("#"+id, "BACS-JL-2001")
	admin.Click("form[action$='/mark-paid'] button")
	admin.WaitText("main .done", "Invoice marked paid")

	// Everything as the API sees it, and the resident's view.
	wos := testsupport.All[workorders.WorkOrder](t, e.Coordinator, "/api/v1/work-orders?ticketId="+strings.TrimPrefix(ticketPath, "/tickets/"))
	if len(wos) != 1 || wos[0].Status != workorders.Completed {
		t.Fatalf("work orders %+v", wos)
	}
	qs := testsupport.All[quotes.Quote](t, e.Coordinator, "/api/v1/quotes?workOrderId="+wos[0].ID.String())
	if len(qs) != 1 || qs[0].Status != quotes.Approved || qs[0].TotalPence != 33060 {
		t.Fatalf("quotes %+v", qs)
	}
	resident.Open(ticketPath)
	if s := resident.Text(".facts"); !strings.Contains(s, "Resolved") {
		t.Fatalf("the resident's repair says %q", s)
	}
	checkPage(t, resident, app.Server.URL, ticketPath, "resident-ticket")
}
