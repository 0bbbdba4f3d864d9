package httpapi

import (
	"crypto/rand"
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"

	"github.com/maintainuk/maintainuk/internal/metrics/tracing"
)

// traced starts each request's server span (otelhttp), continuing a caller's W3C
// traceparent. The span is named by the request's method until observe renames it to the
// route pattern that served it ("GET /api/v1/tickets/{ticketId}"), never the raw path
// with its ids. Health probes get no span: they would bury the traces that matter.
func traced(tp trace.TracerProvider, next http.Handler) http.Handler {
	return otelhttp.NewHandler(next, "http",
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()), // Prometheus has the request metrics
		otelhttp.WithPropagators(tracing.Propagator),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
		otelhttp.WithFilter(func(r *http.Request) bool { return !strings.HasPrefix(r.URL.Path, "/health/") }),
	)
}

// ownSpanContext is the request's span context when there is no tracer (or no span):
// the caller's trace id from a valid traceparent, else a new one, and a new span id.
func ownSpanContext(r *http.Request) trace.SpanContext {
	tid, _ := trace.TraceIDFromHex(newTraceID(r))
	var sid trace.SpanID
	_, _ = rand.Read(sid[:])
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, Remote: true})
}
