package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// TestTimeline: changes write events (actor, role, before, after) in order; the trail pages;
// and the database refuses to change or delete an event.
func TestTimeline(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Audit Co")
	coordinator := app.AddMember(admin, access.Coordinator)

	var p estate.Property
	testsupport.ExpectOK(t, admin.Post("/api/v1/properties", map[string]any{"name": "Audit House", "addressLine1": "1 Ledger Lane", "town": "Derby", "postcode": "de1 1aa"}), http.StatusCreated, &p)
	var patched estate.Property
	testsupport.ExpectOK(t, coordinator.Patch("/api/v1/properties/"+p.ID.String(), map[string]any{"name": "Audit Hall", "postcode": "DE1 2AB"}), http.StatusOK, &patched)
	trail := "/api/v1/timeline?sort=oldest&entity=property&id=" + p.ID.String()

	t.Run("create and patch record created then updated", func(t *testing.T) {
		events := testsupport.All[timeline.Event](t, admin, trail)
		if len(events) != 2 {
			t.Fatalf("%d events, want 2: %+v", len(events), events)
		}
		created, updated := events[0], events[1]
		for i, want := range []struct {
			action string
			actor  *testsupport.Client
			role   access.Role
		}{{"created", admin, access.Admin}, {"updated", coordinator, access.Coordinator}} {
			e := events[i]
			if e.Action != want.action || e.EntityType != "property" || e.EntityID != p.ID || e.ID == uuid.Nil ||
				e.ActorID == nil || *e.ActorID != want.actor.UserID || e.ActorRole != string(want.role) || e.OccurredAt.IsZero() {
				t.Fatalf("event %d: %+v, want %s by %s (%s)", i, e, want.action, want.actor.UserID, want.role)
			}
		}
		if !updated.OccurredAt.After(created.OccurredAt) {
			t.Fatalf("updated at %v, not after created at %v", updated.OccurredAt, created.OccurredAt)
		}
		// created: no before; after is the new property.
		if len(created.Before) != 0 {
			t.Fatalf("created has before: %s", created.Before)
		}
		var after estate.Property
		if err := json.Unmarshal(created.After, &after); err != nil || !testsupport.SamePropertyFields(after, p) {
			t.Fatalf("created after %s, want %+v (%v)", created.After, p, err)
		}
		// updated: before is the old state, after the new.
		var before estate.Property
		if err := json.Unmarshal(updated.Before, &before); err != nil || !testsupport.SamePropertyFields(before, p) {
			t.Fatalf("updated before %s, want %+v (%v)", updated.Before, p, err)
		}
		if err := json.Unmarshal(updated.After, &after); err != nil || !testsupport.SamePropertyFields(after, patched) ||
			after.Name != "Audit Hall" || after.Postcode != "DE1 2AB" || after.Town != "Derby" {
			t.Fatalf("updated after %s, want %+v (%v)", updated.After, patched, err)
		}
	})

	t.Run("refused changes write no event", func(t *testing.T) {
		testsupport.ExpectFailure(t, admin.Patch("/api/v1/properties/"+p.ID.String(), map[string]any{"postcode": "bad"}), http.StatusUnprocessableEntity, apperr.Invalid, "postcode")
		if n := len(testsupport.All[timeline.Event](t, admin, trail)); n != 2 {
			t.Fatalf("%d events after a refused patch, want 2", n)
		}
	})

	t.Run("other entities record their changes", func(t *testing.T) {
		var u estate.Unit
		testsupport.ExpectOK(t, admin.Post("/api/v1/properties/"+p.ID.String()+"/units", map[string]any{"label": "Flat 1", "reference": "AUD-1"}), http.StatusCreated, &u)
		tenant := app.AddMember(admin, access.Tenant)
		testsupport.ExpectOK(t, coordinator.Post("/api/v1/units/"+u.ID.String()+"/occupants", map[string]any{"userId": tenant.UserID}), http.StatusCreated, nil)
		var c struct {
			ID uuid.UUID `json:"id"`
		}
		testsupport.ExpectOK(t, admin.Post("/api/v1/contractors", map[string]any{"companyName": "Audit Plumbing", "email": "audit@example.com"}), http.StatusCreated, &c)
		testsupport.ExpectOK(t, coordinator.Patch("/api/v1/contractors/"+c.ID.String(), map[string]any{"active": false}), http.StatusOK, nil)
		memberID := testsupport.MemberID(t, admin, tenant.UserID)
		testsupport.ExpectOK(t, admin.Patch("/api/v1/members/"+memberID.String(), map[string]any{"role": "COORDINATOR"}), http.StatusOK, nil)

		for _, tc := range []struct {
			entity  string
			id      uuid.UUID
			actions []string
			roles   []string
		}{
			{"unit", u.ID, []string{"created", "occupant_added"}, []string{"ADMIN", "COORDINATOR"}},
			{"contractor", c.ID, []string{"created", "updated"}, []string{"ADMIN", "COORDINATOR"}},
			{"member", memberID, []string{"joined", "role_changed"}, []string{"TENANT", "ADMIN"}},
		} {
			t.Run(tc.entity, func(t *testing.T) {
				events := testsupport.All[timeline.Event](t, admin, "/api/v1/timeline?sort=oldest&entity="+tc.entity+"&id="+tc.id.String())
				var actions, roles []string
				for _, e := range events {
					actions, roles = append(actions, e.Action), append(roles, e.ActorRole)
				}
				if !slices.Equal(actions, tc.actions) || !slices.Equal(roles, tc.roles) {
					t.Fatalf("actions %v by %v, want %v by %v", actions, roles, tc.actions, tc.roles)
				}
			})
		}
	})

	t.Run("pages oldest first", func(t *testing.T) {
		var q estate.Property
		testsupport.ExpectOK(t, admin.Post("/api/v1/properties", map[string]any{"addressLine1": "2 Ledger Lane", "town": "Derby", "postcode": "DE1 1AA"}), http.StatusCreated, &q)
		for i := 1; i <= 6; i++ {
			testsupport.ExpectOK(t, admin.Patch("/api/v1/properties/"+q.ID.String(), map[string]any{"name": fmt.Sprintf("Name %d", i)}), http.StatusOK, nil)
		}
		base := "/api/v1/timeline?sort=oldest&entity=property&id=" + q.ID.String()
		var names []string
		var sizes []int
		seen := map[uuid.UUID]bool{}
		path := base + "&limit=3"
		for range 10 {
			events, next := testsupport.Page[timeline.Event](t, admin, path)
			sizes = append(sizes, len(events))
			for _, e := range events {
				if seen[e.ID] {
					t.Fatalf("event %s on two pages", e.ID)
				}
				seen[e.ID] = true
				var after estate.Property
				_ = json.Unmarshal(e.After, &after)
				names = append(names, e.Action+":"+after.Name)
			}
			if next == "" {
				break
			}
			path = base + "&limit=3&cursor=" + url.QueryEscape(next)
		}
		want := []string{"created:", "updated:Name 1", "updated:Name 2", "updated:Name 3", "updated:Name 4", "updated:Name 5", "updated:Name 6"}
		if !slices.Equal(names, want) || !slices.Equal(sizes, []int{3, 3, 1}) {
			t.Fatalf("pages of %v: %v, want %v", sizes, names, want)
		}
		// A cursor from another list is not a timeline cursor.
		_, propCursor := testsupport.Page[testsupport.Row](t, admin, "/api/v1/properties?limit=1")
		for _, tc := range []struct{ query, field string }{
			{"&cursor=not-a-cursor!", "cursor"}, {"&cursor=" + url.QueryEscape(propCursor), "cursor"},
			{"&limit=0", "limit"}, {"&limit=201", "limit"},
		} {
			testsupport.ExpectFailure(t, admin.Get(base+tc.query), http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
		}
		for _, tc := range []struct{ query, field string }{
			{"?entity=property", "id"}, {"?id=" + q.ID.String(), "entity"}, {"?entity=bicycle&id=" + q.ID.String(), "entity"},
			{"?entity=property&id=nope", "id"},
		} {
			testsupport.ExpectFailure(t, admin.Get("/api/v1/timeline"+tc.query), http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
		}
		// An unknown entity, or an id given with the wrong entity type, is not found.
		testsupport.ExpectFailure(t, admin.Get("/api/v1/timeline?sort=oldest&entity=property&id="+uuid.NewString()), http.StatusNotFound, apperr.NotFound)
		testsupport.ExpectFailure(t, admin.Get("/api/v1/timeline?sort=oldest&entity=unit&id="+q.ID.String()), http.StatusNotFound, apperr.NotFound)
	})

	t.Run("append-only in the database", func(t *testing.T) {
		ctx := context.Background()
		n := mxTimelineCount(t, app.DBs.AppURL, admin.OrgID, p.ID)
		if n != 2 {
			t.Fatalf("app role sees %d events of the property, want 2", n)
		}
		// Outside any organisation's scope the app role sees no events at all.
		if n := mxTimelineCount(t, app.DBs.AppURL, uuid.Nil, p.ID); n != 0 {
			t.Fatalf("app role without app.org_id sees %d events", n)
		}
		statements := []string{
			`UPDATE timeline_events SET action = 'tampered' WHERE entity_id = $1`,
			`UPDATE timeline_events SET after = NULL WHERE entity_id = $1`,
			`DELETE FROM timeline_events WHERE entity_id = $1`,
		}
		for _, who := range []struct{ name, url string }{{"app role", app.DBs.AppURL}, {"table owner", app.DBs.OwnerURL}} {
			t.Run(who.name, func(t *testing.T) {
				conn, err := pgx.Connect(ctx, who.url)
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				defer conn.Close(ctx)
				for _, stmt := range statements {
					err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
						if _, err := tx.Exec(ctx, `SELECT set_config('app.org_id', $1, true)`, admin.OrgID.String()); err != nil {
							t.Fatalf("set org: %v", err)
						}
						tag, err := tx.Exec(ctx, stmt, p.ID)
						if err == nil {
							return fmt.Errorf("%s changed %d rows", stmt, tag.RowsAffected())
						}
						return err
					})
					var pgErr *pgconn.PgError
					if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
						t.Fatalf("%s: %v, want an insufficient_privilege error", strings.Fields(stmt)[0], err)
					}
				}
			})
		}
		if n := mxTimelineCount(t, app.DBs.AppURL, admin.OrgID, p.ID); n != 2 {
			t.Fatalf("%d events after the attempts, want 2", n)
		}
		events := testsupport.All[timeline.Event](t, admin, trail)
		if len(events) != 2 || events[0].Action != "created" || events[1].Action != "updated" {
			t.Fatalf("trail changed: %+v", events)
		}
	})
}

// mxTimelineCount counts an entity's created and updated events, connected to dbURL, in
// org's scope (none when org is nil).
func mxTimelineCount(t *testing.T, dbURL string, org, entity uuid.UUID) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var n int
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if org != uuid.Nil {
			if _, err := tx.Exec(ctx, `SELECT set_config('app.org_id', $1, true)`, org.String()); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM timeline_events WHERE entity_id = $1 AND action IN ('created', 'updated')`, entity).Scan(&n)
	})
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// TestIdentityTrailsAreAdminOnly: member, invitation and organisation trails carry emails
// and roles, so only an ADMIN reads them (as only an ADMIN reads /members).
func TestIdentityTrailsAreAdminOnly(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	team := app.NewTeam("Trail Keepers")
	path := "/api/v1/timeline?sort=oldest&entity=organisation&id=" + team.Admin.OrgID.String()
	var events []timeline.Event
	team.Admin.Get(path).Expect(http.StatusOK).Data(&events)
	if len(events) == 0 || events[0].Action != "registered" {
		t.Fatalf("organisation trail: %+v", events)
	}
	for _, c := range []*testsupport.Client{team.Coordinator, team.Contractor, team.Tenant} {
		c.Get(path).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	}
}
