// Package payments is what billing needs of a payment provider: customers, subscriptions
// and their changes, the hosted billing portal and checkout, usage reported as meter
// events, and the provider's invoices. The Stripe adapter (the official stripe-go SDK)
// and the local provider (plans change at once, nothing is charged) implement it.
package payments

import (
	"context"
	"time"
)

// Customer is the organisation as the provider knows it.
type Customer struct {
	OrgID string
	Name  string
	Email string
}

// Subscription is an organisation's subscription at the provider.
type Subscription struct {
	ID                string
	CustomerID        string
	PriceID           string
	Status            string // Stripe's: active, trialing, past_due, unpaid, canceled, incomplete…
	CancelAtPeriodEnd bool
	CurrentPeriodEnd  time.Time
}

// Invoice is one of the provider's invoices to the organisation.
type Invoice struct {
	ID               string
	Number           string
	Status           string // draft, open, paid, uncollectible, void
	TotalPence       int64
	Currency         string
	HostedInvoiceURL string
	PDFURL           string
	Created          time.Time
}

// Checkout is a checkout session to open: the first paid plan of an organisation.
type Checkout struct {
	// OrgID is carried by the session (its client reference) and the subscription it
	// creates (metadata), so that their webhooks name the organisation.
	OrgID      string
	CustomerID string
	PriceID    string
	SuccessURL string
	CancelURL  string
}

// MeterEvent is usage reported to the provider.
type MeterEvent struct {
	// EventName is the provider's meter ("maintainuk_sms", …).
	EventName  string
	CustomerID string
	Value      int64
	Timestamp  time.Time
	// Identifier makes the report idempotent at the provider.
	Identifier string
}

// Provider is a payment provider. Every call that changes something takes an idempotency
// key, so a retried job cannot create or change twice.
type Provider interface {
	Name() string
	CreateCustomer(ctx context.Context, c Customer, idempotencyKey string) (customerID string, err error)
	CreateSubscription(ctx context.Context, customerID, priceID, idempotencyKey string) (Subscription, error)
	// ChangePrice moves a subscription to another price, prorating the difference.
	ChangePrice(ctx context.Context, subscriptionID, priceID, idempotencyKey string) (Subscription, error)
	// CancelAtPeriodEnd ends a subscription when its period ends; Resume undoes that.
	CancelAtPeriodEnd(ctx context.Context, subscriptionID, idempotencyKey string) (Subscription, error)
	Resume(ctx context.Context, subscriptionID, idempotencyKey string) (Subscription, error)
	GetSubscription(ctx context.Context, subscriptionID string) (Subscription, error)
	// PortalURL is a billing-portal session for the customer, returning to returnURL.
	PortalURL(ctx context.Context, customerID, returnURL, idempotencyKey string) (string, error)
	// CheckoutURL is a checkout session subscribing the customer to one price.
	CheckoutURL(ctx context.Context, c Checkout, idempotencyKey string) (string, error)
	ReportUsage(ctx context.Context, e MeterEvent) error
	Invoices(ctx context.Context, customerID string, limit int) ([]Invoice, error)
}

// Event is a provider's webhook event, reduced to what billing acts on: which object it is
// about, never the object's state (the state is read afresh from the provider, so events
// delivered late or out of order cannot undo a newer one).
type Event struct {
	ID      string
	Type    string
	Created time.Time
	// CustomerID and SubscriptionID are those the event's object names ("" when none).
	CustomerID     string
	SubscriptionID string
	// OrgID is the organisation the object names itself (a checkout session's client
	// reference, an object's org_id metadata), when it does.
	OrgID string
}

// The events billing applies; any other is acknowledged and left alone.
const (
	EventCheckoutCompleted    = "checkout.session.completed"
	EventSubscriptionCreated  = "customer.subscription.created"
	EventSubscriptionUpdated  = "customer.subscription.updated"
	EventSubscriptionDeleted  = "customer.subscription.deleted"
	EventInvoicePaid          = "invoice.paid"
	EventInvoicePaymentFailed = "invoice.payment_failed"
)

// Handled reports whether billing applies events of this type.
func Handled(eventType string) bool {
	switch eventType {
	case EventCheckoutCompleted, EventSubscriptionCreated, EventSubscriptionUpdated, EventSubscriptionDeleted,
		EventInvoicePaid, EventInvoicePaymentFailed:
		return true
	}
	return false
}
