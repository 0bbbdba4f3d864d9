package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/testsupport/browser"
	"github.com/maintainuk/maintainuk/internal/testsupport/stripemock"
)

// setUsage writes one of an organisation's usage meters, as the billable actions do.
func setUsage(t *testing.T, app *testsupport.App, orgID uuid.UUID, metric string, period time.Time, n int64) {
	t.Helper()
	if err := app.DB.InTx(context.Background(), database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO usage_meters (org_id, metric, period_start, quantity) VALUES ($1, $2, $3, $4)
			ON CONFLICT (org_id, metric, period_start) DO UPDATE SET quantity = EXCLUDED.quantity`, orgID, metric, period, n)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// An ADMIN sees the month's usage against the Free plan's allowances (bars, percentages,
// overage in pounds), moves to Starter (the local provider applies it at once), and
// downloads a statement; a coordinator is refused the page.
func TestBrowserBilling(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Billing", testsupport.EstateOptions{})
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	setUsage(t, app, e.OrgID, "sms", month, 60)
	setUsage(t, app, e.OrgID, "whatsapp", month, 5)

	b := signIn(t, app, e.Admin, 1280)
	checkPage(t, b, app.Server.URL, "/billing", "billing")
	if s := b.Text("#subscription"); !strings.Contains(s, "Free") || !strings.Contains(s, "£0.00 a month") {
		t.Fatalf("the plan says %q", s)
	}
	if s := b.Text("#usage li[data-metric=sms]"); !strings.Contains(s, "60 of 50 (120%)") || !strings.Contains(s, "10 over, £0.50") {
		t.Fatalf("SMS usage says %q", s)
	}
	if s := b.Text("#usage li[data-metric=whatsapp]"); !strings.Contains(s, "5 of 20 (25%)") || strings.Contains(s, "over") {
		t.Fatalf("WhatsApp usage says %q", s)
	}
	if h := b.HTML("#usage li[data-metric=sms] .meter"); !strings.Contains(h, `class="meter over"`) || !strings.Contains(h, `class="p100"`) {
		t.Fatalf("the SMS bar is %s", h)
	}
	if h := b.HTML("#usage li[data-metric=whatsapp] .meter"); !strings.Contains(h, `class="p25"`) {
		t.Fatalf("the WhatsApp bar is %s", h)
	}
	if s := b.Text("#overage-total"); !strings.Contains(s, "£0.50") {
		t.Fatalf("the month's overage says %q", s)
	}

	b.Click("#plans form:has(input[value=STARTER]) button")
	if p := b.Path(); p != "/billing?done=plan" {
		t.Fatalf("after the upgrade at %s", p)
	}
	if s := b.Text("#subscription"); !strings.Contains(s, "Starter") || !strings.Contains(s, "£29.00 a month") {
		t.Fatalf("after the upgrade the plan says %q", s)
	}
	if s := b.Text("#usage li[data-metric=sms]"); !strings.Contains(s, "60 of 500 (12%)") {
		t.Fatalf("on Starter SMS usage says %q", s)
	}
	if s := b.Text("#plans"); !strings.Contains(s, "Your plan") || !strings.Contains(s, "Move to Free") || !strings.Contains(s, "Upgrade to Professional") {
		t.Fatalf("the plans say %q", s)
	}
	var sub struct {
		Plan string `json:"plan"`
	}
	e.Admin.With(t).Get("/api/v1/billing/subscription").Expect(http.StatusOK).Data(&sub)
	if sub.Plan != "STARTER" {
		t.Fatalf("the API says the plan is %s", sub.Plan)
	}

	// The statement streams as a PDF.
	link := b.HTML("#statements li:first-child a")
	if !strings.Contains(link, "/billing/statement?month="+month.Format("2006-01")) {
		t.Fatalf("the statement link is %s", link)
	}
	got := browser.Eval[string](b, `fetch("/billing/statement?month=`+month.Format("2006-01")+`").then(async r => r.status + " " + r.headers.get("content-type") + " " + (await r.text()).slice(0, 5))`)
	if got != "200 application/pdf %PDF-" {
		t.Fatalf("the statement answered %q", got)
	}

	// Cancelling: the local provider ends the paid plan at once.
	b.Open("/billing")
	b.Click("form[action='/billing/cancel'] button")
	if s := b.Text("p.done"); !strings.Contains(s, "you are on the Free plan") {
		t.Fatalf("after cancelling the page says %q", s)
	}
	if s := b.Text("#subscription"); !strings.Contains(s, "Free") {
		t.Fatalf("after cancelling the plan says %q", s)
	}

	// Back from the provider's checkout.
	b.Open("/billing?checkout=done")
	if s := b.Text("p.done"); !strings.Contains(s, "payment details were received") {
		t.Fatalf("after checkout the page says %q", s)
	}

	c := signIn(t, app, e.Coordinator, 1280)
	c.Open("/billing")
	if h := c.Text("h1"); h != "Not available" || strings.Contains(c.Text("main"), "Usage this month") {
		t.Fatalf("a coordinator's /billing says %q", c.Text("main"))
	}
	if got := browser.Eval[int](c, `fetch("/billing/statement").then(r => r.status)`); got != http.StatusForbidden {
		t.Fatalf("a coordinator's statement answered %d", got)
	}
}

// Staff see a resident's number and its consent, withdraw it (the history says when,
// from where and how), and record consent for another number; another organisation's
// numbers are not shown. The resident turns texts on and off for their own number.
func TestBrowserConsentAndPreferences(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Consent", testsupport.EstateOptions{})
	o := app.NewEstate(t, "Elsewhere", testsupport.EstateOptions{})
	e.Tenant.With(t).Post("/api/v1/consent/grant", map[string]any{"type": "SMS", "value": "07400 123456"}).Expect(http.StatusOK)
	o.Tenant.With(t).Post("/api/v1/consent/grant", map[string]any{"type": "SMS", "value": "07400 999999"}).Expect(http.StatusOK)

	b := signIn(t, app, e.Coordinator, 1280)
	checkPage(t, b, app.Server.URL, "/consent", "consent")
	if s := b.Text("#numbers"); !strings.Contains(s, "+447400123456") || !strings.Contains(s, "Given") || strings.Contains(s, "+447400999999") {
		t.Fatalf("the numbers say %q", s)
	}
	b.Click("#numbers form[action='/consent/revoke'] button")
	if p := b.Path(); p != "/consent?phone=%2B447400123456" {
		t.Fatalf("after withdrawing at %s", p)
	}
	if s := b.Text("#numbers"); !strings.Contains(s, "Withdrawn") {
		t.Fatalf("after withdrawing the number says %q", s)
	}
	row := b.Text("#history tbody tr:first-child")
	if !strings.Contains(row, "Withdrawn") || !strings.Contains(row, "Web") || !strings.Contains(row, "127.0.0.1") || !strings.Contains(row, "Chrome") {
		t.Fatalf("the history's newest row says %q", row)
	}
	var points []struct {
		Phone   string `json:"phone"`
		Granted bool   `json:"granted"`
	}
	e.Tenant.With(t).Get("/api/v1/consent").Expect(http.StatusOK).Data(&points)
	if len(points) != 1 || points[0].Granted {
		t.Fatalf("the resident's numbers %+v", points)
	}

	// Consent recorded on someone's behalf; a wrong number is refused next to its field.
	b.Open("/consent")
	b.Fill("#value", "12")
	b.Click("#grant-form button[type=submit]")
	if s := b.Text("#value-error"); s == "" {
		t.Fatal("a wrong number shows no error")
	}
	b.Fill("#value", "07400 765432")
	b.Select("#source", "WEB")
	b.Click("#grant-form button[type=submit]")
	if s := b.Text("#numbers"); !strings.Contains(s, "+447400765432") || !strings.Contains(s, "Given") {
		t.Fatalf("after recording consent the numbers say %q", s)
	}

	// Another organisation's number is not there, even asked for by name.
	b.Open("/consent?phone=07400999999")
	if s := b.Text("main"); !strings.Contains(s, "No numbers match") || strings.Contains(s, "+447400999999") {
		t.Fatalf("another organisation's number: %q", s)
	}

	// An ADMIN sees whose each number is, and may name the resident when recording.
	a := signIn(t, app, e.Admin, 1280)
	a.Open("/consent")
	if s := a.Text("#numbers"); !strings.Contains(s, "Member TENANT") {
		t.Fatalf("an admin's numbers say %q", s)
	}
	a.Select("#userId", e.Tenant.UserID.String())
	a.Fill("#value", "07400 555666")
	a.Click("#grant-form button[type=submit]")
	e.Tenant.With(t).Get("/api/v1/consent?phone=07400555666").Expect(http.StatusOK).Data(&points)
	if len(points) != 1 || !points[0].Granted {
		t.Fatalf("the number recorded for the resident: %+v", points)
	}
	a.Fill("#phone", "0740")
	a.Click("form[role=search] button[type=submit]")
	if s := a.Text("#phone-error"); s == "" {
		t.Fatal("a wrong number in the filter shows no error")
	}

	// The resident's own preferences.
	r := signIn(t, app, e.Tenant, 390)
	checkPage(t, r, app.Server.URL, "/preferences", "preferences")
	if s := r.Text("#my-numbers"); !strings.Contains(s, "+447400123456") || !strings.Contains(s, "Off") {
		t.Fatalf("the resident's numbers say %q", s)
	}
	r.Click("#my-numbers form[action='/preferences/grant']:not(:has(input[name=preferred])) button")
	if s := r.Text("#my-numbers"); !strings.Contains(s, "On") {
		t.Fatalf("after turning texts on: %q", s)
	}
	r.Fill("#value", "07400 222333")
	r.Select("#type", "WHATSAPP")
	r.Check("#preferred")
	r.Click("form:has(#preferred) button[type=submit]")
	if s := r.Text("p.done"); !strings.Contains(s, "saved") {
		t.Fatalf("after adding a number: %q", s)
	}
	if s := r.Text("#my-numbers"); !strings.Contains(s, "+447400222333 by WhatsApp Preferred") {
		t.Fatalf("after adding a number: %q", s)
	}
	r.Click("#my-numbers form[action='/preferences/revoke'] button")
	e.Tenant.With(t).Get("/api/v1/consent").Expect(http.StatusOK).Data(&points)
	on := 0
	for _, p := range points {
		if p.Granted {
			on++
		}
	}
	if len(points) != 3 || on != 2 {
		t.Fatalf("after turning one off the resident's numbers are %+v", points)
	}
	// Staff pages are not the resident's.
	r.Open("/consent")
	if h := r.Text("h1"); h != "Not available" {
		t.Fatalf("a resident's /consent says %q", h)
	}
}

// writePhoto writes a small PNG for the form's photo field.
func writePhoto(t *testing.T, name string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// fillReport fills the public form.
func fillReport(b *browser.Browser, title, photo string) {
	b.Fill("#name", "Sam Resident")
	b.Fill("#email", "sam@example.co.uk")
	b.Fill("#unitReference", "EST-1")
	b.Fill("#title", title)
	if photo != "" {
		b.Upload("#photos", photo)
	}
	b.Click("main form button[type=submit]")
}

type ticketRow struct {
	ID     uuid.UUID `json:"id"`
	Number string    `json:"number"`
	Title  string    `json:"title"`
}

// A resident with a photo is shown self-help for low boiler pressure; "That fixed it"
// files nothing. Their next fault goes through with "Send my report": the reference is
// shown and the photo is on the ticket. Another organisation's form does not take this
// one's advice.
func TestBrowserPublicReportSelfHelp(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Public", testsupport.EstateOptions{})
	o := app.NewEstate(t, "Other", testsupport.EstateOptions{})
	photo := writePhoto(t, "boiler.png")

	b := browser.New(t, app.Server.URL, 390)
	checkPage(t, b, app.Server.URL, "/report/"+e.Slug, "report")
	fillReport(b, "Boiler pressure low", photo)
	if h := b.Text("h1"); h != "Before you send your report" {
		t.Fatalf("after the first sending the page says %q", b.Text("main"))
	}
	if s := b.Text("main"); !strings.Contains(s, "Boiler pressure low: re-pressurise") || !strings.Contains(s, "with 1 photo") {
		t.Fatalf("the advice says %q", s)
	}
	for _, v := range b.Axe() {
		t.Errorf("the advice: accessibility (%s) %s: %s %v", v.Impact, v.ID, v.Help, v.Nodes)
	}
	b.Click("button[name=guide]")
	if h := b.Text("h1"); h != "Glad that fixed it" {
		t.Fatalf("after 'That fixed it' the page says %q", b.Text("main"))
	}
	var list []ticketRow
	e.Coordinator.With(t).Get("/api/v1/tickets").Expect(http.StatusOK).Data(&list)
	if len(list) != 0 {
		t.Fatalf("'That fixed it' filed %+v", list)
	}
	var stats struct {
		Sessions        int64 `json:"sessions"`
		AvoidedCallOuts int64 `json:"avoidedCallOuts"`
	}
	e.Coordinator.With(t).Get("/api/v1/ai/self-help").Expect(http.StatusOK).Data(&stats)
	if stats.Sessions != 1 || stats.AvoidedCallOuts != 1 {
		t.Fatalf("self-help stats %+v", stats)
	}

	// A form missing how to reach them comes back with the error next to the field,
	// keeping the photo.
	b.Open("/report/" + e.Slug)
	b.Fill("#name", "Sam Resident")
	b.Fill("#address", "1 Public Street")
	b.Fill("#title", "Boiler pressure low")
	b.Upload("#photos", photo)
	b.Click("main form button[type=submit]")
	if s := b.Text("#email-error"); !strings.Contains(s, "email address or a phone number") {
		t.Fatalf("the email field's error says %q", s)
	}
	if s := b.Text("#photos-kept"); !strings.Contains(s, "boiler.png") {
		t.Fatalf("the photo was not kept: %q", s)
	}

	// Another fault, sent.
	b.Open("/report/" + e.Slug)
	fillReport(b, "Kitchen sink blocked", photo)
	if s := b.Text("main"); !strings.Contains(s, "That fixed it") {
		t.Fatalf("no self-help for a blocked sink: %q", s)
	}
	// Another organisation's form does not know this advice.
	browser.Eval[string](b, `document.querySelector("main form").action = "/report/`+o.Slug+`?answer=fixed"; ""`)
	b.Click("main form > button[type=submit]")
	if h := b.Text("h1"); h != "Advice not found" {
		t.Fatalf("another organisation's form took the advice: %q", b.Text("main"))
	}
	b.Open("/report/" + e.Slug)
	fillReport(b, "Kitchen sink blocked", photo)
	b.Click("main form > button[type=submit]")
	if h := b.Text("h1"); h != "Repair reported" {
		t.Fatalf("after 'Send my report' the page says %q", b.Text("main"))
	}
	msg := b.Text("main")
	e.Coordinator.With(t).Get("/api/v1/tickets").Expect(http.StatusOK).Data(&list)
	if len(list) != 1 || list[0].Title != "Kitchen sink blocked" || !strings.Contains(msg, list[0].Number) {
		t.Fatalf("tickets %+v; the page says %q", list, msg)
	}
	var files []struct {
		Filename    string `json:"filename"`
		ContentType string `json:"contentType"`
	}
	e.Coordinator.With(t).Get("/api/v1/tickets/" + list[0].ID.String() + "/attachments").Expect(http.StatusOK).Data(&files)
	if len(files) != 1 || files[0].ContentType != "image/png" {
		t.Fatalf("the ticket's files %+v", files)
	}
	var others []ticketRow
	o.Coordinator.With(t).Get("/api/v1/tickets").Expect(http.StatusOK).Data(&others)
	if len(others) != 0 {
		t.Fatalf("the other organisation has %+v", others)
	}

	// A gas smell: the safety steps first, and no self-help to try.
	b.Open("/report/" + e.Slug)
	fillReport(b, "I can smell gas in the kitchen", "")
	if s := b.Text("#do-now"); !strings.Contains(s, "999") && !strings.Contains(s, "0800 111 999") {
		t.Fatalf("the safety steps say %q", s)
	}
	if n := browser.Eval[int](b, `document.querySelectorAll("button[name=guide]").length`); n != 0 {
		t.Fatalf("%d self-help guides offered for a gas smell", n)
	}
	b.Click("main form > button[type=submit]")
	if h := b.Text("h1"); h != "Repair reported" {
		t.Fatalf("after sending the gas report the page says %q", b.Text("main"))
	}

	// An address with no organisation.
	b.Open("/report/no-such-organisation")
	if h := b.Text("h1"); h != "No organisation at this address" {
		t.Fatalf("an unknown address says %q", h)
	}
}

// On Stripe a first paid plan is bought at Stripe's checkout, and "Manage payment" opens
// Stripe's billing portal: the page sends the browser to each (303).
func TestBrowserBillingStripe(t *testing.T) {
	front := stripemock.StartFront(t)
	app := testsupport.NewApp(t, map[string]string{
		"BILLING_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_test_web", "STRIPE_BASE_URL": front.URL,
		"STRIPE_WEBHOOK_SECRET": "whsec_web", "BASE_URL": "https://app.example.co.uk",
		"STRIPE_PRICE_STARTER": "price_starter1", "STRIPE_PRICE_PROFESSIONAL": "price_pro1", "STRIPE_PRICE_ENTERPRISE": "price_ent1",
	})
	e := app.NewEstate(t, "Stripe Web", testsupport.EstateOptions{})
	b := signIn(t, app, e.Admin, 1280)
	b.Open("/billing")
	if n := browser.Eval[int](b, `document.querySelectorAll("#plans form[action='/billing/checkout']").length`); n != 3 {
		t.Fatalf("%d plans go through checkout, want 3", n)
	}
	// Stripe's pages are not loaded in a test: the forms' answers are read as sent, with
	// the browser's session.
	var cookies []*network.Cookie
	b.Do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
		cookies = res.Cookies
		return err
	}))
	csrf := browser.Eval[string](b, `document.querySelector("input[name=csrf]").value`)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct{ path, plan, want string }{
		{"/billing/plan", "STARTER", "https://checkout.stripe.com/"},
		{"/billing/checkout", "PROFESSIONAL", "https://checkout.stripe.com/"},
		{"/billing/portal", "", "https://"}, // stripe-mock's portal is on a host of its own; Stripe's is billing.stripe.com
	} {
		req, _ := http.NewRequest(http.MethodPost, app.Server.URL+tc.path, strings.NewReader(url.Values{"csrf": {csrf}, "plan": {tc.plan}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), tc.want) {
			t.Errorf("%s %s answered %d to %q", tc.path, tc.plan, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// The page lets its forms go there.
	req, _ := http.NewRequest(http.MethodGet, app.Server.URL+"/billing", nil)
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://checkout.stripe.com https://billing.stripe.com;") {
		t.Fatalf("the billing page's CSP: %q", csp)
	}
}

// Once the organisation's photos for the day are used up, the form says so and takes the
// report without them.
func TestBrowserPublicReportNoPhotos(t *testing.T) {
	app := testsupport.NewApp(t, map[string]string{"PUBLIC_UPLOADS_PER_ORG_PER_DAY": "0"})
	e := app.NewEstate(t, "No Photos", testsupport.EstateOptions{})
	b := browser.New(t, app.Server.URL, 1280)
	b.Open("/report/" + e.Slug)
	if s := b.Text("#photos"); !strings.Contains(s, "cannot take photos today") {
		t.Fatalf("the photo field says %q", s)
	}
	fillReport(b, "Kitchen cupboard hinge loose", "")
	if h := b.Text("h1"); h != "Repair reported" {
		t.Fatalf("without advice to give the report was not filed at once: %q", b.Text("main"))
	}
}
