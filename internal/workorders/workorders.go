// Package workorders sends a contractor to a ticket and follows the job: the contractor
// accepts or declines, schedules a visit, starts and completes it. The ticket's status
// follows its work orders in the same transaction.
package workorders

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
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/recipients"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/validate"
	"github.com/maintainuk/maintainuk/internal/workorders/workordersdb"
)

// Status of a work order.
type Status string

const (
	Assigned   Status = "ASSIGNED"
	Accepted   Status = "ACCEPTED"
	Declined   Status = "DECLINED"
	Scheduled  Status = "SCHEDULED"
	InProgress Status = "IN_PROGRESS"
	Completed  Status = "COMPLETED"
	Cancelled  Status = "CANCELLED"
)

// Statuses lists every work-order status, for documentation.
var Statuses = []Status{Assigned, Accepted, Declined, Scheduled, InProgress, Completed, Cancelled}

// Live reports whether the job is still going (the ticket stays IN_PROGRESS).
func (s Status) Live() bool {
	return s == Assigned || s == Accepted || s == Scheduled || s == InProgress
}

// WorkOrder is a job sent to a contractor.
type WorkOrder struct {
	ID              uuid.UUID  `json:"id"`
	TicketID        uuid.UUID  `json:"ticketId"`
	ContractorID    uuid.UUID  `json:"contractorId"`
	Description     string     `json:"description"`
	Status          Status     `json:"status"`
	ScheduledFor    *time.Time `json:"scheduledFor"`
	CompletionNotes string     `json:"completionNotes"`
	StatusReason    string     `json:"statusReason" doc:"Why it was declined or cancelled."`
	CompletedAt     *time.Time `json:"completedAt"`
	CreatedAt       time.Time  `json:"createdAt"`
	UpdatedAt       time.Time  `json:"updatedAt"`
	// Warnings are only in the answer to raising it (and its timeline entry).
	Warnings []string `json:"warnings,omitempty" doc:"Only when raised: compliance gaps that did not refuse it, such as no insurance date on record."`
}

func fromRow(r workordersdb.WorkOrder) WorkOrder {
	return WorkOrder{ID: r.ID, TicketID: r.TicketID, ContractorID: r.ContractorID, Description: r.Description,
		Status: Status(r.Status), ScheduledFor: r.ScheduledFor, CompletionNotes: r.CompletionNotes,
		StatusReason: r.StatusReason, CompletedAt: r.CompletedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// Service manages work orders.
type Service struct {
	db      *database.DB
	q       *workordersdb.Queries
	tickets *tickets.Service
	now     func() time.Time
	// pub receives work_order.assigned and status changes.
	pub events.Publisher
}

// NewService returns the work orders service.
func NewService(db *database.DB, t *tickets.Service, pub events.Publisher, now func() time.Time) *Service {
	return &Service{db: db, q: workordersdb.New(), tickets: t, pub: pub, now: now}
}

// RaiseInput sends a contractor to a ticket. Override (ADMIN only, with an
// OverrideReason) sends them although the compliance checks refuse it
// (docs/compliance.md); the override is recorded on the timeline.
type RaiseInput struct {
	TicketID       uuid.UUID
	ContractorID   uuid.UUID
	Description    string
	Override       bool
	OverrideReason string
}

// Check applies the rules on the input alone, which Raise applies first; the API runs it
// beside schema validation so that one answer lists every field error.
func (in RaiseInput) Check() error {
	_, _, err := in.validate()
	return err
}

func (in RaiseInput) validate() (desc, reason string, err error) {
	var f apperr.Fields
	if desc, err = validate.LongText(in.Description, 1, 2000); err != nil {
		f.Add("description", err.Error())
	}
	if in.Override {
		if strings.TrimSpace(in.OverrideReason) == "" {
			f.Add("overrideReason", "required with override: say why the checks are overridden")
		} else if reason, err = validate.LongText(in.OverrideReason, 1, 1000); err != nil {
			f.Add("overrideReason", err.Error())
		}
	}
	return desc, reason, f.Err()
}

// complianceOverride is the timeline record of an ADMIN sending a contractor the checks
// refused.
type complianceOverride struct {
	ContractorID uuid.UUID `json:"contractorId"`
	Overridden   []string  `json:"overridden"`
	Reason       string    `json:"reason"`
}

// Raise creates a work order (staff only) for an open or resolved ticket and an active
// contractor; the ticket moves to IN_PROGRESS.
func (s *Service) Raise(ctx context.Context, actor access.Actor, in RaiseInput) (*WorkOrder, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	if in.Override && actor.Role != access.Admin {
		return nil, apperr.New(apperr.Forbidden, "only an ADMIN may override the contractor compliance checks")
	}
	desc, reason, err := in.validate()
	if err != nil {
		return nil, err
	}
	var out WorkOrder
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		t, err := s.tickets.Lock(ctx, tx, actor, in.TicketID)
		if err != nil {
			return fieldNotFound(err, "ticketId", "no such ticket in this organisation")
		}
		if t.Status == tickets.Closed || t.Status == tickets.Cancelled {
			return apperr.New(apperr.Conflict, "the ticket is %s: reopen it or report a new one", t.Status)
		}
		c, err := s.q.GetContractorDispatch(ctx, tx, workordersdb.GetContractorDispatchParams{OrgID: actor.OrgID, ID: in.ContractorID})
		if errors.Is(err, pgx.ErrNoRows) {
			return fieldNotFound(apperr.NotFoundf("contractor"), "contractorId", "no such contractor in this organisation")
		}
		if err != nil {
			return err
		}
		if !c.Active {
			var f apperr.Fields
			f.Add("contractorId", "this contractor is inactive")
			return f.Err()
		}
		problems, warnings := dispatchProblems(c, IsGasWork(t.Category, t.Title, t.Description, desc), londonToday(s.now()))
		if len(problems) > 0 && !in.Override {
			var f apperr.Fields
			f.Add("contractorId", strings.Join(problems, "; ")+" (an ADMIN may override with a reason)")
			return f.Err()
		}
		row, err := s.q.InsertWorkOrder(ctx, tx, workordersdb.InsertWorkOrderParams{
			OrgID: actor.OrgID, TicketID: in.TicketID, ContractorID: in.ContractorID, Description: desc, CreatedBy: &actor.UserID,
		})
		if err != nil {
			return err
		}
		out = fromRow(row)
		out.Warnings = warnings
		if err := timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityWorkOrder, EntityID: row.ID, TicketID: &row.TicketID, Action: "created", After: out}); err != nil {
			return err
		}
		if len(problems) > 0 {
			if err := timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityWorkOrder, EntityID: row.ID, TicketID: &row.TicketID,
				Action: "compliance_overridden", After: complianceOverride{ContractorID: row.ContractorID, Overridden: problems, Reason: reason}}); err != nil {
				return err
			}
		}
		if err := s.publishAssigned(ctx, tx, actor, out); err != nil {
			return err
		}
		return s.tickets.FollowWorkOrders(ctx, tx, actor, row.TicketID, "work order raised")
	})
	return &out, err
}

