// Package httpapi is the JSON API surface: huma operations over the domain services, one
// file per resource, with the envelope, error mapping, authentication and idempotency
// shared here. Handlers read top to bottom: parse, call the domain, respond.
package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"go.opentelemetry.io/otel/trace"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/ai"
	"github.com/maintainuk/maintainuk/internal/apidocs"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/billing"
	"github.com/maintainuk/maintainuk/internal/certificates"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/evidence"
	"github.com/maintainuk/maintainuk/internal/httpapi/idempotency"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/messaging"
	"github.com/maintainuk/maintainuk/internal/metrics"
	"github.com/maintainuk/maintainuk/internal/metrics/tracing"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/webhooks"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// Deps is what the API needs from the rest of the program.
type Deps struct {
	Logger      *slog.Logger
	DB          *database.DB
	Identity    *identity.Service
	Estate      *estate.Service
	Contractors *contractors.Service
	Timeline    *timeline.Service
	Idempotency *idempotency.Store
	Settings    *orgsettings.Service
	Tickets     *tickets.Service
	Attachments *attachments.Service
	WorkOrders  *workorders.Service
	Quotes      *quotes.Service
	Invoices    *invoices.Service
	Webhooks    *webhooks.Service
	AI          *ai.Service
	Messaging   *messaging.Service
	Billing     *billing.Service
	// Certificates are the properties' statutory certificates.
	Certificates *certificates.Service
	// Evidence exports a ticket's evidence as a PDF.
	Evidence *evidence.Service
	// AdminJobs is the job dashboard (River UI), served at /admin/jobs/ to platform
	// operators only; nil serves nothing there.
	AdminJobs http.Handler
	// DevMailbox lists sent emails at /dev/mailbox; set only in development.
	DevMailbox   http.Handler
	MaxBodyBytes int64
	// TrustedProxies are the proxies whose X-Forwarded-For and X-Forwarded-Proto count.
	TrustedProxies TrustedProxies
	// RateLimits limit every /api/ request per client and per organisation.
	RateLimits RateLimits
	// HTTPSOnly redirects plain-HTTP GET and HEAD requests to BaseURL's https origin,
	// refuses other methods over plain HTTP, and sends HSTS over HTTPS; health checks are
	// exempt (APP_ENV=production with an https BASE_URL).
	HTTPSOnly bool
	// CORSAllowedOrigins are the origins browsers may call /api/ from; empty: none.
	CORSAllowedOrigins []string
	// Ready reports whether dependencies (database, queue) can serve; nil means the
	// database ping alone.
	Ready func(context.Context) error
	// Pages is the web UI (internal/web), served on every path the API, its docs and the
	// operators' pages leave; nil serves nothing there.
	Pages http.Handler
	// BaseURL (config BASE_URL) is the document's server; empty lists none.
	BaseURL string
	// Metrics records every request by route pattern and is served at /metrics to
	// platform operators only; nil records and serves nothing.
	Metrics *metrics.Metrics
	// Profiling serves Go's profiler at /debug/pprof/ to platform operators (PROFILING).
	Profiling bool
	// TracerProvider makes each request's span (otelhttp, named by route pattern), whose
	// trace id is the X-Trace-Id, the envelope's traceId and the logs' trace_id; nil
	// makes ids without spans.
	TracerProvider trace.TracerProvider
	// CompressMinBytes is the smallest JSON or HTML body compressed (zstd or gzip); 0: none.
	CompressMinBytes int
}

// Server is the HTTP API.
type Server struct {
	deps    Deps
	api     huma.API
	mux     *http.ServeMux
	handler http.Handler
}

// Version is the API's version in the OpenAPI document.
const Version = "1.0.0"

const bearerScheme = "bearer"

var installErrorsOnce sync.Once

