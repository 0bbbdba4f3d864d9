// Package invoices is contractors' bills for completed work orders and their approval and
// payment. An invoice more than 10% over the approved quote needs an ADMIN.
package invoices

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/invoices/invoicesdb"
	"github.com/maintainuk/maintainuk/internal/money"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/recipients"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// Status of an invoice.
type Status string

const (
	Submitted Status = "SUBMITTED"
	Approved  Status = "APPROVED"
	Rejected  Status = "REJECTED"
	Paid      Status = "PAID"
)

// Statuses lists every invoice status, for documentation.
var Statuses = []Status{Submitted, Approved, Rejected, Paid}

// Invoice is a contractor's bill for a completed work order.
type Invoice struct {
	ID               uuid.UUID    `json:"id"`
	WorkOrderID      uuid.UUID    `json:"workOrderId"`
	ContractorID     uuid.UUID    `json:"contractorId"`
	Reference        string       `json:"reference" doc:"The contractor's invoice number."`
	Status           Status       `json:"status"`
	Notes            string       `json:"notes"`
	Lines            []money.Line `json:"lines"`
	NetPence         int64        `json:"netPence"`
	VATPence         int64        `json:"vatPence"`
	TotalPence       int64        `json:"totalPence"`
	ApprovedBy       *uuid.UUID   `json:"approvedBy"`
	ApprovedAt       *time.Time   `json:"approvedAt"`
	RejectionReason  string       `json:"rejectionReason"`
	PaidAt           *time.Time   `json:"paidAt"`
	PaymentReference string       `json:"paymentReference"`
	CreatedAt        time.Time    `json:"createdAt"`
	UpdatedAt        time.Time    `json:"updatedAt"`
}

func fromRow(r invoicesdb.Invoice, lines []invoicesdb.LineItem) Invoice {
	inv := Invoice{ID: r.ID, WorkOrderID: r.WorkOrderID, ContractorID: r.ContractorID, Reference: r.Reference,
		Status: Status(r.Status), Notes: r.Notes, NetPence: r.NetPence, VATPence: r.VatPence, TotalPence: r.TotalPence,
		ApprovedBy: r.ApprovedBy, ApprovedAt: r.ApprovedAt, RejectionReason: r.RejectionReason, PaidAt: r.PaidAt,
		PaymentReference: r.PaymentReference, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Lines: make([]money.Line, len(lines))}
	for i, l := range lines {
		inv.Lines[i] = money.FromStored(l.Description, l.QuantityMilli, l.UnitPricePence, l.VatRatePercent, l.NetPence, l.VatPence)
	}
	return inv
}

// Service manages invoices.
type Service struct {
	db  *database.DB
	q   *invoicesdb.Queries
	now func() time.Time
	// pub receives invoice.submitted, invoice.approved, invoice.paid and rejections.
	pub events.Publisher
}

// NewService returns the invoices service.
func NewService(db *database.DB, pub events.Publisher, now func() time.Time) *Service {
	return &Service{db: db, q: invoicesdb.New(), pub: pub, now: now}
}

// SubmitInput is an invoice as the contractor sends it.
type SubmitInput struct {
	Reference string
	Lines     []money.LineInput
	Notes     string
}

// Check applies the rules on the input alone (lines, the reference, the length of the
// notes), naming every field that breaks one.
func (in SubmitInput) Check() error {
	var f apperr.Fields
	if _, _, err := money.Price(in.Lines); err != nil {
		f = append(f, err.(*apperr.Error).Fields...)
	}
	if ref := strings.TrimSpace(in.Reference); ref == "" || utf8.RuneCountInString(ref) > 50 {
		f.Add("reference", "is required: your invoice number (at most 50 characters)")
	}
	if len([]rune(strings.TrimSpace(in.Notes))) > 2000 {
		f.Add("notes", "must be at most 2000 characters")
	}
	return f.Err()
}

// Submit records an invoice against a COMPLETED work order, by its CONTRACTOR or by staff
// entering a paper one. A work order has at most one invoice that is not rejected.
func (s *Service) Submit(ctx context.Context, actor access.Actor, workOrderID uuid.UUID, in SubmitInput) (*Invoice, error) {
	if err := actor.Require(access.Admin, access.Coordinator, access.Contractor); err != nil {
		return nil, err
	}
	if err := in.Check(); err != nil {
		return nil, err
	}
	lines, totals, _ := money.Price(in.Lines)
	ref, notes := strings.TrimSpace(in.Reference), strings.TrimSpace(in.Notes)
	var out Invoice
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		wo, err := workorders.Lock(ctx, tx, actor, workOrderID)
		if err != nil {
			return err
		}
		if wo.Status != workorders.Completed {
			return apperr.New(apperr.Conflict, "invoices are for completed work orders; this one is %s", wo.Status)
		}
		open, err := s.q.OpenInvoiceExists(ctx, tx, invoicesdb.OpenInvoiceExistsParams{OrgID: actor.OrgID, WorkOrderID: workOrderID})
		if err != nil {
			return err
		}
		if open {
			return apperr.New(apperr.Conflict, "this work order already has an invoice; a new one can follow only if it is rejected")
		}
		row, err := s.q.InsertInvoice(ctx, tx, invoicesdb.InsertInvoiceParams{
			OrgID: actor.OrgID, WorkOrderID: workOrderID, ContractorID: wo.ContractorID, Reference: ref, Notes: notes,
			NetPence: totals.NetPence, VatPence: totals.VATPence, TotalPence: totals.TotalPence, SubmittedBy: &actor.UserID,
		})
		if database.IsUniqueViolation(err, "invoices_one_open_idx") {
			return apperr.New(apperr.Conflict, "this work order already has an invoice; a new one can follow only if it is rejected")
		}
		if err != nil {
			return err
		}
		stored := make([]invoicesdb.LineItem, len(lines))
		for i, l := range lines {
			p := invoicesdb.InsertInvoiceLineParams{OrgID: actor.OrgID, InvoiceID: &row.ID, Position: int32(i), Description: l.Description,
				QuantityMilli: l.QuantityMilli, UnitPricePence: l.UnitPricePence, VatRatePercent: int32(l.VATRatePercent), NetPence: l.NetPence, VatPence: l.VATPence}
			if err := s.q.InsertInvoiceLine(ctx, tx, p); err != nil {
				return err
			}
			stored[i] = invoicesdb.LineItem{Description: p.Description, QuantityMilli: p.QuantityMilli, UnitPricePence: p.UnitPricePence,
				VatRatePercent: p.VatRatePercent, NetPence: p.NetPence, VatPence: p.VatPence}
		}
		out = fromRow(row, stored)
		if err := timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityInvoice, EntityID: row.ID, TicketID: &wo.TicketID, Action: "submitted", After: out}); err != nil {
			return err
		}
		return s.publish(ctx, tx, actor, out, wo.TicketID)
	})
	return &out, err
}

