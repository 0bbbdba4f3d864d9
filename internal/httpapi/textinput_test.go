package httpapi_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// tiControls are the characters every text input refuses: NUL (which PostgreSQL cannot
// store, so it used to answer 500), another C0 control, DEL and a C1 control.
var tiControls = []string{"\x00", "\x1b", "\x7f", "\u009b"}

// tiCase is one text input of one operation: body builds a valid request body with bad
// in the field under test (nil for a query or path parameter, built into path).
type tiCase struct {
	name   string
	client *testsupport.Client
	method string
	path   func(bad string) string
	body   func(bad string) any
	field  string
	// controls overrides tiControls, to keep rate-limited operations (register) under
	// their limit.
	controls []string
}

func tiFixed(p string) func(string) string { return func(string) string { return p } }

// TestTextInputsRefuseControlCharacters sends each control character to each text field
// and query parameter of the main operations: every one answers 422 naming the field,
// none 500.
func TestTextInputsRefuseControlCharacters(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := testsupport.NewWorkflow(t, app, "Textcheck")
	ticketID := e.Ticket(t)
	assigned := testsupport.RaiseWorkOrder(t, e.Admin, e.Ticket(t), e.ContractorID)
	quote := testsupport.SubmitFlatQuote(t, e.Contractor, assigned.ID, 5000)
	completed := e.WorkOrder(t, workorders.Completed)
	invoice := testsupport.SubmitFlatInvoice(t, e.Contractor, e.WorkOrder(t, workorders.Completed).ID, 5000)
	webhook := e.Admin.With(t).Post("/api/v1/webhooks", map[string]any{"url": "https://hooks.example.com/in", "eventTypes": []string{"*"}}).Expect(http.StatusCreated).ID()
	memberID := e.MemberID[e.Coordinator.UserID]
	if memberID == uuid.Nil {
		t.Fatal("no membership id for the coordinator")
	}
	id := func(p string, id uuid.UUID) func(string) string { return tiFixed(testsupport.Path(p, id)) }
	line := func(desc string) []any { return []any{testsupport.Line(desc, 1, 100, testsupport.VAT(0))} }

	cases := []tiCase{
		{"register orgName", app.Anonymous(), http.MethodPost, tiFixed("/api/v1/auth/register"), func(b string) any {
			return map[string]any{"orgName": "Bad" + b + "Org", "name": "Ada", "email": "ada-ti@example.com", "password": testsupport.Password}
		}, "orgName", []string{"\x00"}},
		{"register name", app.Anonymous(), http.MethodPost, tiFixed("/api/v1/auth/register"), func(b string) any {
			return map[string]any{"orgName": "Org", "name": "A" + b, "email": "ada-ti@example.com", "password": testsupport.Password}
		}, "name", []string{"\x1b"}},
		{"login email", app.Anonymous(), http.MethodPost, tiFixed("/api/v1/auth/login"), func(b string) any {
			return map[string]any{"email": "ada" + b + "@example.com", "password": testsupport.Password}
		}, "email", nil},
		{"property name", e.Admin, http.MethodPost, tiFixed("/api/v1/properties"), func(b string) any {
			return map[string]any{"name": "House" + b, "addressLine1": "1 Road", "town": "Leeds", "postcode": "LS1 4AP"}
		}, "name", nil},
		{"property addressLine1", e.Admin, http.MethodPost, tiFixed("/api/v1/properties"), func(b string) any {
			return map[string]any{"addressLine1": "1" + b + " Road", "town": "Leeds", "postcode": "LS1 4AP"}
		}, "addressLine1", nil},
		{"property town", e.Admin, http.MethodPost, tiFixed("/api/v1/properties"), func(b string) any {
			return map[string]any{"addressLine1": "1 Road", "town": "Leeds" + b, "postcode": "LS1 4AP"}
		}, "town", nil},
		{"property update addressLine2", e.Admin, http.MethodPatch, id("/api/v1/properties/%s", e.PropertyID), func(b string) any {
			return map[string]any{"addressLine2": "Floor" + b}
		}, "addressLine2", nil},
		{"unit label", e.Admin, http.MethodPost, id("/api/v1/properties/%s/units", e.PropertyID), func(b string) any {
			return map[string]any{"label": "Flat" + b, "reference": "TI-1"}
		}, "label", nil},
		{"unit reference", e.Admin, http.MethodPost, id("/api/v1/properties/%s/units", e.PropertyID), func(b string) any {
			return map[string]any{"label": "Flat 9", "reference": "TI" + b}
		}, "reference", nil},
		{"contractor companyName", e.Admin, http.MethodPost, tiFixed("/api/v1/contractors"), func(b string) any {
			return map[string]any{"companyName": "Pipes" + b, "email": "pipes@example.com", "trades": []string{"PLUMBING"}}
		}, "companyName", nil},
		{"contractor notes", e.Admin, http.MethodPost, tiFixed("/api/v1/contractors"), func(b string) any {
			return map[string]any{"companyName": "Pipes", "email": "pipes@example.com", "trades": []string{"PLUMBING"}, "notes": "ok" + b}
		}, "notes", nil},
		{"contractor update phone", e.Admin, http.MethodPatch, id("/api/v1/contractors/%s", e.OtherContractorID), func(b string) any {
			return map[string]any{"phone": "07911" + b + "123456"}
		}, "phone", nil},
		{"ticket title", e.Admin, http.MethodPost, tiFixed("/api/v1/tickets"), func(b string) any {
			return map[string]any{"unitId": e.UnitID, "title": "Leak" + b}
		}, "title", nil},
		{"ticket description", e.Admin, http.MethodPost, tiFixed("/api/v1/tickets"), func(b string) any {
			return map[string]any{"unitId": e.UnitID, "title": "Leak", "description": "Drips" + b}
		}, "description", nil},
		{"ticket reportedByName", e.Admin, http.MethodPost, tiFixed("/api/v1/tickets"), func(b string) any {
			return map[string]any{"unitId": e.UnitID, "title": "Leak", "reportedByName": "Ann" + b}
		}, "reportedByName", nil},
		{"ticket update title", e.Admin, http.MethodPatch, id("/api/v1/tickets/%s", ticketID), func(b string) any {
			return map[string]any{"title": "Leak" + b}
		}, "title", nil},
		{"ticket search q", e.Admin, http.MethodGet, func(b string) string { return "/api/v1/tickets?q=" + url.QueryEscape("leak"+b) }, nil, "q", nil},
		{"ticket transition reason", e.Admin, http.MethodPost, id("/api/v1/tickets/%s/transition", ticketID), func(b string) any {
			return map[string]any{"to": "CANCELLED", "reason": "Dup" + b}
		}, "reason", nil},
		{"comment body", e.Admin, http.MethodPost, id("/api/v1/tickets/%s/comments", ticketID), func(b string) any {
			return map[string]any{"body": "On my way" + b}
		}, "body", nil},
		{"work order description", e.Admin, http.MethodPost, tiFixed("/api/v1/work-orders"), func(b string) any {
			return map[string]any{"ticketId": ticketID, "contractorId": e.ContractorID, "description": "Fix" + b}
		}, "description", nil},
		{"work order decline reason", e.Contractor, http.MethodPost, id("/api/v1/work-orders/%s/transition", assigned.ID), func(b string) any {
			return map[string]any{"action": "decline", "reason": "Busy" + b}
		}, "reason", nil},
		{"quote line description", e.Contractor, http.MethodPost, id("/api/v1/work-orders/%s/quotes", assigned.ID), func(b string) any {
			return map[string]any{"validUntil": testsupport.QuoteDate(30), "lines": line("Labour" + b)}
		}, "lines[0].description", nil},
		{"quote notes", e.Contractor, http.MethodPost, id("/api/v1/work-orders/%s/quotes", assigned.ID), func(b string) any {
			return map[string]any{"validUntil": testsupport.QuoteDate(30), "lines": line("Labour"), "notes": "n" + b}
		}, "notes", nil},
		{"quote reject reason", e.Admin, http.MethodPost, id("/api/v1/quotes/%s/reject", quote.ID), func(b string) any {
			return map[string]any{"reason": "Dear" + b}
		}, "reason", nil},
		{"invoice reference", e.Contractor, http.MethodPost, id("/api/v1/work-orders/%s/invoices", completed.ID), func(b string) any {
			return map[string]any{"reference": "INV" + b, "lines": line("Labour")}
		}, "reference", nil},
		{"invoice line description", e.Contractor, http.MethodPost, id("/api/v1/work-orders/%s/invoices", completed.ID), func(b string) any {
			return map[string]any{"reference": "INV-TI", "lines": []any{testsupport.Line("Parts", 1, 100, testsupport.VAT(0)), testsupport.Line("Labour"+b, 1, 100, testsupport.VAT(0))}}
		}, "lines[1].description", nil},
		{"invoice reject reason", e.Admin, http.MethodPost, id("/api/v1/invoices/%s/reject", invoice.ID), func(b string) any {
			return map[string]any{"reason": "Wrong" + b}
		}, "reason", nil},
		{"member invite email", e.Admin, http.MethodPost, tiFixed("/api/v1/members"), func(b string) any {
			return map[string]any{"email": "new" + b + "@example.com", "role": "COORDINATOR"}
		}, "email", nil},
		{"member role path id", e.Admin, http.MethodPatch, id("/api/v1/members/%s", memberID), func(b string) any {
			return map[string]any{"role": "ADMIN" + b}
		}, "role", nil},
		{"accept invitation name", app.Anonymous(), http.MethodPost, tiFixed("/api/v1/auth/accept-invitation"), func(b string) any {
			return map[string]any{"token": "tok", "name": "Nia" + b, "password": testsupport.Password}
		}, "name", nil},
		{"webhook description", e.Admin, http.MethodPatch, id("/api/v1/webhooks/%s", webhook), func(b string) any {
			return map[string]any{"description": "CRM" + b}
		}, "description", nil},
		{"webhook url", e.Admin, http.MethodPost, tiFixed("/api/v1/webhooks"), func(b string) any {
			return map[string]any{"url": "https://hooks.example.com/" + b, "eventTypes": []string{"*"}}
		}, "url", nil},
		{"webhook event type", e.Admin, http.MethodPost, tiFixed("/api/v1/webhooks"), func(b string) any {
			return map[string]any{"url": "https://hooks.example.com/in", "eventTypes": []string{"ticket.created", "x" + b}}
		}, "eventTypes[1]", nil},
		{"property postcode filter", e.Admin, http.MethodGet, func(b string) string { return "/api/v1/properties?postcode=" + url.QueryEscape("LS1"+b) }, nil, "postcode", nil},
		{"contractor trade filter", e.Admin, http.MethodGet, func(b string) string { return "/api/v1/contractors?trade=" + url.QueryEscape("PLUMB"+b) }, nil, "trade", nil},
		{"list cursor", e.Admin, http.MethodGet, func(b string) string { return "/api/v1/tickets?cursor=" + url.QueryEscape("abc"+b) }, nil, "cursor", nil},
		{"public form slug", app.Anonymous(), http.MethodPost, func(b string) string {
			return "/api/v1/public/" + url.PathEscape("acme"+b) + "/reports"
		}, nil, "orgSlug", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			controls := tc.controls
			if controls == nil {
				controls = tiControls
			}
			for _, bad := range controls {
				var body any
				if tc.body != nil {
					body = tc.body(bad)
				}
				r := tc.client.With(t).Do(tc.method, tc.path(bad), body)
				f := testsupport.ExpectFailure(t, r, http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
				for _, fe := range f.Fields {
					if fe.Field == tc.field && fe.Message == "" {
						t.Fatalf("%q: empty message", bad)
					}
				}
			}
		})
	}
}

