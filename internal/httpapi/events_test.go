package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestStateChangesPublishEvents: each change publishes its event in its own transaction
// (email and/or webhooks), so the outbox holds exactly what happened.
func TestStateChangesPublishEvents(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Events Lettings")
	property := admin.Post("/api/v1/properties", map[string]any{"addressLine1": "3 Bridge St", "town": "York", "postcode": "YO1 6DD"}).Expect(http.StatusCreated).ID()
	unit := admin.Post("/api/v1/properties/"+property.String()+"/units", map[string]any{"label": "Flat 3", "reference": "BS-3"}).Expect(http.StatusCreated).ID()
	ticket := admin.Post("/api/v1/tickets", map[string]any{"unitId": unit, "title": "Tap dripping", "reportedByEmail": "r@example.com"}).Expect(http.StatusCreated).ID()
	admin.Post("/api/v1/tickets/"+ticket.String()+"/transition", map[string]any{"to": "TRIAGED"}).Expect(http.StatusOK)
	admin.Post("/api/v1/tickets/"+ticket.String()+"/transition", map[string]any{"to": "CANCELLED", "reason": "Fixed by the resident"}).Expect(http.StatusOK)
	// A refused change publishes nothing.
	admin.Post("/api/v1/tickets/"+ticket.String()+"/transition", map[string]any{"to": "TRIAGED"}).Expect(http.StatusConflict)

	rows, err := app.DB.Pool.Query(context.Background(),
		`SELECT kind, args->'event'->>'name' FROM river_job WHERE kind IN ('email.send', 'event.publish') ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var kind, name string
		if err := rows.Scan(&kind, &name); err != nil {
			t.Fatal(err)
		}
		got = append(got, kind+" "+name)
	}
	want := []string{
		"email.send ticket.created", "event.publish ticket.created",
		"event.publish ticket.status_changed", "event.publish ticket.status_changed",
	}
	if len(got) != len(want) {
		t.Fatalf("published %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("published %q, want %q", got, want)
		}
	}
}
