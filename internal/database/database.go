// Package database owns the connection pool, the schema migrations and the one way the
// rest of the code touches tenant data: a transaction scoped to an organisation, in which
// PostgreSQL row-level security admits only that organisation's rows.
package database

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is the application's pool. It connects as a role that cannot bypass row-level security.
type DB struct {
	Pool *pgxpool.Pool
}

// Open connects the pool and checks the server answers.
func Open(ctx context.Context, url string, maxConns int) (*DB, error) {
	return OpenPool(ctx, url, PoolOptions{MaxConns: maxConns})
}

// PoolOptions shape the pool (config DB_*); zero values keep pgxpool's defaults.
type PoolOptions struct {
	MaxConns, MinConns               int
	MaxConnLifetime, MaxConnIdleTime time.Duration
	// Tracer sees every query (OpenTelemetry's SQL spans, internal/metrics/tracing).
	Tracer pgx.QueryTracer
}

// OpenPool is Open with every pool setting.
func OpenPool(ctx context.Context, url string, o PoolOptions) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database: parse url: %w", err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = int32(o.MaxConns)
	}
	if o.MinConns > 0 {
		cfg.MinConns = int32(min(o.MinConns, int(cfg.MaxConns)))
	}
	if o.MaxConnLifetime > 0 {
		cfg.MaxConnLifetime = o.MaxConnLifetime
	}
	if o.MaxConnIdleTime > 0 {
		cfg.MaxConnIdleTime = o.MaxConnIdleTime
	}
	cfg.ConnConfig.Tracer = o.Tracer
	cfg.ConnConfig.RuntimeParams["application_name"] = "maintainuk"
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	// Scope.beginSQL writes string literals whose only escape is a doubled quote.
	cfg.ConnConfig.RuntimeParams["standard_conforming_strings"] = "on"
	// List queries carry optional filters as "($n IS NULL OR col = $n)"; a custom plan per
	// execution folds away the absent ones so each list uses its index (docs/decisions/0005).
	cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: ping: %w", err)
	}
	return &DB{Pool: pool}, nil
}

// Close closes the pool.
func (db *DB) Close() { db.Pool.Close() }

// IsUniqueViolation reports whether err is a unique-constraint violation, optionally of a
// named constraint.
func IsUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		return false
	}
	return constraint == "" || pgErr.ConstraintName == constraint
}

// IsForeignKeyViolation reports whether err is a foreign-key violation.
func IsForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}

// Querier is what sqlc's generated code needs: satisfied by a pool, a connection or a tx.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
