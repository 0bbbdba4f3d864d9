package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// The mx helpers below are shared by the role-matrix, cross-tenant, estate, contractor,
// member and timeline tests. They take the caller's t, so a subtest that shares its
// parent's App fails itself (the harness's Expect would call FailNow on the parent).

func mxEmail(marker string) string { return strings.ToLower(marker) + "@example.com" }

// mxEstate is an organisation with a member of every role and a little estate: a property
// with a unit that the team's TENANT occupies, the CONTRACTOR member's company and another
// company nobody belongs to.
type mxEstate struct {
	*testsupport.Estate
	InvitationID uuid.UUID // an open invitation
}

// mxNewEstate builds an mxEstate; postcode and reference may repeat across organisations.
func mxNewEstate(t *testing.T, app *testsupport.App, name, postcode, reference string) *mxEstate {
	t.Helper()
	e := &mxEstate{Estate: app.NewEstate(t, name, testsupport.EstateOptions{Postcode: postcode, Reference: reference})}
	e.InvitationID = e.Admin.With(t).Post("/api/v1/members", map[string]any{"email": mxEmail(testsupport.Marker("OPEN")), "role": "COORDINATOR"}).
		Expect(http.StatusCreated).ID()
	return e
}

// mxAttempt is one role's try at an endpoint.
type mxAttempt struct {
	path string
	body any
	// unchanged is a staff read showing that a refused write changed nothing.
	unchanged func(t *testing.T)
	// changed checks what an allowed request answered or did.
	changed func(t *testing.T, r *testsupport.Response)
}

// mxAnonymous stands for a request without a token in the role matrix.
const mxAnonymous access.Role = "ANONYMOUS"

func mxStaffOnly(status int) map[access.Role]int {
	return map[access.Role]int{access.Admin: status, access.Coordinator: status, access.Contractor: http.StatusForbidden, access.Tenant: http.StatusForbidden}
}

func mxAdminOnly(status int) map[access.Role]int {
	return map[access.Role]int{access.Admin: status, access.Coordinator: http.StatusForbidden, access.Contractor: http.StatusForbidden, access.Tenant: http.StatusForbidden}
}

