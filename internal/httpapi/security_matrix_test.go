package httpapi_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// ---- the table -------------------------------------------------------------------------

// secRule is who may call one operation, as TestSecurityMatrix checks it.
type secRule struct {
	// roles may call it (answer neither 401, 403 nor 404); every other role is refused
	// with refused. A public operation lists every role.
	roles []access.Role
	// public: no token is needed, so an anonymous caller is allowed too; otherwise an
	// anonymous caller gets 401.
	public bool
	// refused is the answer to a role not in roles: 403, or 404 where the service hides
	// that the object exists from that role (it is not theirs to see).
	refused int
	// foreign is the answer to another organisation's ADMIN: 404 for an operation on this
	// organisation's object (the id exists nowhere for them); 0 where the operation names
	// no object of the organisation, so the foreign ADMIN acts on its own organisation and
	// is answered as an ADMIN.
	foreign int
	// everyone, when not 0, is the one answer every caller gets, token or not: the
	// provider webhooks, which only a request signed with the provider's secret passes.
	everyone int
}

var (
	secAll   = []access.Role{access.Admin, access.Coordinator, access.Contractor, access.Tenant}
	secStaff = []access.Role{access.Admin, access.Coordinator}
	secAdmin = []access.Role{access.Admin}
	// secWorkers: staff and the CONTRACTOR of the work order's company.
	secWorkers = []access.Role{access.Admin, access.Coordinator, access.Contractor}
	// secReporters: staff and the TENANT of the unit.
	secReporters = []access.Role{access.Admin, access.Coordinator, access.Tenant}
)

// Shorthands for the table.
func secPublic() secRule           { return secRule{roles: secAll, public: true} }
func secSigned(status int) secRule { return secRule{everyone: status, public: true} }

// secOwn: roles may call it, the others get 403; it names no object of the organisation,
// so another organisation's ADMIN is answered as an ADMIN (of its own organisation).
func secOwn(roles []access.Role) secRule { return secRule{roles: roles, refused: http.StatusForbidden} }

// secOrg: roles may call it, the others get 403; it names an object of the organisation,
// which another organisation's ADMIN gets 404 for.
func secOrg(roles []access.Role) secRule {
	return secRule{roles: roles, refused: http.StatusForbidden, foreign: http.StatusNotFound}
}

