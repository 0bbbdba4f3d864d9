package billing_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/billing"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/testsupport/stripemock"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

const webhookSecret = "whsec_billing_tests"

// stripeApp is the app with Stripe as its payment provider: stripe-mock, behind a front
// that keeps the subscriptions a test sets (stripe-mock itself answers fixtures).
type stripeApp struct {
	*testsupport.App
	stripe *stripemock.Front
}

func newStripeApp(t *testing.T) *stripeApp {
	t.Helper()
	front := stripemock.StartFront(t)
	app := testsupport.NewApp(t, map[string]string{
		"BILLING_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_test_billing", "STRIPE_BASE_URL": front.URL,
		"STRIPE_WEBHOOK_SECRET": webhookSecret, "BASE_URL": "https://app.example.co.uk",
		"STRIPE_PRICE_STARTER": "price_starter1", "STRIPE_PRICE_PROFESSIONAL": "price_pro1", "STRIPE_PRICE_ENTERPRISE": "price_ent1",
	})
	return &stripeApp{App: app, stripe: front}
}

// deliver posts a webhook event signed as Stripe signs it at the time given.
func (a *stripeApp) deliver(t *testing.T, payload []byte, signedAt time.Time) *testsupport.Response {
	t.Helper()
	return a.Anonymous().With(t).Post("/webhooks/stripe", payload, "Stripe-Signature", stripemock.Sign(payload, webhookSecret, signedAt))
}

// apply delivers an event that must be applied (or found a duplicate) and answers the result.
func (a *stripeApp) apply(t *testing.T, payload []byte) billing.WebhookResult {
	t.Helper()
	var res billing.WebhookResult
	a.deliver(t, payload, time.Now()).Expect(http.StatusOK).Data(&res)
	return res
}

func customerOf(t *testing.T, app *testsupport.App, orgID uuid.UUID) string {
	t.Helper()
	var c *string
	if err := app.DB.InTx(context.Background(), database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT stripe_customer_id FROM organisations WHERE id = $1", orgID).Scan(&c)
	}); err != nil {
		t.Fatal(err)
	}
	if c == nil {
		return ""
	}
	return *c
}

func subscription(t *testing.T, c *testsupport.Client) billing.Subscription {
	t.Helper()
	var sub billing.Subscription
	c.With(t).Get("/api/v1/billing/subscription").Expect(http.StatusOK).Data(&sub)
	return sub
}

func subscriptionObject(id, customer string) string {
	return fmt.Sprintf(`{"id":%q,"object":"subscription","customer":%q,"status":"active"}`, id, customer)
}

func invoiceObject(customer, sub string) string {
	return fmt.Sprintf(`{"id":"in_%s","object":"invoice","customer":%q,"parent":{"type":"subscription_details","subscription_details":{"subscription":%q}}}`,
		uuid.NewString()[:8], customer, sub)
}

