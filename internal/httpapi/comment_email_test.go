package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// Staff can email a comment the resident sees to the resident (emailResident); the rules
// are checked per field, and a ticket with no address for its resident says so.
func TestCommentEmailedToResident(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Emailed Comments", testsupport.EstateOptions{})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Dripping tap"})
	path := testsupport.Path("/api/v1/tickets/%s/comments", tk.ID)

	e.Coordinator.With(t).Post(path, map[string]any{"body": "Note to self", "emailResident": true}).
		ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "emailResident")
	e.Tenant.With(t).Post(path, map[string]any{"body": "Thanks", "emailResident": true}).
		ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "emailResident")
	noAddress := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Phoned in", "reportedByName": "Sam"})
	e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/comments", noAddress.ID),
		map[string]any{"body": "Booked", "visibility": "RESIDENT", "emailResident": true}).
		ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "emailResident")

	e.Coordinator.With(t).Post(path, map[string]any{"body": "The plumber comes on Tuesday.", "visibility": "RESIDENT", "emailResident": true}).
		Expect(http.StatusCreated)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Work(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var subject, text string
		err := app.DB.InTx(context.Background(), database.Scope{OrgID: e.OrgID}, func(tx pgx.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT subject, body_text FROM messages WHERE recipient = $1 AND subject LIKE '%about your repair%'",
				e.Tenant.Email).Scan(&subject, &text)
		})
		if err == nil {
			if subject != "Emailed Comments: about your repair "+tk.Number || !strings.Contains(text, "The plumber comes on Tuesday.") {
				t.Fatalf("email %q:\n%s", subject, text)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email to the resident: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