// secMatrix is every operation of the OpenAPI document and who may call it. An operation
// added to the server without an entry here fails TestSecurityMatrix, and so does an entry
// whose operation is gone.
var secMatrix = map[route]secRule{
	{"GET", "/api/v1/ai/decisions"}:                                secOwn(secAdmin),
	{"GET", "/api/v1/ai/prompts/{capability}"}:                     secOwn(secAdmin),
	{"PUT", "/api/v1/ai/prompts/{capability}"}:                     secOwn(secAdmin),
	{"GET", "/api/v1/ai/self-help"}:                                secOwn(secStaff),
	{"GET", "/api/v1/ai/settings"}:                                 secOwn(secStaff),
	{"PATCH", "/api/v1/ai/settings"}:                               secOwn(secAdmin),
	{"GET", "/api/v1/ai/usage"}:                                    secOwn(secAdmin),
	{"GET", "/api/v1/attachments/{id}"}:                            secOrg(secAll),
	{"POST", "/api/v1/auth/accept-invitation"}:                     secPublic(),
	{"POST", "/api/v1/auth/change-password"}:                       secOwn(secAll),
	{"POST", "/api/v1/auth/forgot-password"}:                       secPublic(),
	{"POST", "/api/v1/auth/login"}:                                 secPublic(),
	{"POST", "/api/v1/auth/logout"}:                                secOwn(secAll),
	{"GET", "/api/v1/auth/me"}:                                     secOwn(secAll),
	{"POST", "/api/v1/auth/refresh"}:                               secPublic(),
	{"POST", "/api/v1/auth/register"}:                              secPublic(),
	{"POST", "/api/v1/auth/reset-password"}:                        secPublic(),
	{"POST", "/api/v1/auth/switch-org"}:                            secOwn(secAll),
	{"POST", "/api/v1/billing/cancel"}:                             secOwn(secAdmin),
	{"POST", "/api/v1/billing/checkout"}:                           secOwn(secAdmin),
	{"GET", "/api/v1/billing/invoices"}:                            secOwn(secAdmin),
	{"GET", "/api/v1/billing/plans"}:                               secPublic(),
	{"POST", "/api/v1/billing/portal"}:                             secOwn(secAdmin),
	{"POST", "/api/v1/billing/resume"}:                             secOwn(secAdmin),
	{"GET", "/api/v1/billing/statement"}:                           secOwn(secAdmin),
	{"GET", "/api/v1/billing/subscription"}:                        secOwn(secStaff),
	{"POST", "/api/v1/billing/upgrade"}:                            secOwn(secAdmin),
	{"GET", "/api/v1/billing/usage"}:                               secOwn(secStaff),
	{"GET", "/api/v1/certificates/{id}/document"}:                  secOrg(secStaff),
	{"PUT", "/api/v1/certificates/{id}/document"}:                  secOrg(secStaff),
	{"GET", "/api/v1/certificates/{id}"}:                           secOrg(secStaff),
	{"PATCH", "/api/v1/certificates/{id}"}:                         secOrg(secStaff),
	{"GET", "/api/v1/compliance/certificates"}:                     secOwn(secStaff),
	{"POST", "/api/v1/consent/grant"}:                              secOwn(secAll),
	{"GET", "/api/v1/consent/history"}:                             secOwn(secAll),
	{"POST", "/api/v1/consent/revoke"}:                             secOwn(secAll),
	{"GET", "/api/v1/consent"}:                                     secOwn(secAll),
	{"GET", "/api/v1/contractors/{id}"}:                            secOrg(secWorkers),
	{"PATCH", "/api/v1/contractors/{id}"}:                          secOrg(secStaff),
	{"GET", "/api/v1/contractors"}:                                 secOwn(secStaff),
	{"POST", "/api/v1/contractors"}:                                secOwn(secStaff),
	{"GET", "/api/v1/hazards"}:                                     secOwn(secAll),
	{"GET", "/api/v1/invitations"}:                                 secOwn(secAdmin),
	{"POST", "/api/v1/invoices/{id}/approve"}:                      secOrg(secStaff),
	{"POST", "/api/v1/invoices/{id}/mark-paid"}:                    secOrg(secStaff),
	{"GET", "/api/v1/invoices/{id}/pdf"}:                           secOrg(secWorkers),
	{"POST", "/api/v1/invoices/{id}/reject"}:                       secOrg(secStaff),
	{"GET", "/api/v1/invoices/{id}"}:                               secOrg(secWorkers),
	{"GET", "/api/v1/invoices"}:                                    secOwn(secWorkers),
	{"DELETE", "/api/v1/members/{id}"}:                             secOrg(secAdmin),
	{"PATCH", "/api/v1/members/{id}"}:                              secOrg(secAdmin),
	{"GET", "/api/v1/members"}:                                     secOwn(secAdmin),
	{"POST", "/api/v1/members"}:                                    secOwn(secAdmin),
	{"GET", "/api/v1/properties/{id}/certificates"}:                secOrg(secStaff),
	{"POST", "/api/v1/properties/{id}/certificates"}:               secOrg(secStaff),
	{"GET", "/api/v1/properties/{id}/units"}:                       secOrg(secStaff),
	{"POST", "/api/v1/properties/{id}/units"}:                      secOrg(secStaff),
	{"GET", "/api/v1/properties/{id}"}:                             secOrg(secStaff),
	{"PATCH", "/api/v1/properties/{id}"}:                           secOrg(secStaff),
	{"GET", "/api/v1/properties"}:                                  secOwn(secStaff),
	{"POST", "/api/v1/properties"}:                                 secOwn(secStaff),
	{"POST", "/api/v1/public/{orgSlug}/reports"}:                   secPublic(),
	{"POST", "/api/v1/public/{orgSlug}/triage/{triageId}/outcome"}: secPublic(),
	{"POST", "/api/v1/public/{orgSlug}/triage"}:                    secPublic(),
	{"POST", "/api/v1/quotes/{id}/approve"}:                        secOrg(secStaff),
	{"POST", "/api/v1/quotes/{id}/reject"}:                         secOrg(secStaff),
	{"POST", "/api/v1/quotes/{id}/withdraw"}:                       secOrg(secWorkers),
	{"GET", "/api/v1/quotes/{id}"}:                                 secOrg(secWorkers),
	{"GET", "/api/v1/quotes"}:                                      secOwn(secWorkers),
	{"GET", "/api/v1/right-to-repair/defects"}:                     secOwn(secAll),
	{"GET", "/api/v1/settings"}:                                    secOwn(secStaff),
	{"PATCH", "/api/v1/settings"}:                                  secOwn(secAdmin),
	{"POST", "/api/v1/tickets/{id}/ai-suggestion/accept"}:          secOrg(secStaff),
	{"POST", "/api/v1/tickets/{id}/ai-suggestion/override"}:        secOrg(secStaff),
	{"GET", "/api/v1/tickets/{id}/ai-suggestion"}:                  secOrg(secStaff),
	{"POST", "/api/v1/tickets/{id}/ai/classify"}:                   secOrg(secStaff),
	{"POST", "/api/v1/tickets/{id}/ai/draft"}:                      secOrg(secStaff),
	{"POST", "/api/v1/tickets/{id}/ai/estimate"}:                   secOrg(secStaff),
	{"POST", "/api/v1/tickets/{id}/ai/summary"}:                    secOrg(secStaff),
	{"GET", "/api/v1/tickets/{id}/attachments"}:                    secOrg(secAll),
	{"POST", "/api/v1/tickets/{id}/attachments"}:                   secOrg(secAll),
	{"POST", "/api/v1/tickets/{id}/clocks/milestone"}:              secOrg(secStaff),
	{"POST", "/api/v1/tickets/{id}/clocks/pause"}:                  secOrg(secStaff),
	{"POST", "/api/v1/tickets/{id}/clocks/resume"}:                 secOrg(secStaff),
	{"GET", "/api/v1/tickets/{id}/clocks"}:                         secOrg(secAll),
	{"GET", "/api/v1/tickets/{id}/evidence"}:                       secOrg(secStaff),
	{"POST", "/api/v1/tickets/{id}/comments"}:                      secOrg(secAll),
	{"PUT", "/api/v1/tickets/{id}/hazards"}:                        secOrg(secStaff),
	{"GET", "/api/v1/tickets/{id}/messages"}:                       secOrg(secStaff),
	{"POST", "/api/v1/tickets/{id}/messages"}:                      secOrg(secStaff),
	{"PUT", "/api/v1/tickets/{id}/right-to-repair"}:                secOrg(secStaff),
	{"POST", "/api/v1/tickets/{id}/transition"}:                    secOrg(secStaff),
	{"GET", "/api/v1/tickets/{id}"}:                                secOrg(secAll),
	{"PATCH", "/api/v1/tickets/{id}"}:                              secOrg(secStaff),
	{"GET", "/api/v1/tickets"}:                                     secOwn(secAll),
	// A's unit in the body is a unitId field error to B's ADMIN, as a unit that does not exist.
	{"POST", "/api/v1/tickets"}:                               secRule{roles: secReporters, refused: http.StatusForbidden, foreign: http.StatusUnprocessableEntity},
	{"GET", "/api/v1/timeline"}:                               secOrg(secAll),
	{"POST", "/api/v1/units/{id}/occupants/{occupantId}/end"}: secOrg(secStaff),
	{"GET", "/api/v1/units/{id}/occupants"}:                   secOrg(secStaff),
	{"POST", "/api/v1/units/{id}/occupants"}:                  secOrg(secStaff),
	{"GET", "/api/v1/units/{id}"}:                             secOrg(secStaff),
	{"GET", "/api/v1/webhooks/{id}/deliveries"}:               secOrg(secAdmin),
	{"POST", "/api/v1/webhooks/{id}/test"}:                    secOrg(secAdmin),
	{"DELETE", "/api/v1/webhooks/{id}"}:                       secOrg(secAdmin),
	{"GET", "/api/v1/webhooks/{id}"}:                          secOrg(secAdmin),
	{"PATCH", "/api/v1/webhooks/{id}"}:                        secOrg(secAdmin),
	{"GET", "/api/v1/webhooks"}:                               secOwn(secAdmin),
	{"POST", "/api/v1/webhooks"}:                              secOwn(secAdmin),
	{"POST", "/api/v1/work-orders/{id}/invoices"}:             secOrg(secWorkers),
	{"POST", "/api/v1/work-orders/{id}/quotes"}:               secOrg(secWorkers),
	{"POST", "/api/v1/work-orders/{id}/transition"}:           secOrg(secWorkers),
	{"GET", "/api/v1/work-orders/{id}"}:                       secOrg(secWorkers),
	{"GET", "/api/v1/work-orders"}:                            secOwn(secWorkers),
	// A's ticket and contractor in the body are field errors to B's ADMIN.
	{"POST", "/api/v1/work-orders"}: secRule{roles: secStaff, refused: http.StatusForbidden, foreign: http.StatusUnprocessableEntity},
	{"GET", "/health/live"}:         secPublic(),
	{"GET", "/health/ready"}:        secPublic(),
	// The provider webhooks: Stripe's answers 400 and Twilio's 403 to a request without the
	// provider's signature, whoever sends it (their signature tests are in internal/billing
	// and internal/messaging).
	{"POST", "/webhooks/stripe"}:         secSigned(400),
	{"POST", "/webhooks/twilio/inbound"}: secSigned(403),
	{"POST", "/webhooks/twilio/status"}:  secSigned(403),
}

