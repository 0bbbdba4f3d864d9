package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/maintainuk/maintainuk/internal/billing"
)

type upgradeIn struct {
	Body struct {
		Plan string `json:"plan" enum:"FREE,STARTER,PROFESSIONAL,ENTERPRISE" doc:"The plan to move to; FREE ends the paid plan."`
	}
}

type checkoutIn struct {
	Body struct {
		Plan string `json:"plan" enum:"STARTER,PROFESSIONAL,ENTERPRISE" doc:"The paid plan to buy."`
	}
}

type invoicesIn struct {
	Limit int `query:"limit" minimum:"1" maximum:"100" default:"24" doc:"How many of the newest invoices."`
}

// stripeWebhookIn is Stripe's signed event, read as sent: the signature covers the bytes.
type stripeWebhookIn struct {
	Signature string `header:"Stripe-Signature" doc:"Stripe's signature of the payload: t=timestamp and v1=hex HMAC-SHA256 of \"timestamp.payload\" with the endpoint's signing secret (STRIPE_WEBHOOK_SECRET)."`
	RawBody   []byte `contentType:"application/json"`
}

func (s *Server) billingRoutes() {
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/billing/checkout", "startCheckout", "Billing", "Buy a first paid plan at the provider's checkout (ADMIN)", true),
		func(ctx context.Context, in *checkoutIn) (*Out[billing.CheckoutSession], error) {
			c, err := s.deps.Billing.Checkout(ctx, actorOf(ctx), in.Body.Plan)
			if err != nil {
				return nil, err
			}
			return ok(ctx, c), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/billing/portal", "openBillingPortal", "Billing", "A billing-portal session: payment method, invoices (ADMIN)", true),
		func(ctx context.Context, _ *struct{}) (*Out[billing.PortalSession], error) {
			p, err := s.deps.Billing.Portal(ctx, actorOf(ctx))
			if err != nil {
				return nil, err
			}
			return ok(ctx, p), nil
		})
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/billing/invoices", "listBillingInvoices", "Billing", "The provider's invoices to the organisation, newest first, with their links (ADMIN)", true),
		func(ctx context.Context, in *invoicesIn) (*Out[[]billing.BillingInvoice], error) {
			list, err := s.deps.Billing.Invoices(ctx, actorOf(ctx), in.Limit)
			if err != nil {
				return nil, err
			}
			return ok(ctx, list), nil
		})
	// The signature covers the bytes as sent, so the body is read raw and not validated
	// against a schema first (a malformed event fails the signature or the event's reading:
	// 400); the document still shows it as the JSON object it is.
	hook := s.operation(http.MethodPost, "/webhooks/stripe", "stripeWebhook", "Webhooks", "Stripe's events (signed by Stripe)", false)
	hook.SkipValidateBody = true
	huma.Register(s.api, hook,
		func(ctx context.Context, in *stripeWebhookIn) (*Out[billing.WebhookResult], error) {
			res, err := s.deps.Billing.HandleWebhook(ctx, in.RawBody, in.Signature)
			if err != nil {
				return nil, err
			}
			return ok(ctx, res), nil
		})
	s.api.OpenAPI().Paths["/webhooks/stripe"].Post.RequestBody.Content["application/json"].Schema = &huma.Schema{
		Type: huma.TypeObject, Description: "A Stripe event as Stripe sends it: id, type, created, and data.object, the object it is about.",
		Required: []string{"id", "type", "data"},
	}

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/billing/subscription", "getSubscription", "Billing", "The organisation's plan and subscription (staff)", true),
		func(ctx context.Context, _ *struct{}) (*Out[billing.Subscription], error) {
			sub, err := s.deps.Billing.Subscription(ctx, actorOf(ctx))
			if err != nil {
				return nil, err
			}
			return ok(ctx, sub), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/billing/upgrade", "changePlan", "Billing", "Move to another plan (ADMIN)", true),
		func(ctx context.Context, in *upgradeIn) (*Out[billing.Subscription], error) {
			sub, err := s.deps.Billing.ChangePlan(ctx, actorOf(ctx), in.Body.Plan)
			if err != nil {
				return nil, err
			}
			return ok(ctx, sub), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/billing/cancel", "cancelSubscription", "Billing", "End the paid plan when its period ends (ADMIN)", true),
		func(ctx context.Context, _ *struct{}) (*Out[billing.Subscription], error) {
			sub, err := s.deps.Billing.Cancel(ctx, actorOf(ctx))
			if err != nil {
				return nil, err
			}
			return ok(ctx, sub), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/billing/resume", "resumeSubscription", "Billing", "Keep a paid plan that was set to end (ADMIN)", true),
		func(ctx context.Context, _ *struct{}) (*Out[billing.Subscription], error) {
			sub, err := s.deps.Billing.Resume(ctx, actorOf(ctx))
			if err != nil {
				return nil, err
			}
			return ok(ctx, sub), nil
		})
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/billing/plans", "listPlans", "Billing", "The plans, their allowances and prices", false),
		func(ctx context.Context, _ *struct{}) (*Out[[]billing.Plan], error) {
			return ok(ctx, s.deps.Billing.Plans()), nil
		})
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/billing/usage", "getBillingUsage", "Billing", "The month's usage against the plan's allowances, with overage and its cost (staff)", true),
		func(ctx context.Context, in *monthIn) (*Out[billing.BillingUsage], error) {
			u, err := s.deps.Billing.Usage(ctx, actorOf(ctx), in.Month)
			if err != nil {
				return nil, err
			}
			return ok(ctx, u), nil
		})

	op := s.operation(http.MethodGet, "/api/v1/billing/statement", "billingStatement", "Billing", "The month's usage statement as PDF (ADMIN)", true)
	op.Responses = map[string]*huma.Response{"200": {Description: "The usage statement as a PDF", Content: map[string]*huma.MediaType{"application/pdf": {}}}}
	huma.Register(s.api, op, func(ctx context.Context, in *monthIn) (*pdfOut, error) {
		name, content, err := s.deps.Billing.Statement(ctx, actorOf(ctx), in.Month)
		if err != nil {
			return nil, err
		}
		return &pdfOut{ContentType: "application/pdf", ContentDisposition: `attachment; filename="` + name + `"`, Body: content}, nil
	})
}
