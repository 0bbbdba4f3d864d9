package testsupport

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/maintainuk/maintainuk/internal/app"
	"github.com/maintainuk/maintainuk/internal/config"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/identity"
)

// App is the real application on a test's own database, served by an httptest server.
type App struct {
	*app.App
	DBs    Databases
	Server *httptest.Server
	t      testing.TB
}

// NewApp starts the application for t. env overrides configuration variables.
func NewApp(t testing.TB, env map[string]string) *App {
	t.Helper()
	dbs := NewDatabases(t)
	vars := map[string]string{
		// Tests run as `maintainuk dev` does; production-mode behaviour has its own tests.
		"APP_ENV":                       "development",
		"ALLOW_PRIVATE_WEBHOOK_TARGETS": "true",
		"APP_SECRET":                    "test-secret-that-is-at-least-32-characters-long",
		"DATA_DIR":                      t.TempDir(), // uploaded files, never in the source tree
		"DATABASE_URL":                  dbs.AppURL,
		"LOGIN_RATE_LIMIT":              "1000",
		// As under `maintainuk dev`: the API limits are off; a test of them sets them.
		"API_RATE_LIMIT":     "0",
		"API_ORG_RATE_LIMIT": "0",
		"LOG_LEVEL":          "error",
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	a, err := app.New(context.Background(), cfg, testLogger(t))
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	srv := httptest.NewServer(a.API)
	ta := &App{App: a, DBs: dbs, Server: srv, t: t}
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return ta
}

// Replica starts a second instance of the application on a's databases and
// configuration, as a second replica behind a load balancer would run.
func (a *App) Replica(t testing.TB) *App {
	t.Helper()
	b, err := app.New(context.Background(), a.Config, testLogger(t))
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	srv := httptest.NewServer(b.API)
	r := &App{App: b, DBs: a.DBs, Server: srv, t: t}
	t.Cleanup(func() {
		srv.Close()
		b.Close()
	})
	return r
}

// testLogger sends warnings and errors to the test log, so a failing test shows why.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

var _ io.Writer = testWriter{}

// SetPlatformAdmin grants or removes platform-operator rights as `maintainuk
// platform-admin` does: through the schema owner, since the application's role may not.
func (a *App) SetPlatformAdmin(email string, on bool) error {
	owner, err := database.Open(context.Background(), a.DBs.OwnerURL, 2)
	if err != nil {
		return err
	}
	defer owner.Close()
	return identity.SetPlatformAdmin(context.Background(), owner, email, on)
}