// Get returns an invoice: staff see any, a CONTRACTOR their company's.
func (s *Service) Get(ctx context.Context, actor access.Actor, id uuid.UUID) (*Invoice, error) {
	var out Invoice
	err := s.read(ctx, actor, id, func(tx pgx.Tx, row invoicesdb.Invoice, _ uuid.UUID) error {
		lines, err := s.q.InvoiceLines(ctx, tx, invoicesdb.InvoiceLinesParams{OrgID: actor.OrgID, InvoiceID: &id})
		out = fromRow(row, lines)
		return err
	})
	return &out, err
}

// read runs fn on an invoice the actor may see, in a transaction.
func (s *Service) read(ctx context.Context, actor access.Actor, id uuid.UUID, fn func(pgx.Tx, invoicesdb.Invoice, uuid.UUID) error) error {
	if err := actor.Require(access.Admin, access.Coordinator, access.Contractor); err != nil {
		return err
	}
	return s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetInvoice(ctx, tx, invoicesdb.GetInvoiceParams{OrgID: actor.OrgID, ID: id})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && actor.Role == access.Contractor && row.Invoice.ContractorID != actor.ContractorID) {
			return apperr.NotFoundf("invoice")
		}
		if err != nil {
			return err
		}
		return fn(tx, row.Invoice, row.TicketID)
	})
}

// Filter narrows an invoice list.
type Filter struct {
	Status       string
	WorkOrderID  *uuid.UUID
	ContractorID *uuid.UUID
}

// List pages through invoices, newest first; a CONTRACTOR sees their company's.
func (s *Service) List(ctx context.Context, actor access.Actor, filter Filter, req page.Request) (page.Result[Invoice], error) {
	var res page.Result[Invoice]
	if err := actor.Require(access.Admin, access.Coordinator, access.Contractor); err != nil {
		return res, err
	}
	limit, after, err := req.ParseNewest()
	if err != nil {
		return res, err
	}
	p := invoicesdb.ListInvoicesParams{OrgID: actor.OrgID, WorkOrderID: filter.WorkOrderID, ContractorID: filter.ContractorID,
		BeforeCreatedAt: after.CreatedAt, BeforeID: after.ID, RowLimit: int32(limit + 1)}
	if filter.Status != "" {
		p.Status = &filter.Status
	}
	if actor.Role == access.Contractor {
		p.ContractorID = &actor.ContractorID
	}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		rows, err := s.q.ListInvoices(ctx, tx, p)
		items := make([]Invoice, len(rows))
		for i, r := range rows {
			items[i] = fromRow(r, nil)
		}
		res = page.Build(items, limit, func(v Invoice) page.Key { return page.Key{CreatedAt: v.CreatedAt, ID: v.ID} })
		return err
	})
	return res, err
}

// publish announces an invoice's new status: SUBMITTED to staff, APPROVED and PAID to the
// contractor by email; REJECTED to webhooks (and the API).
func (s *Service) publish(ctx context.Context, tx pgx.Tx, actor access.Actor, inv Invoice, ticketID uuid.UUID) error {
	contractor, err := recipients.Contractor(ctx, tx, actor.OrgID, inv.ContractorID)
	if err != nil {
		return err
	}
	var ev events.Event
	switch inv.Status {
	case Submitted:
		staff, err := recipients.Staff(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		t, err := recipients.Ticket(ctx, tx, actor.OrgID, ticketID)
		if err != nil {
			return err
		}
		ev = &events.InvoiceSubmitted{InvoiceID: inv.ID, Reference: inv.Reference, TicketNumber: t.Number, Contractor: contractor.Name, TotalPence: inv.TotalPence, Staff: staff}
	case Approved:
		ev = &events.InvoiceApproved{InvoiceID: inv.ID, Reference: inv.Reference, TotalPence: inv.TotalPence, Contractor: contractor}
	case Paid:
		ev = &events.InvoicePaid{InvoiceID: inv.ID, Reference: inv.Reference, TotalPence: inv.TotalPence, PaymentReference: inv.PaymentReference, Contractor: contractor}
	case Rejected:
		return events.EmailAndWebhooks(ctx, s.pub, tx, actor.OrgID, &events.InvoiceRejected{
			InvoiceID: inv.ID, Reference: inv.Reference, ContractorID: inv.ContractorID, Reason: inv.RejectionReason}, false)
	default:
		return nil
	}
	return events.EmailAndWebhooks(ctx, s.pub, tx, actor.OrgID, ev, true)
}