// A new organisation's customer is created by a job after registration, with the
// organisation in its metadata.
func TestStripe_customerCreatedAfterRegistration(t *testing.T) {
	app := newStripeApp(t)
	e := app.NewEstate(t, "Customer", testsupport.EstateOptions{})
	work(t, app.App)
	deadline := time.Now().Add(20 * time.Second)
	for customerOf(t, app.App, e.OrgID) == "" {
		if time.Now().After(deadline) {
			t.Fatal("no customer was created")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if c := customerOf(t, app.App, e.OrgID); !strings.HasPrefix(c, "cus_") {
		t.Fatalf("customer %q", c)
	}
}

// The whole lifecycle on Stripe: the first paid plan bought at checkout and applied by
// webhook, each event once, a failed payment pausing billable actions and a paid one
// restoring them, events out of order, an upgrade, cancel and resume, and the end of the
// subscription.
func TestStripe_subscriptionLifecycle(t *testing.T) {
	app := newStripeApp(t)
	e := app.NewEstate(t, "Lifecycle", testsupport.EstateOptions{})
	admin := e.Admin

	// A first paid plan is bought at checkout, not by upgrade.
	admin.With(t).Post("/api/v1/billing/upgrade", map[string]string{"plan": "STARTER"}).ExpectFailure(http.StatusConflict, apperr.Conflict)
	e.Coordinator.With(t).Post("/api/v1/billing/checkout", map[string]string{"plan": "STARTER"}).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	admin.With(t).Post("/api/v1/billing/checkout", map[string]string{"plan": "FREE"}).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "plan")
	var checkout billing.CheckoutSession
	admin.With(t).Post("/api/v1/billing/checkout", map[string]string{"plan": "STARTER"}).Expect(http.StatusOK).Data(&checkout)
	if !strings.HasPrefix(checkout.URL, "https://checkout.stripe.com/") || checkout.Subscription.Plan != "FREE" {
		t.Fatalf("checkout %+v", checkout)
	}
	customer := customerOf(t, app.App, e.OrgID)
	if customer == "" {
		t.Fatal("checkout created no customer")
	}

	// Checkout completes: the subscription is read from Stripe and applied.
	periodEnd := time.Now().UTC().AddDate(0, 1, 0).Truncate(time.Second)
	live := stripemock.Subscription{ID: "sub_life1", Customer: customer, Price: "price_starter1", Status: "active", PeriodEnd: periodEnd}
	app.stripe.SetSubscription(live)
	completed := stripemock.Event("evt_checkout1", "checkout.session.completed", time.Now(),
		fmt.Sprintf(`{"id":"cs_1","object":"checkout.session","customer":%q,"subscription":"sub_life1","client_reference_id":%q}`, customer, e.OrgID))
	if res := app.apply(t, completed); !res.Applied || res.Duplicate {
		t.Fatalf("checkout.session.completed: %+v", res)
	}
	sub := subscription(t, admin)
	if sub.Plan != "STARTER" || sub.Status != "ACTIVE" || sub.CurrentPeriodEnd == nil || !sub.CurrentPeriodEnd.Equal(periodEnd) || !sub.HasPaidPlan {
		t.Fatalf("after checkout: %+v", sub)
	}
	// The same event again changes nothing, and is not on the timeline twice.
	if res := app.apply(t, completed); !res.Duplicate || res.Applied {
		t.Fatalf("repeat: %+v", res)
	}
	if n := countTimeline(t, app.App, e.OrgID, "subscription_updated"); n != 1 {
		t.Fatalf("%d subscription_updated entries, want 1", n)
	}
	// Checkout is for the first paid plan only.
	admin.With(t).Post("/api/v1/billing/checkout", map[string]string{"plan": "ENTERPRISE"}).ExpectFailure(http.StatusConflict, apperr.Conflict)

	// A failed payment: billable actions answer 402, reads still work.
	overdueUpdate := stripemock.Event("evt_sub_pastdue", "customer.subscription.updated", time.Now(), subscriptionObject("sub_life1", customer))
	live.Status = "past_due"
	app.stripe.SetSubscription(live)
	app.apply(t, stripemock.Event("evt_failed1", "invoice.payment_failed", time.Now(), invoiceObject(customer, "sub_life1")))
	if sub := subscription(t, admin); sub.Status != "PAST_DUE" || sub.Plan != "STARTER" {
		t.Fatalf("after payment_failed: %+v", sub)
	}
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Dripping tap"})
	f := e.Coordinator.With(t).Post("/api/v1/tickets/"+tk.ID.String()+"/messages", map[string]any{"channel": "SMS", "body": "Hello", "to": "07400 126000"}).
		ExpectFailure(http.StatusPaymentRequired, apperr.PaymentRequired)
	if !strings.Contains(f.Message, "overdue") {
		t.Fatalf("402 message %q", f.Message)
	}
	// The ADMINs are told by email.
	work(t, app.App)
	waitForEmail(t, app.App, e.OrgID, admin.Email, "the subscription payment failed")

	// Paid: restored at once.
	live.Status = "active"
	app.stripe.SetSubscription(live)
	app.apply(t, stripemock.Event("evt_paid1", "invoice.paid", time.Now(), invoiceObject(customer, "sub_life1")))
	if sub := subscription(t, admin); sub.Status != "ACTIVE" {
		t.Fatalf("after invoice.paid: %+v", sub)
	}
	e.Coordinator.With(t).Post("/api/v1/tickets/"+tk.ID.String()+"/messages", map[string]any{"channel": "SMS", "body": "Hello", "to": "07400 126000"}).
		Expect(http.StatusCreated)
	// The past_due update Stripe sent before the payment arrives after it: the state read
	// now is paid, so nothing moves back.
	app.apply(t, overdueUpdate)
	if sub := subscription(t, admin); sub.Status != "ACTIVE" {
		t.Fatalf("a late past_due event undid the payment: %+v", sub)
	}

	// Upgrade with proration: the subscription's price changes at Stripe.
	var up billing.Subscription
	admin.With(t).Post("/api/v1/billing/upgrade", map[string]string{"plan": "PROFESSIONAL"}).Expect(http.StatusOK).Data(&up)
	if up.Plan != "PROFESSIONAL" || up.Provider != "stripe" {
		t.Fatalf("upgrade: %+v", up)
	}
	// Cancel at period end, then resume.
	var cancelled, resumed billing.Subscription
	admin.With(t).Post("/api/v1/billing/cancel", nil).Expect(http.StatusOK).Data(&cancelled)
	if !cancelled.CancelAtPeriodEnd || cancelled.Plan != "PROFESSIONAL" {
		t.Fatalf("cancel: %+v", cancelled)
	}
	admin.With(t).Post("/api/v1/billing/resume", nil).Expect(http.StatusOK).Data(&resumed)
	if resumed.CancelAtPeriodEnd || resumed.Plan != "PROFESSIONAL" {
		t.Fatalf("resume: %+v", resumed)
	}

	// The subscription ends: back to Free.
	live = stripemock.Subscription{ID: "sub_life1", Customer: customer, Price: "price_pro1", Status: "canceled", PeriodEnd: periodEnd}
	app.stripe.SetSubscription(live)
	app.apply(t, stripemock.Event("evt_deleted1", "customer.subscription.deleted", time.Now(), subscriptionObject("sub_life1", customer)))
	if sub := subscription(t, admin); sub.Plan != "FREE" || sub.Status != "ACTIVE" || sub.HasPaidPlan {
		t.Fatalf("after deletion: %+v", sub)
	}
	for _, action := range []string{"invoice_paid", "payment_failed", "plan_changed", "subscription_cancelled", "subscription_resumed"} {
		if countTimeline(t, app.App, e.OrgID, action) != 1 {
			t.Errorf("timeline has no single %s", action)
		}
	}
}

// Webhooks Stripe did not sign, signed with another secret, or signed outside the
// tolerance are refused and change nothing; types not handled and customers not known
// are acknowledged and left alone; an event changes only the organisation whose customer
// it names.
func TestStripe_webhookRefusalsAndTenancy(t *testing.T) {
	app := newStripeApp(t)
	a := app.NewEstate(t, "Hooks A", testsupport.EstateOptions{})
	b := app.NewEstate(t, "Hooks B", testsupport.EstateOptions{})
	var checkout billing.CheckoutSession
	a.Admin.With(t).Post("/api/v1/billing/checkout", map[string]string{"plan": "ENTERPRISE"}).Expect(http.StatusOK).Data(&checkout)
	customerA := customerOf(t, app.App, a.OrgID)
	app.stripe.SetSubscription(stripemock.Subscription{ID: "sub_a", Customer: customerA, Price: "price_ent1", Status: "active", PeriodEnd: time.Now().AddDate(0, 1, 0)})
	event := stripemock.Event("evt_a1", "customer.subscription.created", time.Now(), subscriptionObject("sub_a", customerA))

	now := time.Now()
	anon := app.Anonymous()
	for name, header := range map[string]string{
		"unsigned":        "",
		"another secret":  stripemock.Sign(event, "whsec_someone_else", now),
		"too old":         stripemock.Sign(event, webhookSecret, now.Add(-10*time.Minute)),
		"from the future": stripemock.Sign(event, webhookSecret, now.Add(10*time.Minute)),
	} {
		anon.With(t).Post("/webhooks/stripe", event, "Stripe-Signature", header).ExpectFailure(http.StatusBadRequest, apperr.BadRequest)
		if sub := subscription(t, a.Admin); sub.Plan != "FREE" {
			t.Fatalf("%s: applied: %+v", name, sub)
		}
	}
	tampered := []byte(strings.Replace(string(event), "sub_a", "sub_b", 1))
	anon.With(t).Post("/webhooks/stripe", tampered, "Stripe-Signature", stripemock.Sign(event, webhookSecret, now)).ExpectFailure(http.StatusBadRequest, apperr.BadRequest)

	if res := app.apply(t, stripemock.Event("evt_other", "customer.created", now, `{"id":"cus_x","object":"customer"}`)); !res.Ignored || res.Applied {
		t.Fatalf("unhandled type: %+v", res)
	}
	if res := app.apply(t, stripemock.Event("evt_stranger", "customer.subscription.updated", now, subscriptionObject("sub_z", "cus_stranger"))); !res.Ignored {
		t.Fatalf("unknown customer: %+v", res)
	}

	if res := app.apply(t, event); !res.Applied {
		t.Fatalf("signed event: %+v", res)
	}
	if sub := subscription(t, a.Admin); sub.Plan != "ENTERPRISE" {
		t.Fatalf("A after its event: %+v", sub)
	}
	if sub := subscription(t, b.Admin); sub.Plan != "FREE" || sub.HasPaidPlan {
		t.Fatalf("B changed by A's event: %+v", sub)
	}
	// B's ADMIN sees B's invoices only: B has no customer yet, so none.
	var invoicesB []billing.BillingInvoice
	b.Admin.With(t).Get("/api/v1/billing/invoices").Expect(http.StatusOK).Data(&invoicesB)
	if len(invoicesB) != 0 {
		t.Fatalf("B's invoices: %+v", invoicesB)
	}
}

// A subscription state read before a newer one was applied is not applied over it: what
// makes concurrent webhooks order-independent (billing_apply compares the times).
func TestStripe_olderStateNeverOverwritesNewer(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Older", testsupport.EstateOptions{})
	ctx := context.Background()
	apply := func(plan string, at time.Time) bool {
		var applied bool
		if err := app.DB.InTx(ctx, database.Scope{OrgID: e.OrgID}, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT billing_apply($1, $2, 'ACTIVE', NULL, 'sub_o', false, NULL, $3)", e.OrgID, plan, at).Scan(&applied)
		}); err != nil {
			t.Fatal(err)
		}
		return applied
	}
	now := time.Now().UTC()
	if !apply("ENTERPRISE", now) {
		t.Fatal("the first state was not applied")
	}
	if apply("STARTER", now.Add(-time.Second)) {
		t.Fatal("an older state was applied over a newer one")
	}
	if sub := subscription(t, e.Admin); sub.Plan != "ENTERPRISE" {
		t.Fatalf("plan %s", sub.Plan)
	}
	// And only the organisation in scope: another's id is refused outright.
	other := app.NewEstate(t, "Older B", testsupport.EstateOptions{})
	err := app.DB.InTx(ctx, database.Scope{OrgID: e.OrgID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "SELECT billing_apply($1, 'ENTERPRISE', 'ACTIVE', NULL, NULL, false, NULL, now())", other.OrgID)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "not the one in scope") {
		t.Fatalf("billing_apply for another organisation: %v", err)
	}
}

