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

func (s *Server) billingRoutes() {
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
