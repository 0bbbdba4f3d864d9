package quotes

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/money"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/quotes/quotesdb"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// Approve accepts a quote (staff; an ADMIN when the ticket's approved quotes, this one
// included, would be above the organisation's approval threshold; with separation of
// duties in force, not whoever entered the quote) and rejects the work order's other open quotes in the same transaction. The work order
// is locked first, so of two people approving sibling quotes at once exactly one wins and
// the other gets 409.
func (s *Service) Approve(ctx context.Context, actor access.Actor, id uuid.UUID) (*Quote, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	return s.decide(ctx, actor, id, func(tx pgx.Tx, q quotesdb.Quote, ticketID uuid.UUID) (quotesdb.Quote, error) {
		if q.ValidUntil.Before(s.today()) {
			return q, apperr.New(apperr.Conflict, "this quote expired on %s: ask the contractor for a new one", q.ValidUntil.Format("2 January 2006"))
		}
		if q.SubmittedBy != nil && *q.SubmittedBy == actor.UserID {
			separated, err := orgsettings.DutiesSeparated(ctx, tx, actor.OrgID)
			if err != nil {
				return q, err
			}
			if separated {
				return q, apperr.New(apperr.Forbidden, "you entered this quote: separation of duties needs another member of staff to approve it")
			}
		}
		threshold, err := orgsettings.ApprovalThreshold(ctx, tx, actor.OrgID)
		if err != nil {
			return q, err
		}
		if q.TotalPence > threshold && actor.Role != access.Admin {
			return q, apperr.New(apperr.Forbidden, "this quote (%s) is over the approval threshold of %s: an ADMIN must approve it",
				money.Format(q.TotalPence), money.Format(threshold))
		}
		// The threshold is per ticket: what is already approved on any of its work orders
		// counts too. Approvals for the ticket are serialised so two cannot both pass.
		if err := s.q.LockTicketApprovals(ctx, tx, ticketID.String()); err != nil {
			return q, err
		}
		if actor.Role != access.Admin {
			already, err := s.q.ApprovedTotalForTicket(ctx, tx, quotesdb.ApprovedTotalForTicketParams{OrgID: actor.OrgID, TicketID: ticketID})
			if err != nil {
				return q, err
			}
			if already+q.TotalPence > threshold {
				return q, apperr.New(apperr.Forbidden, "this quote (%s) would take the approved quotes for this ticket to %s, over the approval threshold of %s: an ADMIN must approve it",
					money.Format(q.TotalPence), money.Format(already+q.TotalPence), money.Format(threshold))
			}
		}
		approved, err := s.q.DecideQuote(ctx, tx, quotesdb.DecideQuoteParams{OrgID: actor.OrgID, ID: id, Status: string(Approved), DecidedBy: &actor.UserID})
		if database.IsUniqueViolation(err, "quotes_one_approved_idx") {
			// A quote submitted after another was approved cannot be approved beside it.
			return q, apperr.New(apperr.Conflict, "another quote for this work order is already approved")
		}
		if err != nil {
			return q, err
		}
		siblings, err := s.q.RejectSiblingQuotes(ctx, tx, quotesdb.RejectSiblingQuotesParams{OrgID: actor.OrgID, WorkOrderID: q.WorkOrderID, ApprovedID: id, DecidedBy: &actor.UserID})
		if err != nil {
			return q, err
		}
		for _, sib := range siblings {
			if err := timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityQuote, EntityID: sib.ID, TicketID: &ticketID,
				Action: "rejected", After: map[string]any{"status": Rejected, "reason": "another quote for this work order was approved",
					"approvedQuoteId": id, "contractorId": sib.ContractorID}}); err != nil {
				return q, err
			}
			if err := events.EmailAndWebhooks(ctx, s.pub, tx, actor.OrgID, &events.QuoteDecided{QuoteID: sib.ID, WorkOrderID: q.WorkOrderID,
				ContractorID: sib.ContractorID, Status: string(Rejected), Reason: "another quote for this work order was approved"}, false); err != nil {
				return q, err
			}
		}
		return approved, s.publishApproved(ctx, tx, actor, approved, ticketID)
	}, approved)
}

