package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/billing/payments"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// Subscription is an organisation's plan and its subscription's state.
type Subscription struct {
	Plan              string     `json:"plan" enum:"FREE,STARTER,PROFESSIONAL,ENTERPRISE"`
	Status            string     `json:"status" enum:"ACTIVE,TRIALING,PAST_DUE,UNPAID,CANCELED,INCOMPLETE" doc:"PAST_DUE and UNPAID keep read access but refuse billable actions until paid."`
	CancelAtPeriodEnd bool       `json:"cancelAtPeriodEnd" doc:"The paid plan ends with the current period (back to Free); resume undoes it."`
	CurrentPeriodEnd  *time.Time `json:"currentPeriodEnd"`
	Provider          string     `json:"provider" enum:"local,stripe" doc:"local: plan changes apply at once and nothing is charged."`
	HasPaidPlan       bool       `json:"hasPaidPlan"`
}

type subscriptionRow struct {
	plan, status, customer, subscription string
	cancel                               bool
	periodEnd                            *time.Time
}

func readSubscription(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) (subscriptionRow, error) {
	var r subscriptionRow
	var customer, sub *string
	err := tx.QueryRow(ctx, `SELECT plan, subscription_status, stripe_customer_id, stripe_subscription_id, cancel_at_period_end, current_period_end
		FROM organisations WHERE id = $1`, orgID).Scan(&r.plan, &r.status, &customer, &sub, &r.cancel, &r.periodEnd)
	if customer != nil {
		r.customer = *customer
	}
	if sub != nil {
		r.subscription = *sub
	}
	return r, err
}

func (s *Service) subscriptionView(r subscriptionRow) Subscription {
	return Subscription{Plan: r.plan, Status: r.status, CancelAtPeriodEnd: r.cancel, CurrentPeriodEnd: r.periodEnd,
		Provider: s.provider.Name(), HasPaidPlan: r.plan != plans.Free.Code}
}

// Subscription is the organisation's plan and subscription (staff).
func (s *Service) Subscription(ctx context.Context, actor access.Actor) (Subscription, error) {
	if err := actor.RequireStaff(); err != nil {
		return Subscription{}, err
	}
	var out Subscription
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		r, err := readSubscription(ctx, tx, actor.OrgID)
		out = s.subscriptionView(r)
		return err
	})
	return out, err
}

// priceOf is a paid plan's price at the provider: the configured Stripe price, or the
// local provider's own name for it.
func (s *Service) priceOf(plan string) string {
	if p := s.cfg.StripePrices[plan]; p != "" && s.provider.Name() == "stripe" {
		return p
	}
	return "local_" + plan
}

// planOf is the plan a provider's price stands for ("" when unknown).
func (s *Service) planOf(price string) string {
	for _, p := range plans.All {
		if p.Code != plans.Free.Code && s.priceOf(p.Code) == price {
			return p.Code
		}
	}
	return ""
}

// ChangePlan moves the organisation to plan (ADMIN): a first paid plan creates the
// customer and the subscription, another paid plan changes its price (prorated by the
// provider), and Free ends the paid plan with its period. With the local provider the
// change applies at once.
func (s *Service) ChangePlan(ctx context.Context, actor access.Actor, plan string) (Subscription, error) {
	if err := actor.Require(access.Admin); err != nil {
		return Subscription{}, err
	}
	plan = strings.ToUpper(strings.TrimSpace(plan))
	if _, err := plans.ByCode(plan); err != nil {
		var f apperr.Fields
		f.Add("plan", "must be FREE, STARTER, PROFESSIONAL or ENTERPRISE")
		return Subscription{}, f.Err()
	}
	return s.change(ctx, actor, "plan_changed", func(r subscriptionRow, key string) (payments.Subscription, error) {
		switch {
		case plan == r.plan && !r.cancel:
			return payments.Subscription{}, errUnchanged
		case plan == r.plan:
			return s.provider.Resume(ctx, r.subscription, key) // choosing the plan that was to end keeps it
		case plan == plans.Free.Code:
			if r.subscription == "" {
				return payments.Subscription{}, errUnchanged
			}
			return s.provider.CancelAtPeriodEnd(ctx, r.subscription, key)
		case r.subscription == "" && s.provider.Name() != "local":
			// Stripe needs a payment method before it can charge: the first paid plan is
			// bought at checkout, and arrives by webhook.
			return payments.Subscription{}, apperr.New(apperr.Conflict,
				"a first paid plan is bought at checkout: POST /api/v1/billing/checkout with the plan, then follow its url")
		case r.subscription == "":
			return s.provider.CreateSubscription(ctx, r.customer, s.priceOf(plan), key)
		default:
			return s.provider.ChangePrice(ctx, r.subscription, s.priceOf(plan), key)
		}
	})
}