// The billing portal and the invoices come from Stripe (ADMIN only).
func TestStripe_portalAndInvoices(t *testing.T) {
	app := newStripeApp(t)
	e := app.NewEstate(t, "Portal", testsupport.EstateOptions{})
	e.Coordinator.With(t).Post("/api/v1/billing/portal", nil).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	e.Coordinator.With(t).Get("/api/v1/billing/invoices").ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	var portal billing.PortalSession
	e.Admin.With(t).Post("/api/v1/billing/portal", nil).Expect(http.StatusOK).Data(&portal)
	if !strings.HasPrefix(portal.URL, "https://") {
		t.Fatalf("portal %+v", portal)
	}
	var invoices []billing.BillingInvoice
	e.Admin.With(t).Get("/api/v1/billing/invoices?limit=5").Expect(http.StatusOK).Data(&invoices)
	// stripe-mock's invoice is a draft of 1000 (drafts have no hosted page or PDF yet).
	if len(invoices) == 0 || !strings.HasPrefix(invoices[0].ID, "in_") || invoices[0].Status != "draft" || invoices[0].TotalPence != 1000 || invoices[0].Currency != "usd" {
		t.Fatalf("invoices %+v", invoices)
	}
	e.Admin.With(t).Get("/api/v1/billing/invoices?limit=500").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "limit")
}

