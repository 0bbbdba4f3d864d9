package database

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Scoped returns a Querier for single statements that each need a scope but no
// transaction of their own, such as the bearer check every request makes. Each statement
// is sent with ScopeSQL in one pipeline that ends with a single Sync, which PostgreSQL
// runs as one implicit transaction: the settings apply to the statement and end with it,
// as in InTx, in one round trip instead of four (BEGIN, scope, statement, COMMIT).
func (db *DB) Scoped(scope Scope) Querier { return scoped{db: db, scope: scope} }

// Reader is Scoped for one organisation and acting user: for read-only work, where each
// statement running in its own implicit transaction is as consistent as a READ COMMITTED
// transaction (which also takes a fresh snapshot per statement) and saves the BEGIN and
// COMMIT round trips. Work that writes, or must see its own reads locked, uses InTx.
func (db *DB) Reader(orgID, userID uuid.UUID) Querier {
	return db.Scoped(Scope{OrgID: orgID, UserID: userID})
}

type scoped struct {
	db    *DB
	scope Scope
}

// send queues the scope and the statement, sends them, and consumes the scope's result.
// The caller must close the returned results (which releases the pooled connection).
func (s scoped) send(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	b.Queue(ScopeSQL, s.scope.args()...)
	b.Queue(sql, args...)
	br := s.db.Pool.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		return nil, errors.Join(err, br.Close())
	}
	return br, nil
}

func (s scoped) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	br, err := s.send(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

func (s scoped) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return rowOf(s.send(ctx, sql, args))
}

func (s scoped) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return rowsOf(s.send(ctx, sql, args))
}

// rowOf is the next result of a sent batch as a row that closes the batch once scanned.
func rowOf(br pgx.BatchResults, err error) pgx.Row {
	if err != nil {
		return errRow{err}
	}
	return batchRow{row: br.QueryRow(), br: br}
}

// rowsOf is the next result of a sent batch as rows that close the batch when closed.
func rowsOf(br pgx.BatchResults, err error) (pgx.Rows, error) {
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, errors.Join(err, br.Close())
	}
	return &batchRows{Rows: rows, br: br}, nil
}

// batchRow closes the batch once the row is scanned.
type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// batchRows closes the batch when the rows are closed.
type batchRows struct {
	pgx.Rows
	br     pgx.BatchResults
	closed bool
}

func (r *batchRows) Close() {
	r.Rows.Close()
	if !r.closed {
		r.closed = true
		_ = r.br.Close()
	}
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}
