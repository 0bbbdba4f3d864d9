package httpapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestMembers covers listing members, inviting (and re-inviting), changing roles and removing.
func TestMembers(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	team := app.NewTeam("Member Co")
	admin := team.Admin

	members := func(t *testing.T) map[uuid.UUID]identity.Member {
		t.Helper()
		out := map[uuid.UUID]identity.Member{}
		for _, m := range testsupport.All[identity.Member](t, admin, "/api/v1/members") {
			out[m.UserID] = m
		}
		return out
	}
	invitations := func(t *testing.T) []identity.Invitation {
		t.Helper()
		var invs []identity.Invitation
		testsupport.ExpectOK(t, admin.Get("/api/v1/invitations"), http.StatusOK, &invs)
		return invs
	}
	accept := func(token string) *testsupport.Response {
		return app.Anonymous().Post("/api/v1/auth/accept-invitation", map[string]any{"token": token, "name": "New Person", "password": testsupport.Password})
	}

	var contractorID uuid.UUID
	t.Run("list shows every member with their role", func(t *testing.T) {
		got := members(t)
		if len(got) != 4 {
			t.Fatalf("%d members, want 4: %+v", len(got), got)
		}
		for _, c := range []*testsupport.Client{team.Admin, team.Coordinator, team.Contractor, team.Tenant} {
			m, ok := got[c.UserID]
			if !ok || m.Role != c.Role || m.Email != c.Email || m.Name == "" || m.ID == uuid.Nil || m.CreatedAt.IsZero() {
				t.Fatalf("member for %s (%s): %+v", c.Email, c.Role, m)
			}
			if (m.ContractorID != nil) != (c.Role == access.Contractor) {
				t.Fatalf("contractorId of a %s: %v", c.Role, m.ContractorID)
			}
		}
		contractorID = *got[team.Contractor.UserID].ContractorID
		// Newest first, in pages.
		first, next := testsupport.Page[identity.Member](t, admin, "/api/v1/members?limit=3")
		rest, last := testsupport.Page[identity.Member](t, admin, "/api/v1/members?limit=3&cursor="+url.QueryEscape(next))
		if len(first) != 3 || len(rest) != 1 || last != "" || first[0].UserID != team.Tenant.UserID || rest[0].UserID != team.Admin.UserID {
			t.Fatalf("pages %+v / %+v (next %q)", first, rest, last)
		}
		testsupport.ExpectFailure(t, admin.Get("/api/v1/members?limit=0"), http.StatusUnprocessableEntity, apperr.Invalid, "limit")
		testsupport.ExpectFailure(t, admin.Get("/api/v1/members?cursor=nope!"), http.StatusUnprocessableEntity, apperr.Invalid, "cursor")
	})

	t.Run("invite emails the token and never shows it to the ADMIN", func(t *testing.T) {
		email := mxEmail(testsupport.Marker("INVITEE"))
		var inv identity.Invitation
		resp := admin.Post("/api/v1/members", map[string]any{"email": "  " + strings.ToUpper(email) + " ", "role": "COORDINATOR"})
		testsupport.ExpectOK(t, resp, http.StatusCreated, &inv)
		if inv.ID == uuid.Nil || inv.Email != email || inv.Role != access.Coordinator || inv.ContractorID != nil || !inv.ExpiresAt.After(inv.CreatedAt) {
			t.Fatalf("invitation %+v", inv)
		}
		token := app.InvitationToken(email)
		if !strings.HasPrefix(token, "minv_") || strings.Contains(string(resp.Body), token) ||
			strings.Contains(string(resp.Body), "minv_") || strings.Contains(string(resp.Body), "acceptUrl") {
			t.Fatalf("the ADMIN's answer carries the invitation token: %s", resp.Body)
		}
		listed := invitations(t)
		i := slices.IndexFunc(listed, func(l identity.Invitation) bool { return l.ID == inv.ID })
		if i < 0 || listed[i].Email != email {
			t.Fatalf("invitations %+v", listed)
		}
		// A CONTRACTOR invitation names the company.
		var cinv identity.Invitation
		testsupport.ExpectOK(t, admin.Post("/api/v1/members", map[string]any{"email": mxEmail(testsupport.Marker("SUB")), "role": "CONTRACTOR", "contractorId": contractorID}), http.StatusCreated, &cinv)
		if cinv.ContractorID == nil || *cinv.ContractorID != contractorID || cinv.Role != access.Contractor {
			t.Fatalf("contractor invitation %+v", cinv)
		}
	})

	t.Run("re-inviting the same email replaces the open invitation", func(t *testing.T) {
		email := mxEmail(testsupport.Marker("AGAIN"))
		var first, second identity.Invitation
		testsupport.ExpectOK(t, admin.Post("/api/v1/members", map[string]any{"email": email, "role": "TENANT"}), http.StatusCreated, &first)
		firstToken := app.InvitationToken(email)
		testsupport.ExpectOK(t, admin.Post("/api/v1/members", map[string]any{"email": strings.ToUpper(email), "role": "COORDINATOR"}), http.StatusCreated, &second)
		secondToken := app.InvitationToken(email)
		if second.ID == first.ID || secondToken == firstToken {
			t.Fatalf("re-invite returned the same invitation: %+v", second)
		}
		var open []identity.Invitation
		for _, inv := range invitations(t) {
			if inv.Email == email {
				open = append(open, inv)
			}
		}
		if len(open) != 1 || open[0].ID != second.ID || open[0].Role != access.Coordinator {
			t.Fatalf("open invitations for %s: %+v", email, open)
		}
		// The replaced token no longer works; the new one does, with the new role.
		testsupport.ExpectFailure(t, accept(firstToken), http.StatusNotFound, apperr.NotFound)
		var sess struct {
			Role access.Role `json:"role"`
			User struct {
				ID uuid.UUID `json:"id"`
			} `json:"user"`
		}
		testsupport.ExpectOK(t, accept(secondToken), http.StatusOK, &sess)
		if sess.Role != access.Coordinator || members(t)[sess.User.ID].Role != access.Coordinator {
			t.Fatalf("accepted as %s", sess.Role)
		}
		// Accepted invitations are no longer open.
		if slices.ContainsFunc(invitations(t), func(i identity.Invitation) bool { return i.ID == second.ID }) {
			t.Fatal("accepted invitation still listed")
		}
	})

	t.Run("inviting an existing member is a conflict", func(t *testing.T) {
		for _, email := range []string{team.Tenant.Email, strings.ToUpper(team.Coordinator.Email), admin.Email} {
			testsupport.ExpectFailure(t, admin.Post("/api/v1/members", map[string]any{"email": email, "role": "TENANT"}), http.StatusConflict, apperr.Conflict)
		}
		if slices.ContainsFunc(invitations(t), func(i identity.Invitation) bool { return i.Email == team.Tenant.Email }) {
			t.Fatal("refused invitation was made")
		}
		// A user who belongs to another organisation only may be invited.
		outsider := app.Register("Other Co")
		testsupport.ExpectOK(t, admin.Post("/api/v1/members", map[string]any{"email": outsider.Email, "role": "TENANT"}), http.StatusCreated, nil)
	})

	t.Run("invite validation", func(t *testing.T) {
		cases := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"CONTRACTOR without contractorId", map[string]any{"role": "CONTRACTOR"}, "contractorId"},
			{"TENANT with contractorId", map[string]any{"role": "TENANT", "contractorId": contractorID}, "contractorId"},
			{"unknown contractorId", map[string]any{"role": "CONTRACTOR", "contractorId": uuid.New()}, "contractorId"},
			{"unknown role", map[string]any{"role": "OWNER"}, "role"},
			{"lower-case role", map[string]any{"role": "tenant"}, "role"},
			{"missing role", map[string]any{}, "role"},
			{"invalid email", map[string]any{"role": "TENANT", "email": "not an email"}, "email"},
			{"missing email", map[string]any{"role": "TENANT", "email": nil}, "email"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				email := mxEmail(testsupport.Marker("BAD"))
				body := map[string]any{"email": email}
				for k, v := range tc.body {
					if v == nil {
						delete(body, k)
					} else {
						body[k] = v
					}
				}
				testsupport.ExpectFailure(t, admin.Post("/api/v1/members", body), http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
				if slices.ContainsFunc(invitations(t), func(i identity.Invitation) bool { return i.Email == email }) {
					t.Fatalf("refused invitation of %s was made", email)
				}
			})
		}
	})

	t.Run("change role", func(t *testing.T) {
		spare := app.AddMember(admin, access.Tenant)
		spareID := testsupport.MemberID(t, admin, spare.UserID)
		path := "/api/v1/members/" + spareID.String()
		testsupport.ExpectFailure(t, spare.Get("/api/v1/properties"), http.StatusForbidden, apperr.Forbidden)

		var m identity.Member
		testsupport.ExpectOK(t, admin.Patch(path, map[string]any{"role": "COORDINATOR"}), http.StatusOK, &m)
		if m.ID != spareID || m.UserID != spare.UserID || m.Role != access.Coordinator || m.Email != spare.Email {
			t.Fatalf("changed member %+v", m)
		}
		// The change applies at the member's next request, with the token they already hold.
		testsupport.ExpectOK(t, spare.Get("/api/v1/properties"), http.StatusOK, nil)

		testsupport.ExpectOK(t, admin.Patch(path, map[string]any{"role": "CONTRACTOR", "contractorId": contractorID}), http.StatusOK, &m)
		if m.Role != access.Contractor || m.ContractorID == nil || *m.ContractorID != contractorID {
			t.Fatalf("changed member %+v", m)
		}
		testsupport.ExpectOK(t, spare.Get("/api/v1/contractors/"+contractorID.String()), http.StatusOK, nil)
		testsupport.ExpectFailure(t, spare.Get("/api/v1/properties"), http.StatusForbidden, apperr.Forbidden)

		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"CONTRACTOR without contractorId", map[string]any{"role": "CONTRACTOR"}, "contractorId"},
			{"ADMIN with contractorId", map[string]any{"role": "ADMIN", "contractorId": contractorID}, "contractorId"},
			{"unknown role", map[string]any{"role": "SUPERUSER"}, "role"},
		} {
			t.Run("refused: "+tc.name, func(t *testing.T) {
				testsupport.ExpectFailure(t, admin.Patch(path, tc.body), http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
				if got := members(t)[spare.UserID]; got.Role != access.Contractor {
					t.Fatalf("refused change applied: %+v", got)
				}
			})
		}
		testsupport.ExpectOK(t, admin.Patch(path, map[string]any{"role": "TENANT"}), http.StatusOK, &m)
		if m.Role != access.Tenant || m.ContractorID != nil {
			t.Fatalf("changed member %+v", m)
		}
		testsupport.ExpectFailure(t, admin.Patch("/api/v1/members/"+uuid.NewString(), map[string]any{"role": "TENANT"}), http.StatusNotFound, apperr.NotFound)
	})

	t.Run("the organisation keeps an ADMIN", func(t *testing.T) {
		self := "/api/v1/members/" + testsupport.MemberID(t, admin, admin.UserID).String()
		testsupport.ExpectFailure(t, admin.Patch(self, map[string]any{"role": "COORDINATOR"}), http.StatusConflict, apperr.Conflict)
		testsupport.ExpectFailure(t, admin.Delete(self), http.StatusConflict, apperr.Conflict)
		if got := members(t)[admin.UserID]; got.Role != access.Admin {
			t.Fatalf("sole admin is now %+v", got)
		}
		// With a second ADMIN, one may step down.
		second := app.AddMember(admin, access.Admin)
		testsupport.ExpectOK(t, second.Patch(self, map[string]any{"role": "COORDINATOR"}), http.StatusOK, nil)
		testsupport.ExpectFailure(t, admin.Get("/api/v1/members"), http.StatusForbidden, apperr.Forbidden)
		testsupport.ExpectOK(t, second.Patch(self, map[string]any{"role": "ADMIN"}), http.StatusOK, nil)
		testsupport.ExpectOK(t, admin.Get("/api/v1/members"), http.StatusOK, nil)
	})

	t.Run("remove", func(t *testing.T) {
		spare := app.AddMember(admin, access.Coordinator)
		path := "/api/v1/members/" + testsupport.MemberID(t, admin, spare.UserID).String()
		testsupport.ExpectOK(t, spare.Get("/api/v1/properties"), http.StatusOK, nil)
		var out struct {
			Removed bool `json:"removed"`
		}
		testsupport.ExpectOK(t, admin.Delete(path), http.StatusOK, &out)
		if !out.Removed {
			t.Fatal("removed is false")
		}
		if _, ok := members(t)[spare.UserID]; ok {
			t.Fatal("removed member still listed")
		}
		// Their access token stops working at once, and their refresh token is revoked.
		testsupport.ExpectFailure(t, spare.Get("/api/v1/properties"), http.StatusUnauthorized, apperr.Unauthenticated)
		testsupport.ExpectFailure(t, app.Anonymous().Post("/api/v1/auth/refresh", map[string]any{"refreshToken": spare.RefreshToken}), http.StatusUnauthorized, apperr.Unauthenticated)
		testsupport.ExpectFailure(t, admin.Delete(path), http.StatusNotFound, apperr.NotFound)
	})
}
