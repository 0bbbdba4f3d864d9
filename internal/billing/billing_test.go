package billing_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/billing"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/messaging"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// The plans are the original design's SubscriptionPlans, number for number (its prices in
// pounds are pence here: 0.05 is 5p, an AI token at 0.001 is 100p a thousand), with the
// Stripe prices from the configuration; anyone may read them.
func TestPlans_areTheSeeds(t *testing.T) {
	app := testsupport.NewApp(t, map[string]string{"STRIPE_PRICE_STARTER": "price_starter1", "STRIPE_PRICE_ENTERPRISE": "price_enterprise1"})
	var got []billing.Plan
	app.Anonymous().Get("/api/v1/billing/plans").Expect(http.StatusOK).Data(&got)
	want := []billing.Plan{
		{Code: "FREE", Name: "Free", MonthlyPricePence: 0, Included: billing.Allowances{SMS: 50, WhatsApp: 20, AITokens: 1000, StorageGB: 1},
			Overage: billing.OveragePrices{SMSPence: 5, WhatsAppPence: 10, AITokensPencePerThousand: 100, StorageGBPence: 100}},
		{Code: "STARTER", Name: "Starter", MonthlyPricePence: 2900, Included: billing.Allowances{SMS: 500, WhatsApp: 200, AITokens: 10000, StorageGB: 10},
			Overage: billing.OveragePrices{SMSPence: 4, WhatsAppPence: 8, AITokensPencePerThousand: 80, StorageGBPence: 80}, AllowOverage: true, StripePriceID: "price_starter1"},
		{Code: "PROFESSIONAL", Name: "Professional", MonthlyPricePence: 9900, Included: billing.Allowances{SMS: 2000, WhatsApp: 1000, AITokens: 50000, StorageGB: 50},
			Overage: billing.OveragePrices{SMSPence: 3, WhatsAppPence: 6, AITokensPencePerThousand: 60, StorageGBPence: 60}, AllowOverage: true},
		{Code: "ENTERPRISE", Name: "Enterprise", MonthlyPricePence: 29900, Included: billing.Allowances{SMS: 10000, WhatsApp: 5000, AITokens: 200000, StorageGB: 200},
			Overage: billing.OveragePrices{SMSPence: 2, WhatsAppPence: 4, AITokensPencePerThousand: 40, StorageGBPence: 40}, AllowOverage: true, StripePriceID: "price_enterprise1"},
	}
	if len(got) != len(want) {
		t.Fatalf("plans %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("plan %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// setMeter writes one of an organisation's usage meters, as the billable actions do.
func setMeter(t *testing.T, app *testsupport.App, e *testsupport.Estate, metric string, period time.Time, n int64) {
	t.Helper()
	if err := app.DB.InTx(context.Background(), database.Scope{OrgID: e.OrgID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO usage_meters (org_id, metric, period_start, quantity) VALUES ($1, $2, $3, $4)
			ON CONFLICT (org_id, metric, period_start) DO UPDATE SET quantity = EXCLUDED.quantity`, e.OrgID, metric, period, n)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// Usage sets each metric against the plan: allowance, use, overage and its cost; staff
// only, each organisation its own.
func TestUsage(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Usage", testsupport.EstateOptions{})
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	setMeter(t, app, e, "sms", month, 60)
	setMeter(t, app, e, "whatsapp", month, 5)
	setMeter(t, app, e, "ai_tokens", month, 1500)
	setMeter(t, app, e, "sms", month.AddDate(0, -1, 0), 7)
	setMeter(t, app, e, "storage_bytes", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 1_500_000_000)

	var u billing.BillingUsage
	e.Coordinator.With(t).Get("/api/v1/billing/usage").Expect(http.StatusOK).Data(&u)
	want := map[string]billing.MetricUsage{
		"sms":        {Metric: "sms", Included: 50, Used: 60, Overage: 10, UsedPercent: 120, OverageCostPence: 50},
		"whatsapp":   {Metric: "whatsapp", Included: 20, Used: 5, Overage: 0, UsedPercent: 25, OverageCostPence: 0},
		"ai_tokens":  {Metric: "ai_tokens", Included: 1000, Used: 1500, Overage: 500, UsedPercent: 150, OverageCostPence: 50},
		"storage_gb": {Metric: "storage_gb", Included: 1, Used: 2, Overage: 1, UsedPercent: 200, OverageCostPence: 100},
	}
	if u.Plan != "FREE" || u.PeriodStart != month.Format(time.DateOnly) || u.PeriodEnd != month.AddDate(0, 1, -1).Format(time.DateOnly) ||
		u.OverageCostPence != 200 || u.StoredBytes != 1_500_000_000 || len(u.Metrics) != 4 {
		t.Fatalf("usage %+v", u)
	}
	for _, m := range u.Metrics {
		if m != want[m.Metric] {
			t.Errorf("%s: %+v, want %+v", m.Metric, m, want[m.Metric])
		}
	}
	// Last month.
	e.Admin.With(t).Get("/api/v1/billing/usage?month=" + month.AddDate(0, -1, 0).Format("2006-01")).Expect(http.StatusOK).Data(&u)
	if u.Metrics[0].Used != 7 || u.Metrics[2].Used != 0 {
		t.Fatalf("last month %+v", u)
	}
	e.Admin.With(t).Get("/api/v1/billing/usage?month=2026-13").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "month")
	for _, c := range []*testsupport.Client{e.Tenant, e.Contractor} {
		c.With(t).Get("/api/v1/billing/usage").ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	}
	// Another organisation sees its own, empty, usage.
	o := app.NewEstate(t, "Elsewhere", testsupport.EstateOptions{})
	o.Admin.With(t).Get("/api/v1/billing/usage").Expect(http.StatusOK).Data(&u)
	for _, m := range u.Metrics {
		if m.Used != 0 {
			t.Fatalf("another organisation's usage %+v", u)
		}
	}
	app.Anonymous().Get("/api/v1/billing/usage").ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
}

// The statement is a real PDF (ADMIN only) with the month's figures: each metric's use and
// cost and the total with the plan's price.
func TestStatement(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Statement Lettings", testsupport.EstateOptions{})
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	setMeter(t, app, e, "sms", month, 63)
	setMeter(t, app, e, "ai_tokens", month, 2500)

	r := e.Admin.With(t).Get("/api/v1/billing/statement?month=2026-11").Expect(http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" || !strings.Contains(r.Header.Get("Content-Disposition"), "usage-statement-2026-11.pdf") {
		t.Fatalf("answer %s, %s", ct, r.Header.Get("Content-Disposition"))
	}
	text := testsupport.PDFText(t, r.Body)
	// 13 SMS over at 5p = 65p; 1,500 tokens over at 100p a thousand = 150p; total £2.15.
	for _, want := range []string{"Usage statement November 2026", "Statement Lettings", "Free", "1 November 2026 to 30 November 2026",
		"SMS (segments)", "63", "13", testsupport.CP1252("£0.65"), testsupport.CP1252("£1.50"), testsupport.CP1252("£2.15")} {
		if !strings.Contains(text, want) {
			t.Errorf("the statement lacks %q", want)
		}
	}
	for _, c := range []*testsupport.Client{e.Coordinator, e.Tenant} {
		c.With(t).Get("/api/v1/billing/statement").ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	}
	e.Admin.With(t).Get("/api/v1/billing/statement?month=November").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "month")
}

// The subscription's life with the local provider (changes apply at once, nothing is
// charged): upgrade, change, cancel and resume, back to Free; ADMIN only; the plan's
// allowances follow; each change on the organisation's timeline; another organisation is
// untouched.
func TestSubscriptionLifecycle(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Subscribing", testsupport.EstateOptions{})
	other := app.NewEstate(t, "Staying Free", testsupport.EstateOptions{})
	var sub billing.Subscription
	e.Coordinator.With(t).Get("/api/v1/billing/subscription").Expect(http.StatusOK).Data(&sub)
	if sub.Plan != "FREE" || sub.Status != "ACTIVE" || sub.Provider != "local" || sub.HasPaidPlan {
		t.Fatalf("new organisation %+v", sub)
	}
	e.Coordinator.With(t).Post("/api/v1/billing/upgrade", map[string]any{"plan": "STARTER"}).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	e.Admin.With(t).Post("/api/v1/billing/upgrade", map[string]any{"plan": "GOLD"}).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "plan")
	e.Admin.With(t).Post("/api/v1/billing/cancel", nil).ExpectFailure(http.StatusConflict, apperr.Conflict)

	step := func(path string, body any, want func(billing.Subscription) bool) {
		t.Helper()
		e.Admin.With(t).Post(path, body).Expect(http.StatusOK).Data(&sub)
		if !want(sub) {
			t.Fatalf("%s: %+v", path, sub)
		}
		var got billing.Subscription
		e.Admin.With(t).Get("/api/v1/billing/subscription").Expect(http.StatusOK).Data(&got)
		if got.Plan != sub.Plan || got.Status != sub.Status || got.CancelAtPeriodEnd != sub.CancelAtPeriodEnd {
			t.Fatalf("after %s the organisation reads %+v, the answer was %+v", path, got, sub)
		}
	}
	step("/api/v1/billing/upgrade", map[string]any{"plan": "STARTER"}, func(s billing.Subscription) bool {
		return s.Plan == "STARTER" && s.Status == "ACTIVE" && s.HasPaidPlan && s.CurrentPeriodEnd != nil
	})
	var u billing.BillingUsage
	e.Admin.With(t).Get("/api/v1/billing/usage").Expect(http.StatusOK).Data(&u)
	if u.Plan != "STARTER" || !u.AllowOverage || u.Metrics[0].Included != 500 {
		t.Fatalf("usage on Starter %+v", u)
	}
	step("/api/v1/billing/upgrade", map[string]any{"plan": "PROFESSIONAL"}, func(s billing.Subscription) bool { return s.Plan == "PROFESSIONAL" })
	step("/api/v1/billing/upgrade", map[string]any{"plan": "PROFESSIONAL"}, func(s billing.Subscription) bool { return s.Plan == "PROFESSIONAL" })
	e.Admin.With(t).Post("/api/v1/billing/resume", nil).ExpectFailure(http.StatusConflict, apperr.Conflict)
	step("/api/v1/billing/cancel", nil, func(s billing.Subscription) bool { return s.Plan == "FREE" && !s.HasPaidPlan && !s.CancelAtPeriodEnd })
	step("/api/v1/billing/upgrade", map[string]any{"plan": "ENTERPRISE"}, func(s billing.Subscription) bool { return s.Plan == "ENTERPRISE" })
	step("/api/v1/billing/upgrade", map[string]any{"plan": "FREE"}, func(s billing.Subscription) bool { return s.Plan == "FREE" })

	var trail []struct {
		Action string `json:"action"`
	}
	e.Admin.With(t).Get("/api/v1/timeline?entity=organisation&id=" + e.OrgID.String() + "&limit=50").Expect(http.StatusOK).Data(&trail)
	changes := 0
	for _, ev := range trail {
		if ev.Action == "plan_changed" || ev.Action == "subscription_cancelled" {
			changes++
		}
	}
	if changes != 5 {
		t.Fatalf("%d plan changes on the timeline, want 5: %+v", changes, trail)
	}
	other.Admin.With(t).Get("/api/v1/billing/subscription").Expect(http.StatusOK).Data(&sub)
	if sub.Plan != "FREE" {
		t.Fatalf("another organisation's plan %+v", sub)
	}
	e.Tenant.With(t).Get("/api/v1/billing/subscription").ExpectFailure(http.StatusForbidden, apperr.Forbidden)
}

// setStanding puts the organisation's subscription in status, through billing_apply (as a
// Stripe webhook will).
func setStanding(t *testing.T, app *testsupport.App, e *testsupport.Estate, status string) {
	t.Helper()
	if err := app.DB.InTx(context.Background(), database.Scope{OrgID: e.OrgID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), "SELECT billing_apply($1, 'STARTER', $2, NULL, 'sub_test', false, NULL, now())", e.OrgID, status)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	plans.Forget(e.OrgID) // written behind the service's back: the process's cache must not answer
}

// upload posts a small PNG to a ticket as c.
func upload(t *testing.T, c *testsupport.Client, ticketID string) *testsupport.Response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, _ := w.CreateFormFile("file", "leak.png")
	part.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x0bIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82"))
	w.Close()
	return c.With(t).Do(http.MethodPost, "/api/v1/tickets/"+ticketID+"/attachments", buf.Bytes(), "Content-Type", w.FormDataContentType())
}

// While the payment is overdue, billable actions answer 402 with a clear message and
// everything can still be read; a resident's photo is still taken; paying restores them.
func TestPaymentOverdueGatesBillableActions(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Overdue", testsupport.EstateOptions{})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Damp in the bedroom"})
	setStanding(t, app, e, "PAST_DUE")

	f := e.Coordinator.With(t).Post("/api/v1/tickets/"+tk.ID.String()+"/messages", map[string]any{"channel": "SMS", "body": "Hello", "to": "07400 125000"}).
		ExpectFailure(http.StatusPaymentRequired, apperr.PaymentRequired)
	if !strings.Contains(f.Message, "overdue") {
		t.Fatalf("message %q", f.Message)
	}
	upload(t, e.Coordinator, tk.ID.String()).ExpectFailure(http.StatusPaymentRequired, apperr.PaymentRequired)
	upload(t, e.Tenant, tk.ID.String()).Expect(http.StatusCreated)
	e.Coordinator.With(t).Get("/api/v1/tickets/" + tk.ID.String() + "/messages").Expect(http.StatusOK)
	e.Coordinator.With(t).Get("/api/v1/billing/usage").Expect(http.StatusOK)
	var sub billing.Subscription
	e.Admin.With(t).Get("/api/v1/billing/subscription").Expect(http.StatusOK).Data(&sub)
	if sub.Status != "PAST_DUE" {
		t.Fatalf("subscription %+v", sub)
	}

	setStanding(t, app, e, "UNPAID")
	upload(t, e.Contractor, tk.ID.String()).ExpectFailure(http.StatusNotFound, apperr.NotFound) // no work order: not theirs to see
	setStanding(t, app, e, "ACTIVE")
	e.Coordinator.With(t).Post("/api/v1/tickets/"+tk.ID.String()+"/messages", map[string]any{"channel": "SMS", "body": "Hello", "to": "07400 125000"}).
		Expect(http.StatusCreated)
	upload(t, e.Coordinator, tk.ID.String()).Expect(http.StatusCreated)

	// A text queued before the payment fell overdue is refused when its turn comes.
	e.Admin.With(t).Patch("/api/v1/settings", map[string]any{"quietHours": map[string]string{"start": "00:00", "end": "00:00"}}).Expect(http.StatusOK)
	e.Coordinator.With(t).Post("/api/v1/consent/grant", map[string]any{"type": "SMS", "value": "07400 125000"}).Expect(http.StatusOK)
	var queued messaging.Text
	e.Coordinator.With(t).Post("/api/v1/tickets/"+tk.ID.String()+"/messages", map[string]any{"channel": "SMS", "body": "Tomorrow", "to": "07400 125000"}).
		Expect(http.StatusCreated).Data(&queued)
	setStanding(t, app, e, "PAST_DUE")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Work(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var texts []messaging.Text
		e.Coordinator.With(t).Get("/api/v1/tickets/" + tk.ID.String() + "/messages").Expect(http.StatusOK).Data(&texts)
		var got messaging.Text
		for _, m := range texts {
			if m.ID == queued.ID {
				got = m
			}
		}
		if got.Status == "BLOCKED" && strings.Contains(got.StatusReason, "payment overdue") {
			break
		}
		if got.Status != "PENDING" || time.Now().After(deadline) {
			t.Fatalf("queued text %+v", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// With the local provider there is nothing to pay: checkout applies the plan at once and
// answers the billing page, the portal is the billing page, and there are no invoices.
func TestLocalCheckoutPortalAndInvoices(t *testing.T) {
	app := testsupport.NewApp(t, map[string]string{"BASE_URL": "https://app.example.co.uk"})
	e := app.NewEstate(t, "Local checkout", testsupport.EstateOptions{})
	e.Coordinator.With(t).Post("/api/v1/billing/checkout", map[string]any{"plan": "STARTER"}).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	e.Admin.With(t).Post("/api/v1/billing/checkout", map[string]any{"plan": "PLATINUM"}).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "plan")
	var c billing.CheckoutSession
	e.Admin.With(t).Post("/api/v1/billing/checkout", map[string]any{"plan": "STARTER"}).Expect(http.StatusOK).Data(&c)
	if c.URL != "https://app.example.co.uk/billing?checkout=done" || c.Subscription.Plan != "STARTER" || !c.Subscription.HasPaidPlan {
		t.Fatalf("checkout %+v", c)
	}
	var p billing.PortalSession
	e.Admin.With(t).Post("/api/v1/billing/portal", nil).Expect(http.StatusOK).Data(&p)
	if p.URL != "https://app.example.co.uk/billing" {
		t.Fatalf("portal %+v", p)
	}
	var invoices []billing.BillingInvoice
	e.Admin.With(t).Get("/api/v1/billing/invoices").Expect(http.StatusOK).Data(&invoices)
	if invoices == nil || len(invoices) != 0 {
		t.Fatalf("invoices %+v", invoices)
	}
	e.Tenant.With(t).Get("/api/v1/billing/invoices").ExpectFailure(http.StatusForbidden, apperr.Forbidden)
}

// TestPlanCache: the plan and subscription status are served from the process's cache
// (plans.CacheTTL), yet a change through billing applies to the very next request, and one
// organisation's change never reaches another's.
func TestPlanCache(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e, other := app.NewEstate(t, "Cached Plan", testsupport.EstateOptions{}), app.NewEstate(t, "Other Plan", testsupport.EstateOptions{})
	included := func(c *testsupport.Client) (string, int64) {
		t.Helper()
		var u billing.BillingUsage
		c.With(t).Get("/api/v1/billing/usage").Expect(http.StatusOK).Data(&u)
		for _, m := range u.Metrics {
			if m.Metric == "sms" {
				return u.Plan, m.Included
			}
		}
		t.Fatalf("no sms in %+v", u)
		return "", 0
	}
	for _, c := range []*testsupport.Client{e.Admin, other.Admin} {
		if plan, sms := included(c); plan != "FREE" || sms != 50 {
			t.Fatalf("new organisation: %s with %d texts", plan, sms)
		}
	}
	hits, _ := plans.CacheStats()
	included(e.Admin)
	if h, _ := plans.CacheStats(); h <= hits {
		t.Fatal("a second read did not come from the cache")
	}

	e.Admin.With(t).Post("/api/v1/billing/upgrade", map[string]any{"plan": "STARTER"}).Expect(http.StatusOK)
	if _, sms := included(e.Admin); sms != plans.Starter.Included[plans.SMS] {
		t.Fatalf("the next request after the upgrade allows %d texts, want the Starter plan's %d", sms, plans.Starter.Included[plans.SMS])
	}
	if plan, sms := included(other.Admin); plan != "FREE" || sms != 50 {
		t.Fatalf("another organisation reads %s with %d texts", plan, sms)
	}

	// An overdue payment pauses billable actions at once, and paying restores them.
	setStanding(t, app, e, "PAST_DUE")
	upload(t, e.Coordinator, testsupport.CreateTicket(t, e.Coordinator.With(t), map[string]any{"unitId": e.UnitID, "title": "Cache check"}).ID.String()).
		ExpectFailure(http.StatusPaymentRequired, apperr.PaymentRequired)
}
