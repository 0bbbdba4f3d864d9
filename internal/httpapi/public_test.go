package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// pubValid is a complete, valid public report; tests change or delete fields.
func pubValid(unitReference string) map[string]string {
	return map[string]string{
		"name": "Rita Resident", "email": "rita@example.com", "phone": "07911 123456",
		"unitReference": unitReference, "title": "No hot water", "description": "The boiler shows F28 and will not fire.",
		"category": "PLUMBING", "priority": "URGENT",
	}
}

// pubReport posts the public form for slug, anonymously; headers are extra request headers.
func pubReport(t testing.TB, app *testsupport.App, slug string, values map[string]string, photos []atPart, headers ...string) *testsupport.Response {
	t.Helper()
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fields := make([][2]string, 0, len(keys))
	for _, k := range keys {
		fields = append(fields, [2]string{k, values[k]})
	}
	for i := range photos {
		if photos[i].field == "" {
			photos[i].field = "photos"
		}
	}
	body, ct := atForm(t, fields, photos...)
	return app.Anonymous().With(t).Do(http.MethodPost, "/api/v1/public/"+slug+"/reports", body, append([]string{"Content-Type", ct}, headers...)...)
}

func pubReceipt(t testing.TB, r *testsupport.Response) tickets.Receipt {
	t.Helper()
	var rc tickets.Receipt
	r.Expect(http.StatusCreated).Data(&rc)
	if rc.TicketID == uuid.Nil || !regexp.MustCompile(`^MT-\d{6}$`).MatchString(rc.TicketNumber) {
		t.Fatalf("receipt %+v", rc)
	}
	return rc
}

func pubTicket(t testing.TB, staff *testsupport.Client, id uuid.UUID) tickets.Detail {
	t.Helper()
	return atTimeline(t, staff, id)
}

