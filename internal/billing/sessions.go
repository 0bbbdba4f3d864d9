package billing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/billing/payments"
	"github.com/maintainuk/maintainuk/internal/plans"
)

// pagePath is where the provider's pages send the user back: the billing page.
const pagePath = "/billing"

// CheckoutSession is where to buy a first paid plan.
type CheckoutSession struct {
	URL string `json:"url" format:"uri" doc:"The provider's checkout page; the plan applies when its payment succeeds (by webhook). With the local provider the plan has applied already and this is the billing page."`
	// Subscription is the organisation's subscription as it stands now.
	Subscription Subscription `json:"subscription"`
}

// PortalSession is the provider's billing portal, for one visit.
type PortalSession struct {
	URL string `json:"url" format:"uri" doc:"The billing portal (payment method, invoices, plan); with the local provider, where nothing is charged, the billing page."`
}

// Checkout opens a checkout session for the organisation's first paid plan (ADMIN). With
// the local provider there is nothing to pay: the plan applies at once.
func (s *Service) Checkout(ctx context.Context, actor access.Actor, plan string) (CheckoutSession, error) {
	if err := actor.Require(access.Admin); err != nil {
		return CheckoutSession{}, err
	}
	plan = strings.ToUpper(strings.TrimSpace(plan))
	if p, err := plans.ByCode(plan); err != nil || p.Code == plans.Free.Code {
		var f apperr.Fields
		f.Add("plan", "must be STARTER, PROFESSIONAL or ENTERPRISE")
		return CheckoutSession{}, f.Err()
	}
	back := s.cfg.BaseURL + pagePath
	if s.provider.Name() == "local" {
		sub, err := s.ChangePlan(ctx, actor, plan)
		return CheckoutSession{URL: back + "?checkout=done", Subscription: sub}, err
	}
	current, err := s.Subscription(ctx, actor)
	if err != nil {
		return CheckoutSession{}, err
	}
	if current.HasPaidPlan {
		return CheckoutSession{}, apperr.New(apperr.Conflict, "the organisation has a paid plan already: change it with POST /api/v1/billing/upgrade")
	}
	customer, err := s.EnsureCustomer(ctx, actor.OrgID)
	if err != nil {
		return CheckoutSession{}, err
	}
	url, err := s.provider.CheckoutURL(ctx, payments.Checkout{OrgID: actor.OrgID.String(), CustomerID: customer, PriceID: s.priceOf(plan),
		SuccessURL: back + "?checkout=done", CancelURL: back + "?checkout=cancelled"}, actor.OrgID.String()+":checkout:"+uuid.NewString())
	if err != nil {
		return CheckoutSession{}, fmt.Errorf("billing: checkout: %w", err)
	}
	return CheckoutSession{URL: url, Subscription: current}, nil
}

// Portal opens a billing-portal session for the organisation (ADMIN).
func (s *Service) Portal(ctx context.Context, actor access.Actor) (PortalSession, error) {
	if err := actor.Require(access.Admin); err != nil {
		return PortalSession{}, err
	}
	back := s.cfg.BaseURL + pagePath
	if s.provider.Name() == "local" {
		return PortalSession{URL: back}, nil
	}
	customer, err := s.EnsureCustomer(ctx, actor.OrgID)
	if err != nil {
		return PortalSession{}, err
	}
	url, err := s.provider.PortalURL(ctx, customer, back, actor.OrgID.String()+":portal:"+uuid.NewString())
	if err != nil {
		return PortalSession{}, fmt.Errorf("billing: portal: %w", err)
	}
	return PortalSession{URL: url}, nil
}

// BillingInvoice is one of the provider's invoices to the organisation (not "Invoice": a
// contractor's invoice has that schema name).
type BillingInvoice struct {
	ID               string    `json:"id"`
	Number           string    `json:"number"`
	Status           string    `json:"status" enum:"draft,open,paid,uncollectible,void"`
	TotalPence       int64     `json:"totalPence"`
	Currency         string    `json:"currency" example:"gbp"`
	HostedInvoiceURL string    `json:"hostedInvoiceUrl" doc:"The provider's page for the invoice (pay, download); empty while it is a draft."`
	PDFURL           string    `json:"pdfUrl" doc:"The invoice as a PDF; empty while it is a draft."`
	CreatedAt        time.Time `json:"createdAt"`
}

// Invoices lists the provider's invoices to the organisation, newest first, at most limit
// (ADMIN). The local provider charges nothing and has none.
func (s *Service) Invoices(ctx context.Context, actor access.Actor, limit int) ([]BillingInvoice, error) {
	if err := actor.Require(access.Admin); err != nil {
		return nil, err
	}
	var customer *string
	if err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT stripe_customer_id FROM organisations WHERE id = $1", actor.OrgID).Scan(&customer)
	}); err != nil {
		return nil, err
	}
	out := []BillingInvoice{}
	if customer == nil {
		return out, nil
	}
	list, err := s.provider.Invoices(ctx, *customer, limit)
	if err != nil {
		return nil, fmt.Errorf("billing: invoices: %w", err)
	}
	for _, in := range list {
		out = append(out, BillingInvoice{ID: in.ID, Number: in.Number, Status: in.Status, TotalPence: in.TotalPence, Currency: in.Currency,
			HostedInvoiceURL: in.HostedInvoiceURL, PDFURL: in.PDFURL, CreatedAt: in.Created})
	}
	return out, nil
}
