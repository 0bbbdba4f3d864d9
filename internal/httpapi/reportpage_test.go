package httpapi_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// TestReportPage: the link texted to unknown numbers opens a repair form for the
// organisation; a valid submission makes a PUBLIC_FORM ticket staff see, and everything
// else (missing fields, a bad CSRF token, sending twice, an unknown organisation, too many
// requests) creates nothing.
func TestReportPage(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil) // PUBLIC_REPORTS_PER_HOUR at its default, 10
	admin := app.Register("Report Page Homes")
	var me struct {
		Org struct {
			Slug string `json:"slug"`
		} `json:"org"`
	}
	admin.Get("/api/v1/auth/me").Expect(http.StatusOK).Data(&me)
	target := "/report/" + me.Org.Slug

	form := openForm(t, app, target)
	if !strings.Contains(form.body, `<html lang="en-GB">`) || !strings.Contains(form.body, `action="`+target+`"`) {
		t.Fatalf("report form:\n%s", form.body)
	}
	// Every field has its label and, where a browser could fill it, its autocomplete.
	for field, autocomplete := range map[string]string{
		"name": "name", "email": "email", "phone": "tel", "unitReference": "off", "address": "street-address",
		"title": "off", "description": "", "category": "", "emergency": "",
	} {
		if !strings.Contains(form.body, `<label for="`+field+`"`) || !strings.Contains(form.body, `id="`+field+`" name="`+field+`"`) {
			t.Errorf("no labelled %s field", field)
		}
		if autocomplete != "" && !regexp.MustCompile(`id="`+field+`"[^>]* autocomplete="`+autocomplete+`"`).MatchString(form.body) {
			t.Errorf("%s field without autocomplete=%q", field, autocomplete)
		}
	}

	good := url.Values{
		"csrf": {form.csrf}, "name": {"Rita Resident"}, "email": {"rita@example.com"}, "address": {"4 Mill Lane, Sheffield"},
		"title": {"Leak under the <script>sink</script>"}, "category": {"PLUMBING"}, "emergency": {"yes"},
	}
	unchanged := func(what string) {
		t.Helper()
		if n, _ := pubTickets(t, app, admin.OrgID); n != 0 {
			t.Fatalf("%s: %d tickets, want none", what, n)
		}
	}
	withoutCSRF := url.Values{}
	for k, v := range good {
		if k != "csrf" {
			withoutCSRF[k] = v
		}
	}
	if a := pageRequest(t, app, http.MethodPost, target, form.cookie, withoutCSRF); a.status != http.StatusForbidden {
		t.Fatalf("without the CSRF field: %d\n%s", a.status, a.body)
	}
	if a := pageRequest(t, app, http.MethodPost, target, nil, good); a.status != http.StatusForbidden {
		t.Fatalf("without the cookie: %d\n%s", a.status, a.body)
	}
	unchanged("bad CSRF")

	// Missing fields are marked beside each field, and what was typed is kept, escaped.
	missing := pageRequest(t, app, http.MethodPost, target, form.cookie, url.Values{"csrf": {form.csrf}, "title": {`<b>Leak</b>`}})
	if missing.status != http.StatusUnprocessableEntity || strings.Contains(missing.body, "<b>Leak") ||
		!strings.Contains(missing.body, `value="&lt;b&gt;Leak&lt;/b&gt;"`) {
		t.Fatalf("missing fields: %d\n%s", missing.status, missing.body)
	}
	for _, field := range []string{"name", "email", "unitReference"} {
		if !strings.Contains(missing.body, `aria-describedby="`+field+`-error"`) || !strings.Contains(missing.body, `<p class="error" id="`+field+`-error">`) {
			t.Errorf("no error shown for %s:\n%s", field, missing.body)
		}
	}
	unchanged("missing fields")

	done := pageRequest(t, app, http.MethodPost, target, form.cookie, good)
	number := regexp.MustCompile(`Your reference is (MT-\d{6})\. Keep it`).FindStringSubmatch(done.body)
	if done.status != http.StatusOK || number == nil || strings.Contains(done.body, "<script") ||
		!strings.Contains(done.body, "&lt;script&gt;sink&lt;/script&gt;") {
		t.Fatalf("reporting: %d\n%s", done.status, done.body)
	}
	var found *tickets.Ticket
	for _, tk := range testsupport.All[tickets.Ticket](t, admin, "/api/v1/tickets") {
		if tk.Number == number[1] {
			found = &tk
		}
	}
	if found == nil || found.Source != tickets.SourcePublicForm || found.Title != good.Get("title") || found.Category != "PLUMBING" ||
		found.Priority != "EMERGENCY" || found.ReportedByName != "Rita Resident" || found.ReportedAddress != "4 Mill Lane, Sheffield" {
		t.Fatalf("staff see %+v, want %s from the public form", found, number[1])
	}
	// Sending the same form again (reloading the confirmation) makes no second ticket: a
	// report replaces the browser's CSRF cookie, which the old form's field does not match.
	if done.cookie == nil || done.cookie.Value == form.cookie.Value {
		t.Fatalf("the CSRF cookie was not replaced: %+v", done.cookie)
	}
	if again := pageRequest(t, app, http.MethodPost, target, done.cookie, good); again.status != http.StatusForbidden ||
		!strings.Contains(again.body, "we have your report") {
		t.Fatalf("sent twice: %d\n%s", again.status, again.body)
	}
	if n, _ := pubTickets(t, app, admin.OrgID); n != 1 {
		t.Fatalf("%d tickets, want 1", n)
	}

	if a := pageRequest(t, app, http.MethodGet, "/report/no-such-organisation", nil, nil); a.status != http.StatusNotFound ||
		!strings.Contains(a.body, "No organisation at this address") || strings.Contains(a.body, "<form") {
		t.Fatalf("unknown organisation: %d\n%s", a.status, a.body)
	}

	// Showing the form counts against the client's hourly limit too (so does probing for
	// organisations); beyond it the page says to try later.
	for range 10 {
		a := pageRequest(t, app, http.MethodGet, target, nil, nil)
		if a.status == http.StatusOK {
			continue
		}
		if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" || !strings.Contains(a.body, "Please try again later") {
			t.Fatalf("over the limit: %d %v\n%s", a.status, a.header, a.body)
		}
		return
	}
	t.Fatal("the hourly limit never refused the page")
}
