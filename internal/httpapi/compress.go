package httpapi

import (
	"mime"
	"net/http"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// compress compresses JSON, HTML, CSS, JavaScript and SVG bodies of at least minBytes:
// zstd when the client accepts it, else gzip, both at their fastest level (the service
// has little CPU to spare; docs/benchmarks-micro.md). Every other type passes through
// untouched — PDFs, images and other attachments are compressed already or served with
// ranges — as does any body a handler encoded itself (Content-Encoding set, as /metrics
// does) and any partial (Content-Range) answer. Responses carry Vary: Accept-Encoding; a
// compressed one drops its Content-Length (the server frames it). Flushes reach the
// client (gzhttp flushes the encoder first), so streamed pages keep streaming. HEAD is
// answered uncompressed, with the body's true length, as a 304 is (it has no body).
// minBytes 0 compresses nothing.
func compress(minBytes int) func(http.Handler) http.Handler {
	if minBytes <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(minBytes),
		gzhttp.CompressionLevel(gzip.BestSpeed),
		gzhttp.ZstdCompressionLevel(int(zstd.SpeedFastest)),
		gzhttp.ContentTypeFilter(compressible),
	)
	if err != nil {
		panic("httpapi: compression: " + err.Error()) // fixed options: a programming error
	}
	return func(next http.Handler) http.Handler {
		compressed := wrap(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				w.Header().Add("Vary", "Accept-Encoding")
				next.ServeHTTP(w, r)
				return
			}
			compressed(w, r)
		})
	}
}

// compressible reports whether a body of content type ct is worth compressing.
func compressible(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/json", "application/problem+json", "application/openapi+json", "application/schema+json",
		"text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml":
		return true
	}
	return false
}