// pubTickets counts an organisation's tickets and returns its highest ticket number.
func pubTickets(t testing.TB, app *testsupport.App, orgID uuid.UUID) (count int, maxNumber int64) {
	t.Helper()
	err := app.DB.InTx(context.Background(), database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*), coalesce(max(number), 0) FROM tickets WHERE org_id = $1`, orgID).Scan(&count, &maxNumber)
	})
	if err != nil {
		t.Fatalf("count tickets: %v", err)
	}
	return count, maxNumber
}

// pubNothingCreated runs fn and checks that the organisation gained no ticket, no
// attachment row, no stored file and no storage bytes.
func pubNothingCreated(t *testing.T, app *testsupport.App, dataDir string, orgID uuid.UUID, fn func()) {
	t.Helper()
	tickets, _ := pubTickets(t, app, orgID)
	rows, _, _ := atDBCounts(t, app, orgID)
	meter := atMeter(t, app, orgID)
	files := atStored(t, dataDir)
	fn()
	if after, _ := pubTickets(t, app, orgID); after != tickets {
		t.Errorf("tickets %d → %d", tickets, after)
	}
	if after, _, _ := atDBCounts(t, app, orgID); after != rows {
		t.Errorf("attachment rows %d → %d", rows, after)
	}
	if after := atMeter(t, app, orgID); after != meter {
		t.Errorf("storage meter %d → %d", meter, after)
	}
	if after := atStored(t, dataDir); !slices.Equal(after, files) {
		t.Errorf("stored files changed:\nbefore %v\nafter  %v", files, after)
	}
	if in := atIncoming(t, dataDir); len(in) != 0 {
		t.Errorf("staging files left: %v", in)
	}
}

func TestPublicReport(t *testing.T) {
	t.Parallel()
	app, dataDir := atNewApp(t, map[string]string{"PUBLIC_REPORTS_PER_HOUR": "1000"})
	// Both organisations have a unit with the same reference.
	a := atNewOrg(t, app, "Acme Lettings", "RH-2")
	b := atNewOrg(t, app, "Bravo Homes", "RH-2")
	if a.Slug != "acme-lettings" {
		t.Fatalf("slug %q, want acme-lettings", a.Slug)
	}

	t.Run("unit reference matches whatever its case", func(t *testing.T) {
		v := pubValid("  rh-2 ")
		rc := pubReceipt(t, pubReport(t, app, a.Slug, v, nil))
		d := pubTicket(t, a.Admin, rc.TicketID)
		if d.Number != rc.TicketNumber || d.Status != tickets.New || d.Source != tickets.SourcePublicForm {
			t.Errorf("number %s status %s source %s; want %s NEW PUBLIC_FORM", d.Number, d.Status, d.Source, rc.TicketNumber)
		}
		if d.UnitID == nil || *d.UnitID != a.UnitID || d.PropertyID == nil || *d.PropertyID != a.PropertyID {
			t.Errorf("unit %v property %v, want %s %s", d.UnitID, d.PropertyID, a.UnitID, a.PropertyID)
		}
		if d.ReportedByName != "Rita Resident" || d.ReportedByEmail != "rita@example.com" || d.ReportedByPhone != "+447911123456" ||
			d.ReportedByUserID != nil || d.ReportedAddress != "" {
			t.Errorf("reporter %q %q %q user %v address %q", d.ReportedByName, d.ReportedByEmail, d.ReportedByPhone, d.ReportedByUserID, d.ReportedAddress)
		}
		if d.Title != v["title"] || d.Description != v["description"] || d.Category != "PLUMBING" || d.Priority != "URGENT" {
			t.Errorf("content %q %q %s %s", d.Title, d.Description, d.Category, d.Priority)
		}
		if !slices.ContainsFunc(d.Timeline, func(e timeline.Event) bool { return e.Action == "created" && e.ActorID == nil }) {
			t.Errorf("no system 'created' event: %+v", d.Timeline)
		}
		// Visible to staff and to the resident of the unit, not to a contractor.
		pubTicket(t, a.Coordinator, rc.TicketID)
		a.Tenant.With(t).Get("/api/v1/tickets/" + rc.TicketID.String()).Expect(http.StatusOK)
		a.Contractor.With(t).Get("/api/v1/tickets/"+rc.TicketID.String()).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		var listed []tickets.Ticket
		a.Coordinator.With(t).Get("/api/v1/tickets?status=NEW&unitId=" + a.UnitID.String()).Expect(http.StatusOK).Data(&listed)
		if !slices.ContainsFunc(listed, func(x tickets.Ticket) bool { return x.ID == rc.TicketID }) {
			t.Errorf("the report is not in the coordinator's list of NEW tickets for the unit")
		}
	})

	t.Run("unknown reference with an address is unmatched", func(t *testing.T) {
		v := pubValid("ZZ-404")
		v["address"] = "Flat 3, 10 Mill Lane, Leeds LS2 7AB"
		rc := pubReceipt(t, pubReport(t, app, a.Slug, v, nil))
		d := pubTicket(t, a.Admin, rc.TicketID)
		if d.UnitID != nil || d.PropertyID != nil || d.ReportedAddress != v["address"] || d.Status != tickets.New {
			t.Errorf("unit %v property %v address %q status %s", d.UnitID, d.PropertyID, d.ReportedAddress, d.Status)
		}
	})

	t.Run("unknown reference alone keeps the reference", func(t *testing.T) {
		rc := pubReceipt(t, pubReport(t, app, a.Slug, pubValid("zz-405"), nil))
		d := pubTicket(t, a.Admin, rc.TicketID)
		if d.UnitID != nil || !strings.Contains(d.ReportedAddress, "ZZ-405") {
			t.Errorf("unit %v address %q, want unmatched with the reference kept", d.UnitID, d.ReportedAddress)
		}
	})

	t.Run("address only, phone only, defaults", func(t *testing.T) {
		v := map[string]string{"name": "Sam", "phone": "+44 7911 123457", "address": "2 Mill Lane, Leeds", "title": "Mice in the loft"}
		rc := pubReceipt(t, pubReport(t, app, a.Slug, v, nil))
		d := pubTicket(t, a.Admin, rc.TicketID)
		if d.UnitID != nil || d.ReportedAddress != v["address"] || d.ReportedByPhone != "+447911123457" || d.ReportedByEmail != "" {
			t.Errorf("unit %v address %q phone %q email %q", d.UnitID, d.ReportedAddress, d.ReportedByPhone, d.ReportedByEmail)
		}
		if d.Category != "OTHER" || d.Priority != "ROUTINE" {
			t.Errorf("category %s priority %s, want the defaults OTHER ROUTINE", d.Category, d.Priority)
		}
	})

	t.Run("email only", func(t *testing.T) {
		v := pubValid("RH-2")
		delete(v, "phone")
		d := pubTicket(t, a.Admin, pubReceipt(t, pubReport(t, app, a.Slug, v, nil)).TicketID)
		if d.ReportedByPhone != "" || d.ReportedByEmail != "rita@example.com" {
			t.Errorf("phone %q email %q", d.ReportedByPhone, d.ReportedByEmail)
		}
	})

	t.Run("validation names the field and creates nothing", func(t *testing.T) {
		cases := []struct {
			name  string
			edit  func(v map[string]string)
			field string
		}{
			{"missing name", func(v map[string]string) { delete(v, "name") }, "name"},
			{"blank name", func(v map[string]string) { v["name"] = "   " }, "name"},
			{"name too long", func(v map[string]string) { v["name"] = strings.Repeat("n", 201) }, "name"},
			{"neither email nor phone", func(v map[string]string) { delete(v, "email"); delete(v, "phone") }, "email"},
			{"blank email and phone", func(v map[string]string) { v["email"], v["phone"] = " ", " " }, "email"},
			{"neither unit reference nor address", func(v map[string]string) { delete(v, "unitReference") }, "unitReference"},
			{"unit reference too long", func(v map[string]string) { v["unitReference"] = strings.Repeat("R", 40) }, "unitReference"},
			{"bad phone", func(v map[string]string) { v["phone"] = "call me maybe" }, "phone"},
			{"bad phone digits", func(v map[string]string) { v["phone"] = "12345" }, "phone"},
			{"bad email", func(v map[string]string) { v["email"] = "not-an-email" }, "email"},
			{"missing title", func(v map[string]string) { delete(v, "title") }, "title"},
			{"blank title", func(v map[string]string) { v["title"] = "  " }, "title"},
			{"title too long", func(v map[string]string) { v["title"] = strings.Repeat("t", 201) }, "title"},
			{"description too long", func(v map[string]string) { v["description"] = strings.Repeat("d", 2001) }, "description"},
			{"unknown category", func(v map[string]string) { v["category"] = "GARDENING" }, "category"},
			{"unknown priority", func(v map[string]string) { v["priority"] = "WHENEVER" }, "priority"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				v := pubValid("RH-2")
				tc.edit(v)
				pubNothingCreated(t, app, dataDir, a.OrgID, func() {
					pubReport(t, app, a.Slug, v, nil).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
				})
			})
		}
	})

	t.Run("unknown organisation", func(t *testing.T) {
		for _, slug := range []string{"no-such-org", "acme-lettings-2", "acme"} {
			pubReport(t, app, slug, pubValid("RH-2"), nil).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		}
	})

	t.Run("the slug is not case-sensitive", func(t *testing.T) {
		pubReceipt(t, pubReport(t, app, strings.ToUpper(a.Slug), pubValid("RH-2"), nil))
	})

	t.Run("two photos are attached to the ticket", func(t *testing.T) {
		jpeg, heic := atJPEG("public-jpeg", 5000), atHEIC("public-heic")
		meter := atMeter(t, app, a.OrgID)
		rc := pubReceipt(t, pubReport(t, app, a.Slug, pubValid("RH-2"), []atPart{
			{filename: "boiler.jpg", contentType: "image/jpeg", data: jpeg},
			{filename: "IMG_2001.HEIC", contentType: "image/heic", data: heic},
		}))
		list := atList(t, a.Admin, rc.TicketID)
		if len(list) != 2 {
			t.Fatalf("%d attachments, want 2: %+v", len(list), list)
		}
		byName := map[string]attachments.Attachment{}
		for _, x := range list {
			byName[x.Filename] = x
			if x.UploadedBy != nil {
				t.Errorf("uploadedBy %v for an anonymous report", x.UploadedBy)
			}
		}
		if byName["boiler.jpg"].ContentType != "image/jpeg" || byName["boiler.jpg"].SHA256 != atSum(jpeg) ||
			byName["IMG_2001.heic"].ContentType != "image/heic" || byName["IMG_2001.heic"].SHA256 != atSum(heic) {
			t.Errorf("attachments %+v", list)
		}
		if r := atDownload(t, a.Admin, byName["boiler.jpg"].ID).Expect(http.StatusOK); string(r.Body) != string(jpeg) {
			t.Errorf("downloaded photo differs")
		}
		if got := atMeter(t, app, a.OrgID) - meter; got != int64(len(jpeg)+len(heic)) {
			t.Errorf("meter grew by %d, want %d", got, len(jpeg)+len(heic))
		}
		if ev := atAddedEvents(t, pubTicket(t, a.Admin, rc.TicketID)); len(ev) != 2 {
			t.Errorf("%d attachment_added events, want 2", len(ev))
		}
		// The resident of the unit sees the photos too.
		if got := atList(t, a.Tenant, rc.TicketID); len(got) != 2 {
			t.Errorf("tenant sees %d attachments", len(got))
		}
	})

	t.Run("one bad photo refuses the whole report", func(t *testing.T) {
		_, lastNumber := pubTickets(t, app, a.OrgID)
		pubNothingCreated(t, app, dataDir, a.OrgID, func() {
			pubReport(t, app, a.Slug, pubValid("RH-2"), []atPart{
				{filename: "good.jpg", contentType: "image/jpeg", data: atJPEG("good-before-bad", 4000)},
				{filename: "evil.jpg", contentType: "image/jpeg", data: []byte("<html><script>alert(1)</script></html>")},
			}).ExpectFailure(http.StatusUnsupportedMediaType, apperr.UnsupportedType)
		})
		// The refused report gave its number back: the next one follows without a gap.
		rc := pubReceipt(t, pubReport(t, app, a.Slug, pubValid("RH-2"), nil))
		if want := fmt.Sprintf("MT-%06d", lastNumber+1); rc.TicketNumber != want {
			t.Errorf("next ticket %s, want %s", rc.TicketNumber, want)
		}
	})

	t.Run("a photo over 10 MB refuses the report", func(t *testing.T) {
		pubNothingCreated(t, app, dataDir, a.OrgID, func() {
			pubReport(t, app, a.Slug, pubValid("RH-2"), []atPart{
				{filename: "huge.jpg", contentType: "image/jpeg", data: atJPEG("public-huge", attachments.MaxBytes+1)},
			}).ExpectFailure(http.StatusRequestEntityTooLarge, apperr.TooLarge)
		})
	})

	t.Run("an empty photo refuses the report", func(t *testing.T) {
		pubNothingCreated(t, app, dataDir, a.OrgID, func() {
			r := pubReport(t, app, a.Slug, pubValid("RH-2"), []atPart{{filename: "empty.jpg", contentType: "image/jpeg"}})
			r.ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid)
		})
	})

	t.Run("more than five photos", func(t *testing.T) {
		var photos []atPart
		for i := range 6 {
			photos = append(photos, atPart{filename: fmt.Sprintf("p%d.jpg", i), contentType: "image/jpeg", data: atJPEG(fmt.Sprintf("six-%d", i), 600)})
		}
		pubNothingCreated(t, app, dataDir, a.OrgID, func() {
			pubReport(t, app, a.Slug, pubValid("RH-2"), photos).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "photos")
		})
		// Five are fine.
		rc := pubReceipt(t, pubReport(t, app, a.Slug, pubValid("RH-2"), photos[:5]))
		if got := atList(t, a.Admin, rc.TicketID); len(got) != 5 {
			t.Fatalf("%d attachments, want 5", len(got))
		}
	})

	t.Run("a report to one organisation never lands in another", func(t *testing.T) {
		bBefore, _ := pubTickets(t, app, b.OrgID)
		bMeter := atMeter(t, app, b.OrgID)
		rc := pubReceipt(t, pubReport(t, app, a.Slug, pubValid("RH-2"), []atPart{{filename: "a.png", contentType: "image/png", data: atPNG("to-a")}}))
		d := pubTicket(t, a.Admin, rc.TicketID)
		if d.UnitID == nil || *d.UnitID != a.UnitID {
			t.Fatalf("matched to %v, want A's unit %s (B has the same reference)", d.UnitID, a.UnitID)
		}
		if after, _ := pubTickets(t, app, b.OrgID); after != bBefore {
			t.Errorf("B's tickets %d → %d", bBefore, after)
		}
		if got := atMeter(t, app, b.OrgID); got != bMeter {
			t.Errorf("B's meter %d → %d", bMeter, got)
		}
		b.Admin.With(t).Get("/api/v1/tickets/"+rc.TicketID.String()).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		b.Tenant.With(t).Get("/api/v1/tickets/"+rc.TicketID.String()).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		var listed []tickets.Ticket
		b.Admin.With(t).Get("/api/v1/tickets?limit=200").Expect(http.StatusOK).Data(&listed)
		for _, x := range listed {
			if x.Source == tickets.SourcePublicForm {
				t.Errorf("B lists a public report %s", x.Number)
			}
		}
		// And B's own form files to B.
		rcB := pubReceipt(t, pubReport(t, app, b.Slug, pubValid("rh-2"), nil))
		dB := pubTicket(t, b.Admin, rcB.TicketID)
		if dB.UnitID == nil || *dB.UnitID != b.UnitID {
			t.Errorf("B's report matched %v, want B's unit", dB.UnitID)
		}
		a.Admin.With(t).Get("/api/v1/tickets/"+rcB.TicketID.String()).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	})
}

// TestPublicReportRateLimit: a client gets PUBLIC_REPORTS_PER_HOUR reports an hour, then 429
// with Retry-After; other clients are not affected.
func TestPublicReportRateLimit(t *testing.T) {
	t.Parallel()
	app, _ := atNewApp(t, map[string]string{"PUBLIC_REPORTS_PER_HOUR": "3", "TRUSTED_PROXIES": "127.0.0.1"})
	a := atNewOrg(t, app, "Limit Lettings", "LM-1")
	b := atNewOrg(t, app, "Other Lettings", "LM-1")
	const client, other = "203.0.113.7", "198.51.100.9"

	before, _ := pubTickets(t, app, a.OrgID)
	for range 3 {
		pubReceipt(t, pubReport(t, app, a.Slug, pubValid("LM-1"), nil, "X-Forwarded-For", client))
	}
	r := pubReport(t, app, a.Slug, pubValid("LM-1"), nil, "X-Forwarded-For", client)
	r.ExpectFailure(http.StatusTooManyRequests, apperr.RateLimited)
	retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || retry <= 0 || retry > 3600 {
		t.Fatalf("Retry-After %q, want seconds within the hour", r.Header.Get("Retry-After"))
	}
	if after, _ := pubTickets(t, app, a.OrgID); after != before+3 {
		t.Fatalf("tickets %d → %d, want 3 more", before, after)
	}
	// The limit is the client's, whichever form it posts to.
	pubReport(t, app, b.Slug, pubValid("LM-1"), nil, "X-Forwarded-For", client).ExpectFailure(http.StatusTooManyRequests, apperr.RateLimited)
	// Another client is still welcome.
	pubReceipt(t, pubReport(t, app, a.Slug, pubValid("LM-1"), nil, "X-Forwarded-For", other))
}
