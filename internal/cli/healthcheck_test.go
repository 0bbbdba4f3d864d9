package cli

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestHealthcheck: the image's HEALTHCHECK exits 0 when /health/live answers 200 at
// HTTP_ADDR's port (asked over loopback when HTTP_ADDR has no host), 1 when it answers
// anything else, nothing listens, or the server hangs past the 2 s timeout.
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	srv := func(status int) string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/health/live" || r.Method != http.MethodGet {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			if status == 0 {
				<-r.Context().Done() // hangs until the client gives up
				return
			}
			w.WriteHeader(status)
		}))
		t.Cleanup(s.Close)
		return s.Listener.Addr().String()
	}
	ok, failing, hung := srv(http.StatusOK), srv(http.StatusServiceUnavailable), srv(0)
	_, okPort, _ := net.SplitHostPort(ok)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
	}{
		{"live", map[string]string{"HTTP_ADDR": ok}, nil, 0},
		{"all interfaces ask loopback", map[string]string{"HTTP_ADDR": ":" + okPort}, nil, 0},
		{"unspecified address asks loopback", map[string]string{"HTTP_ADDR": "0.0.0.0:" + okPort}, nil, 0},
		{"an address given wins", map[string]string{"HTTP_ADDR": closed}, []string{ok}, 0},
		{"not 200", map[string]string{"HTTP_ADDR": failing}, nil, 1},
		{"nothing listening", map[string]string{"HTTP_ADDR": closed}, nil, 1},
		{"bad address", map[string]string{"HTTP_ADDR": "8080"}, nil, 1},
		{"too many arguments", nil, []string{ok, ok}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := run(t, tt.env, append([]string{"healthcheck"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("code %d (stderr %q), want %d", code, stderr, tt.code)
			}
		})
	}
	t.Run("hung server times out", func(t *testing.T) {
		t.Parallel()
		start := time.Now()
		code, _, stderr := run(t, map[string]string{"HTTP_ADDR": hung}, "healthcheck")
		if code != 1 || !strings.Contains(stderr, "deadline") {
			t.Fatalf("code %d, stderr %q", code, stderr)
		}
		if took := time.Since(start); took > 4*time.Second {
			t.Fatalf("took %v, want about 2 s", took)
		}
	})
}
