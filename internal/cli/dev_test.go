package cli

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// syncBuffer is written by the dev command while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var runningAt = regexp.MustCompile(`MaintainUK is running at (\S+)`)

// startDev runs `maintainuk dev` against a test database and returns the URL it printed
// once it is serving; the command stops at the end of the test.
func startDev(t *testing.T, env map[string]string) (string, *syncBuffer) {
	t.Helper()
	dbs := testsupport.NewDatabases(t)
	vars := map[string]string{"DATABASE_URL": dbs.AppURL, "MIGRATION_DATABASE_URL": dbs.OwnerURL,
		"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}
	for k, v := range env {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, Env{Args: []string{"dev"}, Getenv: func(k string) string { return vars[k] }, Stdout: out, Stderr: errOut})
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("dev exited with %d: %s", code, errOut.String())
		}
	})
	for {
		if m := runningAt.FindStringSubmatch(out.String()); m != nil {
			return m[1], out
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("dev exited with %d before serving: %s %s", code, out.String(), errOut.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestDev_printsTheURLItServes(t *testing.T) {
	t.Parallel()
	url, out := startDev(t, map[string]string{"HTTP_ADDR": "127.0.0.1:0"})
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") || strings.HasSuffix(url, ":8080") {
		t.Fatalf("printed %s for HTTP_ADDR=127.0.0.1:0", url)
	}
	resp, err := http.Get(url + "/health/live")
	if err != nil {
		t.Fatalf("the printed URL is not served: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/health/live: %d", url, resp.StatusCode)
	}
	if !strings.Contains(out.String(), "curl -s "+url+"/api/v1/auth/login") {
		t.Fatalf("the example does not use the served URL:\n%s", out.String())
	}
}

func TestDev_printsBaseURLWhenGiven(t *testing.T) {
	t.Parallel()
	url, _ := startDev(t, map[string]string{"HTTP_ADDR": "127.0.0.1:0", "BASE_URL": "https://maintain.example.com/"})
	if url != "https://maintain.example.com" {
		t.Fatalf("printed %s, want BASE_URL", url)
	}
}

func TestServedURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		addr  string
		bound net.Addr
		want  string
	}{
		{":8080", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://localhost:8080"},
		{"127.0.0.1:9090", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9090}, "http://127.0.0.1:9090"},
		{"0.0.0.0:0", &net.TCPAddr{IP: net.IPv4zero, Port: 41234}, "http://localhost:41234"},
		{"[::1]:9090", &net.TCPAddr{IP: net.IPv6loopback, Port: 9090}, "http://[::1]:9090"},
	} {
		if got := servedURL(tt.addr, tt.bound); got != tt.want {
			t.Errorf("servedURL(%q) = %s, want %s", tt.addr, got, tt.want)
		}
	}
}