// ---- callers -----------------------------------------------------------------------------

// secCaller is one column of the matrix.
type secCaller string

const (
	secAnonymous secCaller = "ANONYMOUS"
	secForeign   secCaller = "FOREIGN_ADMIN"
)

var secCallers = []secCaller{secCaller(access.Admin), secCaller(access.Coordinator), secCaller(access.Contractor), secCaller(access.Tenant), secAnonymous, secForeign}

// want is what rule expects of caller: an exact status, or 0 for "allowed" (neither 401,
// 403 nor 404).
func (r secRule) want(caller secCaller) int {
	switch {
	case r.everyone != 0:
		return r.everyone
	case caller == secAnonymous:
		if r.public {
			return 0
		}
		return http.StatusUnauthorized
	case caller == secForeign:
		if r.public || r.foreign == 0 {
			return r.want(secCaller(access.Admin))
		}
		return r.foreign
	case slices.Contains(r.roles, access.Role(caller)):
		return 0
	default:
		return r.refused
	}
}

// ---- the estate ------------------------------------------------------------------------

// secWorld is the organisation the matrix calls into (A) and the foreign one (B), with
// one object of every kind in A that every role allowed to see it can see.
type secWorld struct {
	app       *testsupport.App
	a, b      *testsupport.Estate
	reference string // A's unit reference
	ids       map[string]uuid.UUID
}

