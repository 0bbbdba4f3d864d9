// Package quotes is contractors' prices for work orders and the decisions on them.
// Approving a quote rejects its siblings in the same transaction; quotes above the
// organisation's approval threshold need an ADMIN (a human in the loop for big spends).
package quotes

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/money"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/quotes/quotesdb"
	"github.com/maintainuk/maintainuk/internal/recipients"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// Status of a quote.
type Status string

const (
	Submitted Status = "SUBMITTED"
	Approved  Status = "APPROVED"
	Rejected  Status = "REJECTED"
	Withdrawn Status = "WITHDRAWN"
)

// Statuses lists every quote status, for documentation.
var Statuses = []Status{Submitted, Approved, Rejected, Withdrawn}

// Quote is a contractor's price for a work order.
type Quote struct {
	ID             uuid.UUID    `json:"id"`
	WorkOrderID    uuid.UUID    `json:"workOrderId"`
	ContractorID   uuid.UUID    `json:"contractorId"`
	Status         Status       `json:"status"`
	ValidUntil     string       `json:"validUntil" doc:"Last day the price holds (YYYY-MM-DD)."`
	Notes          string       `json:"notes"`
	Lines          []money.Line `json:"lines"`
	NetPence       int64        `json:"netPence"`
	VATPence       int64        `json:"vatPence"`
	TotalPence     int64        `json:"totalPence"`
	DecidedBy      *uuid.UUID   `json:"decidedBy"`
	DecidedAt      *time.Time   `json:"decidedAt"`
	DecisionReason string       `json:"decisionReason"`
	CreatedAt      time.Time    `json:"createdAt"`
	UpdatedAt      time.Time    `json:"updatedAt"`
}

func fromRow(r quotesdb.Quote, lines []quotesdb.LineItem) Quote {
	q := Quote{ID: r.ID, WorkOrderID: r.WorkOrderID, ContractorID: r.ContractorID, Status: Status(r.Status),
		ValidUntil: r.ValidUntil.Format(time.DateOnly), Notes: r.Notes, NetPence: r.NetPence, VATPence: r.VatPence,
		TotalPence: r.TotalPence, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, DecisionReason: r.DecisionReason,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Lines: make([]money.Line, len(lines))}
	for i, l := range lines {
		q.Lines[i] = money.FromStored(l.Description, l.QuantityMilli, l.UnitPricePence, l.VatRatePercent, l.NetPence, l.VatPence)
	}
	return q
}

// Service manages quotes.
type Service struct {
	db  *database.DB
	q   *quotesdb.Queries
	now func() time.Time
	// pub receives quote.submitted, quote.approved and the other decisions.
	pub events.Publisher
}

// NewService returns the quotes service.
func NewService(db *database.DB, pub events.Publisher, now func() time.Time) *Service {
	return &Service{db: db, q: quotesdb.New(), pub: pub, now: now}
}

// SubmitInput is a quote as the contractor sends it.
type SubmitInput struct {
	Lines      []money.LineInput
	ValidUntil string
	Notes      string
}

// Check applies the rules on the input alone (lines, a validity date not before today,
// the length of the notes), naming every field that breaks one.
func (in SubmitInput) Check(today time.Time) error {
	var f apperr.Fields
	if _, _, err := money.Price(in.Lines); err != nil {
		f = append(f, err.(*apperr.Error).Fields...)
	}
	validUntil, err := time.Parse(time.DateOnly, in.ValidUntil)
	if err != nil {
		f.Add("validUntil", "must be a date like 2027-01-31")
	} else if validUntil.Before(today) {
		f.Add("validUntil", "must not be in the past")
	}
	if len([]rune(strings.TrimSpace(in.Notes))) > 2000 {
		f.Add("notes", "must be at most 2000 characters")
	}
	return f.Err()
}

// Today is the current date in London, the day a quote's validity is counted in.
func Today(now time.Time) time.Time {
	y, m, d := now.In(ukcalendar.London).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Submit records a quote for a work order: by the work order's CONTRACTOR, or by staff
// entering one received on paper.
func (s *Service) Submit(ctx context.Context, actor access.Actor, workOrderID uuid.UUID, in SubmitInput) (*Quote, error) {
	if err := actor.Require(access.Admin, access.Coordinator, access.Contractor); err != nil {
		return nil, err
	}
	if err := in.Check(s.today()); err != nil {
		return nil, err
	}
	lines, totals, _ := money.Price(in.Lines)
	validUntil, _ := time.Parse(time.DateOnly, in.ValidUntil)
	notes := strings.TrimSpace(in.Notes)
	var out Quote
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		wo, err := workorders.Lock(ctx, tx, actor, workOrderID)
		if err != nil {
			return err
		}
		if !wo.Status.Quotable() {
			return apperr.New(apperr.Conflict, "%s work order cannot be quoted for", apperr.A(string(wo.Status)))
		}
		approved, err := s.q.ApprovedQuoteExists(ctx, tx, quotesdb.ApprovedQuoteExistsParams{OrgID: actor.OrgID, WorkOrderID: workOrderID})
		if err != nil {
			return err
		}
		if approved {
			return apperr.New(apperr.Conflict, "this work order already has an approved quote")
		}
		row, err := s.q.InsertQuote(ctx, tx, quotesdb.InsertQuoteParams{
			OrgID: actor.OrgID, WorkOrderID: workOrderID, ContractorID: wo.ContractorID, ValidUntil: validUntil, Notes: notes,
			NetPence: totals.NetPence, VatPence: totals.VATPence, TotalPence: totals.TotalPence, SubmittedBy: &actor.UserID,
		})
		if err != nil {
			return err
		}
		stored := make([]quotesdb.LineItem, len(lines))
		for i, l := range lines {
			p := quotesdb.InsertQuoteLineParams{OrgID: actor.OrgID, QuoteID: &row.ID, Position: int32(i), Description: l.Description,
				QuantityMilli: l.QuantityMilli, UnitPricePence: l.UnitPricePence, VatRatePercent: int32(l.VATRatePercent), NetPence: l.NetPence, VatPence: l.VATPence}
			if err := s.q.InsertQuoteLine(ctx, tx, p); err != nil {
				return err
			}
			stored[i] = quotesdb.LineItem{Description: p.Description, QuantityMilli: p.QuantityMilli, UnitPricePence: p.UnitPricePence,
				VatRatePercent: p.VatRatePercent, NetPence: p.NetPence, VatPence: p.VatPence}
		}
		out = fromRow(row, stored)
		if err := timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityQuote, EntityID: row.ID, TicketID: &wo.TicketID,
			Action: "submitted", After: out}); err != nil {
			return err
		}
		return s.publishSubmitted(ctx, tx, actor, out, wo.TicketID)
	})
	return &out, err
}

