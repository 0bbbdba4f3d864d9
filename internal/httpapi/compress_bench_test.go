package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// countingWriter is a ResponseWriter that keeps nothing but the byte count.
type countingWriter struct {
	h http.Header
	n int
}

func (w *countingWriter) Header() http.Header         { return w.h }
func (w *countingWriter) WriteHeader(int)             {}
func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// BenchmarkCompressTicketPage measures what compress adds to writing GET /api/v1/tickets'
// answer (the body BenchmarkTicketPage encodes, already encoded here): identity (the
// middleware passes it through), gzip and zstd at the levels compress uses, for one
// ticket's envelope and pages of 20 and 200. It reports the compressed size over the
// uncompressed ("ratio") from the same run; the time is the middleware's CPU per answer.
func BenchmarkCompressTicketPage(b *testing.B) {
	s := benchServer(b)
	ctx := withRequestInfo(context.Background(), &requestInfo{traceID: "4bf92f3577b34da6a3ce929d0e0e4736"})
	mw := compress(1024)
	for _, n := range []int{1, 20, 200} {
		res := page.Result[tickets.Ticket]{Items: benchTickets(n), NextCursor: "eyJ0IjoiMjAyNi0xMS0yN1QxMDowMDowMFoiLCJpIjoiMGI5YzJhZDQtN2Q2Zi00YTQzLTlkNGItM2MxYzNmMWYyZjEwIn0"}
		var buf bytes.Buffer
		if err := s.api.Marshal(&buf, "application/json", list(ctx, res).Body); err != nil {
			b.Fatal(err)
		}
		body := buf.Bytes()
		h := mw(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		}))
		for _, enc := range []string{"identity", "gzip", "zstd"} {
			b.Run(strconv.Itoa(n)+"/"+enc, func(b *testing.B) {
				r, _ := http.NewRequest(http.MethodGet, "/api/v1/tickets", nil)
				r.Header.Set("Accept-Encoding", enc)
				w := &countingWriter{h: http.Header{}}
				h.ServeHTTP(w, r)
				if got := w.h.Get("Content-Encoding"); enc != "identity" && got != enc {
					b.Fatalf("Content-Encoding %q, want %s", got, enc)
				}
				ratio := float64(w.n) / float64(len(body))
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					w.n = 0
					clear(w.h)
					h.ServeHTTP(w, r)
				}
				b.ReportMetric(ratio, "ratio")
				b.ReportMetric(float64(len(body)), "body-B")
			})
		}
	}
}
