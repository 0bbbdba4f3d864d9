package email_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// mailpit is a real SMTP server for a test: `make test` builds it (pinned in
// tools/go.mod) and passes its path as MAILPIT_BIN.
type mailpit struct {
	smtpPort int
	api      string
}

func startMailpit(t *testing.T, args ...string) *mailpit {
	t.Helper()
	bin := os.Getenv("MAILPIT_BIN")
	if bin == "" {
		t.Fatal("MAILPIT_BIN is not set: run the tests with `make test`, which builds Mailpit")
	}
	smtpPort, httpPort := freePort(t), freePort(t)
	cmd := exec.Command(bin, append([]string{
		"--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--disable-version-check", "--database", t.TempDir() + "/mailpit.db", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
	}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	m := &mailpit{smtpPort: smtpPort, api: fmt.Sprintf("http://127.0.0.1:%d/api/v1", httpPort)}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(m.api + "/messages")
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

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	n, _ := strconv.Atoi(port)
	return n
}

type mailpitSummary struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	From    struct {
		Name, Address string
	} `json:"From"`
	To []struct {
		Name, Address string
	} `json:"To"`
}

func (m *mailpit) messages(t *testing.T) []mailpitSummary {
	t.Helper()
	var out struct {
		Messages []mailpitSummary `json:"messages"`
	}
	m.get(t, "/messages", &out)
	return out.Messages
}

type mailpitMessage struct {
	Subject   string `json:"Subject"`
	Text      string `json:"Text"`
	HTML      string `json:"HTML"`
	MessageID string `json:"MessageID"`
}

func (m *mailpit) message(t *testing.T, id string) mailpitMessage {
	t.Helper()
	var out mailpitMessage
	m.get(t, "/message/"+id, &out)
	return out
}

func (m *mailpit) get(t *testing.T, path string, v any) {
	t.Helper()
	resp, err := http.Get(m.api + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
}
