package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
)

// BenchmarkCreateTicketRequest measures the in-process half of POST /api/v1/tickets: the
// request enters the real server's router (below the trace, authentication and
// idempotency middlewares, which need the database) with a TENANT already authenticated,
// and goes through the registered operation: requireAuth, checkText (every string of the
// body), huma's JSON decoding and schema validation, the input's Check (its resolver) and
// the handler, which calls the real tickets.Service.Create. Nothing is replaced.
//
//   - valid: a resident's full report. Create checks the role and validates every field
//     again, then refuses the assigneeUserId a resident may not set (422) just before its
//     first database round trip, which is where this benchmark has to stop. So the answer
//     is a one-field 422 envelope rather than the 201 with the ticket (BenchmarkTicketPage
//     measures encoding tickets).
//   - invalid: the same report with a blank title, an unknown priority and a bad phone
//     number: huma and the Check each find errors, merged into one 422 answer.
func BenchmarkCreateTicketRequest(b *testing.B) {
	valid := `{"unitId":"0b9c2ad4-7d6f-4a43-9d4b-3c1c3f1f2f10","category":"PLUMBING","priority":"URGENT",` +
		`"title":"Kitchen tap leaking under the sink",` +
		`"description":"Water has been dripping from the pipe under the kitchen sink since Saturday night.\nThe cupboard floor is soaked and the chipboard is starting to swell. I have turned the isolation valve off for now, so we have no cold water in the kitchen.",` +
		`"reportedByName":"Sam O'Brien","reportedByPhone":"07911 123456","reportedByEmail":"sam.obrien@example.co.uk",` +
		`"assigneeUserId":"5f0e8a77-2c55-4b1e-9c1c-0f6f9a2d7e21"}`
	invalid := strings.NewReplacer(`"URGENT"`, `"SOON"`, `"Kitchen tap leaking under the sink"`, `"   "`, `"07911 123456"`, `"call me"`).Replace(valid)
	cases := []struct {
		name, body string
		fields     []string // the fields the 422 names, in order
	}{
		{"valid", valid, []string{"assigneeUserId"}},
		{"invalid", invalid, []string{"priority", "title", "reportedByPhone"}},
	}
	s := benchServer(b)
	tenant := access.Actor{UserID: uuid.New(), OrgID: uuid.New(), Role: access.Tenant}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			body := []byte(c.body)
			info := &requestInfo{server: s, traceID: "4bf92f3577b34da6a3ce929d0e0e4736", actor: &tenant,
				logger: s.deps.Logger, maxBodyBytes: s.deps.MaxBodyBytes}
			ctx := withRequestInfo(context.Background(), info)
			w := &answer{header: http.Header{}}
			serve := func() {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/api/v1/tickets", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				w.reset()
				s.mux.ServeHTTP(w, req)
			}
			serve()
			checkFieldErrors(b, w, c.fields)
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
			if w.status != http.StatusUnprocessableEntity {
				b.Fatalf("last answer: status %d: %s", w.status, w.body.String())
			}
		})
	}
}

// checkFieldErrors fails unless the answer is a 422 naming exactly fields, in order.
func checkFieldErrors(b *testing.B, w *answer, fields []string) {
	b.Helper()
	var env struct {
		Error struct {
			Fields []struct{ Field string } `json:"fields"`
		} `json:"error"`
	}
	raw := w.body.Bytes()
	if w.status != http.StatusUnprocessableEntity {
		b.Fatalf("status %d, want 422: %s", w.status, raw)
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		b.Fatalf("answer: %v: %s", err, raw)
	}
	var got []string
	for _, f := range env.Error.Fields {
		got = append(got, f.Field)
	}
	if strings.Join(got, ",") != strings.Join(fields, ",") {
		b.Fatalf("fields %v, want %v: %s", got, fields, raw)
	}
}