// Reject turns a quote down with a reason (staff only).
func (s *Service) Reject(ctx context.Context, actor access.Actor, id uuid.UUID, reason string) (*Quote, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		var f apperr.Fields
		f.Add("reason", "is required (at most 1000 characters)")
		return nil, f.Err()
	}
	return s.decide(ctx, actor, id, func(tx pgx.Tx, q quotesdb.Quote, _ uuid.UUID) (quotesdb.Quote, error) {
		return s.q.DecideQuote(ctx, tx, quotesdb.DecideQuoteParams{OrgID: actor.OrgID, ID: id, Status: string(Rejected), DecidedBy: &actor.UserID, DecisionReason: reason})
	}, rejected)
}

// Withdraw takes a submitted quote back (its CONTRACTOR, or staff on their behalf).
func (s *Service) Withdraw(ctx context.Context, actor access.Actor, id uuid.UUID) (*Quote, error) {
	if err := actor.Require(access.Admin, access.Coordinator, access.Contractor); err != nil {
		return nil, err
	}
	return s.decide(ctx, actor, id, func(tx pgx.Tx, q quotesdb.Quote, _ uuid.UUID) (quotesdb.Quote, error) {
		return s.q.DecideQuote(ctx, tx, quotesdb.DecideQuoteParams{OrgID: actor.OrgID, ID: id, Status: string(Withdrawn), DecidedBy: &actor.UserID})
	}, withdrawn)
}

// decision is what a decision does to a quote, as its timeline action says it.
type decision string

const (
	approved  decision = "approved"
	rejected  decision = "rejected"
	withdrawn decision = "withdrawn"
)

// decide locks the work order, then the quote, checks the quote is still SUBMITTED, and
// applies the decision, recording it.
func (s *Service) decide(ctx context.Context, actor access.Actor, id uuid.UUID,
	apply func(pgx.Tx, quotesdb.Quote, uuid.UUID) (quotesdb.Quote, error), action decision) (*Quote, error) {
	var out Quote
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		found, err := s.q.GetQuote(ctx, tx, quotesdb.GetQuoteParams{OrgID: actor.OrgID, ID: id})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && actor.Role == access.Contractor && found.Quote.ContractorID != actor.ContractorID) {
			return apperr.NotFoundf("quote")
		}
		if err != nil {
			return err
		}
		wo, err := workorders.Lock(ctx, tx, actor, found.Quote.WorkOrderID)
		if err != nil {
			return err
		}
		q, err := s.q.GetQuoteForUpdate(ctx, tx, quotesdb.GetQuoteForUpdateParams{OrgID: actor.OrgID, ID: id})
		if err != nil {
			return err
		}
		if Status(q.Status) != Submitted {
			return apperr.New(apperr.Conflict, "this quote is already %s", strings.ToLower(q.Status))
		}
		if action == approved && !wo.Status.Quotable() {
			return apperr.New(apperr.Conflict, "the work order is %s: a quote for it cannot be approved", wo.Status)
		}
		before := fromRow(q, nil)
		decided, err := apply(tx, q, wo.TicketID)
		if err != nil {
			return err
		}
		lines, err := s.q.QuoteLines(ctx, tx, quotesdb.QuoteLinesParams{OrgID: actor.OrgID, QuoteID: &id})
		if err != nil {
			return err
		}
		out = fromRow(decided, lines)
		if err := timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityQuote, EntityID: id, TicketID: &wo.TicketID, Action: string(action),
			Before: map[string]any{"status": before.Status},
			After:  map[string]any{"status": out.Status, "reason": out.DecisionReason, "totalPence": out.TotalPence, "contractorId": out.ContractorID}}); err != nil {
			return err
		}
		if action == approved {
			return nil // quote.approved is published by Approve
		}
		return events.EmailAndWebhooks(ctx, s.pub, tx, actor.OrgID, &events.QuoteDecided{
			QuoteID: id, WorkOrderID: out.WorkOrderID, ContractorID: out.ContractorID, Status: string(out.Status), Reason: out.DecisionReason,
		}, false)
	})
	return &out, err
}
