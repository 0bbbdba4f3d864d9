package database

import (
	"context"
	"embed"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// MigrationsFS is the embedded migration files (also hashed by the test harness to name
// its template database).
func MigrationsFS() embed.FS { return migrations }

// Migrate brings the schema up to date: River's job tables first (the outbox and queue),
// then MaintainUK's own migrations, then the grants that let the application role use
// River's tables. It must run as the schema owner, not as the application role.
func Migrate(ctx context.Context, url string, logger *slog.Logger) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return fmt.Errorf("database: migrate: connect: %w", err)
	}
	defer pool.Close()

	// River runs each of its versions in its own transaction (a later version uses enum
	// values an earlier one adds, which PostgreSQL refuses within one transaction).
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("database: migrate river: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("database: migrate river: %w", err)
	}

	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, mustSub(migrations, "migrations"),
		goose.WithLogger(gooseLogger{logger}))
	if err != nil {
		return fmt.Errorf("database: migrate: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("database: migrate: %w", err)
	}
	for _, r := range results {
		logger.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	if _, err := pool.Exec(ctx, grantRiverSQL); err != nil {
		return fmt.Errorf("database: migrate: grant river tables: %w", err)
	}
	return nil
}

// River's tables are infrastructure, not tenant data: every job carries its org id and
// sets it for its own database work. They may change with River versions, so the grant is
// by name pattern and re-applied on every migrate.
const grantRiverSQL = `
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'river\_%' LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO maintainuk_app', r.tablename);
    END LOOP;
    FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() AND sequencename LIKE 'river\_%' LOOP
        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %I TO maintainuk_app', r.sequencename);
    END LOOP;
END
$$`

type gooseLogger struct{ l *slog.Logger }

func (g gooseLogger) Printf(format string, v ...any) { g.l.Debug(fmt.Sprintf(format, v...)) }
func (g gooseLogger) Fatalf(format string, v ...any) { g.l.Error(fmt.Sprintf(format, v...)) }