// secPathKinds maps the collection before {id} to the kind of object its id names.
var secPathKinds = map[string]string{
	"tickets": "ticket", "work-orders": "workOrder", "quotes": "quote", "invoices": "invoice",
	"certificates": "certificate", "attachments": "attachment", "webhooks": "webhook",
	"members": "member", "properties": "property", "units": "unit", "contractors": "contractor",
}

func secNewWorld(t *testing.T, app *testsupport.App) *secWorld {
	t.Helper()
	w := &secWorld{app: app, reference: "SEC-1", ids: map[string]uuid.UUID{}}
	w.a = app.NewEstate(t, "Matrix Alpha", testsupport.EstateOptions{Reference: w.reference})
	w.b = app.NewEstate(t, "Matrix Bravo", testsupport.EstateOptions{Reference: w.reference})
	w.ids["property"], w.ids["unit"], w.ids["contractor"] = w.a.PropertyID, w.a.UnitID, w.a.ContractorID
	for kind, newID := range map[string]func(*testing.T) uuid.UUID{
		"ticket": w.ticket, "quote": w.quote, "invoice": w.invoice, "certificate": w.certificate,
		"webhook": w.webhook, "member": w.member, "attachment": w.attachment,
	} {
		w.ids[kind] = newID(t)
	}
	w.ids["workOrder"] = w.workOrder(t)
	w.ids["suggestedTicket"] = w.suggestedTicket(t)
	// The certificate's document, for GET …/document.
	body, ct := atForm(t, nil, atPart{field: "file", filename: "cp12.pdf", contentType: "application/pdf", data: atPDF("matrix")})
	w.a.Admin.With(t).Do(http.MethodPut, "/api/v1/certificates/"+w.ids["certificate"].String()+"/document", body, "Content-Type", ct).Expect(http.StatusOK)
	return w
}

