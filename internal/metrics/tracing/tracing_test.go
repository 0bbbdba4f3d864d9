package tracing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/maintainuk/maintainuk/internal/config"
	"github.com/maintainuk/maintainuk/internal/metrics/tracing"
)

// TestLogHandler: a line logged with a span's context names its trace and span, once
// however often the handler is wrapped and through WithAttrs; a line without one names
// none.
func TestLogHandler(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := tracing.LogHandler(tracing.LogHandler(slog.NewJSONHandler(&buf, nil)))
	logger := slog.New(h).With("job", "email")
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0736a1")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid}))
	logger.InfoContext(ctx, "sent")
	logger.Info("no context")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || strings.Count(lines[0], "trace_id") != 1 {
		t.Fatalf("lines: %q", lines)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil || rec["trace_id"] != tid.String() || rec["span_id"] != sid.String() || rec["job"] != "email" {
		t.Fatalf("with a span: %s", lines[0])
	}
	if strings.Contains(lines[1], "trace_id") {
		t.Fatalf("without a span: %s", lines[1])
	}
}

// TestProviderWithoutCollector: with no endpoint, spans are not recorded but have ids,
// the caller's trace id when there is one.
func TestProviderWithoutCollector(t *testing.T) {
	t.Parallel()
	tp, err := tracing.NewProvider(context.Background(), config.Tracing{ServiceName: "maintainuk", SampleRatio: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tp.Shutdown(context.Background()) }()
	_, span := tp.Tracer("t").Start(context.Background(), "x")
	if span.IsRecording() || !span.SpanContext().IsValid() {
		t.Fatalf("recording %v, valid %v", span.IsRecording(), span.SpanContext().IsValid())
	}
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0736a1")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	parent := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	_, child := tp.Tracer("t").Start(parent, "y")
	if child.SpanContext().TraceID() != tid || child.IsRecording() {
		t.Fatalf("child of a caller's span: %s recording %v", child.SpanContext().TraceID(), child.IsRecording())
	}
}