// TestTextInputsNewlines: newline and tab belong in long text (descriptions, comments)
// and nowhere else.
func TestTextInputsNewlines(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := testsupport.NewWorkflow(t, app, "Newlines")
	a := e.Admin.With(t)
	testsupport.ExpectFailure(t, a.Post("/api/v1/tickets", map[string]any{"unitId": e.UnitID, "title": "Leak\nin roof"}), http.StatusUnprocessableEntity, apperr.Invalid, "title")
	testsupport.ExpectFailure(t, a.Post("/api/v1/tickets", map[string]any{"unitId": e.UnitID, "title": "Leak\tin roof"}), http.StatusUnprocessableEntity, apperr.Invalid, "title")
	testsupport.ExpectFailure(t, a.Post("/api/v1/properties", map[string]any{"addressLine1": "1\nRoad", "town": "Leeds", "postcode": "LS1 4AP"}), http.StatusUnprocessableEntity, apperr.Invalid, "addressLine1")
	var tk struct {
		ID          uuid.UUID `json:"id"`
		Description string    `json:"description"`
	}
	testsupport.ExpectOK(t, a.Post("/api/v1/tickets", map[string]any{"unitId": e.UnitID, "title": "Leak", "description": "Drips\r\n\tfrom the ceiling\nnear the light"}), http.StatusCreated, &tk)
	if tk.Description != "Drips\r\n\tfrom the ceiling\nnear the light" {
		t.Fatalf("description %q", tk.Description)
	}
	testsupport.ExpectOK(t, a.Post(testsupport.Path("/api/v1/tickets/%s/comments", tk.ID), map[string]any{"body": "Line one\nLine two"}), http.StatusCreated, nil)
}

