package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/app"
	"github.com/maintainuk/maintainuk/internal/config"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunServesLogsAndStops starts the real program (HTTP and job workers) on a real
// listener, uses it, stops it with a cancelled context, and reads its logs.
func TestRunServesLogsAndStops(t *testing.T) {
	t.Parallel()
	dbs := testsupport.NewDatabases(t)
	vars := map[string]string{"APP_ENV": "development", "DATABASE_URL": dbs.AppURL, "APP_SECRET": strings.Repeat("s", 40), "SHUTDOWN_TIMEOUT": "5s"}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ln) }()

	base := "http://" + ln.Addr().String()
	const password = "a-secret-passphrase-123"
	body := `{"orgName":"Log Test Ltd","name":"Lou","email":"lou@example.com","password":"` + password + `"}`
	resp, err := http.Post(base+"/api/v1/auth/register", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		Data struct {
			AccessToken  string `json:"accessToken"`
			RefreshToken string `json:"refreshToken"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reg); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/auth/me", nil)
	req.Header.Set("Authorization", "Bearer "+reg.Data.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("me: %v %v", resp, err)
	}
	resp.Body.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v after cancel", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not stop within 15s of cancel")
	}
	if _, err := http.Get(base + "/health/live"); err == nil {
		t.Fatal("server still answering after shutdown")
	}

	out := logs.String()
	for _, secret := range []string{password, reg.Data.AccessToken, reg.Data.RefreshToken} {
		if strings.Contains(out, secret) {
			t.Fatalf("logs contain a secret: %q", secret[:8])
		}
	}
	sawAuthenticated := false
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == "request" {
			if rec["trace_id"] == nil {
				t.Fatalf("request log without trace_id: %s", line)
			}
			if rec["path"] == "/api/v1/auth/me" {
				sawAuthenticated = rec["org_id"] != nil && rec["user_id"] != nil
			}
		}
	}
	if !sawAuthenticated {
		t.Fatalf("no request log line with org_id and user_id for /auth/me:\n%s", out)
	}
}

// The service refuses, in production, to connect as a role that switches row-level
// security off; in development it says so loudly in its log and starts (docs/security.md).
func TestDatabaseRoleThatBypassesRLS(t *testing.T) {
	t.Parallel()
	dbs := testsupport.NewDatabases(t)
	superuser, err := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	owner, _ := url.Parse(dbs.OwnerURL)
	superuser.Path = owner.Path // the test's own database, as the cluster's superuser
	tests := []struct {
		name, databaseURL, problem string
	}{
		{"the application role", dbs.AppURL, ""},
		{"the schema owner", dbs.OwnerURL, "owns (or may become the owner of) tenant tables: ai_decisions"},
		{"a superuser", superuser.String(), "is a superuser"},
	}
	for _, tc := range tests {
		for _, env := range []string{config.EnvProduction, config.EnvDevelopment} {
			t.Run(tc.name+" in "+env, func(t *testing.T) {
				t.Parallel()
				vars := map[string]string{"APP_ENV": env, "DATABASE_URL": tc.databaseURL, "MIGRATION_DATABASE_URL": dbs.OwnerURL + "&application_name=migrate",
					"APP_SECRET": strings.Repeat("s", 40), "EMAIL_PROVIDER": "smtp", "SMTP_HOST": "127.0.0.1"}
				cfg, err := config.Load(func(k string) string { return vars[k] })
				if err != nil {
					t.Fatal(err)
				}
				var logs syncBuffer
				a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
				if a != nil {
					defer a.Close()
				}
				switch {
				case tc.problem == "":
					if err != nil || strings.Contains(logs.String(), "row-level security") {
						t.Fatalf("the application role was refused: %v %s", err, logs.String())
					}
				case env == config.EnvProduction:
					if err == nil || !strings.Contains(err.Error(), tc.problem) || !strings.Contains(err.Error(), "bypasses row-level security") {
						t.Fatalf("started in production as %s: %v", tc.name, err)
					}
				default:
					if err != nil {
						t.Fatalf("development refused to start: %v", err)
					}
					if !strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), tc.problem) {
						t.Fatalf("no error banner in the log: %s", logs.String())
					}
				}
			})
		}
	}
}
