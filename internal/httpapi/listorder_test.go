package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/timeline"
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

	// A trail too is newest first, unless sort=oldest asks to read it as a story, and
	// its cursor pages on in the order chosen.
	for i := range 3 {
		admin.Patch("/api/v1/properties/"+properties[0].String(), map[string]any{"town": fmt.Sprintf("Town %d", i)}).Expect(http.StatusOK)
	}
	trail := "/api/v1/timeline?entity=property&id=" + properties[0].String()
	seqs := func(events []timeline.Event) []int64 {
		out := make([]int64, len(events))
		for i, e := range events {
			out[i] = e.Seq
		}
		return out
	}
	newest := seqs(testsupport.All[timeline.Event](t, admin, trail+"&limit=2"))
	oldest := seqs(testsupport.All[timeline.Event](t, admin, trail+"&sort=oldest&limit=2"))
	if len(newest) != 4 || !slices.IsSortedFunc(newest, func(a, b int64) int { return int(b - a) }) || !slices.IsSorted(oldest) {
		t.Fatalf("trail newest first %v, oldest first %v", newest, oldest)
	}
	slices.Reverse(oldest)
	if !slices.Equal(newest, oldest) {
		t.Fatalf("the two orders list different events: %v and %v", newest, oldest)
	}
}

// A ticket's files are listed newest first too, unless sort=oldest.
func TestLists_attachmentsNewestFirst(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := atNewOrg(t, app, "Files Order Lettings", "FO-1")
	var added []uuid.UUID
	for i := range 3 {
		added = append(added, atUploaded(t, o.Admin, o.ticketID, fmt.Sprintf("photo-%d.jpg", i), "image/jpeg", atJPEG(fmt.Sprintf("order-%d", i), 1500)).ID)
	}
	ids := func(query string) []uuid.UUID {
		var rows []testsupport.Row
		o.Admin.With(t).Get("/api/v1/tickets/" + o.ticketID.String() + "/attachments" + query).Expect(http.StatusOK).Data(&rows)
		return testsupport.IDs(rows)
	}
	if got := ids("?sort=oldest"); !slices.Equal(got, added) {
		t.Fatalf("oldest first %v, want %v", got, added)
	}
	slices.Reverse(added)
	if got := ids(""); !slices.Equal(got, added) {
		t.Fatalf("default %v, want newest first %v", got, added)
	}
}