// Usage beyond the allowances is reported to Stripe's meters as it grows, each unit once:
// a scan with nothing new reports nothing, and each report's identifier (also its
// idempotency key) is its own, so a retried job is counted once.
func TestStripe_usageReportedToMeters(t *testing.T) {
	app := newStripeApp(t)
	e := app.NewEstate(t, "Meters", testsupport.EstateOptions{})
	var checkout billing.CheckoutSession
	e.Admin.With(t).Post("/api/v1/billing/checkout", map[string]string{"plan": "STARTER"}).Expect(http.StatusOK).Data(&checkout)
	customer := customerOf(t, app.App, e.OrgID)
	app.stripe.SetSubscription(stripemock.Subscription{ID: "sub_m", Customer: customer, Price: "price_starter1", Status: "active", PeriodEnd: time.Now().AddDate(0, 1, 0)})
	app.apply(t, stripemock.Event("evt_m1", "customer.subscription.created", time.Now(), subscriptionObject("sub_m", customer)))

	ctx := context.Background()
	month := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	setMeter(t, app.App, e, "sms", month, 520)          // Starter includes 500
	setMeter(t, app.App, e, "ai_tokens", month, 10_000) // exactly the allowance: nothing over
	// Scans running at once (two workers, a slow one overtaken) report each unit once.
	var total atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			n, err := app.Billing.ReportUsage(ctx)
			if err != nil {
				t.Error(err)
			}
			total.Add(int64(n))
		})
	}
	wg.Wait()
	if total.Load() != 1 {
		t.Fatalf("four scans at once queued %d events, want 1 (sms)", total.Load())
	}
	if n, err := app.Billing.ReportUsage(ctx); err != nil || n != 0 {
		t.Fatalf("a second scan with nothing new = %d, %v", n, err)
	}
	setMeter(t, app.App, e, "sms", month, 530)
	if n, err := app.Billing.ReportUsage(ctx); err != nil || n != 1 {
		t.Fatalf("after 10 more = %d, %v", n, err)
	}
	work(t, app.App)
	deadline := time.Now().Add(20 * time.Second)
	for len(app.stripe.MeterEvents()) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("meter events sent: %v", app.stripe.MeterEvents())
		}
		time.Sleep(50 * time.Millisecond)
	}
	got := map[string]string{}
	for _, ev := range app.stripe.MeterEvents() {
		if ev.Get("event_name") != "maintainuk_sms" || ev.Get("payload[stripe_customer_id]") != customer || ev.Get("Idempotency-Key") != ev.Get("identifier") {
			t.Fatalf("meter event %v", ev)
		}
		got[ev.Get("identifier")] = ev.Get("payload[value]")
	}
	prefix := fmt.Sprintf("%s:sms:%s:", e.OrgID, month.Format("2006-01"))
	if got[prefix+"1"] != "20" || got[prefix+"2"] != "10" || len(got) != 2 {
		t.Fatalf("meter events by identifier %v, want %s1=20 and %s2=10", got, prefix, prefix)
	}
}

