// Package httpapi is the JSON API surface: huma operations over the domain services, one
// file per resource, with the envelope, error mapping, authentication and idempotency
// shared here. Handlers read top to bottom: parse, call the domain, respond.
package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/httpapi/idempotency"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// Deps is what the API needs from the rest of the program.
type Deps struct {
	Logger            *slog.Logger
	DB                *database.DB
	Identity          *identity.Service
	Estate            *estate.Service
	Contractors       *contractors.Service
	Timeline          *timeline.Service
	Idempotency       *idempotency.Store
	MaxBodyBytes      int64
	TrustProxyHeaders bool
	// Ready reports whether dependencies (database, queue) can serve; nil means the
	// database ping alone.
	Ready func(context.Context) error
}

// Server is the HTTP API.
type Server struct {
	deps    Deps
	api     huma.API
	handler http.Handler
}

// Version is the API's version in the OpenAPI document.
const Version = "1.0.0"

const bearerScheme = "bearer"

var installErrorsOnce sync.Once

// New builds the API and its routes.
func New(deps Deps) *Server {
	installErrorsOnce.Do(installErrorEnvelope)
	mux := http.NewServeMux()
	config := huma.DefaultConfig("MaintainUK API", Version)
	config.Info.Description = "Property maintenance for UK letting agents, landlords and housing associations. " +
		"Every response is an envelope {data, error, traceId}; lists add meta.nextCursor."
	config.CreateHooks = nil // no $schema links in bodies: the envelope is the contract
	config.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		bearerScheme: {Type: "http", Scheme: "bearer", BearerFormat: "JWT"},
	}
	config.OpenAPIPath = "/openapi"
	api := humago.New(mux, config)

	s := &Server{deps: deps, api: api}
	api.UseMiddleware(s.requireAuth)
	s.routes()
	s.handler = s.observe(securityHeaders(s.authenticate(s.idempotent(mux))))
	return s
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// OpenAPI is the generated OpenAPI 3.1 document.
func (s *Server) OpenAPI() *huma.OpenAPI { return s.api.OpenAPI() }

// installErrorEnvelope makes huma's own errors (validation, malformed JSON, 413, 415)
// and every error a handler returns come out as the API's failure envelope. huma keeps
// this hook in a package variable, so it is set once; it holds no state of its own.
func installErrorEnvelope() {
	huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		ctx := context.Background()
		if hctx != nil {
			ctx = hctx.Context()
		}
		return newErrorEnvelope(ctx, loggerFrom(ctx), status, msg, errs...)
	}
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return huma.NewErrorWithContext(nil, status, msg, errs...)
	}
}

// requireAuth answers 401 for an operation that declares bearer security when the
// request carries no valid token.
func (s *Server) requireAuth(hctx huma.Context, next func(huma.Context)) {
	if len(hctx.Operation().Security) == 0 {
		next(hctx)
		return
	}
	info := infoFrom(hctx.Context())
	if info.actor == nil {
		msg := "log in first: send an access token as 'Authorization: Bearer …'"
		if info.authErr != nil {
			msg = "access token is not valid or has expired; refresh it or log in again"
		}
		_ = huma.WriteErr(s.api, hctx, http.StatusUnauthorized, msg)
		return
	}
	next(hctx)
}

// actorOf returns the authenticated member; requireAuth guarantees one on secured operations.
func actorOf(ctx context.Context) access.Actor {
	if a := infoFrom(ctx).actor; a != nil {
		return *a
	}
	return access.Actor{}
}

// operation describes one route; secured routes need a bearer token.
func (s *Server) operation(method, path, id, tag, summary string, secured bool) huma.Operation {
	op := huma.Operation{
		OperationID: id, Method: method, Path: path, Tags: []string{tag}, Summary: summary,
		MaxBodyBytes: s.deps.MaxBodyBytes,
	}
	if method == http.MethodPost && !secured {
		op.Errors = append(op.Errors, http.StatusTooManyRequests)
	}
	if secured {
		op.Security = []map[string][]string{{bearerScheme: {}}}
		op.Errors = append(op.Errors, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound)
	}
	return op
}

func writeEnvelope(w http.ResponseWriter, env *ErrorEnvelope) {
	w.Header().Set("Content-Type", "application/json")
	if h := env.GetHeaders(); h != nil {
		for k, v := range h {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(env.GetStatus())
	_ = json.NewEncoder(w).Encode(env)
}