// TestTextInputsMultipart: the public form's fields and an attachment's file name refuse
// control characters with 422 naming the field.
func TestTextInputsMultipart(t *testing.T) {
	app, _ := atNewApp(t, map[string]string{"PUBLIC_REPORTS_PER_HOUR": "1000"})
	o := tkNewOrg(t, app, "Multipart Text")
	ticketID := testsupport.CreateTicket(t, o.Admin, map[string]any{"unitId": o.UnitID, "title": "Leak"}).ID
	valid := map[string]string{"name": "Ann Resident", "email": "ann@example.com", "address": "1 Road", "title": "Leak", "description": "Drips"}
	for _, bad := range tiControls {
		for _, field := range []string{"name", "email", "address", "title", "description", "unitReference"} {
			values := map[string]string{}
			for k, v := range valid {
				values[k] = v
			}
			values[field] = values[field] + "x" + bad
			testsupport.ExpectFailure(t, pubReport(t, app, o.Slug, values, nil), http.StatusUnprocessableEntity, apperr.Invalid, field)
		}
		// The name is sent RFC 2231-encoded, which net/http decodes: a raw control byte in
		// a part header is refused by net/http itself (still 422, never 500).
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename*=UTF-8''photo`+url.PathEscape(bad)+`.jpg`)
		h.Set("Content-Type", "image/jpeg")
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = pw.Write(atJPEG("ti", 2000))
		_ = w.Close()
		r := o.Admin.With(t).Do(http.MethodPost, testsupport.Path("/api/v1/tickets/%s/attachments", ticketID), buf.Bytes(), "Content-Type", w.FormDataContentType())
		testsupport.ExpectFailure(t, r, http.StatusUnprocessableEntity, apperr.Invalid, "file")
	}
}