// ticket is a new ticket the TENANT reported on their unit, with a work order for the
// CONTRACTOR's company, so every role may see it.
func (w *secWorld) ticket(t *testing.T) uuid.UUID {
	tk := testsupport.CreateTicket(t, w.a.Tenant.With(t), map[string]any{"unitId": w.a.UnitID, "title": "Leaking tap " + testsupport.Marker("SEC")})
	testsupport.RaiseWorkOrder(t, w.a.Admin.With(t), tk.ID, w.a.ContractorID)
	return tk.ID
}

// suggestedTicket is a ticket with the AI's suggestion waiting for a decision.
func (w *secWorld) suggestedTicket(t *testing.T) uuid.UUID {
	id := w.ticket(t)
	w.a.Admin.With(t).Post("/api/v1/tickets/"+id.String()+"/ai/classify", nil).Expect(http.StatusOK)
	return id
}

// workOrder is an ACCEPTED work order of the CONTRACTOR's company.
func (w *secWorld) workOrder(t *testing.T) uuid.UUID {
	tk := testsupport.CreateTicket(t, w.a.Tenant.With(t), map[string]any{"unitId": w.a.UnitID, "title": "Dripping tap " + testsupport.Marker("SEC")})
	wo := testsupport.RaiseWorkOrder(t, w.a.Admin.With(t), tk.ID, w.a.ContractorID)
	testsupport.DriveWorkOrder(t, w.a.Admin.With(t), wo.ID, workorders.Accepted)
	return wo.ID
}

// quote is a SUBMITTED quote on a new work order.
func (w *secWorld) quote(t *testing.T) uuid.UUID {
	return testsupport.SubmitFlatQuote(t, w.a.Contractor.With(t), w.workOrder(t), 12000).ID
}

// invoice is a SUBMITTED invoice on a new completed work order.
func (w *secWorld) invoice(t *testing.T) uuid.UUID {
	wo := w.workOrder(t)
	for _, a := range []string{"schedule", "start", "complete"} {
		testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, w.a.Contractor, wo, a), http.StatusOK, nil)
	}
	return testsupport.SubmitFlatInvoice(t, w.a.Contractor.With(t), wo, 9000).ID
}

func (w *secWorld) certificate(t *testing.T) uuid.UUID {
	return w.a.Admin.With(t).Post("/api/v1/properties/"+w.a.PropertyID.String()+"/certificates",
		map[string]any{"kind": "GAS_SAFETY", "issuedOn": time.Now().AddDate(0, 0, -3).Format(time.DateOnly), "reference": testsupport.Marker("CP12")}).
		Expect(http.StatusCreated).ID()
}

func (w *secWorld) webhook(t *testing.T) uuid.UUID {
	return w.a.Admin.With(t).Post("/api/v1/webhooks", map[string]any{"url": "https://127.0.0.1:9/hooks", "eventTypes": []string{"ticket.created"}}).
		Expect(http.StatusCreated).ID()
}

// member is the membership of a new TENANT.
func (w *secWorld) member(t *testing.T) uuid.UUID {
	c := w.app.AddMember(w.a.Admin, access.Tenant)
	return testsupport.MemberID(t, w.a.Admin.With(t), c.UserID)
}

// attachment is a photo the ADMIN added to a new ticket every role sees, shared with the
// CONTRACTOR's company.
func (w *secWorld) attachment(t *testing.T) uuid.UUID {
	tk := w.ticket(t)
	body, ct := atForm(t, [][2]string{{"sharedWithContractorId", w.a.ContractorID.String()}}, atPart{field: "file", filename: "leak.png", contentType: "image/png", data: atPNG("matrix")})
	return w.a.Admin.With(t).Do(http.MethodPost, "/api/v1/tickets/"+tk.String()+"/attachments", body, "Content-Type", ct).Expect(http.StatusCreated).ID()
}

// fresh is a new object of kind for a caller allowed to change it, so a change made by
// one caller does not decide the next one's answer; kinds that changes do not spend are
// shared.
func (w *secWorld) fresh(t *testing.T, kind string) uuid.UUID {
	switch kind {
	case "ticket":
		return w.ticket(t)
	case "workOrder":
		return w.workOrder(t)
	case "quote":
		return w.quote(t)
	case "invoice":
		return w.invoice(t)
	case "certificate":
		return w.certificate(t)
	case "webhook":
		return w.webhook(t)
	case "member":
		return w.member(t)
	case "suggestedTicket":
		return w.suggestedTicket(t)
	case "contractor":
		return w.a.Admin.With(t).Post("/api/v1/contractors", map[string]any{"companyName": testsupport.Marker("Matrix Plumbing"), "email": mxEmail(testsupport.Marker("sec-firm")), "trades": []string{"PLUMBING"}}).
			Expect(http.StatusCreated).ID()
	}
	return w.ids[kind]
}

