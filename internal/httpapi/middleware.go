package httpapi

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/maintainuk/maintainuk/internal/apperr"
)

// statusRecorder remembers the status a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// observe is the outermost middleware but tracing's: it gives the request its trace id
// (its span's, or one of its own when there is no tracer), recovers panics as a 500
// envelope, and writes one access-log line (never bodies, tokens or query strings, which
// may carry personal data). Every line logged with the request's context carries the
// trace id (tracing.LogHandler).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx := r.Context()
		sc := trace.SpanContextFromContext(ctx)
		if !sc.IsValid() {
			sc = ownSpanContext(r)
			ctx = trace.ContextWithSpanContext(ctx, sc)
		}
		info := &requestInfo{server: s, traceID: sc.TraceID().String(), clientIP: s.deps.TrustedProxies.ClientIP(r), logger: s.deps.Logger,
			maxBodyBytes: s.deps.MaxBodyBytes}
		r = r.WithContext(withRequestInfo(ctx, info))
		rec := &statusRecorder{ResponseWriter: w}
		rec.Header().Set("X-Trace-Id", info.traceID)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.deps.Logger.ErrorContext(r.Context(), "panic", "panic", p)
				if rec.status == 0 {
					writeEnvelope(rec, newErrorEnvelope(r.Context(), s.deps.Logger, http.StatusInternalServerError, "internal error"))
				}
			}
			attrs := []any{
				"method", r.Method, "path", r.URL.Path,
				"status", rec.status, "bytes", rec.bytes, "duration_ms", time.Since(start).Milliseconds(),
				"client_ip", info.clientIP,
			}
			if info.actor != nil {
				attrs = append(attrs, "org_id", info.actor.OrgID, "user_id", info.actor.UserID)
			}
			level := slog.LevelInfo
			switch {
			case rec.status == http.StatusServiceUnavailable: // busy (Retry-After), not broken
				level = slog.LevelWarn
			case rec.status >= 500:
				level = slog.LevelError
			}
			s.deps.Logger.Log(r.Context(), level, "request", attrs...)
			span := trace.SpanFromContext(ctx)
			if span.IsRecording() || s.deps.Metrics != nil {
				pattern := s.routePattern(r)
				if span.IsRecording() && pattern != "" {
					span.SetName(pattern)
					span.SetAttributes(attribute.String("http.route", pattern))
				}
				if s.deps.Metrics != nil {
					s.deps.Metrics.ObserveRequest(r.Method, pattern, rec.status, time.Since(start))
				}
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// routePattern is the pattern of the route that serves r ("GET /api/v1/tickets/{ticketId}"),
// the metrics' route label; "" when none does (the /api/ catch-all answering 404 or 405
// counts as none), so a raw path with its ids never becomes a label.
func (s *Server) routePattern(r *http.Request) string {
	_, pattern := s.mux.Handler(r)
	if pattern == "/api/" {
		return ""
	}
	return pattern
}

// authenticate resolves a bearer token, when one is sent, to the acting member. Whether
// an operation requires one is decided per operation (requireAuth), so a public endpoint
// still works with a stale token in the header.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The scheme is case-insensitive (RFC 9110 §11.1): "bearer x" is "Bearer x".
		scheme, token, found := strings.Cut(r.Header.Get("Authorization"), " ")
		if found && strings.EqualFold(scheme, "Bearer") && strings.HasPrefix(r.URL.Path, "/api/") {
			info := infoFrom(r.Context())
			actor, err := s.deps.Identity.Authenticate(r.Context(), strings.TrimSpace(token))
			switch {
			case err != nil && !apperr.Is(err, apperr.Unauthenticated) && !apperr.Is(err, apperr.Forbidden):
				// The token could not be checked (the database is down): that is our
				// failure, not the client's, so no 401 that would make it drop its tokens.
				writeEnvelope(w, newErrorEnvelope(r.Context(), loggerFrom(r.Context()), http.StatusInternalServerError, "internal error", err))
				return
			case err != nil:
				info.authErr = err
			default:
				info.actor = &actor
			}
		}
		next.ServeHTTP(w, r)
	})
}
