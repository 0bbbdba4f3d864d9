package payments

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"
)

func TestLocal_subscriptionLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := NewLocal("http://localhost:8080/")
	if l.Name() != "local" {
		t.Fatalf("Name = %q", l.Name())
	}
	cus, err := l.CreateCustomer(ctx, Customer{OrgID: "org1", Name: "Acme Lettings"}, "k-cus")
	if err != nil || cus != "cus_local_org1" {
		t.Fatalf("CreateCustomer = %q, %v", cus, err)
	}
	before := time.Now()
	sub, err := l.CreateSubscription(ctx, cus, "price_starter", "k-sub")
	if err != nil {
		t.Fatal(err)
	}
	if sub.ID != "sub_local_org1" || sub.CustomerID != cus || sub.PriceID != "price_starter" || sub.Status != "active" || sub.CancelAtPeriodEnd {
		t.Fatalf("CreateSubscription = %+v", sub)
	}
	if !sub.CurrentPeriodEnd.After(before.AddDate(0, 0, 27)) {
		t.Fatalf("period ends %v, want about a month on", sub.CurrentPeriodEnd)
	}
	// Nothing is kept: a new provider (another replica, a restart) answers alike.
	l = NewLocal("http://localhost:8080/")
	steps := []struct {
		name string
		do   func() (Subscription, error)
		want func(Subscription) bool
	}{
		{"change price", func() (Subscription, error) { return l.ChangePrice(ctx, sub.ID, "price_pro", "k1") },
			func(s Subscription) bool {
				return s.PriceID == "price_pro" && s.Status == "active" && !s.CancelAtPeriodEnd
			}},
		{"cancel", func() (Subscription, error) { return l.CancelAtPeriodEnd(ctx, sub.ID, "k2") },
			func(s Subscription) bool { return s.CancelAtPeriodEnd && s.PriceID == "" }},
		{"resume", func() (Subscription, error) { return l.Resume(ctx, sub.ID, "k3") },
			func(s Subscription) bool { return !s.CancelAtPeriodEnd && s.Status == "active" }},
		{"get", func() (Subscription, error) { return l.GetSubscription(ctx, sub.ID) },
			func(s Subscription) bool { return s.ID == sub.ID && s.CustomerID == cus && s.Status == "active" }},
	}
	for _, st := range steps {
		if got, err := st.do(); err != nil || !st.want(got) || got.ID != sub.ID {
			t.Fatalf("%s = %+v, %v", st.name, got, err)
		}
	}
	if _, err := l.GetSubscription(ctx, "sub_1Abc"); err == nil {
		t.Fatal("GetSubscription of another provider's id succeeded")
	}
}

// A retried create with the same idempotency key is the same subscription, as at Stripe.
func TestLocal_createIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := NewLocal("http://localhost:8080")
	first, _ := l.CreateSubscription(ctx, "cus_local_a", "p1", "same")
	again, err := l.CreateSubscription(ctx, "cus_local_a", "p1", "same")
	if err != nil || again.ID != first.ID || again.PriceID != first.PriceID {
		t.Fatalf("retry = %+v, %v; want %+v", again, err, first)
	}
}

func TestLocal_refusesCallsWithoutIdempotencyKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := NewLocal("http://localhost:8080")
	sub, _ := l.CreateSubscription(ctx, "cus_local_a", "p1", "k")
	calls := map[string]func() error{
		"CreateCustomer":     func() error { _, err := l.CreateCustomer(ctx, Customer{OrgID: "o"}, ""); return err },
		"CreateSubscription": func() error { _, err := l.CreateSubscription(ctx, "c", "p", ""); return err },
		"ChangePrice":        func() error { _, err := l.ChangePrice(ctx, sub.ID, "p2", ""); return err },
		"CancelAtPeriodEnd":  func() error { _, err := l.CancelAtPeriodEnd(ctx, sub.ID, ""); return err },
		"Resume":             func() error { _, err := l.Resume(ctx, sub.ID, ""); return err },
		"PortalURL":          func() error { _, err := l.PortalURL(ctx, "c", "r", ""); return err },
		"CheckoutURL": func() error {
			_, err := l.CheckoutURL(ctx, Checkout{CustomerID: "c", PriceID: "p", SuccessURL: "s", CancelURL: "x"}, "")
			return err
		},
		"ReportUsage": func() error { return l.ReportUsage(ctx, MeterEvent{EventName: "maintainuk_sms", Value: 1}) },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrNoIdempotencyKey) {
			t.Errorf("%s without a key: %v", name, err)
		}
	}
}

func TestLocal_urlsUsageAndInvoices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := NewLocal("https://app.example.co.uk/")
	portal, err := l.PortalURL(ctx, "cus_local_o", "https://app.example.co.uk/settings?tab=billing", "k1")
	if err != nil {
		t.Fatal(err)
	}
	checkout, err := l.CheckoutURL(ctx, Checkout{CustomerID: "cus_local_o", PriceID: "price_pro", SuccessURL: "https://app.example.co.uk/ok", CancelURL: "https://app.example.co.uk/no"}, "k2")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		got, path string
		query     map[string]string
	}{
		{portal, "/billing/local-portal", map[string]string{"customer": "cus_local_o", "return_url": "https://app.example.co.uk/settings?tab=billing"}},
		{checkout, "/billing/local-checkout", map[string]string{"customer": "cus_local_o", "price": "price_pro",
			"success_url": "https://app.example.co.uk/ok", "cancel_url": "https://app.example.co.uk/no"}},
	} {
		u, err := url.Parse(c.got)
		if err != nil || u.Scheme != "https" || u.Host != "app.example.co.uk" || u.Path != c.path {
			t.Fatalf("URL %q (%v), want https://app.example.co.uk%s", c.got, err, c.path)
		}
		for k, v := range c.query {
			if u.Query().Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", c.path, k, u.Query().Get(k), v)
			}
		}
	}
	if err := l.ReportUsage(ctx, MeterEvent{EventName: "maintainuk_sms", CustomerID: "cus_local_o", Value: 3, Identifier: "u1"}); err != nil {
		t.Fatal(err)
	}
	if inv, err := l.Invoices(ctx, "cus_local_o", 10); err != nil || len(inv) != 0 {
		t.Fatalf("Invoices = %v, %v", inv, err)
	}
}

// Run with -race: parallel creates and changes neither race nor lose a subscription.
