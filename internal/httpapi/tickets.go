package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/tickets"
)

type createTicketIn struct {
	Body struct {
		UnitID          uuid.UUID  `json:"unitId" format:"uuid"`
		Category        string     `json:"category,omitempty" enum:"PLUMBING,ELECTRICAL,HVAC,APPLIANCE,STRUCTURAL,PEST_CONTROL,OTHER" doc:"Defaults to OTHER."`
		Priority        string     `json:"priority,omitempty" enum:"ROUTINE,URGENT,EMERGENCY" doc:"Defaults to ROUTINE."`
		Title           string     `json:"title" minLength:"1" maxLength:"200" example:"Kitchen tap leaking" doc:"What is wrong, in a few words; not blank."`
		Description     string     `json:"description,omitempty" maxLength:"2000"`
		ReportedByName  string     `json:"reportedByName,omitempty" maxLength:"200" doc:"Defaults to the reporting user."`
		ReportedByPhone string     `json:"reportedByPhone,omitempty" maxLength:"32" example:"07911 123456" doc:"A UK number in national form (07911 123456, 020 7946 0000) or any number with its country code (+44 7911 123456); answered in E.164 (+447911123456)."`
		ReportedByEmail string     `json:"reportedByEmail,omitempty" maxLength:"254" example:"sam@example.co.uk" doc:"An email address like name@example.co.uk. A TENANT may give only their own."`
		AssigneeUserID  *uuid.UUID `json:"assigneeUserId,omitempty" format:"uuid" doc:"A staff member (not for residents)."`
	}
}

type listTicketsIn struct {
	PageQuery
	Status         string    `query:"status" enum:"NEW,TRIAGED,IN_PROGRESS,RESOLVED,CLOSED,CANCELLED,"`
	Priority       string    `query:"priority" enum:"ROUTINE,URGENT,EMERGENCY,"`
	Category       string    `query:"category" enum:"PLUMBING,ELECTRICAL,HVAC,APPLIANCE,STRUCTURAL,PEST_CONTROL,OTHER,"`
	UnitID         uuid.UUID `query:"unitId"`
	PropertyID     uuid.UUID `query:"propertyId"`
	AssigneeUserID uuid.UUID `query:"assigneeUserId"`
	Overdue        bool      `query:"overdue" doc:"Only open tickets past their SLA due time."`
	Q              string    `query:"q" maxLength:"200" doc:"Full-text search over title and description (web search syntax: words, \"phrases\", -exclusions)."`
}

type patchTicketIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Category       *string    `json:"category,omitempty" enum:"PLUMBING,ELECTRICAL,HVAC,APPLIANCE,STRUCTURAL,PEST_CONTROL,OTHER"`
		Priority       *string    `json:"priority,omitempty" enum:"ROUTINE,URGENT,EMERGENCY"`
		Title          *string    `json:"title,omitempty" minLength:"1" maxLength:"200"`
		Description    *string    `json:"description,omitempty" maxLength:"2000"`
		AssigneeUserID *uuid.UUID `json:"assigneeUserId,omitempty" format:"uuid"`
		Unassign       bool       `json:"unassign,omitempty" doc:"Clear the assignee."`
		UnitID         *uuid.UUID `json:"unitId,omitempty" format:"uuid" doc:"Link a public report to the unit it concerns."`
	}
}

type transitionTicketIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		To     tickets.Status `json:"to" enum:"NEW,TRIAGED,IN_PROGRESS,RESOLVED,CLOSED,CANCELLED"`
		Reason string         `json:"reason,omitempty" maxLength:"1000" doc:"Required to cancel or reopen."`
	}
}

type commentIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Body                   string     `json:"body" minLength:"1" maxLength:"5000"`
		Visibility             string     `json:"visibility,omitempty" enum:"INTERNAL,RESIDENT" doc:"INTERNAL (default for staff and contractors) or RESIDENT (visible to the resident)."`
		SharedWithContractorID *uuid.UUID `json:"sharedWithContractorId,omitempty" doc:"Staff only: share the comment with this contractor company, which must have a live work order on the ticket. Contractors see only their own company's comments and those shared with them."`
		EmailResident          bool       `json:"emailResident,omitempty" doc:"Staff only, with visibility RESIDENT: also email the comment to the resident (the address given with the report, else the reporting resident's account's); 422 when the ticket has neither."`
	}
}

func optionalID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func (s *Server) ticketRoutes() {
	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/tickets", "createTicket", "Tickets", "Report a repair", true)),
		func(ctx context.Context, in *createTicketIn) (*Created[tickets.Ticket], error) {
			b := in.Body
			t, err := s.deps.Tickets.Create(ctx, actorOf(ctx), tickets.CreateInput{
				UnitID: b.UnitID, Category: b.Category, Priority: b.Priority, Title: b.Title, Description: b.Description,
				ReportedByName: b.ReportedByName, ReportedByPhone: b.ReportedByPhone, ReportedByEmail: b.ReportedByEmail, AssigneeUserID: b.AssigneeUserID,
			})
			if err != nil {
				return nil, err
			}
			return created(ctx, *t), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/tickets", "listTickets", "Tickets", "List tickets, newest first", true),
		func(ctx context.Context, in *listTicketsIn) (*ListOut[tickets.Ticket], error) {
			res, err := s.deps.Tickets.List(ctx, actorOf(ctx), tickets.Filter{
				Status: in.Status, Priority: in.Priority, Category: in.Category,
				UnitID: optionalID(in.UnitID), PropertyID: optionalID(in.PropertyID), AssigneeUserID: optionalID(in.AssigneeUserID),
				Overdue: in.Overdue, Query: in.Q,
			}, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/tickets/{id}", "getTicket", "Tickets", "A ticket with its comments and timeline", true),
		func(ctx context.Context, in *idIn) (*Out[tickets.Detail], error) {
			d, err := s.deps.Tickets.Get(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *d), nil
		})

	huma.Register(s.api, s.operation(http.MethodPatch, "/api/v1/tickets/{id}", "updateTicket", "Tickets", "Change category, priority, assignee, title, description or unit", true),
		func(ctx context.Context, in *patchTicketIn) (*Out[tickets.Ticket], error) {
			b := in.Body
			t, err := s.deps.Tickets.Update(ctx, actorOf(ctx), in.ID, tickets.Patch{
				Category: b.Category, Priority: b.Priority, Title: b.Title, Description: b.Description,
				AssigneeUserID: b.AssigneeUserID, Unassign: b.Unassign, UnitID: b.UnitID,
			})
			if err != nil {
				return nil, err
			}
			return ok(ctx, *t), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/tickets/{id}/transition", "transitionTicket", "Tickets", "Change a ticket's status", true),
		func(ctx context.Context, in *transitionTicketIn) (*Out[tickets.Ticket], error) {
			t, err := s.deps.Tickets.Transition(ctx, actorOf(ctx), in.ID, in.Body.To, in.Body.Reason)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *t), nil
		})

	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/tickets/{id}/comments", "commentOnTicket", "Tickets", "Comment on a ticket", true)),
		func(ctx context.Context, in *commentIn) (*Created[tickets.Comment], error) {
			c, err := s.deps.Tickets.AddComment(ctx, actorOf(ctx), in.ID, tickets.CommentInput{Body: in.Body.Body, Visibility: in.Body.Visibility, SharedWithContractorID: in.Body.SharedWithContractorID, EmailResident: in.Body.EmailResident})
			if err != nil {
				return nil, err
			}
			return created(ctx, *c), nil
		})
}