// New builds the API and its routes.
func New(deps Deps) *Server {
	installErrorsOnce.Do(installErrorEnvelope)
	if deps.Logger != nil {
		deps.Logger = slog.New(tracing.LogHandler(deps.Logger.Handler()))
	}
	mux := http.NewServeMux()
	config := huma.DefaultConfig("MaintainUK API", Version)
	config.Info.Description = "Property maintenance for UK letting agents, landlords and housing associations. " +
		"Every response is an envelope {data, error, traceId}; lists add meta.nextCursor. " +
		"Requests to /api/ are rate-limited per client and per organisation where the deployment sets limits: every answer then carries " +
		"RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset, and one over a limit is 429 with Retry-After. " +
		"A production deployment answers only over HTTPS: plain-HTTP GET and HEAD are redirected (308), other plain-HTTP requests refused (403)."
	config.CreateHooks = nil // no $schema links in bodies: the envelope is the contract
	config.Formats = map[string]huma.Format{"application/json": jsonFormat, "json": jsonFormat}
	config.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		bearerScheme: {Type: "http", Scheme: "bearer", BearerFormat: "JWT"},
	}
	config.OpenAPIPath = "/openapi"
	if deps.BaseURL != "" {
		config.Servers = []*huma.Server{{URL: deps.BaseURL, Description: "This deployment"}}
	}
	config.DocsPath = "" // huma's page loads its renderer from a CDN; /docs is served below
	api := humago.New(mux, config)

	s := &Server{deps: deps, api: api, mux: mux}
	api.UseMiddleware(s.requireAuth, s.checkText)
	s.routes()
	s.documentAnswers()
	describeOperations(api.OpenAPI())
	dropPatternDescriptions(api.OpenAPI())
	mux.Handle("GET /docs", apidocs.Page("MaintainUK API Reference", config.OpenAPIPath+".json"))
	mux.Handle("GET "+apidocs.AssetsPath, apidocs.Assets())
	mux.Handle("/api/", noRoute(mux))
	if deps.AdminJobs != nil {
		mux.Handle("/admin/jobs/", s.platformAdminOnly(deps.AdminJobs))
		mux.Handle("GET /admin/jobs", http.RedirectHandler("/admin/jobs/", http.StatusMovedPermanently))
	}
	if deps.DevMailbox != nil {
		// Every organisation's emails: for platform operators only, even in development.
		mux.Handle("GET /dev/mailbox", s.platformAdminOnly(deps.DevMailbox))
	}
	if deps.Metrics != nil {
		// Not public: operators scrape it with Basic credentials here, or without any on
		// the internal METRICS_ADDR listener.
		mux.Handle("GET /metrics", s.platformAdminOnly(deps.Metrics.Handler()))
	}
	if deps.Profiling {
		mux.Handle(metrics.ProfilerPath, s.platformAdminOnly(metrics.Profiler()))
	}
	if deps.Pages != nil {
		// The web UI has every path the API, the docs and the operators' pages do not.
		mux.Handle("/", deps.Pages)
	}
	s.handler = s.observe(compress(deps.CompressMinBytes)(securityHeaders(s.requireHTTPS(s.cors(s.authenticate(s.limitRate(s.idempotent(mux))))))))
	if deps.TracerProvider != nil {
		s.handler = traced(deps.TracerProvider, s.handler)
	}
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
		env := newErrorEnvelope(ctx, loggerFrom(ctx), status, msg, errs...)
		if hctx != nil {
			// huma sends the headers of an error only when the handler's own error
			// carries them; a domain error (429 with RetryAfter) becomes this envelope.
			for k, values := range env.GetHeaders() {
				for _, v := range values {
					hctx.SetHeader(k, v)
				}
			}
		}
		return env
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
	if info.actor == nil && apperr.Is(info.authErr, apperr.Forbidden) {
		// A valid token whose member is barred (a deactivated contractor company).
		_ = huma.WriteErr(s.api, hctx, http.StatusForbidden, "your contractor company is no longer active with this organisation")
		return
	}
	if info.actor == nil {
		msg := "log in first: send an access token as 'Authorization: Bearer …'"
		if info.authErr != nil {
			msg = "access token is not valid or has expired; refresh it or log in again"
		}
		hctx.SetHeader("WWW-Authenticate", `Bearer realm="maintainuk"`) // RFC 9110 §11.6.1: a 401 carries a challenge
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

// creates marks an operation that answers 201 Created (outputs of type Created[T]).
func creates(op huma.Operation) huma.Operation {
	op.DefaultStatus = http.StatusCreated
	return op
}

// operation describes one route; secured routes need a bearer token.
func (s *Server) operation(method, path, id, tag, summary string, secured bool) huma.Operation {
	op := huma.Operation{
		OperationID: id, Method: method, Path: path, Tags: []string{tag}, Summary: summary,
	}
	if s.deps.MaxBodyBytes > 0 {
		// huma refuses a body of exactly MaxBodyBytes; MAX_BODY_BYTES is the largest accepted.
		op.MaxBodyBytes = s.deps.MaxBodyBytes + 1
	}
	if (method == http.MethodPost && !secured) || limited(path) {
		// The API's rate limits (limitRate) answer every /api/ operation; unauthenticated
		// POSTs outside it (providers' webhooks) have limits of their own.
		op.Errors = append(op.Errors, http.StatusTooManyRequests)
	}
	if method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		// What huma itself answers for a body: malformed, too large, not JSON.
		op.Errors = append(op.Errors, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	}
	if method == http.MethodPost && secured {
		// The idempotent middleware reads this header, so huma cannot document it from
		// an input struct: declare it here, with the 409 of a key still in flight.
		maxKey := 255
		op.Parameters = append(op.Parameters, &huma.Param{
			Name: idempotencyHeader, In: "header",
			Description: "Optional. Repeating a request with the same key (per user, 24 hours) replays the first answer " +
				"with header Idempotent-Replayed: true; the same key with a different body answers 422, and 409 while the first is still running.",
			Schema: &huma.Schema{Type: huma.TypeString, MaxLength: &maxKey},
		})
		op.Errors = append(op.Errors, http.StatusConflict)
	}
	if secured {
		op.Security = []map[string][]string{{bearerScheme: {}}}
		op.Errors = append(op.Errors, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound)
	}
	// Every operation reads or writes the database: while it is unreachable (restarting,
	// failing over) the answer is 503 with Retry-After, not 500 (docs/faults.md).
	op.Errors = append(op.Errors, http.StatusServiceUnavailable)
	for _, status := range extraAnswers[id] {
		if !slices.Contains(op.Errors, status) {
			op.Errors = append(op.Errors, status)
		}
	}
	return op
}

// noRoute answers, as failure envelopes, the /api/ requests no operation matches: 405
// with Allow when the path exists for other methods, 404 otherwise (http.ServeMux's own
// answers are plain text).
func noRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allowed []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/api/" {
				allowed = append(allowed, m)
			}
		}
		ctx := r.Context()
		if len(allowed) == 0 {
			writeEnvelope(w, newErrorEnvelope(ctx, loggerFrom(ctx), http.StatusNotFound, "no such endpoint: "+r.URL.Path+"; see /docs"))
			return
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeEnvelope(w, newErrorEnvelope(ctx, loggerFrom(ctx), http.StatusMethodNotAllowed,
			r.Method+" is not allowed here; use "+strings.Join(allowed, ", ")))
	})
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
