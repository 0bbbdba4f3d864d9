package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/workorders"
)

type raiseWorkOrderIn struct {
	Body struct {
		TicketID       uuid.UUID `json:"ticketId" format:"uuid"`
		ContractorID   uuid.UUID `json:"contractorId" format:"uuid"`
		Description    string    `json:"description" minLength:"1" maxLength:"2000" doc:"What the contractor should do."`
		Override       bool      `json:"override,omitempty" doc:"ADMIN only: send the contractor although the compliance checks refuse it (no current Gas Safe registration for gas work, lapsed insurance); recorded on the timeline. A COORDINATOR sending true answers 403."`
		OverrideReason string    `json:"overrideReason,omitempty" maxLength:"1000" doc:"Why the checks are overridden; required with override."`
	}
}

type listWorkOrdersIn struct {
	PageQuery
	Status       string    `query:"status" enum:"ASSIGNED,ACCEPTED,DECLINED,SCHEDULED,IN_PROGRESS,COMPLETED,CANCELLED,"`
	TicketID     uuid.UUID `query:"ticketId"`
	ContractorID uuid.UUID `query:"contractorId"`
}

type transitionWorkOrderIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Action       workorders.Action `json:"action" enum:"accept,decline,schedule,start,complete,cancel"`
		Reason       string            `json:"reason,omitempty" maxLength:"1000" doc:"Required to decline or cancel."`
		ScheduledFor *time.Time        `json:"scheduledFor,omitempty" doc:"Required to schedule (RFC 3339)."`
		Notes        string            `json:"notes,omitempty" maxLength:"2000" doc:"Completion notes."`
	}
}

func (s *Server) workOrderRoutes() {
	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/work-orders", "raiseWorkOrder", "Work orders", "Send a contractor to a ticket", true)),
		func(ctx context.Context, in *raiseWorkOrderIn) (*Created[workorders.WorkOrder], error) {
			w, err := s.deps.WorkOrders.Raise(ctx, actorOf(ctx), workorders.RaiseInput{TicketID: in.Body.TicketID, ContractorID: in.Body.ContractorID, Description: in.Body.Description,
				Override: in.Body.Override, OverrideReason: in.Body.OverrideReason})
			if err != nil {
				return nil, err
			}
			return created(ctx, *w), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/work-orders", "listWorkOrders", "Work orders", "List work orders, newest first (a contractor sees their own)", true),
		func(ctx context.Context, in *listWorkOrdersIn) (*ListOut[workorders.WorkOrder], error) {
			res, err := s.deps.WorkOrders.List(ctx, actorOf(ctx), workorders.Filter{Status: in.Status, TicketID: optionalID(in.TicketID), ContractorID: optionalID(in.ContractorID)}, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/work-orders/{id}", "getWorkOrder", "Work orders", "Get a work order", true),
		func(ctx context.Context, in *idIn) (*Out[workorders.WorkOrder], error) {
			w, err := s.deps.WorkOrders.Get(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *w), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/work-orders/{id}/transition", "transitionWorkOrder", "Work orders", "Accept, decline, schedule, start, complete or cancel", true),
		func(ctx context.Context, in *transitionWorkOrderIn) (*Out[workorders.WorkOrder], error) {
			b := in.Body
			w, err := s.deps.WorkOrders.Transition(ctx, actorOf(ctx), in.ID, workorders.TransitionInput{Action: b.Action, Reason: b.Reason, ScheduledFor: b.ScheduledFor, Notes: b.Notes})
			if err != nil {
				return nil, err
			}
			return ok(ctx, *w), nil
		})
}
