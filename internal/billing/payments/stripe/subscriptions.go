package stripe

import (
	"context"
	"errors"
	"time"

	stripego "github.com/stripe/stripe-go/v84"

	"github.com/maintainuk/maintainuk/internal/billing/payments"
)

// CreateSubscription subscribes the customer to one price.
func (p *Provider) CreateSubscription(ctx context.Context, customerID, priceID, idempotencyKey string) (payments.Subscription, error) {
	if idempotencyKey == "" {
		return payments.Subscription{}, payments.ErrNoIdempotencyKey
	}
	params := &stripego.SubscriptionCreateParams{
		Customer: stripego.String(customerID),
		Items:    []*stripego.SubscriptionCreateItemParams{{Price: stripego.String(priceID)}},
	}
	params.SetIdempotencyKey(idempotencyKey)
	s, err := p.sc.V1Subscriptions.Create(ctx, params)
	if err != nil {
		return payments.Subscription{}, wrap("create subscription", err)
	}
	return subscription(s), nil
}

// ChangePrice puts the new price on the subscription's one item (read first: an update names
// the item it changes) and has Stripe prorate the rest of the period.
func (p *Provider) ChangePrice(ctx context.Context, subscriptionID, priceID, idempotencyKey string) (payments.Subscription, error) {
	if idempotencyKey == "" {
		return payments.Subscription{}, payments.ErrNoIdempotencyKey
	}
	s, err := p.sc.V1Subscriptions.Retrieve(ctx, subscriptionID, nil)
	if err != nil {
		return payments.Subscription{}, wrap("change price", err)
	}
	if s.Items == nil || len(s.Items.Data) == 0 {
		return payments.Subscription{}, errors.New("stripe: change price: subscription " + subscriptionID + " has no item")
	}
	params := &stripego.SubscriptionUpdateParams{
		Items: []*stripego.SubscriptionUpdateItemParams{{
			ID:    stripego.String(s.Items.Data[0].ID),
			Price: stripego.String(priceID),
		}},
		ProrationBehavior: stripego.String("create_prorations"),
	}
	return p.update(ctx, "change price", subscriptionID, idempotencyKey, params)
}

// CancelAtPeriodEnd lets the subscription run to the end of the period already paid for.
func (p *Provider) CancelAtPeriodEnd(ctx context.Context, subscriptionID, idempotencyKey string) (payments.Subscription, error) {
	params := &stripego.SubscriptionUpdateParams{CancelAtPeriodEnd: stripego.Bool(true)}
	return p.update(ctx, "cancel at period end", subscriptionID, idempotencyKey, params)
}

// Resume clears cancel_at_period_end. (Stripe's own "resume" is for paused subscriptions,
// which we never pause.)
func (p *Provider) Resume(ctx context.Context, subscriptionID, idempotencyKey string) (payments.Subscription, error) {
	params := &stripego.SubscriptionUpdateParams{CancelAtPeriodEnd: stripego.Bool(false)}
	return p.update(ctx, "resume", subscriptionID, idempotencyKey, params)
}

func (p *Provider) update(ctx context.Context, op, id, idempotencyKey string, params *stripego.SubscriptionUpdateParams) (payments.Subscription, error) {
	if idempotencyKey == "" {
		return payments.Subscription{}, payments.ErrNoIdempotencyKey
	}
	params.SetIdempotencyKey(idempotencyKey)
	s, err := p.sc.V1Subscriptions.Update(ctx, id, params)
	if err != nil {
		return payments.Subscription{}, wrap(op, err)
	}
	return subscription(s), nil
}

// GetSubscription reads the subscription as Stripe has it now; webhooks re-read rather than
// trust an event's copy, which may be older than one already applied.
func (p *Provider) GetSubscription(ctx context.Context, subscriptionID string) (payments.Subscription, error) {
	s, err := p.sc.V1Subscriptions.Retrieve(ctx, subscriptionID, nil)
	if err != nil {
		return payments.Subscription{}, wrap("get subscription", err)
	}
	return subscription(s), nil
}

// subscription takes the price and period from the first item: ours have one, and since API
// version 2025-03-31 the period is the item's, not the subscription's.
func subscription(s *stripego.Subscription) payments.Subscription {
	out := payments.Subscription{
		ID:                s.ID,
		Status:            string(s.Status),
		CancelAtPeriodEnd: s.CancelAtPeriodEnd,
	}
	if s.Customer != nil {
		out.CustomerID = s.Customer.ID
	}
	if s.Items != nil && len(s.Items.Data) > 0 {
		item := s.Items.Data[0]
		if item.Price != nil {
			out.PriceID = item.Price.ID
		}
		if item.CurrentPeriodEnd != 0 {
			out.CurrentPeriodEnd = time.Unix(item.CurrentPeriodEnd, 0).UTC()
		}
	}
	return out
}
