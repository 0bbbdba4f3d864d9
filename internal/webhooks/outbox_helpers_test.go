package webhooks_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/outbox"
)

// stored keeps env as the outbox does and returns the reference a job carries.
func stored(t *testing.T, db *database.DB, env events.Envelope) events.Ref {
	t.Helper()
	if err := db.InOrg(context.Background(), env.OrgID, uuid.Nil, func(tx pgx.Tx) error {
		return outbox.Store(context.Background(), tx, env)
	}); err != nil {
		t.Fatal(err)
	}
	return env.Ref()
}
