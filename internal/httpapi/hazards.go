package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

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

type setHazardsIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Hazards []string `json:"hazards" maxItems:"29" doc:"The ticket's hazards; an empty list clears them."`
	}
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
