// Package tracing sets up OpenTelemetry traces: the tracer provider (exporting by
// OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set), the SQL tracer for the pgx pool, and
// a slog handler that writes the trace and span ids of the context every line is logged
// with (docs/observability.md).
package tracing

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/maintainuk/maintainuk/internal/config"
)

// Propagator reads and writes W3C traceparent/tracestate headers.
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}

// NewProvider is the process's tracer provider.
//
//   - exporter given (tests: tracetest.NewInMemoryExporter): every span is recorded and
//     handed to it at once.
//   - c.Endpoint set: spans are batched to the OTLP/HTTP collector at c.Endpoint/v1/traces;
//     c.SampleRatio of new traces are recorded, a caller's traceparent decides for its own.
//   - neither: no span is recorded (the sampler drops them all), but each still has real
//     W3C ids, inherited from a caller's traceparent, so the X-Trace-Id header, the error
//     envelope's traceId and the logs' trace_id agree with what a caller or a later
//     collector sees. Dropped spans cost an id and a context, no attributes or export.
//
// Shutdown the provider to flush what is batched.
func NewProvider(ctx context.Context, c config.Tracing, exporter sdktrace.SpanExporter) (*sdktrace.TracerProvider, error) {
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("service.name", c.ServiceName)))
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	switch {
	case exporter != nil:
		opts = append(opts, sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSyncer(exporter))
	case c.Endpoint != "":
		exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(c.Endpoint+"/v1/traces"))
		if err != nil {
			return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
		}
		opts = append(opts, sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(c.SampleRatio))), sdktrace.WithBatcher(exp))
	default:
		opts = append(opts, sdktrace.WithSampler(sdktrace.NeverSample()))
	}
	return sdktrace.NewTracerProvider(opts...), nil
}

// SQLTracer traces the pool's queries (otelpgx) as children of the context's span. Spans
// carry the statement, never its arguments (otelpgx records them only when asked to);
// the one statement with values written in, the transaction's scoped BEGIN (the acting
// user's email among them, database.Scope), is recorded without them. It adds no round
// trip: it only watches the queries the pool runs.
func SQLTracer(tp trace.TracerProvider) pgx.QueryTracer {
	return sqlTracer{otelpgx.NewTracer(otelpgx.WithTracerProvider(tp))}
}

type sqlTracer struct{ *otelpgx.Tracer }

// scopedBegin starts database.Scope's beginSQL.
const scopedBegin = "BEGIN; SELECT set_config("

func (t sqlTracer) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if strings.HasPrefix(data.SQL, scopedBegin) {
		data.SQL = scopedBegin + "…)"
	}
	return t.Tracer.TraceQueryStart(ctx, conn, data)
}

// LogHandler adds trace_id and span_id to every record logged with a context holding a
// span (a request's, a job's), so a log line leads to its trace and back. Wrapping a
// handler twice adds them once.
func LogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(logHandler); ok {
		return h
	}
	return logHandler{h}
}

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(attrs)}
}

func (h logHandler) WithGroup(name string) slog.Handler { return logHandler{h.Handler.WithGroup(name)} }