// ---- requests ----------------------------------------------------------------------------

// secRequest is one request of the matrix.
type secRequest struct {
	client  *testsupport.Client
	path    string
	body    any
	headers []string
}

// secExample is the operation's request body example from the document, and its media type.
func secExample(op *secOperation) (map[string]any, string) {
	if op.RequestBody == nil {
		return nil, ""
	}
	for ct, media := range op.RequestBody.Content {
		body := map[string]any{}
		maps.Copy(body, media.Examples["example"].Value)
		return body, ct
	}
	return nil, ""
}

// build makes the request for op as caller: path ids from A (fresh objects where the
// caller may change them), the document's example body with A's ids in it, and the
// changes a few operations need to be meaningful (a token that works, an email not yet
// registered).
func (w *secWorld) build(t *testing.T, r route, op *secOperation, caller secCaller, allowed bool) secRequest {
	t.Helper()
	req := secRequest{client: w.client(caller)}
	mutates := r.method != http.MethodGet
	// Path.
	segs := strings.Split(r.path, "/")
	for i, s := range segs {
		switch s {
		case "{id}":
			kind := secPathKinds[segs[i-1]]
			if kind == "ticket" && strings.Contains(r.path, "/ai-suggestion") {
				kind = "suggestedTicket"
			}
			id := w.ids[kind]
			if mutates && allowed {
				id = w.fresh(t, kind)
			}
			segs[i] = id.String()
		case "{orgSlug}":
			segs[i] = w.a.Slug
		case "{capability}":
			segs[i] = "classify"
		case "{triageId}":
			segs[i] = w.triage(t).String()
		case "{occupantId}":
			segs[i] = w.occupant(t).String()
		}
	}
	req.path = strings.Join(segs, "/")
	if r.path == "/api/v1/timeline" {
		req.path += "?entity=ticket&id=" + w.ids["ticket"].String()
	}
	// Body.
	body, ct := secExample(op)
	if body != nil {
		w.fill(t, body, caller)
	}
	switch r {
	case route{"POST", "/api/v1/auth/register"}:
		body["email"] = mxEmail(testsupport.Marker("sec-register"))
	case route{"POST", "/api/v1/auth/login"}:
		body["email"], body["password"] = w.a.Coordinator.Email, testsupport.Password
	case route{"POST", "/api/v1/auth/refresh"}:
		body["refreshToken"] = w.login(t, w.a.Coordinator).RefreshToken
	case route{"POST", "/api/v1/auth/accept-invitation"}:
		email := mxEmail(testsupport.Marker("sec-invitee"))
		w.a.Admin.With(t).Post("/api/v1/members", map[string]any{"email": email, "role": "TENANT"}).Expect(http.StatusCreated)
		body["token"] = w.app.InvitationToken(email)
	case route{"POST", "/api/v1/auth/reset-password"}:
		user := w.app.AddMember(w.a.Admin, access.Tenant)
		w.app.Anonymous().With(t).Post("/api/v1/auth/forgot-password", map[string]any{"email": user.Email}).Expect(http.StatusOK)
		token, ok := w.app.PasswordResetToken(user.Email)
		if !ok {
			t.Fatal("no password reset token")
		}
		body["token"] = token
	case route{"POST", "/api/v1/auth/logout"}, route{"POST", "/api/v1/auth/change-password"}, route{"POST", "/api/v1/auth/switch-org"}:
		// These change the caller's own sessions or password: a new member of the same
		// role (in the caller's organisation) stands in, so the team's tokens keep working.
		if req.client.Token != "" {
			admin := w.a.Admin
			if caller == secForeign {
				admin = w.b.Admin
			}
			role := req.client.Role
			req.client = w.app.AddMember(admin, role)
			if role == access.Admin {
				req.client = w.app.AddMember(admin, access.Admin)
			}
		}
		switch r.path {
		case "/api/v1/auth/logout":
			body["refreshToken"] = req.client.RefreshToken
		case "/api/v1/auth/change-password":
			body["currentPassword"] = testsupport.Password
		case "/api/v1/auth/switch-org":
			body["orgId"] = req.client.OrgID
		}
	}
	// Encoding.
	switch ct {
	case "":
	case "application/json":
		req.body = body
	case "multipart/form-data":
		var values [][2]string
		var file atPart
		for _, k := range slices.Sorted(maps.Keys(body)) {
			if k == "file" {
				if strings.Contains(r.path, "certificates") {
					file = atPart{field: "file", filename: "cp12.pdf", contentType: "application/pdf", data: atPDF(testsupport.Marker("sec"))}
				} else {
					file = atPart{field: "file", filename: "leak.png", contentType: "image/png", data: atPNG(testsupport.Marker("sec"))}
				}
				continue
			}
			values = append(values, [2]string{k, fmt.Sprint(body[k])})
		}
		var raw []byte
		if file.field != "" {
			raw, ct = atForm(t, values, file)
		} else {
			raw, ct = atForm(t, values)
		}
		req.body, req.headers = raw, []string{"Content-Type", ct}
	case "application/x-www-form-urlencoded":
		form := url.Values{}
		for k, v := range body {
			form.Set(k, fmt.Sprint(v))
		}
		req.body, req.headers = form.Encode(), []string{"Content-Type", ct}
	default:
		t.Fatalf("%s: no encoder for %s", r, ct)
	}
	return req
}

