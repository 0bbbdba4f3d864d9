package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// TestCrossTenantIsolation: two organisations with the same postcode, unit reference and
// trades. One organisation's ids used by the other answer 404 exactly as an id that does
// not exist (never 403, never the row), change nothing, and no list shows the other's rows.
func TestCrossTenantIsolation(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	a := mxNewEstate(t, app, "Alpha Lets", "M1 1AE", "SHARED-1")
	b := mxNewEstate(t, app, "Bravo Homes", "M1 1AE", "SHARED-1")

	getB := func(t *testing.T, path string, v any) {
		t.Helper()
		testsupport.ExpectOK(t, b.Admin.Get(path), http.StatusOK, v)
	}
	bMembers := func(t *testing.T) map[uuid.UUID]identity.Member {
		out := map[uuid.UUID]identity.Member{}
		for _, m := range testsupport.All[identity.Member](t, b.Admin, "/api/v1/members") {
			out[m.ID] = m
		}
		return out
	}
	bProperty := func(t *testing.T) estate.Property {
		var p estate.Property
		getB(t, "/api/v1/properties/"+b.PropertyID.String(), &p)
		return p
	}
	bContractor := func(t *testing.T) contractors.Contractor {
		var c contractors.Contractor
		getB(t, "/api/v1/contractors/"+b.ContractorID.String(), &c)
		return c
	}
	bUnits := func(t *testing.T) []uuid.UUID {
		return testsupport.IDs(testsupport.All[testsupport.Row](t, b.Admin, "/api/v1/properties/"+b.PropertyID.String()+"/units"))
	}
	bOccupants := func(t *testing.T) []estate.Occupant {
		var o []estate.Occupant
		getB(t, "/api/v1/units/"+b.UnitID.String()+"/occupants", &o)
		return o
	}
	bTenantMember := b.MemberID[b.Tenant.UserID]
	bAdminMember := b.MemberID[b.Admin.UserID]

	t.Run("other org's ids answer 404 like missing ids", func(t *testing.T) {
		cases := []struct {
			name   string
			actor  *testsupport.Client
			method string
			path   string // %s is B's id, then a random one
			id     uuid.UUID
			body   any
			// snapshot reads B's data before and after; the two must match.
			snapshot func(t *testing.T) any
		}{
			{"get property", a.Admin, http.MethodGet, "/api/v1/properties/%s", b.PropertyID, nil, nil},
			{"get property as coordinator", a.Coordinator, http.MethodGet, "/api/v1/properties/%s", b.PropertyID, nil, nil},
			{"patch property", a.Admin, http.MethodPatch, "/api/v1/properties/%s", b.PropertyID,
				map[string]any{"name": "Taken over", "postcode": "E1 6AN"}, func(t *testing.T) any { return bProperty(t) }},
			{"patch property as coordinator", a.Coordinator, http.MethodPatch, "/api/v1/properties/%s", b.PropertyID,
				map[string]any{"town": "Elsewhere"}, func(t *testing.T) any { return bProperty(t) }},
			{"list units of property", a.Admin, http.MethodGet, "/api/v1/properties/%s/units", b.PropertyID, nil, nil},
			{"create unit under property", a.Admin, http.MethodPost, "/api/v1/properties/%s/units", b.PropertyID,
				map[string]any{"label": "Intruder", "reference": "XT-NEW-1"}, func(t *testing.T) any { return bUnits(t) }},
			{"get unit", a.Admin, http.MethodGet, "/api/v1/units/%s", b.UnitID, nil, nil},
			{"list occupants of unit", a.Admin, http.MethodGet, "/api/v1/units/%s/occupants", b.UnitID, nil, nil},
			{"link own tenant to unit", a.Admin, http.MethodPost, "/api/v1/units/%s/occupants", b.UnitID,
				map[string]any{"userId": a.Tenant.UserID}, func(t *testing.T) any { return bOccupants(t) }},
			{"link their tenant to their unit", a.Admin, http.MethodPost, "/api/v1/units/%s/occupants", b.UnitID,
				map[string]any{"userId": b.Tenant.UserID}, func(t *testing.T) any { return bOccupants(t) }},
			{"get contractor", a.Admin, http.MethodGet, "/api/v1/contractors/%s", b.ContractorID, nil, nil},
			{"get contractor as contractor", a.Contractor, http.MethodGet, "/api/v1/contractors/%s", b.ContractorID, nil, nil},
			{"patch contractor", a.Admin, http.MethodPatch, "/api/v1/contractors/%s", b.ContractorID,
				map[string]any{"companyName": "Taken over", "active": false}, func(t *testing.T) any { return bContractor(t) }},
			{"patch member role", a.Admin, http.MethodPatch, "/api/v1/members/%s", bTenantMember,
				map[string]any{"role": "ADMIN"}, func(t *testing.T) any { return bMembers(t) }},
			{"demote their admin", a.Admin, http.MethodPatch, "/api/v1/members/%s", bAdminMember,
				map[string]any{"role": "TENANT"}, func(t *testing.T) any { return bMembers(t) }},
			{"remove member", a.Admin, http.MethodDelete, "/api/v1/members/%s", bTenantMember, nil,
				func(t *testing.T) any { return bMembers(t) }},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var before any
				if tc.snapshot != nil {
					before = tc.snapshot(t)
				}
				r := tc.actor.Do(tc.method, testsupport.Path(tc.path, tc.id), tc.body)
				got := testsupport.ExpectFailure(t, r, http.StatusNotFound, apperr.NotFound)
				// Indistinguishable from an id that exists nowhere.
				missing := testsupport.ExpectFailure(t, tc.actor.Do(tc.method, testsupport.Path(tc.path, uuid.New()), tc.body), http.StatusNotFound, apperr.NotFound)
				if got.Message != missing.Message {
					t.Fatalf("message %q for another org's id, %q for a missing one", got.Message, missing.Message)
				}
				if tc.snapshot != nil {
					after := tc.snapshot(t)
					bj, _ := json.Marshal(before)
					aj, _ := json.Marshal(after)
					if string(bj) != string(aj) {
						t.Fatalf("the other organisation's data changed:\nbefore %s\nafter  %s", bj, aj)
					}
				}
			})
		}
	})

	t.Run("linking the other org's tenant to own unit is a userId error", func(t *testing.T) {
		testsupport.ExpectFailure(t, a.Admin.Post("/api/v1/units/"+a.UnitID.String()+"/occupants", map[string]any{"userId": b.Tenant.UserID}),
			http.StatusUnprocessableEntity, apperr.Invalid, "userId")
		var o []estate.Occupant
		testsupport.ExpectOK(t, a.Admin.Get("/api/v1/units/"+a.UnitID.String()+"/occupants"), http.StatusOK, &o)
		if len(o) != 1 || o[0].UserID != a.Tenant.UserID {
			t.Fatalf("occupants %+v, want only A's tenant", o)
		}
	})

	t.Run("inviting with the other org's contractor is a contractorId error", func(t *testing.T) {
		email := mxEmail(testsupport.Marker("XT-INVITE"))
		testsupport.ExpectFailure(t, a.Admin.Post("/api/v1/members", map[string]any{"email": email, "role": "CONTRACTOR", "contractorId": b.ContractorID}),
			http.StatusUnprocessableEntity, apperr.Invalid, "contractorId")
		var invs []identity.Invitation
		testsupport.ExpectOK(t, a.Admin.Get("/api/v1/invitations"), http.StatusOK, &invs)
		if slices.ContainsFunc(invs, func(i identity.Invitation) bool { return i.Email == email }) {
			t.Fatalf("refused invitation of %s exists", email)
		}
	})

	t.Run("making a member the other org's contractor is a contractorId error", func(t *testing.T) {
		testsupport.ExpectFailure(t, a.Admin.Patch("/api/v1/members/"+a.MemberID[a.Tenant.UserID].String(), map[string]any{"role": "CONTRACTOR", "contractorId": b.ContractorID}),
			http.StatusUnprocessableEntity, apperr.Invalid, "contractorId")
	})

	t.Run("timeline never shows the other org's events", func(t *testing.T) {
		for _, tc := range []struct {
			entity string
			id     uuid.UUID
		}{
			{"property", b.PropertyID}, {"unit", b.UnitID}, {"contractor", b.ContractorID},
			{"member", bTenantMember}, {"invitation", b.InvitationID},
		} {
			t.Run(tc.entity, func(t *testing.T) {
				path := "/api/v1/timeline?sort=oldest&entity=" + tc.entity + "&id=" + tc.id.String()
				// The other organisation does have a trail for it, so an empty answer means something.
				if own := testsupport.All[timeline.Event](t, b.Admin, path); len(own) == 0 {
					t.Fatalf("B has no %s events to leak", tc.entity)
				}
				r := a.Admin.Get(path)
				if r.Status == http.StatusNotFound {
					testsupport.ExpectFailure(t, r, http.StatusNotFound, apperr.NotFound)
					return
				}
				var events []timeline.Event
				if testsupport.ExpectOK(t, r, http.StatusOK, &events); len(events) != 0 {
					t.Fatalf("A sees B's %s events: %s", tc.entity, r.Body)
				}
			})
		}
	})

	t.Run("lists never show the other org's rows", func(t *testing.T) {
		// The same email invited by both, the same postcode, reference and trade in both.
		shared := mxEmail(testsupport.Marker("XT-BOTH"))
		for _, e := range []*mxEstate{a, b} {
			testsupport.ExpectOK(t, e.Admin.Post("/api/v1/members", map[string]any{"email": shared, "role": "TENANT"}), http.StatusCreated, nil)
		}
		for _, dir := range []struct {
			name        string
			self, other *mxEstate
		}{{"A", a, b}, {"B", b, a}} {
			t.Run(dir.name, func(t *testing.T) {
				self, other := dir.self, dir.other
				otherIDs := []uuid.UUID{other.PropertyID, other.UnitID, other.ContractorID, other.OtherContractorID, other.InvitationID}
				for _, m := range other.MemberID {
					otherIDs = append(otherIDs, m)
				}
				for _, c := range []*testsupport.Client{other.Admin, other.Coordinator, other.Contractor, other.Tenant} {
					otherIDs = append(otherIDs, c.UserID)
				}
				lists := []struct {
					path string
					own  uuid.UUID // a row of self's that must be there
				}{
					{"/api/v1/members", self.Tenant.UserID},
					{"/api/v1/properties", self.PropertyID},
					{"/api/v1/properties?postcode=m11ae", self.PropertyID},
					{"/api/v1/properties/" + self.PropertyID.String() + "/units", self.UnitID},
					{"/api/v1/contractors", self.ContractorID},
					{"/api/v1/contractors?trade=PLUMBING", self.ContractorID},
					{"/api/v1/contractors?active=true", self.OtherContractorID},
					{"/api/v1/timeline?sort=oldest&entity=property&id=" + self.PropertyID.String(), self.PropertyID},
				}
				for _, l := range lists {
					rows := testsupport.All[testsupport.Row](t, self.Admin, l.path)
					mxCheckRows(t, l.path, rows, l.own, otherIDs)
				}
				// Lists without pagination.
				var invs, occupants []testsupport.Row
				testsupport.ExpectOK(t, self.Admin.Get("/api/v1/invitations"), http.StatusOK, &invs)
				mxCheckRows(t, "/api/v1/invitations", invs, self.InvitationID, otherIDs)
				testsupport.ExpectOK(t, self.Admin.Get("/api/v1/units/"+self.UnitID.String()+"/occupants"), http.StatusOK, &occupants)
				mxCheckRows(t, "occupants", occupants, self.Tenant.UserID, otherIDs)
			})
		}
	})
}

// mxCheckRows fails unless rows include own and none of foreign.
func mxCheckRows(t *testing.T, what string, rows []testsupport.Row, own uuid.UUID, foreign []uuid.UUID) {
	t.Helper()
	found := false
	for _, r := range rows {
		found = found || r.ID == own || r.UserID == own || r.EntityID == own
		for _, id := range foreign {
			if r.ID == id || r.UserID == id || r.EntityID == id {
				t.Fatalf("%s shows the other organisation's %s: %+v", what, id, r)
			}
		}
	}
	if !found {
		t.Fatalf("%s does not show own row %s (%d rows)", what, own, len(rows))
	}
}
