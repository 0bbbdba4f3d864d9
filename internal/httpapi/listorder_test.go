package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestLists_newestFirst: every list answers newest first. (The timeline, a ticket's
// comments and its files read oldest first: they tell one story in order.)
func TestLists_newestFirst(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Order Lettings")
	property := func(i int) uuid.UUID {
		return admin.Post("/api/v1/properties", map[string]any{"addressLine1": fmt.Sprintf("%d Order St", i), "town": "Leeds", "postcode": "LS1 4AB"}).
			Expect(http.StatusCreated).ID()
	}
	var properties, units, contractors, tickets, invitations, webhooks []uuid.UUID
	for i := range 3 {
		properties = append(properties, property(i))
	}
	for i := range 3 {
		units = append(units, admin.Post("/api/v1/properties/"+properties[0].String()+"/units", map[string]any{"label": fmt.Sprintf("Flat %d", i), "reference": fmt.Sprintf("OS-%d", i)}).
			Expect(http.StatusCreated).ID())
		contractors = append(contractors, admin.Post("/api/v1/contractors", map[string]any{"companyName": fmt.Sprintf("Trade %d Ltd", i), "email": fmt.Sprintf("t%d@trade.example", i)}).
			Expect(http.StatusCreated).ID())
		tickets = append(tickets, admin.Post("/api/v1/tickets", map[string]any{"unitId": units[0], "title": fmt.Sprintf("Fault %d", i)}).
			Expect(http.StatusCreated).ID())
		invitations = append(invitations, admin.Post("/api/v1/members", map[string]any{"email": fmt.Sprintf("colleague%d@order.example", i), "role": "COORDINATOR"}).
			Expect(http.StatusCreated).ID())
		webhooks = append(webhooks, admin.Post("/api/v1/webhooks", map[string]any{"url": fmt.Sprintf("https://hooks%d.example.com/in", i), "eventTypes": []string{"*"}}).
			Expect(http.StatusCreated).ID())
	}
	for _, tc := range []struct {
		path    string
		created []uuid.UUID
	}{
		{"/api/v1/properties", properties},
		{"/api/v1/properties/" + properties[0].String() + "/units", units},
		{"/api/v1/contractors", contractors},
		{"/api/v1/tickets", tickets},
		{"/api/v1/invitations", invitations},
		{"/api/v1/webhooks", webhooks},
	} {
		var rows []testsupport.Row
		admin.Get(tc.path).Expect(http.StatusOK).Data(&rows)
		want := slices.Clone(tc.created)
		slices.Reverse(want)
		if got := testsupport.IDs(rows); !slices.Equal(got, want) {
			t.Errorf("GET %s lists %v, want newest first %v", tc.path, got, want)
		}
	}
}
