package database_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestPipeline: statements held back by Pipeline run, in order, before the next statement
// that answers and before Pipeline returns; a held statement's failure is reported and
// rolls the transaction back.
func TestPipeline(t *testing.T) {
	t.Parallel()
	db := openApp(t, testsupport.NewDatabases(t).AppURL, 2)
	ctx := context.Background()

	var seen, atEnd string
	err := db.InTx(ctx, database.Scope{}, func(tx pgx.Tx) error {
		return database.Pipeline(ctx, tx, func(tx pgx.Tx) error {
			for _, v := range []string{"a", "b"} {
				if _, err := tx.Exec(ctx, "SELECT set_config('bench.seen', coalesce(current_setting('bench.seen', true), '') || $1, true)", v); err != nil {
					return err
				}
			}
			if err := tx.QueryRow(ctx, "SELECT current_setting('bench.seen')").Scan(&seen); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "SELECT set_config('bench.seen', current_setting('bench.seen') || 'c', true)")
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != "ab" {
		t.Errorf("the query saw %q, want the two held statements run before it, in order (ab)", seen)
	}
	// The last held statement ran before Pipeline returned, inside the transaction.
	err = db.InTx(ctx, database.Scope{}, func(tx pgx.Tx) error {
		if err := database.Pipeline(ctx, tx, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "SELECT set_config('bench.end', 'flushed', true)")
			return err
		}); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT current_setting('bench.end')").Scan(&atEnd)
	})
	if err != nil || atEnd != "flushed" {
		t.Errorf("after Pipeline: %q (%v), want the held statement run", atEnd, err)
	}

	for _, tc := range []struct {
		name string
		fn   func(tx pgx.Tx) error
	}{
		{"failure sent with a query", func(tx pgx.Tx) error {
			_, _ = tx.Exec(ctx, "SELECT 1/0")
			var n int
			return tx.QueryRow(ctx, "SELECT 1").Scan(&n)
		}},
		{"failure sent at the end", func(tx pgx.Tx) error {
			_, _ = tx.Exec(ctx, "SELECT 1")
			_, _ = tx.Exec(ctx, "SELECT 1/0")
			return nil
		}},
	} {
		err := db.InTx(ctx, database.Scope{}, func(tx pgx.Tx) error { return database.Pipeline(ctx, tx, tc.fn) })
		if err == nil || !strings.Contains(err.Error(), "division by zero") || !strings.Contains(err.Error(), "pipelined statement") {
			t.Errorf("%s: %v, want the held statement's division by zero", tc.name, err)
		}
	}
}
