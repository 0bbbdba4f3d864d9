// Package stripe is the payment provider on Stripe, through the official stripe-go SDK
// (v84's client API), and the verification of Stripe's webhook signatures.
package stripe

import (
	"context"
	"net/http"

	stripego "github.com/stripe/stripe-go/v84"

	"github.com/maintainuk/maintainuk/internal/billing/payments"
)

// Config is how to reach Stripe.
type Config struct {
	SecretKey string
	// BaseURL is Stripe's API when empty; the tests give stripe-mock's, e.g. http://127.0.0.1:12111.
	BaseURL string
	// HTTPClient is the SDK's own when nil.
	HTTPClient *http.Client
}

// Provider is payments.Provider on Stripe. It is safe for concurrent use.
type Provider struct {
	sc *stripego.Client
}

var _ payments.Provider = (*Provider)(nil)

// New is a provider on the Stripe account whose secret key cfg holds.
func New(cfg Config) *Provider {
	bc := &stripego.BackendConfig{
		HTTPClient: cfg.HTTPClient,
		// Failures come back as errors for the caller to log; the SDK's own logging would
		// print them a second time, outside our structured logs.
		LeveledLogger: &stripego.LeveledLogger{Level: stripego.LevelNull},
	}
	if cfg.BaseURL != "" {
		// All four backends (API, Connect, Uploads, MeterEvents) go to the one URL: stripe-mock
		// serves them all, and a nil URL leaves each at Stripe's own.
		bc.URL = stripego.String(cfg.BaseURL)
	}
	return &Provider{sc: stripego.NewClient(cfg.SecretKey, stripego.WithBackends(stripego.NewBackendsWithConfig(bc)))}
}

// Name is "stripe".
func (p *Provider) Name() string { return "stripe" }

// CreateCustomer creates the organisation's customer, with its id in the metadata so that the
// Stripe dashboard and its events lead back to it.
func (p *Provider) CreateCustomer(ctx context.Context, c payments.Customer, idempotencyKey string) (string, error) {
	if idempotencyKey == "" {
		return "", payments.ErrNoIdempotencyKey
	}
	params := &stripego.CustomerCreateParams{
		Name:     stripego.String(c.Name),
		Email:    stripego.String(c.Email),
		Metadata: map[string]string{"org_id": c.OrgID},
	}
	params.SetIdempotencyKey(idempotencyKey)
	cus, err := p.sc.V1Customers.Create(ctx, params)
	if err != nil {
		return "", wrap("create customer", err)
	}
	return cus.ID, nil
}
