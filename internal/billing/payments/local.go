package payments

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Local is the provider for development and the default while Stripe is not configured:
// plan changes apply at once and nothing is charged. It keeps nothing: the organisation's
// row holds the subscription, so any replica, before or after a restart, answers alike.
// Ids are derived (a customer from its organisation, a subscription from its customer),
// and each change answers the subscription as it now is (an empty PriceID: unchanged).
type Local struct {
	baseURL string
	now     func() time.Time
}

var _ Provider = (*Local)(nil)

// NewLocal is a local provider whose portal and checkout URLs are on baseURL, the app's own
// base URL (e.g. http://localhost:8080).
func NewLocal(baseURL string) *Local {
	return &Local{baseURL: strings.TrimRight(baseURL, "/"), now: time.Now}
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

// CreateSubscription starts an active subscription at once, its id derived from the
// customer's (one subscription per customer).
func (l *Local) CreateSubscription(_ context.Context, customerID, priceID, idempotencyKey string) (Subscription, error) {
	if idempotencyKey == "" {
		return Subscription{}, ErrNoIdempotencyKey
	}
	return l.subscription("sub_local_"+strings.TrimPrefix(customerID, "cus_local_"), priceID, false), nil
}

// ChangePrice applies the new price at once; nothing is prorated because nothing is charged.
func (l *Local) ChangePrice(_ context.Context, subscriptionID, priceID, idempotencyKey string) (Subscription, error) {
	if idempotencyKey == "" {
		return Subscription{}, ErrNoIdempotencyKey
	}
	return l.subscription(subscriptionID, priceID, false), nil
}

// CancelAtPeriodEnd marks the subscription to end with its period.
func (l *Local) CancelAtPeriodEnd(_ context.Context, subscriptionID, idempotencyKey string) (Subscription, error) {
	if idempotencyKey == "" {
		return Subscription{}, ErrNoIdempotencyKey
	}
	return l.subscription(subscriptionID, "", true), nil
}

// Resume undoes CancelAtPeriodEnd.
func (l *Local) Resume(_ context.Context, subscriptionID, idempotencyKey string) (Subscription, error) {
	if idempotencyKey == "" {
		return Subscription{}, ErrNoIdempotencyKey
	}
	return l.subscription(subscriptionID, "", false), nil
}

// GetSubscription answers an active subscription: a local one never lapses.
func (l *Local) GetSubscription(_ context.Context, subscriptionID string) (Subscription, error) {
	if !strings.HasPrefix(subscriptionID, "sub_local_") {
		return Subscription{}, fmt.Errorf("payments: local: %q is not a local subscription", subscriptionID)
	}
	return l.subscription(subscriptionID, "", false), nil
}

func (l *Local) subscription(id, priceID string, cancel bool) Subscription {
	return Subscription{ID: id, CustomerID: "cus_local_" + strings.TrimPrefix(id, "sub_local_"), PriceID: priceID, Status: "active",
		CancelAtPeriodEnd: cancel, CurrentPeriodEnd: l.now().UTC().AddDate(0, 1, 0)}
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
func (l *Local) CheckoutURL(_ context.Context, c Checkout, idempotencyKey string) (string, error) {
	if idempotencyKey == "" {
		return "", ErrNoIdempotencyKey
	}
	return l.url("/billing/local-checkout", url.Values{
		"customer": {c.CustomerID}, "price": {c.PriceID}, "success_url": {c.SuccessURL}, "cancel_url": {c.CancelURL},
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