// TestRoleMatrix calls every tenant-scoped endpoint as each role (and without a token) and
// checks the answer: allowed (2xx), 403 FORBIDDEN for a wrong role, or 404 where the rule
// is visibility rather than role. A refused write must leave the data as it was.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	e := mxNewEstate(t, app, "Matrix Homes", "LS1 4AP", "MX-1")
	admin := e.Admin
	// Spare members the ADMIN may change and remove.
	toChange := app.AddMember(admin, access.Tenant)
	toRemove := app.AddMember(admin, access.Tenant)
	changeID, removeID := testsupport.MemberID(t, admin, toChange.UserID), testsupport.MemberID(t, admin, toRemove.UserID)

	members := func(t *testing.T) map[uuid.UUID]identity.Member {
		out := map[uuid.UUID]identity.Member{}
		for _, m := range testsupport.All[identity.Member](t, admin, "/api/v1/members") {
			out[m.UserID] = m
		}
		return out
	}
	invitedEmails := func(t *testing.T) []string {
		var invs []identity.Invitation
		r := admin.Get("/api/v1/invitations")
		testsupport.ExpectOK(t, r, http.StatusOK, &invs)
		if strings.Contains(string(r.Body), "minv_") {
			t.Fatalf("GET /invitations shows a token: %s", r.Body)
		}
		emails := make([]string, len(invs))
		for i, inv := range invs {
			emails[i] = inv.Email
		}
		return emails
	}
	getProperty := func(t *testing.T) estate.Property {
		var p estate.Property
		testsupport.ExpectOK(t, admin.Get("/api/v1/properties/"+e.PropertyID.String()), http.StatusOK, &p)
		return p
	}
	propertyEvents := func(t *testing.T) int {
		return len(testsupport.All[timeline.Event](t, admin, "/api/v1/timeline?sort=oldest&entity=property&id="+e.PropertyID.String()))
	}
	getContractor := func(t *testing.T, id uuid.UUID) contractors.Contractor {
		var c contractors.Contractor
		testsupport.ExpectOK(t, admin.Get("/api/v1/contractors/"+id.String()), http.StatusOK, &c)
		return c
	}
	listHas := func(path string, match func(json.RawMessage) bool) func(t *testing.T) bool {
		return func(t *testing.T) bool {
			return slices.ContainsFunc(testsupport.All[json.RawMessage](t, admin, path), match)
		}
	}
	fieldIs := func(field, want string) func(json.RawMessage) bool {
		return func(raw json.RawMessage) bool {
			var m map[string]any
			_ = json.Unmarshal(raw, &m)
			return m[field] == want
		}
	}
	readIncludes := func(id uuid.UUID) func(t *testing.T, r *testsupport.Response) {
		return func(t *testing.T, r *testsupport.Response) {
			var rows []testsupport.Row
			testsupport.ExpectOK(t, r, http.StatusOK, &rows)
			if !slices.ContainsFunc(rows, func(row testsupport.Row) bool { return row.ID == id || row.UserID == id || row.EntityID == id }) {
				t.Fatalf("list does not include %s: %s", id, r.Body)
			}
		}
	}
	readIs := func(id uuid.UUID) func(t *testing.T, r *testsupport.Response) {
		return func(t *testing.T, r *testsupport.Response) {
			if got := mxDecodeID(t, r); got != id {
				t.Fatalf("read %s, want %s", got, id)
			}
		}
	}
	timelineOf := func(entity string, id uuid.UUID) func(*testing.T, access.Role, string) mxAttempt {
		return func(*testing.T, access.Role, string) mxAttempt {
			return mxAttempt{path: "/api/v1/timeline?sort=oldest&entity=" + entity + "&id=" + id.String(), changed: func(t *testing.T, r *testsupport.Response) {
				var events []timeline.Event
				testsupport.ExpectOK(t, r, http.StatusOK, &events)
				if len(events) == 0 || events[0].Action != "created" || events[0].EntityID != id {
					t.Fatalf("timeline of %s %s: %s", entity, id, r.Body)
				}
			}}
		}
	}
	read := func(path string, changed func(*testing.T, *testsupport.Response)) func(*testing.T, access.Role, string) mxAttempt {
		return func(*testing.T, access.Role, string) mxAttempt { return mxAttempt{path: path, changed: changed} }
	}
	prop, unit := e.PropertyID.String(), e.UnitID.String()

	cases := []struct {
		name    string
		method  string
		want    map[access.Role]int
		attempt func(t *testing.T, role access.Role, marker string) mxAttempt
	}{
		{"list members", http.MethodGet, mxAdminOnly(200), read("/api/v1/members", readIncludes(e.Tenant.UserID))},
		{"invite member", http.MethodPost, mxAdminOnly(201), func(t *testing.T, _ access.Role, marker string) mxAttempt {
			email := mxEmail(marker)
			return mxAttempt{
				path: "/api/v1/members", body: map[string]any{"email": email, "role": "ADMIN"},
				unchanged: func(t *testing.T) {
					if slices.Contains(invitedEmails(t), email) {
						t.Fatalf("refused invitation of %s exists", email)
					}
				},
				changed: func(t *testing.T, r *testsupport.Response) {
					var inv identity.Invitation
					testsupport.ExpectOK(t, r, http.StatusCreated, &inv)
					if inv.ID == uuid.Nil || strings.Contains(string(r.Body), "minv_") || !slices.Contains(invitedEmails(t), email) {
						t.Fatalf("invitation not made: %s", r.Body)
					}
				},
			}
		}},
		{"list invitations", http.MethodGet, mxAdminOnly(200), read("/api/v1/invitations", readIncludes(e.InvitationID))},
		{"change member role", http.MethodPatch, mxAdminOnly(200), func(t *testing.T, role access.Role, _ string) mxAttempt {
			if role == access.Admin {
				return mxAttempt{
					path: "/api/v1/members/" + changeID.String(), body: map[string]any{"role": "COORDINATOR"},
					changed: func(t *testing.T, r *testsupport.Response) {
						testsupport.ExpectOK(t, r, http.StatusOK, nil)
						if got := members(t)[toChange.UserID].Role; got != access.Coordinator {
							t.Fatalf("role is %s after change to COORDINATOR", got)
						}
					},
				}
			}
			// Everyone else tries to make themselves ADMIN (or, without a token, the spare member).
			target, userID := changeID, toChange.UserID
			if c := e.ByRole(role); role != mxAnonymous {
				target, userID = e.MemberID[c.UserID], c.UserID
			}
			before := members(t)[userID]
			return mxAttempt{
				path: "/api/v1/members/" + target.String(), body: map[string]any{"role": "ADMIN"},
				unchanged: func(t *testing.T) {
					if after := members(t)[userID]; after.Role != before.Role {
						t.Fatalf("refused role change took effect: %s → %s", before.Role, after.Role)
					}
				},
			}
		}},
		{"remove member", http.MethodDelete, mxAdminOnly(200), func(t *testing.T, role access.Role, _ string) mxAttempt {
			return mxAttempt{
				path: "/api/v1/members/" + removeID.String(),
				unchanged: func(t *testing.T) {
					if _, ok := members(t)[toRemove.UserID]; !ok {
						t.Fatal("refused removal removed the member")
					}
				},
				changed: func(t *testing.T, r *testsupport.Response) {
					testsupport.ExpectOK(t, r, http.StatusOK, nil)
					if _, ok := members(t)[toRemove.UserID]; ok {
						t.Fatal("member still listed after removal")
					}
				},
			}
		}},
		{"list properties", http.MethodGet, mxStaffOnly(200), read("/api/v1/properties", readIncludes(e.PropertyID))},
		{"create property", http.MethodPost, mxStaffOnly(201), func(t *testing.T, _ access.Role, marker string) mxAttempt {
			exists := listHas("/api/v1/properties", fieldIs("addressLine1", marker))
			return mxAttempt{
				path: "/api/v1/properties", body: map[string]any{"addressLine1": marker, "town": "Leeds", "postcode": "LS1 4AP"},
				unchanged: func(t *testing.T) {
					if exists(t) {
						t.Fatalf("refused property %s exists", marker)
					}
				},
				changed: func(t *testing.T, r *testsupport.Response) {
					if testsupport.ExpectOK(t, r, http.StatusCreated, nil); !exists(t) {
						t.Fatalf("property %s not listed", marker)
					}
				},
			}
		}},
		{"get property", http.MethodGet, mxStaffOnly(200), read("/api/v1/properties/"+prop, readIs(e.PropertyID))},
		{"patch property", http.MethodPatch, mxStaffOnly(200), func(t *testing.T, _ access.Role, marker string) mxAttempt {
			before, events := getProperty(t), propertyEvents(t)
			return mxAttempt{
				path: "/api/v1/properties/" + prop, body: map[string]any{"name": marker, "town": "Hacked"},
				unchanged: func(t *testing.T) {
					if after := getProperty(t); after != before {
						t.Fatalf("refused patch changed the property: %+v → %+v", before, after)
					}
					if n := propertyEvents(t); n != events {
						t.Fatalf("refused patch wrote a timeline event: %d → %d", events, n)
					}
				},
				changed: func(t *testing.T, r *testsupport.Response) {
					testsupport.ExpectOK(t, r, http.StatusOK, nil)
					if after := getProperty(t); after.Name != marker || after.Town != "Hacked" {
						t.Fatalf("patch not applied: %+v", after)
					}
					// Put the town back so later attempts see a normal property.
					testsupport.ExpectOK(t, admin.Patch("/api/v1/properties/"+prop, map[string]any{"town": "Leeds"}), http.StatusOK, nil)
				},
			}
		}},
		{"list units", http.MethodGet, mxStaffOnly(200), read("/api/v1/properties/"+prop+"/units", readIncludes(e.UnitID))},
		{"create unit", http.MethodPost, mxStaffOnly(201), func(t *testing.T, _ access.Role, marker string) mxAttempt {
			exists := listHas("/api/v1/properties/"+prop+"/units", fieldIs("reference", marker))
			return mxAttempt{
				path: "/api/v1/properties/" + prop + "/units", body: map[string]any{"label": "Flat " + marker, "reference": marker},
				unchanged: func(t *testing.T) {
					if exists(t) {
						t.Fatalf("refused unit %s exists", marker)
					}
				},
				changed: func(t *testing.T, r *testsupport.Response) {
					if testsupport.ExpectOK(t, r, http.StatusCreated, nil); !exists(t) {
						t.Fatalf("unit %s not listed", marker)
					}
				},
			}
		}},
		{"get unit", http.MethodGet, mxStaffOnly(200), read("/api/v1/units/"+unit, readIs(e.UnitID))},
		{"list occupants", http.MethodGet, mxStaffOnly(200), read("/api/v1/units/"+unit+"/occupants", readIncludes(e.Tenant.UserID))},
		{"add occupant", http.MethodPost, mxStaffOnly(201), func(t *testing.T, _ access.Role, marker string) mxAttempt {
			// A fresh unit each time, so every allowed role can link the team's TENANT.
			unitID := admin.Post("/api/v1/properties/"+prop+"/units", map[string]any{"label": "Flat", "reference": marker}).Expect(http.StatusCreated).ID()
			occupants := func(t *testing.T) []estate.Occupant {
				var o []estate.Occupant
				testsupport.ExpectOK(t, admin.Get("/api/v1/units/"+unitID.String()+"/occupants"), http.StatusOK, &o)
				return o
			}
			return mxAttempt{
				path: "/api/v1/units/" + unitID.String() + "/occupants", body: map[string]any{"userId": e.Tenant.UserID},
				unchanged: func(t *testing.T) {
					if o := occupants(t); len(o) != 0 {
						t.Fatalf("refused link made occupants %+v", o)
					}
				},
				changed: func(t *testing.T, r *testsupport.Response) {
					testsupport.ExpectOK(t, r, http.StatusCreated, nil)
					if o := occupants(t); len(o) != 1 || o[0].UserID != e.Tenant.UserID {
						t.Fatalf("occupants %+v", o)
					}
				},
			}
		}},
		{"list contractors", http.MethodGet, mxStaffOnly(200), read("/api/v1/contractors", readIncludes(e.OtherContractorID))},
		{"create contractor", http.MethodPost, mxStaffOnly(201), func(t *testing.T, _ access.Role, marker string) mxAttempt {
			exists := listHas("/api/v1/contractors", fieldIs("companyName", marker))
			return mxAttempt{
				path: "/api/v1/contractors", body: map[string]any{"companyName": marker, "email": mxEmail(marker), "trades": []string{"HVAC"}},
				unchanged: func(t *testing.T) {
					if exists(t) {
						t.Fatalf("refused contractor %s exists", marker)
					}
				},
				changed: func(t *testing.T, r *testsupport.Response) {
					if testsupport.ExpectOK(t, r, http.StatusCreated, nil); !exists(t) {
						t.Fatalf("contractor %s not listed", marker)
					}
				},
			}
		}},
		{"get own contractor company", http.MethodGet,
			map[access.Role]int{access.Admin: 200, access.Coordinator: 200, access.Contractor: 200, access.Tenant: 403},
			read("/api/v1/contractors/"+e.ContractorID.String(), readIs(e.ContractorID))},
		{"get another contractor company", http.MethodGet,
			map[access.Role]int{access.Admin: 200, access.Coordinator: 200, access.Contractor: 404, access.Tenant: 403},
			read("/api/v1/contractors/"+e.OtherContractorID.String(), readIs(e.OtherContractorID))},
		{"patch contractor company", http.MethodPatch, mxStaffOnly(200), func(t *testing.T, _ access.Role, marker string) mxAttempt {
			// The CONTRACTOR tries their own company: reading it does not mean editing it.
			before := getContractor(t, e.ContractorID)
			return mxAttempt{
				path: "/api/v1/contractors/" + e.ContractorID.String(), body: map[string]any{"notes": marker, "insuranceExpiresOn": "2099-12-31"},
				unchanged: func(t *testing.T) {
					after := getContractor(t, e.ContractorID)
					if after.Notes != before.Notes || !after.UpdatedAt.Equal(before.UpdatedAt) {
						t.Fatalf("refused patch changed the contractor: %+v → %+v", before, after)
					}
				},
				changed: func(t *testing.T, r *testsupport.Response) {
					testsupport.ExpectOK(t, r, http.StatusOK, nil)
					if after := getContractor(t, e.ContractorID); after.Notes != marker {
						t.Fatalf("patch not applied: %+v", after)
					}
				},
			}
		}},
		// Roles that never see an entity type get 403; a CONTRACTOR asking about another
		// company gets 404, as for GET /contractors/{id}.
		{"timeline of a property", http.MethodGet,
			map[access.Role]int{access.Admin: 200, access.Coordinator: 200, access.Contractor: 403, access.Tenant: 403},
			timelineOf("property", e.PropertyID)},
		{"timeline of a unit", http.MethodGet,
			map[access.Role]int{access.Admin: 200, access.Coordinator: 200, access.Contractor: 403, access.Tenant: 403},
			timelineOf("unit", e.UnitID)},
		{"timeline of own contractor company", http.MethodGet,
			map[access.Role]int{access.Admin: 200, access.Coordinator: 200, access.Contractor: 200, access.Tenant: 403},
			timelineOf("contractor", e.ContractorID)},
		{"timeline of another contractor company", http.MethodGet,
			map[access.Role]int{access.Admin: 200, access.Coordinator: 200, access.Contractor: 404, access.Tenant: 403},
			timelineOf("contractor", e.OtherContractorID)},
	}

	// ADMIN goes last, so the others' refused writes meet the data the ADMIN then changes.
	order := []access.Role{access.Coordinator, access.Contractor, access.Tenant, mxAnonymous, access.Admin}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, role := range order {
				t.Run(string(role), func(t *testing.T) {
					client, want := app.Anonymous(), http.StatusUnauthorized
					if role != mxAnonymous {
						client, want = e.ByRole(role), tc.want[role]
					}
					a := tc.attempt(t, role, testsupport.Marker("MX-"+string(role)))
					r := client.Do(tc.method, a.path, a.body)
					switch want {
					case http.StatusUnauthorized:
						testsupport.ExpectFailure(t, r, want, apperr.Unauthenticated)
					case http.StatusForbidden:
						testsupport.ExpectFailure(t, r, want, apperr.Forbidden)
					case http.StatusNotFound:
						testsupport.ExpectFailure(t, r, want, apperr.NotFound)
					default:
						if a.changed != nil {
							a.changed(t, r)
						} else {
							testsupport.ExpectOK(t, r, want, nil)
						}
						return
					}
					if a.unchanged != nil {
						a.unchanged(t)
					}
				})
			}
		})
	}
}

// mxDecodeID returns data.id of a 200 answer.
func mxDecodeID(t testing.TB, r *testsupport.Response) uuid.UUID {
	t.Helper()
	var v struct {
		ID uuid.UUID `json:"id"`
	}
	testsupport.ExpectOK(t, r, http.StatusOK, &v)
	return v.ID
}
