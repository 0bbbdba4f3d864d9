package httpapi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// TestCompress: JSON and HTML of at least the threshold are compressed, zstd preferred,
// with Vary and no stale Content-Length; small bodies, other types (PDF, images), HEAD
// and 304 pass through; a flushed part reaches the client before the handler ends.
func TestCompress(t *testing.T) {
	t.Parallel()
	big := `{"data":[` + strings.Repeat(`{"title":"Kitchen tap leaking"},`, 100) + `{}]}`
	serve := func(ct, body string, status int) http.Handler {
		return compress(1024)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Length", itoa(len(body)))
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}))
	}
	tests := []struct {
		name, method, accept, ct, body string
		status                         int
		wantEncoding                   string
	}{
		{"json, zstd preferred", "GET", "gzip, deflate, br, zstd", "application/json", big, 200, "zstd"},
		{"json, gzip (Go's clients)", "GET", "gzip", "application/json", big, 200, "gzip"},
		{"html", "GET", "gzip", "text/html; charset=utf-8", "<p>" + big, 200, "gzip"},
		{"error envelope", "GET", "zstd", "application/json", big, 422, "zstd"},
		{"no Accept-Encoding", "GET", "", "application/json", big, 200, ""},
		{"below the threshold", "GET", "gzip", "application/json", `{"data":1}`, 200, ""},
		{"pdf", "GET", "gzip", "application/pdf", big, 200, ""},
		{"image", "GET", "gzip", "image/png", big, 200, ""},
		{"HEAD", "HEAD", "gzip", "application/json", big, 200, ""},
		{"304", "GET", "gzip", "application/json", "", 304, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tc.method, "/api/v1/tickets", nil)
			if tc.accept != "" {
				r.Header.Set("Accept-Encoding", tc.accept)
			}
			rec := httptest.NewRecorder()
			serve(tc.ct, tc.body, tc.status).ServeHTTP(rec, r)
			res := rec.Result()
			if res.StatusCode != tc.status || res.Header.Get("Content-Encoding") != tc.wantEncoding {
				t.Fatalf("status %d, Content-Encoding %q; want %d, %q", res.StatusCode, res.Header.Get("Content-Encoding"), tc.status, tc.wantEncoding)
			}
			if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Fatalf("no Vary: Accept-Encoding: %v", res.Header)
			}
			body := rec.Body.Bytes()
			switch tc.wantEncoding {
			case "gzip":
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				body, err = io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
			case "zstd":
				zr, err := zstd.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				body, err = io.ReadAll(zr)
				zr.Close()
				if err != nil {
					t.Fatal(err)
				}
			}
			if tc.wantEncoding != "" && res.Header.Get("Content-Length") != "" {
				t.Fatalf("compressed answer keeps Content-Length %s", res.Header.Get("Content-Length"))
			}
			if tc.wantEncoding == "" && tc.method != "HEAD" && tc.status != 304 && res.Header.Get("Content-Length") != itoa(len(body)) {
				t.Fatalf("Content-Length %s for %d bytes", res.Header.Get("Content-Length"), len(body))
			}
			if want := tc.body; tc.method != "HEAD" && string(body) != want {
				t.Fatalf("body changed: %.80q", body)
			}
		})
	}

	t.Run("streaming", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		srv := httptest.NewServer(compress(1024)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<p>first part</p>\n")
			w.(http.Flusher).Flush()
			<-release
			_, _ = io.WriteString(w, "<p>second part</p>\n")
		})))
		defer srv.Close()
		defer close(release)
		resp, err := http.Get(srv.URL) // Go's client asks for gzip and decodes it
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		line := make(chan string, 1)
		go func() {
			l, _ := bufio.NewReader(resp.Body).ReadString('\n')
			line <- l
		}()
		select {
		case l := <-line:
			if l != "<p>first part</p>\n" {
				t.Fatalf("first part %q", l)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the flushed part did not arrive before the handler ended")
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
