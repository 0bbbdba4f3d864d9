package testsupport

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Mailpit is a real SMTP server for a test or a benchmark (`make test` and `make bench`
// build it, pinned in tools/go.mod, and pass its path as MAILPIT_BIN). It accepts any
// credentials and stops when the test ends.
type Mailpit struct {
	SMTPPort int
	API      string // its HTTP API, e.g. http://127.0.0.1:1234/api/v1
}

// StartMailpit starts Mailpit on free loopback ports with Mailpit's flags args added, and
// waits until both its SMTP port and its API answer.
func StartMailpit(t testing.TB, args ...string) *Mailpit {
	t.Helper()
	bin := os.Getenv("MAILPIT_BIN")
	if bin == "" {
		t.Fatal("MAILPIT_BIN is not set: run with `make test` (or `make bench`), which builds Mailpit")
	}
	smtpPort, httpPort := freePort(t), freePort(t)
	cmd := exec.Command(bin, append([]string{ // #nosec G204 G702 -- the mailpit binary the test run configures
		"--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--disable-version-check", "--database", filepath.Join(t.TempDir(), "mailpit.db"),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
	}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	m := &Mailpit{SMTPPort: smtpPort, API: fmt.Sprintf("http://127.0.0.1:%d/api/v1", httpPort)}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(m.API + "/messages")
		if err == nil {
			resp.Body.Close()
			if conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", smtpPort)); err == nil {
				conn.Close()
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int { return freePort(t) }

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