// fill puts A's ids in place of the example's.
func (w *secWorld) fill(t *testing.T, body map[string]any, caller secCaller) {
	for k := range body {
		switch k {
		case "unitId":
			body[k] = w.a.UnitID
		case "ticketId":
			body[k] = w.ticketWithoutWorkOrder(t)
		case "contractorId":
			body[k] = w.a.ContractorID
		case "sharedWithContractorId": // staff share files; others may not name a company
			if caller == secCaller(access.Admin) || caller == secCaller(access.Coordinator) {
				body[k] = w.a.ContractorID
			} else {
				delete(body, k)
			}
		case "reference":
			body[k] = testsupport.Marker("SEC-REF")
		case "assigneeUserId":
			body[k] = w.a.Coordinator.UserID
		case "userId":
			body[k] = w.app.AddMember(w.a.Admin, access.Tenant).UserID
		case "unitReference":
			body[k] = w.reference
		}
	}
}

func (w *secWorld) ticketWithoutWorkOrder(t *testing.T) uuid.UUID {
	return testsupport.CreateTicket(t, w.a.Tenant.With(t), map[string]any{"unitId": w.a.UnitID, "title": "Broken window " + testsupport.Marker("SEC")}).ID
}

// triage is a new public self-help triage in A.
func (w *secWorld) triage(t *testing.T) uuid.UUID {
	var out struct {
		TriageID uuid.UUID `json:"triageId"`
	}
	w.app.Anonymous().With(t).Post("/api/v1/public/"+w.a.Slug+"/triage", map[string]any{"title": "Boiler pressure low", "description": "The gauge is on 0.5."}).
		Expect(http.StatusOK).Data(&out)
	return out.TriageID
}

// occupant is a new occupancy of A's unit.
func (w *secWorld) occupant(t *testing.T) uuid.UUID {
	user := w.app.AddMember(w.a.Admin, access.Tenant)
	return w.a.Admin.With(t).Post("/api/v1/units/"+w.a.UnitID.String()+"/occupants", map[string]any{"userId": user.UserID}).Expect(http.StatusCreated).ID()
}

func (w *secWorld) login(t *testing.T, c *testsupport.Client) *testsupport.Client {
	var s struct {
		AccessToken  string `json:"accessToken"`
		RefreshToken string `json:"refreshToken"`
	}
	w.app.Anonymous().With(t).Post("/api/v1/auth/login", map[string]any{"email": c.Email, "password": testsupport.Password}).Expect(http.StatusOK).Data(&s)
	cp := *c
	cp.Token, cp.RefreshToken = s.AccessToken, s.RefreshToken
	return &cp
}

func (w *secWorld) client(caller secCaller) *testsupport.Client {
	switch caller {
	case secAnonymous:
		return w.app.Anonymous()
	case secForeign:
		return w.b.Admin
	}
	return w.a.ByRole(access.Role(caller))
}

