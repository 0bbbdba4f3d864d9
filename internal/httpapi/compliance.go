package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/hhsrs"
)

// HazardTags are a ticket's HHSRS hazards.
type HazardTags struct {
	Hazards []string `json:"hazards" doc:"HHSRS hazard codes, in Schedule 1's order."`
}

// HHSRSHazard is one of the 29 HHSRS hazards.
type HHSRSHazard struct {
	Code  string `json:"code" example:"DAMP_MOULD"`
	Name  string `json:"name" example:"Damp and mould growth"`
	Group string `json:"group" example:"Physiological requirements"`
}

// RightToRepairDefect is a qualifying repair and its period.
type RightToRepairDefect struct {
	Code        string `json:"code" example:"LEAKING_ROOF"`
	Name        string `json:"name" example:"Leaking roof"`
	WorkingDays int    `json:"workingDays" example:"7"`
}

type ticketClocksIn struct {
	ID uuid.UUID `path:"id"`
}

type milestoneIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Milestone string `json:"milestone" enum:"MADE_SAFE,INVESTIGATED,SUMMARY_SENT,SAFETY_WORK_STARTED,FURTHER_WORK_STARTED" doc:"What happened, now."`
	}
}

type pauseClocksIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Reason string `json:"reason" minLength:"1" maxLength:"500" doc:"Why the clocks wait, e.g. the tenant refused access."`
	}
}

type defectIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Defect string `json:"defect" maxLength:"40" doc:"The qualifying repair (GET /right-to-repair/defects)."`
	}
}

type setHazardsIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Hazards []string `json:"hazards" maxItems:"29" doc:"The ticket's hazards; an empty list clears them."`
	}
}

func (s *Server) complianceRoutes() {
	s.hazardRoutes()
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/right-to-repair/defects", "listRightToRepairDefects", "Compliance", "The Right to Repair's qualifying repairs and their periods", true),
		func(ctx context.Context, _ *struct{}) (*Out[[]RightToRepairDefect], error) {
			out := make([]RightToRepairDefect, len(clocks.RightToRepairDefects))
			for i, d := range clocks.RightToRepairDefects {
				out[i] = RightToRepairDefect{Code: d.Code, Name: d.Name, WorkingDays: d.WorkingDays}
			}
			return ok(ctx, out), nil
		})
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/tickets/{id}/clocks", "listTicketClocks", "Compliance", "The legal clocks a ticket runs against", true),
		func(ctx context.Context, in *ticketClocksIn) (*Out[[]clocks.Clock], error) {
			cs, err := s.deps.Tickets.Clocks(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, cs), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/tickets/{id}/clocks/milestone", "recordClockMilestone", "Compliance", "Record a step the clocks wait for (staff)", true),
		func(ctx context.Context, in *milestoneIn) (*Out[[]clocks.Clock], error) {
			cs, err := s.deps.Tickets.RecordMilestone(ctx, actorOf(ctx), in.ID, in.Body.Milestone)
			if err != nil {
				return nil, err
			}
			return ok(ctx, cs), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/tickets/{id}/clocks/pause", "pauseTicketClocks", "Compliance", "Pause a ticket's clocks while waiting on access (staff)", true),
		func(ctx context.Context, in *pauseClocksIn) (*Out[[]clocks.Clock], error) {
			cs, err := s.deps.Tickets.PauseClocks(ctx, actorOf(ctx), in.ID, in.Body.Reason)
			if err != nil {
				return nil, err
			}
			return ok(ctx, cs), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/tickets/{id}/clocks/resume", "resumeTicketClocks", "Compliance", "Restart a ticket's paused clocks (staff)", true),
		func(ctx context.Context, in *ticketClocksIn) (*Out[[]clocks.Clock], error) {
			cs, err := s.deps.Tickets.ResumeClocks(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, cs), nil
		})
	huma.Register(s.api, s.operation(http.MethodPut, "/api/v1/tickets/{id}/right-to-repair", "setRightToRepairDefect", "Compliance", "Name the ticket's Right to Repair qualifying repair (staff; councils)", true),
		func(ctx context.Context, in *defectIn) (*Out[[]clocks.Clock], error) {
			cs, err := s.deps.Tickets.SetRightToRepairDefect(ctx, actorOf(ctx), in.ID, in.Body.Defect)
			if err != nil {
				return nil, err
			}
			return ok(ctx, cs), nil
		})
}

func (s *Server) hazardRoutes() {
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/hazards", "listHazards", "Compliance", "The 29 HHSRS hazards tickets can be tagged with", true),
		func(ctx context.Context, _ *struct{}) (*Out[[]HHSRSHazard], error) {
			out := make([]HHSRSHazard, len(hhsrs.All))
			for i, h := range hhsrs.All {
				out[i] = HHSRSHazard{Code: h.Code, Name: h.Name, Group: h.Group}
			}
			return ok(ctx, out), nil
		})
	huma.Register(s.api, s.operation(http.MethodPut, "/api/v1/tickets/{id}/hazards", "setTicketHazards", "Compliance", "Tag a ticket with the HHSRS hazards its defect presents (staff)", true),
		func(ctx context.Context, in *setHazardsIn) (*Out[HazardTags], error) {
			h, err := s.deps.Tickets.SetHazards(ctx, actorOf(ctx), in.ID, in.Body.Hazards)
			if err != nil {
				return nil, err
			}
			return ok(ctx, HazardTags{Hazards: h}), nil
		})
}
