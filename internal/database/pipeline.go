package database

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Pipeline runs fn with a view of tx that holds back statements run with Exec, whose
// results nobody reads, and sends them together with the next statement that must answer
// (Query, QueryRow, a batch), or when fn returns: one round trip for the lot instead of
// one each. Creating a ticket uses it while it holds its organisation's ticket counter,
// so that the lock, which every other create of that organisation waits for, is held for
// three round trips rather than seven.
//
// The trade-offs, which is why this is opt-in: an Exec always answers an empty command
// tag and no error, and a failing statement's error arrives with the next one that is
// sent (fn's callers roll the transaction back on any error, so nothing is half-done);
// arguments are encoded when sent, so what they point to must not change meanwhile.
// Inside fn, the transaction must not be committed or rolled back.
func Pipeline(ctx context.Context, tx pgx.Tx, fn func(tx pgx.Tx) error) error {
	p := &pipelinedTx{Tx: tx}
	if err := fn(p); err != nil {
		return err
	}
	return p.flush(ctx)
}

type pipelinedTx struct {
	pgx.Tx
	held *pgx.Batch
}

func (p *pipelinedTx) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if p.held == nil {
		p.held = &pgx.Batch{}
	}
	p.held.Queue(sql, args...)
	return pgconn.CommandTag{}, nil
}

// send sends the held statements followed by sql, reads the held ones' results, and
// returns the batch positioned at sql's result; the caller closes it.
func (p *pipelinedTx) send(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	b := p.held
	p.held = nil
	held := b.Len()
	b.Queue(sql, args...)
	br := p.Tx.SendBatch(ctx, b)
	if err := readHeld(br, held); err != nil {
		return nil, errors.Join(err, br.Close())
	}
	return br, nil
}

// readHeld reads the results of the n held statements at the head of a sent batch.
func readHeld(br pgx.BatchResults, n int) error {
	for i := range n {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("database: pipelined statement %d of %d: %w", i+1, n, err)
		}
	}
	return nil
}

func (p *pipelinedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if p.held == nil {
		return p.Tx.Query(ctx, sql, args...)
	}
	return rowsOf(p.send(ctx, sql, args))
}

func (p *pipelinedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if p.held == nil {
		return p.Tx.QueryRow(ctx, sql, args...)
	}
	return rowOf(p.send(ctx, sql, args))
}

// flush sends what is held, if anything.
func (p *pipelinedTx) flush(ctx context.Context) error {
	if p.held == nil {
		return nil
	}
	b := p.held
	p.held = nil
	br := p.Tx.SendBatch(ctx, b)
	return errors.Join(readHeld(br, b.Len()), br.Close())
}

func (p *pipelinedTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if err := p.flush(ctx); err != nil {
		return errBatch{err}
	}
	return p.Tx.SendBatch(ctx, b)
}

func (p *pipelinedTx) Begin(ctx context.Context) (pgx.Tx, error) {
	if err := p.flush(ctx); err != nil {
		return nil, err
	}
	return p.Tx.Begin(ctx)
}

func (p *pipelinedTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	if err := p.flush(ctx); err != nil {
		return 0, err
	}
	return p.Tx.CopyFrom(ctx, table, columns, src)
}

var errEndsInPipeline = errors.New("database: a transaction is committed or rolled back by its InTx, not inside Pipeline")

func (p *pipelinedTx) Commit(context.Context) error   { return errEndsInPipeline }
func (p *pipelinedTx) Rollback(context.Context) error { return errEndsInPipeline }

// errBatch is the results of a batch that could not be sent.
type errBatch struct{ err error }

func (b errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }
func (b errBatch) Query() (pgx.Rows, error)         { return nil, b.err }
func (b errBatch) QueryRow() pgx.Row                { return errRow(b) }
func (b errBatch) Close() error                     { return b.err }
func (b errBatch) Tx() pgx.Tx                       { return nil }
