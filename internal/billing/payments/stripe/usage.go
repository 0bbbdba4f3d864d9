package stripe

import (
	"context"
	"strconv"
	"time"

	stripego "github.com/stripe/stripe-go/v84"

	"github.com/maintainuk/maintainuk/internal/billing/payments"
)

// ReportUsage sends a meter event. Its identifier is also the idempotency key: Stripe drops a
// second event with the same identifier, and the key makes a retried request return the first
// answer rather than that refusal.
func (p *Provider) ReportUsage(ctx context.Context, e payments.MeterEvent) error {
	if e.Identifier == "" {
		return payments.ErrNoIdempotencyKey
	}
	params := &stripego.BillingMeterEventCreateParams{
		EventName:  stripego.String(e.EventName),
		Identifier: stripego.String(e.Identifier),
		Payload: map[string]string{
			"stripe_customer_id": e.CustomerID,
			"value":              strconv.FormatInt(e.Value, 10),
		},
	}
	if !e.Timestamp.IsZero() {
		params.Timestamp = stripego.Int64(e.Timestamp.Unix())
	}
	params.SetIdempotencyKey(e.Identifier)
	if _, err := p.sc.V1BillingMeterEvents.Create(ctx, params); err != nil {
		return wrap("report usage", err)
	}
	return nil
}

// Invoices lists the customer's invoices, newest first, at most limit of them (1 to 100,
// Stripe's page size).
func (p *Provider) Invoices(ctx context.Context, customerID string, limit int) ([]payments.Invoice, error) {
	limit = min(max(limit, 1), 100)
	params := &stripego.InvoiceListParams{Customer: stripego.String(customerID)}
	params.Limit = stripego.Int64(int64(limit))
	var out []payments.Invoice
	// The iterator pages on by itself; stopping at limit keeps it to one request.
	for inv, err := range p.sc.V1Invoices.List(ctx, params) {
		if err != nil {
			return nil, wrap("list invoices", err)
		}
		out = append(out, payments.Invoice{
			ID:               inv.ID,
			Number:           inv.Number,
			Status:           string(inv.Status),
			TotalPence:       inv.Total, // Stripe's amounts are already in minor units
			Currency:         string(inv.Currency),
			HostedInvoiceURL: inv.HostedInvoiceURL,
			PDFURL:           inv.InvoicePDF,
			Created:          time.Unix(inv.Created, 0).UTC(),
		})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
