// Package testsupport gives tests a real, migrated PostgreSQL database of their own
// (cloned from a template in milliseconds by pgtestdb) and the real application on it.
//
// `make test` runs the suite under `maintainuk with-postgres`, which starts a throwaway
// cluster and sets TEST_DATABASE_URL to a superuser connection (pgtestdb needs one to mark
// template databases). The tests themselves never use it: migrations run as a test owner
// role and the application connects as a login member of maintainuk_app, subject to
// row-level security, exactly as in production.
package testsupport

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver pgtestdb uses
	"github.com/peterldowns/pgtestdb"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/pgcluster"
)

// Databases is a test's own database, reachable as the owner and as the application role.
type Databases struct {
	OwnerURL string
	AppURL   string
}

// Test roles: created once per cluster by ensureRoles.
const (
	testOwnerRole = "maintainuk_test_owner"
	testAppRole   = "maintainuk_test_app"
	testPassword  = "maintainuk-test"
)

// NewDatabases clones a fresh migrated database for t; it is dropped when t passes.
func NewDatabases(t testing.TB) Databases {
	t.Helper()
	adminURL := os.Getenv("TEST_DATABASE_URL")
	if adminURL == "" {
		t.Fatal("TEST_DATABASE_URL is not set: run the tests with `make test` " +
			"(or `bin/maintainuk with-postgres -- go test ./...`)")
	}
	admin, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	if err := prepareCluster(adminURL); err != nil {
		t.Fatalf("test cluster: %v", err)
	}
	password, _ := admin.User.Password()
	conf := pgtestdb.Config{
		DriverName: "pgx", Host: admin.Hostname(), Port: admin.Port(), User: admin.User.Username(), Password: password,
		Database: strings.TrimPrefix(admin.Path, "/"), Options: "sslmode=disable",
		TestRole:                  &pgtestdb.Role{Username: testOwnerRole, Password: testPassword, Capabilities: "NOSUPERUSER NOCREATEROLE NOBYPASSRLS"},
		ForceTerminateConnections: true,
	}
	instance := pgtestdb.Custom(t, conf, migrator{})
	app := *admin
	app.User = url.UserPassword(testAppRole, testPassword)
	app.Path = "/" + instance.Database
	return Databases{OwnerURL: instance.URL(), AppURL: app.String()}
}

// prepareCluster runs once per test binary: the roles, and the search operator marked
// LEAKPROOF in template1 (which pgtestdb's templates are created from) as the operations
// guide asks of production (docs/database.md), so tests see production's plans.
var clusterOnce sync.Map // admin URL → func() error

func prepareCluster(adminURL string) error {
	once, _ := clusterOnce.LoadOrStore(adminURL, sync.OnceValue(func() error {
		if err := ensureRoles(adminURL); err != nil {
			return err
		}
		tpl, err := url.Parse(adminURL)
		if err != nil {
			return err
		}
		tpl.Path = "/template1"
		return pgcluster.MarkSearchLeakproof(context.Background(), tpl.String())
	}))
	return once.(func() error)()
}

// ensureRoles creates the application group role (which migrations grant to) and a login
// member of it for the tests, once per cluster; an advisory lock serialises the test
// binaries of several packages starting at once.
func ensureRoles(adminURL string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	// One transaction: the lock is held until the roles are committed.
	_, err = conn.Exec(ctx, `
BEGIN;
SELECT pg_advisory_xact_lock(727274);
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'maintainuk_app') THEN
        CREATE ROLE maintainuk_app NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+testAppRole+`') THEN
        CREATE ROLE `+testAppRole+` LOGIN PASSWORD '`+testPassword+`' NOSUPERUSER NOBYPASSRLS NOCREATEDB IN ROLE maintainuk_app;
    END IF;
END
$$;
COMMIT;`)
	return err
}

// NewDB returns a pool on a fresh database, connected as the application role.
func NewDB(t testing.TB) *database.DB {
	t.Helper()
	dbs := NewDatabases(t)
	db, err := database.Open(context.Background(), dbs.AppURL, 10)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// migrator builds the template database with the real migrations.
type migrator struct{}

// Hash names the template after the migration files and River's version, so a changed
// migration gets a new template and an unchanged one is reused across packages.
func (migrator) Hash() (string, error) {
	h := sha256.New()
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if strings.HasPrefix(m.Path, "github.com/riverqueue/river") {
				h.Write([]byte(m.Path + "@" + m.Version))
			}
		}
	}
	err := fs.WalkDir(database.MigrationsFS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(database.MigrationsFS(), path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

func (migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	return database.Migrate(ctx, conf.URL(), slog.New(slog.DiscardHandler))
}
