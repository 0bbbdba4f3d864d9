package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/billing/payments"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// WebhookResult is what a provider's webhook did.
type WebhookResult struct {
	Received  bool `json:"received"`
	Applied   bool `json:"applied" doc:"The organisation's subscription was brought up to date from it."`
	Duplicate bool `json:"duplicate" doc:"The event was applied before; nothing changed."`
	Ignored   bool `json:"ignored" doc:"An event type MaintainUK does not act on, or about a customer it does not know."`
}

// HandleWebhook applies a provider's webhook: the signature is checked, and an event of a
// handled type is applied once (its id is recorded in the transaction that applies it).
// The subscription it names is read afresh from the provider, never taken from the
// event: events arrive late, twice and out of order, and the provider's state now is what
// the organisation should show. A state read earlier than one already applied is not
// applied over it (billing_apply).
func (s *Service) HandleWebhook(ctx context.Context, payload []byte, signature string) (WebhookResult, error) {
	if s.cfg.VerifyEvent == nil {
		return WebhookResult{}, apperr.New(apperr.BadRequest, "Stripe webhooks are not taken here: billing is local (BILLING_PROVIDER=stripe and STRIPE_WEBHOOK_SECRET turn them on)")
	}
	ev, err := s.cfg.VerifyEvent(payload, signature)
	if err != nil {
		return WebhookResult{}, apperr.New(apperr.BadRequest, "the request does not carry a valid Stripe signature within the allowed time")
	}
	if !payments.Handled(ev.Type) {
		return WebhookResult{Received: true, Ignored: true}, nil
	}
	orgID, err := s.orgOfEvent(ctx, ev)
	if err != nil {
		return WebhookResult{}, err
	}
	if orgID == uuid.Nil {
		s.logger.WarnContext(ctx, "stripe webhook about an unknown customer left alone", "event", ev.ID, "type", ev.Type, "customer", ev.CustomerID)
		return WebhookResult{Received: true, Ignored: true}, nil
	}
	var seen bool
	if err := s.db.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM stripe_events WHERE org_id = $1 AND event_id = $2)", orgID, ev.ID).Scan(&seen)
	}); err != nil || seen {
		return WebhookResult{Received: true, Duplicate: seen}, err
	}

	// Read outside the transaction: the provider may be slow.
	var sub payments.Subscription
	var readAt time.Time
	if ev.SubscriptionID != "" {
		readAt = s.now()
		if sub, err = s.provider.GetSubscription(ctx, ev.SubscriptionID); err != nil {
			return WebhookResult{}, fmt.Errorf("billing: webhook %s: read subscription: %w", ev.ID, err)
		}
	}
	out := WebhookResult{Received: true}
	actor := access.Actor{OrgID: orgID}
	err = s.db.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "INSERT INTO stripe_events (org_id, event_id, type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", orgID, ev.ID, ev.Type)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 { // a concurrent delivery of the same event got here first
			out.Duplicate = true
			return nil
		}
		if err := recordPayment(ctx, tx, actor, ev); err != nil {
			return err
		}
		if ev.SubscriptionID == "" {
			return nil
		}
		before, err := readSubscription(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if before.subscription != "" && before.subscription != sub.ID && (sub.Status == "canceled" || sub.Status == "incomplete_expired") {
			return nil // an old subscription ended; the organisation has moved on to another
		}
		after := s.stateFrom(before, sub)
		if after.customer == "" {
			after.customer = ev.CustomerID
		}
		if out.Applied, err = s.apply(ctx, tx, orgID, after, readAt); err != nil {
			return err
		}
		if ev.Type == payments.EventInvoicePaymentFailed {
			if err := s.tellPaymentFailed(ctx, tx, orgID, after); err != nil {
				return err
			}
		}
		if !out.Applied || same(before, after) {
			return nil
		}
		return recordChange(ctx, tx, actor, "subscription_updated", before, after, ev.Type)
	})
	// Committed (or not): this process's next billable action reads the state again.
	plans.Forget(orgID)
	if err != nil {
		return WebhookResult{}, fmt.Errorf("billing: webhook %s: %w", ev.ID, err)
	}
	return out, nil
}

// recordPayment puts a paid or failed invoice on the organisation's timeline.
func recordPayment(ctx context.Context, tx pgx.Tx, actor access.Actor, ev payments.Event) error {
	action := map[string]string{payments.EventInvoicePaid: "invoice_paid", payments.EventInvoicePaymentFailed: "payment_failed"}[ev.Type]
	if action == "" {
		return nil
	}
	return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityOrganisation, EntityID: actor.OrgID, Action: action,
		After: map[string]any{"event": ev.ID, "subscription": ev.SubscriptionID}})
}

func same(a, b subscriptionRow) bool {
	return a.plan == b.plan && a.status == b.status && a.cancel == b.cancel && a.subscription == b.subscription &&
		((a.periodEnd == nil) == (b.periodEnd == nil)) && (a.periodEnd == nil || a.periodEnd.Equal(*b.periodEnd))
}

// orgOfEvent is the organisation a webhook is about: the one whose customer it names, else
// the one the object names itself (a checkout session's client reference) if it exists;
// uuid.Nil when neither.
func (s *Service) orgOfEvent(ctx context.Context, ev payments.Event) (uuid.UUID, error) {
	var orgID uuid.UUID
	named, _ := uuid.Parse(ev.OrgID)
	err := s.db.InTx(ctx, database.Scope{System: true}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT id FROM organisations WHERE (stripe_customer_id = $1 AND $1 <> '')
			OR (id = $2 AND (stripe_customer_id IS NULL OR $1 = '')) ORDER BY stripe_customer_id IS NULL LIMIT 1`, ev.CustomerID, named).Scan(&orgID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	return orgID, err
}

// EventRetention is how long an applied event's id is kept: Stripe retries a webhook for
// up to three days, so a month is ample to recognise any repeat.
const EventRetention = 30 * 24 * time.Hour

// PurgeExpired forgets the organisation's events applied more than EventRetention ago
// (the retention job).
func (s *Service) PurgeExpired(ctx context.Context, orgID uuid.UUID) (int64, error) {
	var n int64
	err := s.db.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM stripe_events WHERE org_id = $1 AND received_at < $2", orgID, s.now().Add(-EventRetention))
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

// tellPaymentFailed emails the organisation's ADMINs that a payment failed (and tells its
// webhook endpoints), in tx.
func (s *Service) tellPaymentFailed(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, r subscriptionRow) error {
	if s.pub == nil {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT u.name, u.email FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = $1 AND m.role = 'ADMIN' ORDER BY u.email`, orgID)
	if err != nil {
		return err
	}
	admins, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (events.Recipient, error) {
		var r events.Recipient
		err := row.Scan(&r.Name, &r.Email)
		return r, err
	})
	if err != nil {
		return err
	}
	ev := &events.PaymentFailed{Plan: r.plan, Status: r.status, Admins: admins}
	if err := s.pub.PublishEmail(ctx, tx, orgID, ev); err != nil {
		return err
	}
	return s.pub.PublishWebhooks(ctx, tx, orgID, ev)
}