// Cancel ends the paid plan when its period ends (ADMIN).
func (s *Service) Cancel(ctx context.Context, actor access.Actor) (Subscription, error) {
	if err := actor.Require(access.Admin); err != nil {
		return Subscription{}, err
	}
	return s.change(ctx, actor, "subscription_cancelled", func(r subscriptionRow, key string) (payments.Subscription, error) {
		if r.subscription == "" || r.plan == plans.Free.Code {
			return payments.Subscription{}, apperr.New(apperr.Conflict, "there is no paid plan to cancel")
		}
		if r.cancel {
			return payments.Subscription{}, errUnchanged
		}
		return s.provider.CancelAtPeriodEnd(ctx, r.subscription, key)
	})
}

// Resume keeps a paid plan that was to end with its period (ADMIN).
func (s *Service) Resume(ctx context.Context, actor access.Actor) (Subscription, error) {
	if err := actor.Require(access.Admin); err != nil {
		return Subscription{}, err
	}
	return s.change(ctx, actor, "subscription_resumed", func(r subscriptionRow, key string) (payments.Subscription, error) {
		if !r.cancel {
			return payments.Subscription{}, apperr.New(apperr.Conflict, "the plan is not set to end; there is nothing to resume")
		}
		return s.provider.Resume(ctx, r.subscription, key)
	})
}

// errUnchanged: the request asks for what already is.
var errUnchanged = errors.New("billing: unchanged")

// change runs one change at the provider and applies its answer to the organisation, on
// its timeline. The provider is called outside any transaction (it may be slow), with an
// idempotency key of its own; the organisation's customer is created first when it has
// none.
func (s *Service) change(ctx context.Context, actor access.Actor, action string,
	call func(r subscriptionRow, key string) (payments.Subscription, error)) (Subscription, error) {
	var before subscriptionRow
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		var err error
		before, err = readSubscription(ctx, tx, actor.OrgID)
		return err
	})
	if err != nil {
		return Subscription{}, err
	}
	if before.customer == "" {
		if before.customer, err = s.EnsureCustomer(ctx, actor.OrgID); err != nil {
			return Subscription{}, err
		}
	}
	sub, err := call(before, actor.OrgID.String()+":"+action+":"+uuid.NewString())
	if errors.Is(err, errUnchanged) {
		return s.subscriptionView(before), nil
	}
	if err != nil {
		if apperr.CodeOf(err) != "" && apperr.CodeOf(err) != apperr.Internal {
			return Subscription{}, err
		}
		return Subscription{}, fmt.Errorf("billing: %s: %w", action, err)
	}
	after := s.stateFrom(before, sub)
	if s.provider.Name() == "local" && after.cancel {
		// Locally the period ends now: back to Free at once.
		after = subscriptionRow{plan: plans.Free.Code, status: "ACTIVE", customer: before.customer}
	}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if _, err := s.apply(ctx, tx, actor.OrgID, after, s.now()); err != nil {
			return err
		}
		return recordChange(ctx, tx, actor, action, before, after, "")
	})
	// Committed (or not): this process's next billable action reads the plan again.
	plans.Forget(actor.OrgID)
	if err != nil {
		return Subscription{}, err
	}
	return s.subscriptionView(after), nil
}

