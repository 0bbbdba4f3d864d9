package jobs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Wake makes the workers of queue look for jobs as soon as tx commits, for a job inserted
// in tx moments after another on the same queue.
//
// River's client sends at most one insert NOTIFY per queue per FetchCooldown; a job
// inserted inside that window is left for whatever fetches next: another insert's
// notification or the FetchPollInterval poll, up to a second later. A job chained from
// another (a webhook delivery inserted by the event's fan-out job, a few milliseconds
// after the event's job was inserted by the same client) falls in the window most of the
// time: docs/benchmarks.md measured deliveries in two groups, about 10–50 ms when the
// notification went out and 200–900 ms when it did not.
//
// The notification is River's own insert notification (channel "<schema>.river_insert",
// payload {"queue": …}, as riverpgxv5 sends it; River listens in the connection's current
// schema when Config.Schema is empty, as here). PostgreSQL delivers it only on commit and
// folds identical notifications of one transaction into one, so calling Wake for each job
// of a transaction costs a round trip each and wakes the queue once.
func Wake(ctx context.Context, tx pgx.Tx, queue string) error {
	payload, err := json.Marshal(struct {
		Queue string `json:"queue"`
	}{queue})
	if err != nil {
		return fmt.Errorf("jobs: wake %s: %w", queue, err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify(current_schema() || '.river_insert', $1)`, string(payload)); err != nil {
		return fmt.Errorf("jobs: wake %s: %w", queue, err)
	}
	return nil
}