// today is the current date in London, the day quotes' validity is counted in.
func (s *Service) today() time.Time { return Today(s.now()) }

// Get returns a quote: staff see any, a CONTRACTOR their company's.
func (s *Service) Get(ctx context.Context, actor access.Actor, id uuid.UUID) (*Quote, error) {
	if err := actor.Require(access.Admin, access.Coordinator, access.Contractor); err != nil {
		return nil, err
	}
	var out Quote
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetQuote(ctx, tx, quotesdb.GetQuoteParams{OrgID: actor.OrgID, ID: id})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && actor.Role == access.Contractor && row.Quote.ContractorID != actor.ContractorID) {
			return apperr.NotFoundf("quote")
		}
		if err != nil {
			return err
		}
		lines, err := s.q.QuoteLines(ctx, tx, quotesdb.QuoteLinesParams{OrgID: actor.OrgID, QuoteID: &id})
		out = fromRow(row.Quote, lines)
		return err
	})
	return &out, err
}

// Filter narrows a quote list.
type Filter struct {
	Status       string
	WorkOrderID  *uuid.UUID
	ContractorID *uuid.UUID
}

// List pages through quotes, newest first; a CONTRACTOR sees their company's. Lines are
// left out of lists; GET /quotes/{id} has them.
func (s *Service) List(ctx context.Context, actor access.Actor, filter Filter, req page.Request) (page.Result[Quote], error) {
	var res page.Result[Quote]
	if err := actor.Require(access.Admin, access.Coordinator, access.Contractor); err != nil {
		return res, err
	}
	limit, after, err := req.ParseNewest()
	if err != nil {
		return res, err
	}
	p := quotesdb.ListQuotesParams{OrgID: actor.OrgID, WorkOrderID: filter.WorkOrderID, ContractorID: filter.ContractorID,
		BeforeCreatedAt: after.CreatedAt, BeforeID: after.ID, RowLimit: int32(limit + 1)}
	if filter.Status != "" {
		p.Status = &filter.Status
	}
	if actor.Role == access.Contractor {
		p.ContractorID = &actor.ContractorID
	}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		rows, err := s.q.ListQuotes(ctx, tx, p)
		items := make([]Quote, len(rows))
		for i, r := range rows {
			items[i] = fromRow(r, nil)
		}
		res = page.Build(items, limit, func(q Quote) page.Key { return page.Key{CreatedAt: q.CreatedAt, ID: q.ID} })
		return err
	})
	return res, err
}

// publishSubmitted tells the organisation's staff a quote awaits a decision.
func (s *Service) publishSubmitted(ctx context.Context, tx pgx.Tx, actor access.Actor, q Quote, ticketID uuid.UUID) error {
	staff, err := recipients.Staff(ctx, tx, actor.OrgID)
	if err != nil {
		return err
	}
	contractor, err := recipients.Contractor(ctx, tx, actor.OrgID, q.ContractorID)
	if err != nil {
		return err
	}
	t, err := recipients.Ticket(ctx, tx, actor.OrgID, ticketID)
	if err != nil {
		return err
	}
	ev := &events.QuoteSubmitted{QuoteID: q.ID, WorkOrderID: q.WorkOrderID, TicketNumber: t.Number, Contractor: contractor.Name,
		TotalPence: q.TotalPence, ValidUntil: q.ValidUntil, Staff: staff}
	return events.EmailAndWebhooks(ctx, s.pub, tx, actor.OrgID, ev, true)
}

// publishApproved tells the contractor to go ahead.
func (s *Service) publishApproved(ctx context.Context, tx pgx.Tx, actor access.Actor, q quotesdb.Quote, ticketID uuid.UUID) error {
	contractor, err := recipients.Contractor(ctx, tx, actor.OrgID, q.ContractorID)
	if err != nil {
		return err
	}
	t, err := recipients.Ticket(ctx, tx, actor.OrgID, ticketID)
	if err != nil {
		return err
	}
	ev := &events.QuoteApproved{QuoteID: q.ID, WorkOrderID: q.WorkOrderID, TicketNumber: t.Number, TotalPence: q.TotalPence, Contractor: contractor}
	return events.EmailAndWebhooks(ctx, s.pub, tx, actor.OrgID, ev, true)
}
