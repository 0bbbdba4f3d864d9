package stripe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/maintainuk/maintainuk/internal/billing/payments"
	"github.com/maintainuk/maintainuk/internal/testsupport/stripemock"
)

// sent is one request as it left the SDK.
type sent struct {
	method, path, idempotencyKey string
	form                         url.Values
}

// recorder is the HTTP client's transport, keeping what each request sent.
type recorder struct {
	mu   sync.Mutex
	reqs []sent
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	form, _ := url.ParseQuery(string(body))
	r.mu.Lock()
	r.reqs = append(r.reqs, sent{req.Method, req.URL.Path, req.Header.Get("Idempotency-Key"), form})
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) last(t *testing.T) sent {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		t.Fatal("no request was sent")
	}
	return r.reqs[len(r.reqs)-1]
}

// mockProvider is a provider on a fresh stripe-mock, with its requests recorded.
func mockProvider(t *testing.T) (*Provider, *recorder) {
	t.Helper()
	rec := &recorder{}
	p := New(Config{
		SecretKey:  "sk_test_123",
		BaseURL:    stripemock.Start(t),
		HTTPClient: &http.Client{Transport: rec},
	})
	return p, rec
}

// wantSent checks the last request: a POST to path carrying the idempotency key and form fields.
func wantSent(t *testing.T, rec *recorder, path, key string, form map[string]string) {
	t.Helper()
	got := rec.last(t)
	if got.method != http.MethodPost || got.path != path {
		t.Fatalf("sent %s %s, want POST %s", got.method, got.path, path)
	}
	if got.idempotencyKey != key {
		t.Fatalf("%s: Idempotency-Key %q, want %q", path, got.idempotencyKey, key)
	}
	for k, v := range form {
		if got.form.Get(k) != v {
			t.Errorf("%s: %s = %q, want %q (form %v)", path, k, got.form.Get(k), v, got.form)
		}
	}
}

