package payments

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Local is the provider for development and the default when Stripe is not configured: plan
// changes apply at once and nothing is charged. Its subscriptions live in memory, so they are
// gone when the process stops. It is safe for concurrent use.
type Local struct {
	baseURL string
	now     func() time.Time

	mu      sync.Mutex
	subs    map[string]Subscription
	created map[string]string // idempotency key → subscription id, so a retried create returns the first
}

var _ Provider = (*Local)(nil)

// NewLocal is a local provider whose portal and checkout URLs are on baseURL, the app's own
// base URL (e.g. http://localhost:8080).
func NewLocal(baseURL string) *Local {
	return &Local{
		baseURL: strings.TrimRight(baseURL, "/"),
		now:     time.Now,
		subs:    map[string]Subscription{},
		created: map[string]string{},
	}
}

// Name is "local".
func (l *Local) Name() string { return "local" }

// CreateCustomer derives the id from the organisation, so it is the same however often it is
// asked for.
func (l *Local) CreateCustomer(_ context.Context, c Customer, idempotencyKey string) (string, error) {
	if idempotencyKey == "" {
		return "", ErrNoIdempotencyKey
	}
	return "cus_local_" + c.OrgID, nil
}

// CreateSubscription starts an active subscription at once; ids count up from sub_local_1.
func (l *Local) CreateSubscription(_ context.Context, customerID, priceID, idempotencyKey string) (Subscription, error) {
	if idempotencyKey == "" {
		return Subscription{}, ErrNoIdempotencyKey
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if id, ok := l.created[idempotencyKey]; ok {
		return l.subs[id], nil
	}
	s := Subscription{
		ID:               fmt.Sprintf("sub_local_%d", len(l.subs)+1),
		CustomerID:       customerID,
		PriceID:          priceID,
		Status:           "active",
		CurrentPeriodEnd: l.now().AddDate(0, 1, 0),
	}
	l.subs[s.ID] = s
	l.created[idempotencyKey] = s.ID
	return s, nil
}

// ChangePrice applies the new price at once; nothing is prorated because nothing is charged.
func (l *Local) ChangePrice(_ context.Context, subscriptionID, priceID, idempotencyKey string) (Subscription, error) {
	return l.update(subscriptionID, idempotencyKey, func(s *Subscription) { s.PriceID = priceID })
}

// CancelAtPeriodEnd marks the subscription to end with its period.
func (l *Local) CancelAtPeriodEnd(_ context.Context, subscriptionID, idempotencyKey string) (Subscription, error) {
	return l.update(subscriptionID, idempotencyKey, func(s *Subscription) { s.CancelAtPeriodEnd = true })
}

// Resume undoes CancelAtPeriodEnd.
func (l *Local) Resume(_ context.Context, subscriptionID, idempotencyKey string) (Subscription, error) {
	return l.update(subscriptionID, idempotencyKey, func(s *Subscription) { s.CancelAtPeriodEnd = false })
}

func (l *Local) update(id, idempotencyKey string, change func(*Subscription)) (Subscription, error) {
	if idempotencyKey == "" {
		return Subscription{}, ErrNoIdempotencyKey
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.subs[id]
	if !ok {
		return Subscription{}, fmt.Errorf("payments: local: no subscription %q", id)
	}
	change(&s)
	s.Status = "active"
	l.subs[id] = s
	return s, nil
}

// GetSubscription returns the subscription as it is now.
func (l *Local) GetSubscription(_ context.Context, subscriptionID string) (Subscription, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.subs[subscriptionID]
	if !ok {
		return Subscription{}, fmt.Errorf("payments: local: no subscription %q", subscriptionID)
	}
	return s, nil
}

// PortalURL is baseURL/billing/local-portal with the customer and where to return.
func (l *Local) PortalURL(_ context.Context, customerID, returnURL, idempotencyKey string) (string, error) {
	if idempotencyKey == "" {
		return "", ErrNoIdempotencyKey
	}
	return l.url("/billing/local-portal", url.Values{"customer": {customerID}, "return_url": {returnURL}}), nil
}

// CheckoutURL is baseURL/billing/local-checkout with everything a page would need to finish
// the subscription.
func (l *Local) CheckoutURL(_ context.Context, customerID, priceID, successURL, cancelURL, idempotencyKey string) (string, error) {
	if idempotencyKey == "" {
		return "", ErrNoIdempotencyKey
	}
	return l.url("/billing/local-checkout", url.Values{
		"customer": {customerID}, "price": {priceID}, "success_url": {successURL}, "cancel_url": {cancelURL},
	}), nil
}

func (l *Local) url(path string, q url.Values) string {
	return l.baseURL + path + "?" + q.Encode()
}

// ReportUsage records nothing: usage is metered in our database and nothing is billed.
func (l *Local) ReportUsage(_ context.Context, e MeterEvent) error {
	if e.Identifier == "" {
		return ErrNoIdempotencyKey
	}
	return nil
}

// Invoices is always empty: nothing is charged.
func (l *Local) Invoices(context.Context, string, int) ([]Invoice, error) {
	return nil, nil
}
