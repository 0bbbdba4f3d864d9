package testsupport

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// EmailedLink waits for the latest email to address (in orgID) to be sent by the
// development provider, and returns the path and query of its link to page
// ("/reset-password", "/accept-invitation"). The app's workers must be running.
func (a *App) EmailedLink(t testing.TB, orgID uuid.UUID, address, page string) string {
	t.Helper()
	link := regexp.MustCompile(regexp.QuoteMeta(page) + `\?token=[A-Za-z0-9_-]+`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var text string
		err := a.DB.InOrg(context.Background(), orgID, uuid.Nil, func(tx pgx.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT body_text FROM messages WHERE recipient = $1 AND status = 'SENT' ORDER BY created_at DESC LIMIT 1`, address).Scan(&text)
		})
		if err == nil {
			if m := link.FindString(text); m != "" {
				return m
			}
			t.Fatalf("the email to %s has no %s link:\n%s", address, page, text)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email reached %s: %v", address, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
