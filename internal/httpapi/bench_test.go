package httpapi

import (
	"bytes"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/tickets"
)

// benchServer is the real API (every route, both huma middlewares, the error envelope)
// with no database behind it: the benchmarks stop before a service would open a
// transaction. Nothing is logged.
func benchServer(b *testing.B) *Server {
	b.Helper()
	// The tests' second encoding of every answer (encodingcheck_test.go) is not what a
	// request costs; benchmarks run after the tests, one at a time.
	check := answerEncodingCheck
	answerEncodingCheck = nil
	b.Cleanup(func() { answerEncodingCheck = check })
	return New(Deps{
		Logger:       slog.New(slog.DiscardHandler),
		Tickets:      tickets.NewService(nil, nil, time.Now, tickets.PublicLimits{}),
		MaxBodyBytes: 1 << 20,
	})
}

// answer is a reusable http.ResponseWriter that keeps the status and the body.
type answer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *answer) reset() {
	clear(a.header)
	a.status = 0
	a.body.Reset()
}

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *answer) Write(p []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(p)
}
