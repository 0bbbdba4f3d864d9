package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), Env{Args: args, Getenv: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr})
	return code, stdout.String(), stderr.String()
}

func TestMain_commands(t *testing.T) {
	t.Parallel()
	production := map[string]string{"DATABASE_URL": "postgres://app@localhost:1/db", "APP_SECRET": strings.Repeat("x", 32),
		"EMAIL_PROVIDER": "smtp", "SMTP_HOST": "smtp.example.com"}
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"help", nil, []string{"help"}, 0, "Commands:", ""},
		{"unknown command", nil, []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"invalid config names the variable", map[string]string{"HTTP_ADDR": "8080"}, []string{"serve"}, 1, "", "HTTP_ADDR"},
		{"secret value never printed", map[string]string{"APP_SECRET": "short-secret-value"}, []string{"serve"}, 1, "", "APP_SECRET=(hidden)"},
		{"serve defaults to production", nil, []string{"serve"}, 1, "", "DATABASE_URL is required when APP_ENV=production"},
		{"worker defaults to production", nil, []string{"worker"}, 1, "", "APP_SECRET is required when APP_ENV=production"},
		{"serve without a database in development", map[string]string{"APP_ENV": "development"}, []string{"serve"}, 1, "", "DATABASE_URL is not set"},
		{"migrate without a database", map[string]string{"APP_ENV": "development"}, []string{"migrate"}, 1, "", "DATABASE_URL must be set"},
		{"migrate in production needs its own URL", production, []string{"migrate"}, 1, "", "MIGRATION_DATABASE_URL must be set"},
		{"seed-demo refuses production", production, []string{"seed-demo"}, 1, "", "seed-demo runs only with APP_ENV=development"},
		{"platform-admin needs the schema owner", production, []string{"platform-admin", "ops@example.com"}, 1, "", "MIGRATION_DATABASE_URL must be set"},
		{"production needs a secret", map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://x@localhost/db"}, []string{"serve"}, 1, "", "APP_SECRET is required"},
		{"dev refuses production", map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://x@localhost/db", "APP_SECRET": strings.Repeat("x", 32),
			"EMAIL_PROVIDER": "smtp", "SMTP_HOST": "smtp.example.com"}, []string{"dev"}, 1, "", "APP_ENV=development"},
		{"production refuses the dev mailbox", map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://x@localhost/db", "APP_SECRET": strings.Repeat("x", 32)},
			[]string{"serve"}, 1, "", "EMAIL_PROVIDER=dev delivers nothing"},
		{"smtp needs a host", map[string]string{"EMAIL_PROVIDER": "smtp", "APP_ENV": "development"}, []string{"serve"}, 1, "", "SMTP_HOST is required"},
		{"with-postgres needs a command", nil, []string{"with-postgres", "--"}, 1, "", "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := run(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.inStdout) || !strings.Contains(stderr, tt.inStderr) {
				t.Fatalf("code %d, stdout %q, stderr %q; want code %d with %q / %q", code, stdout, stderr, tt.code, tt.inStdout, tt.inStderr)
			}
			if strings.Contains(stderr, "short-secret-value") {
				t.Fatal("a secret was printed")
			}
		})
	}
}

func TestDevSecretIsKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, err := devSecret(dir)
	if err != nil || len(first) < 32 {
		t.Fatalf("devSecret: %q %v", first, err)
	}
	second, err := devSecret(dir)
	if err != nil || second != first {
		t.Fatalf("second call gave a different secret")
	}
	fi, err := os.Stat(filepath.Join(dir, "app-secret"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode %v, %v; want 0600", fi.Mode(), err)
	}
}

func TestConfigDocListsEveryVariable(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, nil, "config-doc")
	if code != 0 {
		t.Fatal("config-doc failed")
	}
	committed, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(committed) != out {
		t.Fatal("docs/configuration.md is stale: run `make generate`")
	}
}
