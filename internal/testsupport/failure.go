package testsupport

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/apperr"
)

var traceIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ExpectFailure is the one failure assertion: r answered status with exactly the failure
// envelope {"data": null, "error": {code, message, fields}, "traceId"} (JSON, the trace id
// also in the X-Trace-Id header), the error has code and a message, and each of fields has
// a field error with a message. It reports to t, so subtests can use it.
func ExpectFailure(t testing.TB, r *Response, status int, code apperr.Code, fields ...string) Failure {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json; body: %s", ct, r.Body)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil {
		t.Fatalf("body is not a JSON object: %v; body: %s", err, r.Body)
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"data", "error", "traceId"}) || string(top["data"]) != "null" {
		t.Fatalf("not a failure envelope {data: null, error, traceId}: %s", r.Body)
	}
	var trace string
	if err := json.Unmarshal(top["traceId"], &trace); err != nil || !traceIDPattern.MatchString(trace) || r.Header.Get("X-Trace-Id") != trace {
		t.Fatalf("traceId %q must be 32 lowercase hex digits and equal X-Trace-Id %q; body: %s", trace, r.Header.Get("X-Trace-Id"), r.Body)
	}
	var f Failure
	if err := json.Unmarshal(top["error"], &f); err != nil || string(top["error"]) == "null" {
		t.Fatalf("error member %s: %v", top["error"], err)
	}
	if f.Code != string(code) {
		t.Fatalf("error code %s, want %s; body: %s", f.Code, code, r.Body)
	}
	if strings.TrimSpace(f.Message) == "" {
		t.Fatalf("empty error message; body: %s", r.Body)
	}
	for _, want := range fields {
		if !slices.ContainsFunc(f.Fields, func(fe apperr.FieldError) bool { return fe.Field == want && fe.Message != "" }) {
			t.Fatalf("no field error for %q; body: %s", want, r.Body)
		}
	}
	return f
}

// Envelope is any API answer: data, error, trace id and, on lists, meta.
type Envelope struct {
	Data    json.RawMessage `json:"data"`
	Error   *Failure        `json:"error"`
	TraceID string          `json:"traceId"`
	Meta    *struct {
		NextCursor string `json:"nextCursor"`
	} `json:"meta"`
}

// ExpectOK is the success assertion to go with ExpectFailure: r answered status with a
// success envelope (error null, a trace id); its data is decoded into v when v is not nil.
func ExpectOK(t testing.TB, r *Response, status int, v any) Envelope {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	var env Envelope
	if err := json.Unmarshal(r.Body, &env); err != nil {
		t.Fatalf("decode envelope: %v; status %d; body: %s", err, r.Status, r.Body)
	}
	if env.Error != nil || env.TraceID == "" {
		t.Fatalf("not a success envelope: %s", r.Body)
	}
	if v != nil {
		if err := json.Unmarshal(env.Data, v); err != nil {
			t.Fatalf("decode data: %v; body: %s", err, r.Body)
		}
	}
	return env
}