func countTimeline(t *testing.T, app *testsupport.App, orgID uuid.UUID, action string) int {
	t.Helper()
	var n int
	if err := app.DB.InTx(context.Background(), database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT count(*) FROM timeline_events WHERE entity_type = $1 AND action = $2",
			timeline.EntityOrganisation, action).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// work runs the app's workers until the test ends.
func work(t *testing.T, app *testsupport.App) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Work(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// Applied events are remembered for EventRetention, then forgotten by the retention job.
func TestStripe_eventIdsExpire(t *testing.T) {
	app := newStripeApp(t)
	e := app.NewEstate(t, "Expiry", testsupport.EstateOptions{})
	var checkout billing.CheckoutSession
	e.Admin.With(t).Post("/api/v1/billing/checkout", map[string]string{"plan": "STARTER"}).Expect(http.StatusOK).Data(&checkout)
	customer := customerOf(t, app.App, e.OrgID)
	app.stripe.SetSubscription(stripemock.Subscription{ID: "sub_x", Customer: customer, Price: "price_starter1", Status: "active", PeriodEnd: time.Now().AddDate(0, 1, 0)})
	app.apply(t, stripemock.Event("evt_old", "customer.subscription.created", time.Now(), subscriptionObject("sub_x", customer)))
	app.apply(t, stripemock.Event("evt_new", "customer.subscription.updated", time.Now(), subscriptionObject("sub_x", customer)))

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, app.DBs.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", e.OrgID.String()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE stripe_events SET received_at = now() - interval '31 days' WHERE event_id = 'evt_old'")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := app.Billing.PurgeExpired(ctx, e.OrgID); err != nil || n != 1 {
		t.Fatalf("PurgeExpired = %d, %v; want the one old event", n, err)
	}
	if res := app.apply(t, stripemock.Event("evt_new", "customer.subscription.updated", time.Now(), subscriptionObject("sub_x", customer))); !res.Duplicate {
		t.Fatalf("the recent event was forgotten: %+v", res)
	}
}

// waitForEmail waits until an email whose subject contains subject has been sent to to.
func waitForEmail(t *testing.T, app *testsupport.App, orgID uuid.UUID, to, subject string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		if err := app.DB.InTx(context.Background(), database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT count(*) FROM messages WHERE recipient = $1 AND subject LIKE '%' || $2 || '%' AND status = 'SENT'",
				to, subject).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			return
		}
		if n > 1 || time.Now().After(deadline) {
			t.Fatalf("%d emails %q to %s", n, subject, to)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
