package stripe

import (
	"context"

	stripego "github.com/stripe/stripe-go/v84"

	"github.com/maintainuk/maintainuk/internal/billing/payments"
)

// PortalURL is a billing-portal session, where the customer changes card and sees invoices.
func (p *Provider) PortalURL(ctx context.Context, customerID, returnURL, idempotencyKey string) (string, error) {
	if idempotencyKey == "" {
		return "", payments.ErrNoIdempotencyKey
	}
	params := &stripego.BillingPortalSessionCreateParams{
		Customer:  stripego.String(customerID),
		ReturnURL: stripego.String(returnURL),
	}
	params.SetIdempotencyKey(idempotencyKey)
	s, err := p.sc.V1BillingPortalSessions.Create(ctx, params)
	if err != nil {
		return "", wrap("portal session", err)
	}
	return s.URL, nil
}

// CheckoutURL is a checkout session in subscription mode for one of the price; the
// subscription it creates reaches us by webhook.
func (p *Provider) CheckoutURL(ctx context.Context, c payments.Checkout, idempotencyKey string) (string, error) {
	if idempotencyKey == "" {
		return "", payments.ErrNoIdempotencyKey
	}
	params := &stripego.CheckoutSessionCreateParams{
		Customer:          stripego.String(c.CustomerID),
		ClientReferenceID: stripego.String(c.OrgID),
		Mode:              stripego.String(string(stripego.CheckoutSessionModeSubscription)),
		LineItems:         []*stripego.CheckoutSessionCreateLineItemParams{{Price: stripego.String(c.PriceID), Quantity: stripego.Int64(1)}},
		SubscriptionData:  &stripego.CheckoutSessionCreateSubscriptionDataParams{Metadata: map[string]string{"org_id": c.OrgID}},
		SuccessURL:        stripego.String(c.SuccessURL),
		CancelURL:         stripego.String(c.CancelURL),
	}
	params.SetIdempotencyKey(idempotencyKey)
	s, err := p.sc.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return "", wrap("checkout session", err)
	}
	return s.URL, nil
}