// recordChange puts a subscription change on the organisation's timeline; cause names the
// provider's event when one brought it.
func recordChange(ctx context.Context, tx pgx.Tx, actor access.Actor, action string, before, after subscriptionRow, cause string) error {
	state := func(r subscriptionRow) map[string]any {
		return map[string]any{"plan": r.plan, "status": r.status, "cancelAtPeriodEnd": r.cancel}
	}
	a := state(after)
	if cause != "" {
		a["event"] = cause
	}
	return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityOrganisation, EntityID: actor.OrgID, Action: action,
		Before: state(before), After: a})
}

// stateFrom is the organisation's subscription state once the provider's subscription sub
// is applied to r. A subscription gives its plan while it lives (active, trialing, or
// overdue: the plan stays, billable actions pause); one not yet paid for (incomplete)
// leaves the plan as it was; one that has ended returns the organisation to Free.
func (s *Service) stateFrom(r subscriptionRow, sub payments.Subscription) subscriptionRow {
	if sub.Status == "canceled" || sub.Status == "incomplete_expired" {
		return subscriptionRow{plan: plans.Free.Code, status: "ACTIVE", customer: r.customer}
	}
	after := r
	after.subscription, after.status, after.cancel = sub.ID, providerStatus(sub.Status), sub.CancelAtPeriodEnd
	if p := s.planOf(sub.PriceID); p != "" && sub.Status != "incomplete" {
		after.plan = p
	}
	after.periodEnd = nil
	if !sub.CurrentPeriodEnd.IsZero() {
		end := sub.CurrentPeriodEnd.UTC().Truncate(time.Microsecond) // as PostgreSQL keeps it, so the answer and a later read agree
		after.periodEnd = &end
	}
	return after
}

// apply writes a subscription state through billing_apply, the only way the application
// may change an organisation's plan (migration 00014). at is when the state was true: a
// state older than the one applied last is not applied, and apply reports false.
func (s *Service) apply(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, r subscriptionRow, at time.Time) (bool, error) {
	var customer, sub *string
	if r.customer != "" {
		customer = &r.customer
	}
	if r.subscription != "" {
		sub = &r.subscription
	}
	var applied bool
	err := tx.QueryRow(ctx, "SELECT billing_apply($1, $2, $3, $4, $5, $6, $7, $8)",
		orgID, r.plan, r.status, customer, sub, r.cancel, r.periodEnd, at.UTC()).Scan(&applied)
	return applied, err
}

// EnsureCustomer creates the organisation's customer at the provider unless it has one,
// and answers its id. Every attempt for an organisation uses the same idempotency key, so
// the registration job and a first plan change racing it create one customer between them.
func (s *Service) EnsureCustomer(ctx context.Context, orgID uuid.UUID) (string, error) {
	var customer, name, email string
	err := s.db.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		var c *string
		if err := tx.QueryRow(ctx, "SELECT stripe_customer_id, name FROM organisations WHERE id = $1", orgID).Scan(&c, &name); err != nil {
			return err
		}
		if c != nil {
			customer = *c
			return nil
		}
		// Stripe sends its receipts to the customer's email: the first ADMIN's.
		err := tx.QueryRow(ctx, `SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.org_id = $1 AND m.role = 'ADMIN' ORDER BY m.created_at LIMIT 1`, orgID).Scan(&email)
		if errors.Is(err, pgx.ErrNoRows) {
			err = nil
		}
		return err
	})
	if err != nil || customer != "" {
		return customer, err
	}
	created, err := s.provider.CreateCustomer(ctx, payments.Customer{OrgID: orgID.String(), Name: name, Email: email}, "customer:"+orgID.String())
	if err != nil {
		return "", fmt.Errorf("billing: create customer: %w", err)
	}
	err = s.db.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT billing_set_customer($1, $2)", orgID, created).Scan(&customer)
	})
	return customer, err
}

// providerStatus is a provider's subscription status as the organisation records it.
func providerStatus(s string) string {
	switch s {
	case "trialing":
		return "TRIALING"
	case "past_due":
		return "PAST_DUE"
	case "unpaid":
		return "UNPAID"
	case "canceled":
		return "CANCELED"
	case "incomplete", "incomplete_expired":
		return "INCOMPLETE"
	}
	return "ACTIVE"
}
