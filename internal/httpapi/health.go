package httpapi

import (
	"context"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

type healthOut struct {
	Status int `json:"-"`
	Body   healthBody
}

type healthBody struct {
	Status string `json:"status" enum:"ok,unavailable" example:"ok"`
}

func health(status int, word string) *healthOut {
	out := &healthOut{Status: status}
	out.Body.Status = word
	return out
}

func (s *Server) healthRoutes() {
	huma.Register(s.api, huma.Operation{OperationID: "live", Method: http.MethodGet, Path: "/health/live", Tags: []string{"Health"},
		Summary: "The process is up"},
		func(ctx context.Context, _ *struct{}) (*healthOut, error) { return health(http.StatusOK, "ok"), nil })

	bodySchema := s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[healthBody](), true, "HealthBody")
	huma.Register(s.api, huma.Operation{OperationID: "ready", Method: http.MethodGet, Path: "/health/ready", Tags: []string{"Health"},
		Summary: "The database and the job queue answer", Description: "503 when a dependency does not answer within 2 seconds.",
		Responses: map[string]*huma.Response{"503": {Description: "A dependency does not answer: {\"status\": \"unavailable\"}.",
			Content: map[string]*huma.MediaType{"application/json": {Schema: bodySchema}}}}},
		func(ctx context.Context, _ *struct{}) (*healthOut, error) {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			if err := s.ready(ctx); err != nil {
				loggerFrom(ctx).WarnContext(ctx, "not ready", "error", err)
				return health(http.StatusServiceUnavailable, "unavailable"), nil
			}
			return health(http.StatusOK, "ok"), nil
		})
}

func (s *Server) ready(ctx context.Context) error {
	if s.deps.Ready != nil {
		return s.deps.Ready(ctx)
	}
	return s.deps.DB.Pool.Ping(ctx)
}
