package invoices

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/invoices/invoicesdb"
	"github.com/maintainuk/maintainuk/internal/money"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// OverQuoteTolerancePercent is how far an invoice may exceed the approved quote before an
// ADMIN must approve it.
const OverQuoteTolerancePercent = 10

// Approve accepts an invoice (staff). More than 10% over the approved quote needs an
// ADMIN; with no approved quote, the organisation's approval threshold applies instead.
// With separation of duties in force, whoever entered the invoice cannot approve it.
func (s *Service) Approve(ctx context.Context, actor access.Actor, id uuid.UUID) (*Invoice, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	return s.decide(ctx, actor, id, Submitted, "approved", func(tx pgx.Tx, inv invoicesdb.Invoice) (invoicesdb.Invoice, error) {
		if inv.SubmittedBy != nil && *inv.SubmittedBy == actor.UserID {
			if err := s.separate(ctx, tx, actor, "you entered this invoice: separation of duties needs another member of staff to approve it"); err != nil {
				return inv, err
			}
		}
		if actor.Role != access.Admin {
			quoted, err := s.q.ApprovedQuoteTotal(ctx, tx, invoicesdb.ApprovedQuoteTotalParams{OrgID: actor.OrgID, WorkOrderID: inv.WorkOrderID})
			switch {
			case err == nil:
				// total > quoted × 1.1, in integers: total × 100 > quoted × 110.
				if inv.TotalPence*100 > quoted*(100+OverQuoteTolerancePercent) {
					return inv, apperr.New(apperr.Forbidden, "this invoice (%s) is more than %d%% over the approved quote (%s): an ADMIN must approve it",
						money.Format(inv.TotalPence), OverQuoteTolerancePercent, money.Format(quoted))
				}
			case errors.Is(err, pgx.ErrNoRows):
				threshold, err := orgsettings.ApprovalThreshold(ctx, tx, actor.OrgID)
				if err != nil {
					return inv, err
				}
				if inv.TotalPence > threshold {
					return inv, apperr.New(apperr.Forbidden, "this invoice (%s) has no approved quote and is over the approval threshold of %s: an ADMIN must approve it",
						money.Format(inv.TotalPence), money.Format(threshold))
				}
			default:
				return inv, err
			}
		}
		return s.q.ApproveInvoice(ctx, tx, invoicesdb.ApproveInvoiceParams{OrgID: actor.OrgID, ID: id, ApprovedBy: &actor.UserID})
	})
}

// Reject turns an invoice down with a reason (staff only); the contractor may submit a
// corrected one.
func (s *Service) Reject(ctx context.Context, actor access.Actor, id uuid.UUID, reason string) (*Invoice, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		var f apperr.Fields
		f.Add("reason", "is required (at most 1000 characters)")
		return nil, f.Err()
	}
	return s.decide(ctx, actor, id, Submitted, "rejected", func(tx pgx.Tx, _ invoicesdb.Invoice) (invoicesdb.Invoice, error) {
		return s.q.RejectInvoice(ctx, tx, invoicesdb.RejectInvoiceParams{OrgID: actor.OrgID, ID: id, RejectionReason: reason})
	})
}

// MarkPaid records payment of an approved invoice (staff only; with separation of duties
// in force, not whoever approved it).
func (s *Service) MarkPaid(ctx context.Context, actor access.Actor, id uuid.UUID, paymentReference string) (*Invoice, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	paymentReference = strings.TrimSpace(paymentReference)
	if utf8.RuneCountInString(paymentReference) > 100 {
		var f apperr.Fields
		f.Add("paymentReference", "must be at most 100 characters")
		return nil, f.Err()
	}
	return s.decide(ctx, actor, id, Approved, "paid", func(tx pgx.Tx, inv invoicesdb.Invoice) (invoicesdb.Invoice, error) {
		if inv.ApprovedBy != nil && *inv.ApprovedBy == actor.UserID {
			if err := s.separate(ctx, tx, actor, "you approved this invoice: separation of duties needs another member of staff to mark it paid"); err != nil {
				return inv, err
			}
		}
		return s.q.MarkInvoicePaid(ctx, tx, invoicesdb.MarkInvoicePaidParams{OrgID: actor.OrgID, ID: id, PaymentReference: paymentReference})
	})
}

// separate refuses (403) when separation of duties is in force for the organisation; the
// caller has found that the actor already handled the invoice.
func (s *Service) separate(ctx context.Context, tx pgx.Tx, actor access.Actor, message string) error {
	separated, err := orgsettings.DutiesSeparated(ctx, tx, actor.OrgID)
	if err != nil {
		return err
	}
	if separated {
		return apperr.New(apperr.Forbidden, "%s", message)
	}
	return nil
}

// decide locks an invoice in status from, applies the change and records it.
func (s *Service) decide(ctx context.Context, actor access.Actor, id uuid.UUID, from Status, action string,
	apply func(pgx.Tx, invoicesdb.Invoice) (invoicesdb.Invoice, error)) (*Invoice, error) {
	var out Invoice
	err := s.read(ctx, actor, id, func(tx pgx.Tx, _ invoicesdb.Invoice, ticketID uuid.UUID) error {
		inv, err := s.q.GetInvoiceForUpdate(ctx, tx, invoicesdb.GetInvoiceForUpdateParams{OrgID: actor.OrgID, ID: id})
		if err != nil {
			return err
		}
		if Status(inv.Status) != from {
			return apperr.New(apperr.Conflict, "%s invoice cannot be %s", apperr.A(string(inv.Status)), action)
		}
		updated, err := apply(tx, inv)
		if err != nil {
			return err
		}
		lines, err := s.q.InvoiceLines(ctx, tx, invoicesdb.InvoiceLinesParams{OrgID: actor.OrgID, InvoiceID: &id})
		if err != nil {
			return err
		}
		out = fromRow(updated, lines)
		if err := timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityInvoice, EntityID: id, TicketID: &ticketID, Action: action,
			Before: map[string]any{"status": inv.Status},
			After: map[string]any{"status": out.Status, "reason": out.RejectionReason, "paymentReference": out.PaymentReference,
				"totalPence": out.TotalPence, "contractorId": out.ContractorID}}); err != nil {
			return err
		}
		return s.publish(ctx, tx, actor, out, ticketID)
	})
	return &out, err
}