// ---- the test ----------------------------------------------------------------------------

// secOperation is what the matrix reads of one operation in the document: the example of
// its request body, by media type.
type secOperation struct {
	RequestBody *struct {
		Content map[string]struct {
			Examples map[string]struct {
				Value map[string]any `json:"value"`
			} `json:"examples"`
		} `json:"content"`
	} `json:"requestBody"`
}

// secOperations is every operation of the OpenAPI document the running app serves.
func secOperations(t *testing.T, app *testsupport.App) map[route]*secOperation {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	raw := app.Anonymous().With(t).Get("/openapi.json").Expect(http.StatusOK).Body
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[route]*secOperation{}
	for path, item := range doc.Paths {
		for method, rawOp := range item {
			switch method {
			case "get", "put", "post", "patch", "delete":
				op := &secOperation{}
				if err := json.Unmarshal(rawOp, op); err != nil {
					t.Fatalf("%s %s: %v", method, path, err)
				}
				out[route{strings.ToUpper(method), path}] = op
			}
		}
	}
	return out
}

// TestSecurityMatrix sends every operation of the OpenAPI document a real request as each
// role of one organisation, an anonymous caller and another organisation's ADMIN, and
// checks each answer against secMatrix: allowed is neither 401, 403 nor 404; a role not
// allowed gets 403 (or 404 where the table says the service hides the object); no token
// gets 401; another organisation's ADMIN gets 404 for this organisation's objects. Refused
// callers go first, so their requests meet the objects as they were; each allowed caller
// of a changing operation gets objects of its own.
func TestSecurityMatrix(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	ops := secOperations(t, app)
	for r := range secMatrix {
		if ops[r] == nil {
			t.Errorf("secMatrix has %s, which the document does not", r)
		}
	}
	var missing []string
	for r := range ops {
		if _, ok := secMatrix[r]; !ok {
			missing = append(missing, r.String())
		}
	}
	slices.Sort(missing)
	for r, rule := range secMatrix {
		if public, ok := specRoutes[r]; ok && public != rule.public {
			t.Errorf("%s: public %v in secMatrix, %v in specRoutes", r, rule.public, public)
		}
	}
	// SECMATRIX_DUMP=1 runs every operation, entry or not, and logs what each caller got:
	// a start for a new operation's entry (check it against the SPEC before copying it).
	dump := os.Getenv("SECMATRIX_DUMP") != ""
	if len(missing) > 0 && !dump {
		t.Fatalf("operations without an entry in secMatrix (security_matrix_test.go):\n%s", strings.Join(missing, "\n"))
	}

	w := secNewWorld(t, app)
	routes := slices.SortedFunc(maps.Keys(ops), func(a, b route) int { return strings.Compare(a.path+a.method, b.path+b.method) })
	allowedCount := 0
	for _, r := range routes {
		rule, known := secMatrix[r]
		op := ops[r]
		// Refused callers first, then the allowed ones.
		order := slices.Clone(secCallers)
		slices.SortStableFunc(order, func(x, y secCaller) int {
			return boolInt(rule.want(x) == 0) - boolInt(rule.want(y) == 0)
		})
		got := map[secCaller]int{}
		for _, caller := range order {
			want := rule.want(caller)
			req := w.build(t, r, op, caller, want == 0 || !known)
			resp := req.client.With(t).Do(r.method, req.path, req.body, req.headers...)
			got[caller] = resp.Status
			if !known {
				continue
			}
			switch {
			case want == 0 && (resp.Status == 401 || resp.Status == 403 || resp.Status == 404):
				t.Errorf("%s as %s: %d, want allowed: %s", r, caller, resp.Status, resp.Body)
			case want == 0:
				allowedCount++
			case resp.Status != want:
				t.Errorf("%s as %s: %d, want %d: %s", r, caller, resp.Status, want, resp.Body)
			}
		}
		if dump {
			t.Logf("MATRIX %-7s %-55s %v", r.method, r.path, secFormat(got))
		}
	}
	t.Logf("%d operations, %d allowed requests answered", len(routes), allowedCount)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func secFormat(got map[secCaller]int) string {
	var b strings.Builder
	for _, c := range secCallers {
		fmt.Fprintf(&b, "%s=%d ", c, got[c])
	}
	return b.String()
}
