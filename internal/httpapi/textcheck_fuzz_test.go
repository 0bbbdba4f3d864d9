package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/maintainuk/maintainuk/internal/validate"
)

// FuzzCreateTicketBody sends arbitrary bodies through the real request pipeline of a
// representative operation (createTicket's input type behind checkText, with a handler
// that stands in for the database): the answer is never a 5xx, and every string that
// reaches the handler is valid UTF-8 free of control characters other than newline and
// tab. make test runs it briefly.
func FuzzCreateTicketBody(f *testing.F) {
	installErrorsOnce.Do(installErrorEnvelope)
	mux := http.NewServeMux()
	api := humago.New(mux, huma.DefaultConfig("fuzz", "1"))
	s := &Server{api: api}
	api.UseMiddleware(s.checkText)
	var reached []string
	huma.Register(api, huma.Operation{OperationID: "createTicket", Method: http.MethodPost, Path: "/tickets", MaxBodyBytes: 1 << 16},
		func(_ context.Context, in *createTicketIn) (*struct{}, error) {
			b := in.Body
			reached = append(reached, b.Category, b.Priority, b.Title, b.Description, b.ReportedByName, b.ReportedByPhone, b.ReportedByEmail)
			return nil, nil
		})
	for _, s := range []string{
		`{"unitId":"0b9c2ad4-7d6f-4a43-9d4b-3c1c3f1f2f10","title":"Leak"}`,
		`{"unitId":"0b9c2ad4-7d6f-4a43-9d4b-3c1c3f1f2f10","title":"Le\u0000ak","description":"a\nb"}`,
		`{"unitId":"0b9c2ad4-7d6f-4a43-9d4b-3c1c3f1f2f10","title":"x","reportedByName":"\u001b[31m"}`,
		`{"unitId":"0b9c2ad4-7d6f-4a43-9d4b-3c1c3f1f2f10","title":"\ud800","description":"\u0085"}`,
		`{"title":1}`, `[]`, `{`, "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		reached = reached[:0]
		req := httptest.NewRequest(http.MethodPost, "/tickets", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%q: status %d: %s", body, rec.Code, rec.Body)
		}
		for _, v := range reached {
			if err := validate.Controls(v, true); err != nil {
				t.Fatalf("%q: handler got %q (%v)", body, v, err)
			}
		}
	})
}
