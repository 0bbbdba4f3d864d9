package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/timeline"
)

type timelineIn struct {
	Entity string    `query:"entity" required:"true" enum:"organisation,member,invitation,property,unit,contractor,ticket,work_order,quote,invoice,webhook_endpoint" doc:"The kind of entity. A ticket's trail includes its work orders, quotes, invoices and files."`
	ID     uuid.UUID `query:"id" required:"true" doc:"The entity's id."`
	Sort   string    `query:"sort" enum:"newest,oldest" default:"newest" doc:"newest first (the default, like every list) or oldest first, to read the trail as a story."`
	PageQuery
}

func (s *Server) timelineRoutes() {
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/timeline", "getTimeline", "Timeline", "The audit trail of one entity, newest first unless sort=oldest", true),
		func(ctx context.Context, in *timelineIn) (*ListOut[timeline.Event], error) {
			res, err := s.deps.Timeline.List(ctx, actorOf(ctx), in.Entity, in.ID, in.request(), in.Sort == "oldest")
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})
}