// stripe-mock answers with its fixtures, not what was sent, so the answers are checked for
// shape and the requests for what we asked.
func TestProvider_againstStripeMock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, rec := mockProvider(t)
	if p.Name() != "stripe" {
		t.Fatalf("Name = %q", p.Name())
	}

	cus, err := p.CreateCustomer(ctx, payments.Customer{OrgID: "org-1", Name: "Acme Lettings", Email: "billing@acme.example"}, "cus-key")
	if err != nil || !strings.HasPrefix(cus, "cus_") {
		t.Fatalf("CreateCustomer = %q, %v", cus, err)
	}
	wantSent(t, rec, "/v1/customers", "cus-key", map[string]string{
		"metadata[org_id]": "org-1", "name": "Acme Lettings", "email": "billing@acme.example",
	})

	subCalls := []struct {
		name, path, key string
		call            func(key string) (payments.Subscription, error)
		form            map[string]string
	}{
		{"CreateSubscription", "/v1/subscriptions", "sub-key",
			func(k string) (payments.Subscription, error) {
				return p.CreateSubscription(ctx, cus, "price_starter", k)
			},
			map[string]string{"customer": cus, "items[0][price]": "price_starter"}},
		{"ChangePrice", "/v1/subscriptions/sub_123", "change-key",
			func(k string) (payments.Subscription, error) { return p.ChangePrice(ctx, "sub_123", "price_pro", k) },
			map[string]string{"items[0][price]": "price_pro", "proration_behavior": "create_prorations"}},
		{"CancelAtPeriodEnd", "/v1/subscriptions/sub_123", "cancel-key",
			func(k string) (payments.Subscription, error) { return p.CancelAtPeriodEnd(ctx, "sub_123", k) },
			map[string]string{"cancel_at_period_end": "true"}},
		{"Resume", "/v1/subscriptions/sub_123", "resume-key",
			func(k string) (payments.Subscription, error) { return p.Resume(ctx, "sub_123", k) },
			map[string]string{"cancel_at_period_end": "false"}},
	}
	for _, c := range subCalls {
		s, err := c.call(c.key)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !strings.HasPrefix(s.ID, "sub_") || !strings.HasPrefix(s.CustomerID, "cus_") || !strings.HasPrefix(s.PriceID, "price_") ||
			s.Status == "" || s.CurrentPeriodEnd.IsZero() {
			t.Fatalf("%s = %+v", c.name, s)
		}
		wantSent(t, rec, c.path, c.key, c.form)
	}
	// ChangePrice names the item it changes, so it reads the subscription first.
	for i, r := range rec.reqs {
		if r.idempotencyKey == "change-key" {
			if before := rec.reqs[i-1]; before.method != http.MethodGet || before.path != "/v1/subscriptions/sub_123" ||
				!strings.HasPrefix(r.form.Get("items[0][id]"), "si_") {
				t.Fatalf("ChangePrice sent %+v after %+v", r, before)
			}
		}
	}

	s, err := p.GetSubscription(ctx, "sub_123")
	if err != nil || s.ID != "sub_123" || s.Status == "" {
		t.Fatalf("GetSubscription = %+v, %v", s, err)
	}
	if got := rec.last(t); got.method != http.MethodGet || got.idempotencyKey != "" {
		t.Fatalf("GetSubscription sent %s with key %q", got.method, got.idempotencyKey)
	}

	portal, err := p.PortalURL(ctx, cus, "https://app.example.co.uk/billing", "portal-key")
	if err != nil || !strings.HasPrefix(portal, "https://") {
		t.Fatalf("PortalURL = %q, %v", portal, err)
	}
	wantSent(t, rec, "/v1/billing_portal/sessions", "portal-key", map[string]string{
		"customer": cus, "return_url": "https://app.example.co.uk/billing",
	})

	checkout, err := p.CheckoutURL(ctx, payments.Checkout{OrgID: "org-1", CustomerID: cus, PriceID: "price_pro", SuccessURL: "https://app.example.co.uk/ok", CancelURL: "https://app.example.co.uk/no"}, "checkout-key")
	if err != nil || !strings.HasPrefix(checkout, "https://") {
		t.Fatalf("CheckoutURL = %q, %v", checkout, err)
	}
	wantSent(t, rec, "/v1/checkout/sessions", "checkout-key", map[string]string{
		"customer": cus, "mode": "subscription", "line_items[0][price]": "price_pro", "line_items[0][quantity]": "1",
		"success_url": "https://app.example.co.uk/ok", "cancel_url": "https://app.example.co.uk/no",
		"client_reference_id": "org-1", "subscription_data[metadata][org_id]": "org-1",
	})

	if err := p.ReportUsage(ctx, payments.MeterEvent{
		EventName: "maintainuk_sms", CustomerID: cus, Value: 7, Identifier: "org-1/sms/2026-12/42",
	}); err != nil {
		t.Fatalf("ReportUsage: %v", err)
	}
	wantSent(t, rec, "/v1/billing/meter_events", "org-1/sms/2026-12/42", map[string]string{
		"event_name": "maintainuk_sms", "identifier": "org-1/sms/2026-12/42",
		"payload[stripe_customer_id]": cus, "payload[value]": "7",
	})

	invoices, err := p.Invoices(ctx, cus, 5)
	if err != nil || len(invoices) == 0 {
		t.Fatalf("Invoices = %v, %v", invoices, err)
	}
	for _, inv := range invoices {
		if !strings.HasPrefix(inv.ID, "in_") || inv.Status == "" || inv.Currency == "" || inv.TotalPence <= 0 || inv.Created.IsZero() {
			t.Fatalf("invoice %+v", inv)
		}
	}
	if got := rec.last(t); got.method != http.MethodGet || !strings.Contains(got.path, "/v1/invoices") {
		t.Fatalf("Invoices sent %s %s", got.method, got.path)
	}
}

// Every call that changes something refuses to go without an idempotency key.
func TestProvider_refusesChangesWithoutIdempotencyKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec := &recorder{}
	// Nothing is sent, so no server is needed: the URL would refuse the connection.
	p := New(Config{SecretKey: "sk_test_123", BaseURL: "http://127.0.0.1:1", HTTPClient: &http.Client{Transport: rec}})
	calls := map[string]func() error{
		"CreateCustomer":     func() error { _, err := p.CreateCustomer(ctx, payments.Customer{OrgID: "o"}, ""); return err },
		"CreateSubscription": func() error { _, err := p.CreateSubscription(ctx, "cus_1", "price_1", ""); return err },
		"ChangePrice":        func() error { _, err := p.ChangePrice(ctx, "sub_1", "price_2", ""); return err },
		"CancelAtPeriodEnd":  func() error { _, err := p.CancelAtPeriodEnd(ctx, "sub_1", ""); return err },
		"Resume":             func() error { _, err := p.Resume(ctx, "sub_1", ""); return err },
		"PortalURL":          func() error { _, err := p.PortalURL(ctx, "cus_1", "https://x", ""); return err },
		"CheckoutURL": func() error {
			_, err := p.CheckoutURL(ctx, payments.Checkout{CustomerID: "cus_1", PriceID: "price_1", SuccessURL: "https://x", CancelURL: "https://y"}, "")
			return err
		},
		"ReportUsage": func() error {
			return p.ReportUsage(ctx, payments.MeterEvent{EventName: "maintainuk_sms", CustomerID: "cus_1", Value: 1})
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, payments.ErrNoIdempotencyKey) {
			t.Errorf("%s without a key: %v", name, err)
		}
	}
	if len(rec.reqs) != 0 {
		t.Fatalf("%d requests sent", len(rec.reqs))
	}
}