func fieldNotFound(err error, field, msg string) error {
	if apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add(field, msg)
		return f.Err()
	}
	return err
}

// visible reports whether actor may see a work order: staff any, a CONTRACTOR their
// company's.
func visible(actor access.Actor, wo workordersdb.WorkOrder) bool {
	return actor.Role.IsStaff() || (actor.Role == access.Contractor && wo.ContractorID == actor.ContractorID)
}

// Get returns one work order the actor may see.
func (s *Service) Get(ctx context.Context, actor access.Actor, id uuid.UUID) (*WorkOrder, error) {
	if err := actor.Require(access.Admin, access.Coordinator, access.Contractor); err != nil {
		return nil, err
	}
	var out WorkOrder
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetWorkOrder(ctx, tx, workordersdb.GetWorkOrderParams{OrgID: actor.OrgID, ID: id})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !visible(actor, row)) {
			return apperr.NotFoundf("work order")
		}
		out = fromRow(row)
		return err
	})
	return &out, err
}

// Filter narrows a work order list.
type Filter struct {
	Status       string
	TicketID     *uuid.UUID
	ContractorID *uuid.UUID
}

// List pages through work orders, newest first; a CONTRACTOR sees only their company's.
func (s *Service) List(ctx context.Context, actor access.Actor, filter Filter, req page.Request) (page.Result[WorkOrder], error) {
	var res page.Result[WorkOrder]
	if err := actor.Require(access.Admin, access.Coordinator, access.Contractor); err != nil {
		return res, err
	}
	limit, after, err := req.ParseNewest()
	if err != nil {
		return res, err
	}
	p := workordersdb.ListWorkOrdersParams{OrgID: actor.OrgID, TicketID: filter.TicketID, ContractorID: filter.ContractorID,
		BeforeCreatedAt: after.CreatedAt, BeforeID: after.ID, RowLimit: int32(limit + 1)}
	if filter.Status != "" {
		p.Status = &filter.Status
	}
	if actor.Role == access.Contractor {
		p.ContractorID = &actor.ContractorID
	}
	rows, err := s.q.ListWorkOrders(ctx, s.db.Reader(actor.OrgID, actor.UserID), p)
	if err != nil {
		return res, err
	}
	items := make([]WorkOrder, len(rows))
	for i, r := range rows {
		items[i] = fromRow(r)
	}
	return page.Build(items, limit, func(w WorkOrder) page.Key { return page.Key{CreatedAt: w.CreatedAt, ID: w.ID} }), nil
}

// publishAssigned tells the contractor company about the job (email, webhooks).
func (s *Service) publishAssigned(ctx context.Context, tx pgx.Tx, actor access.Actor, wo WorkOrder) error {
	contractor, err := recipients.Contractor(ctx, tx, actor.OrgID, wo.ContractorID)
	if err != nil {
		return err
	}
	t, err := recipients.Ticket(ctx, tx, actor.OrgID, wo.TicketID)
	if err != nil {
		return err
	}
	ev := &events.WorkOrderAssigned{WorkOrderID: wo.ID, TicketID: wo.TicketID, TicketNumber: t.Number, TicketTitle: t.Title,
		Address: t.Address, Description: wo.Description, Contractor: contractor}
	return events.EmailAndWebhooks(ctx, s.pub, tx, actor.OrgID, ev, true)
}
