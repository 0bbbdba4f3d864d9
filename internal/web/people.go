package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/identity"
	pages "github.com/maintainuk/maintainuk/internal/page"
)

// peopleRoutes registers contractor companies (staff) and members (ADMIN).
func (u *UI) peopleRoutes(mux *http.ServeMux) {
	staff := []access.Role{access.Admin, access.Coordinator}
	mux.HandleFunc("GET /contractors", u.signedIn(u.contractorList, staff...))
	mux.HandleFunc("POST /contractors", u.signedIn(u.createContractor, staff...))
	mux.HandleFunc("GET /contractors/{id}", u.signedIn(u.contractorDetail, staff...))
	mux.HandleFunc("POST /contractors/{id}", u.signedIn(u.updateContractor, staff...))
	mux.HandleFunc("POST /contractors/{id}/active", u.signedIn(u.setContractorActive, staff...))

	mux.HandleFunc("GET /members", u.signedIn(u.memberList, access.Admin))
	mux.HandleFunc("POST /members", u.signedIn(u.inviteMember, access.Admin))
	mux.HandleFunc("POST /members/{id}/role", u.signedIn(u.changeRole, access.Admin))
	mux.HandleFunc("POST /members/{id}/remove", u.signedIn(u.removeMember, access.Admin))
}

// ---- Contractors ----

type contractorForm struct {
	CompanyName, Email, Phone, InsuranceExpiresOn, Notes string
	GasSafeNumber, GasSafeExpiresOn, NiceicNumber        string
	Trades                                               []string
}

func contractorFormOf(r *http.Request) contractorForm {
	return contractorForm{CompanyName: r.PostFormValue("companyName"), Email: r.PostFormValue("email"), Phone: r.PostFormValue("phone"),
		InsuranceExpiresOn: r.PostFormValue("insuranceExpiresOn"), Notes: r.PostFormValue("notes"), Trades: r.PostForm["trades"],
		GasSafeNumber: r.PostFormValue("gasSafeNumber"), GasSafeExpiresOn: r.PostFormValue("gasSafeExpiresOn"), NiceicNumber: r.PostFormValue("niceicNumber")}
}

func (f contractorForm) Has(trade string) bool { return slices.Contains(f.Trades, trade) }

// compliance is a company's insurance and Gas Safe registration in words, on a London
// date (docs/compliance.md: what the work-order checks refuse).
type compliance struct {
	// Insurance is "Insured until 3 Mar 2027", "Insurance lapsed on 30 Nov 2026" or "No
	// insurance date on record"; Lapsed whether it has passed, Unknown whether there is none.
	Insurance       string
	Lapsed, Unknown bool
	// GasSafe is "Gas Safe registered until 3 Mar 2027", "Gas Safe lapsed on …", "Gas Safe
	// expiry not on record" or "No Gas Safe registration"; GasSafeCurrent whether gas work
	// may go to the company, GasSafeLapsed whether a registration on record has passed.
	GasSafe        string
	GasSafeCurrent bool
	GasSafeLapsed  bool
}

func complianceOf(c contractors.Contractor, today string) compliance {
	var k compliance
	switch {
	case c.InsuranceExpiresOn == nil:
		k.Insurance, k.Unknown = "No insurance date on record", true
	case *c.InsuranceExpiresOn < today:
		k.Insurance, k.Lapsed = "Insurance lapsed on "+dateText(*c.InsuranceExpiresOn), true
	default:
		k.Insurance = "Insured until " + dateText(*c.InsuranceExpiresOn)
	}
	switch {
	case c.GasSafeNumber == "":
		k.GasSafe = "No Gas Safe registration"
	case c.GasSafeExpiresOn == nil:
		k.GasSafe = "Gas Safe expiry not on record"
	case *c.GasSafeExpiresOn < today:
		k.GasSafe, k.GasSafeLapsed = "Gas Safe lapsed on "+dateText(*c.GasSafeExpiresOn), true
	default:
		k.GasSafe, k.GasSafeCurrent = "Gas Safe registered until "+dateText(*c.GasSafeExpiresOn), true
	}
	return k
}

// contractorRow is a company with its insurance and registrations in words.
type contractorRow struct {
	contractors.Contractor
	Compliance compliance
}

type contractorListData struct {
	Trade, Active string
	Contractors   []contractorRow
	Next          string
	Trades        []string
	Form          contractorForm
	Today         string
}

func (u *UI) contractorList(w http.ResponseWriter, r *http.Request) {
	u.showContractors(w, r, http.StatusOK, contractorForm{}, nil)
}

func (u *UI) showContractors(w http.ResponseWriter, r *http.Request, status int, form contractorForm, errs map[string]string) {
	v := visitOf(r.Context())
	q := r.URL.Query()
	d := &contractorListData{Trade: q.Get("trade"), Active: q.Get("active"), Trades: contractors.Trades, Form: form, Today: today()}
	filter := contractors.ListFilter{Trade: d.Trade}
	if d.Active == "true" || d.Active == "false" {
		active := d.Active == "true"
		filter.Active = &active
	}
	res, err := u.deps.Contractors.List(r.Context(), v.Actor, filter, pages.Request{Limit: 25, Cursor: q.Get("cursor")})
	if err != nil {
		u.failed(w, r, "contractors", err)
		return
	}
	for _, c := range res.Items {
		d.Contractors = append(d.Contractors, contractorRow{Contractor: c, Compliance: complianceOf(c, d.Today)})
	}
	d.Next = nextQuery(q, res.NextCursor)
	u.render(w, r, status, u.fragmentOr(r, "contractors", "contractor-rows"),
		page{Title: "Contractors", Nav: "contractors", Data: d, Errors: errs})
}

func (u *UI) createContractor(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	f := contractorFormOf(r)
	in := contractors.Input{CompanyName: f.CompanyName, Trades: f.Trades, Email: f.Email, Phone: f.Phone, Notes: f.Notes,
		GasSafeNumber: f.GasSafeNumber, NiceicNumber: f.NiceicNumber}
	if f.InsuranceExpiresOn != "" {
		in.InsuranceExpiresOn = &f.InsuranceExpiresOn
	}
	if f.GasSafeExpiresOn != "" {
		in.GasSafeExpiresOn = &f.GasSafeExpiresOn
	}
	c, err := u.deps.Contractors.Create(r.Context(), v.Actor, in)
	if errs := formErrors(err); errs != nil {
		u.showContractors(w, r, http.StatusUnprocessableEntity, f, errs)
		return
	}
	if err != nil {
		u.failed(w, r, "add contractor", err)
		return
	}
	u.redirect(w, r, "/contractors/"+c.ID.String())
}

type contractorDetailData struct {
	Contractor *contractors.Contractor
	Form       contractorForm
	Trades     []string
	Compliance compliance
}

func (u *UI) contractorDetail(w http.ResponseWriter, r *http.Request) {
	u.showContractor(w, r, http.StatusOK, nil, nil)
}

func (u *UI) showContractor(w http.ResponseWriter, r *http.Request, status int, form *contractorForm, errs map[string]string) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "contractor")
	if err != nil {
		u.failed(w, r, "contractor", err)
		return
	}
	c, err := u.deps.Contractors.Get(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "contractor", err)
		return
	}
	d := contractorDetailData{Contractor: c, Trades: contractors.Trades}
	if form != nil {
		d.Form = *form
	} else {
		d.Form = contractorForm{CompanyName: c.CompanyName, Email: c.Email, Phone: c.Phone, Notes: c.Notes, Trades: c.Trades,
			GasSafeNumber: c.GasSafeNumber, NiceicNumber: c.NiceicNumber}
		if c.InsuranceExpiresOn != nil {
			d.Form.InsuranceExpiresOn = *c.InsuranceExpiresOn
		}
		if c.GasSafeExpiresOn != nil {
			d.Form.GasSafeExpiresOn = *c.GasSafeExpiresOn
		}
	}
	d.Compliance = complianceOf(*c, today())
	p := page{Title: c.CompanyName, Nav: "contractors", Data: d, Errors: errs}
	switch r.URL.Query().Get("done") {
	case "saved":
		p.Flash = "The company's details are saved."
	case "active":
		p.Flash = "The company is active again: it may be given work."
	case "inactive":
		p.Flash = "The company is deactivated: it is given no new work."
	}
	u.render(w, r, status, "contractor", p)
}

func (u *UI) updateContractor(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "contractor")
	if err != nil {
		u.failed(w, r, "change contractor", err)
		return
	}
	f := contractorFormOf(r)
	trades := f.Trades
	if trades == nil {
		trades = []string{}
	}
	_, err = u.deps.Contractors.Update(r.Context(), v.Actor, id, contractors.Patch{CompanyName: &f.CompanyName, Trades: &trades,
		Email: &f.Email, Phone: &f.Phone, InsuranceExpiresOn: &f.InsuranceExpiresOn, Notes: &f.Notes,
		GasSafeNumber: &f.GasSafeNumber, GasSafeExpiresOn: &f.GasSafeExpiresOn, NiceicNumber: &f.NiceicNumber})
	if errs := formErrors(err); errs != nil {
		u.showContractor(w, r, http.StatusUnprocessableEntity, &f, errs)
		return
	}
	if err != nil {
		u.failed(w, r, "change contractor", err)
		return
	}
	u.redirect(w, r, "/contractors/"+id.String()+"?done=saved")
}

func (u *UI) setContractorActive(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "contractor")
	if err != nil {
		u.failed(w, r, "contractor", err)
		return
	}
	active := r.PostFormValue("active") == "true"
	if _, err := u.deps.Contractors.Update(r.Context(), v.Actor, id, contractors.Patch{Active: &active}); err != nil {
		u.failed(w, r, "contractor", err)
		return
	}
	done := "inactive"
	if active {
		done = "active"
	}
	u.redirect(w, r, "/contractors/"+id.String()+"?done="+done)
}

// ---- Members ----

type inviteForm struct {
	Email, Role, ContractorID string
}

// memberRow is a member with their contractor company's name, for a CONTRACTOR.
type memberRow struct {
	identity.Member
	Company, CompanyID string
}

type memberListData struct {
	Members     []memberRow
	Next        string
	Invitations []identity.Invitation
	Companies   []contractors.Contractor
	Roles       []access.Role
	Invite      inviteForm
	// Problem is a refused change's message; Member the member it was about.
	Problem string
	Member  string
	Me      uuid.UUID
}

func (u *UI) memberList(w http.ResponseWriter, r *http.Request) {
	u.showMembers(w, r, http.StatusOK, memberListData{}, nil)
}

func (u *UI) showMembers(w http.ResponseWriter, r *http.Request, status int, d memberListData, errs map[string]string) {
	v := visitOf(r.Context())
	q := r.URL.Query()
	res, err := u.deps.Identity.ListMembers(r.Context(), v.Actor, pages.Request{Limit: 100, Cursor: q.Get("cursor")})
	if err != nil {
		u.failed(w, r, "members", err)
		return
	}
	invs, err := u.deps.Identity.ListInvitations(r.Context(), v.Actor)
	if err != nil {
		u.failed(w, r, "members", err)
		return
	}
	active := true
	companies, err := u.deps.Contractors.List(r.Context(), v.Actor, contractors.ListFilter{Active: &active}, pages.Request{Limit: pages.MaxLimit})
	if err != nil {
		u.failed(w, r, "members", err)
		return
	}
	d.Next, d.Invitations, d.Companies = nextQuery(q, res.NextCursor), invs, companies.Items
	names := map[uuid.UUID]string{}
	for _, c := range companies.Items {
		names[c.ID] = c.CompanyName
	}
	for _, m := range res.Items {
		row := memberRow{Member: m}
		if m.ContractorID != nil {
			row.Company, row.CompanyID = names[*m.ContractorID], m.ContractorID.String()
		}
		d.Members = append(d.Members, row)
	}
	d.Roles, d.Me = access.Roles, v.Actor.UserID
	if d.Invite.Role == "" {
		d.Invite.Role = string(access.Tenant)
	}
	p := page{Title: "Members", Nav: "members", Data: d, Errors: errs}
	switch q.Get("done") {
	case "invited":
		p.Flash = "The invitation is sent: it is listed below until it is accepted."
	case "role":
		p.Flash = "The role is changed; it applies from the member's next page."
	case "removed":
		p.Flash = "The member is removed from the organisation."
	}
	u.render(w, r, status, "members", p)
}

// contractorIDOf is the company chosen for a CONTRACTOR (nil for any other role or none).
func contractorIDOf(role, value string) *uuid.UUID {
	if role != string(access.Contractor) {
		return nil
	}
	id, err := uuid.Parse(value)
	if err != nil {
		return nil
	}
	return &id
}

func (u *UI) inviteMember(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	f := inviteForm{Email: strings.TrimSpace(r.PostFormValue("email")), Role: r.PostFormValue("role"), ContractorID: r.PostFormValue("contractorId")}
	_, err := u.deps.Identity.Invite(r.Context(), v.Actor, identity.InviteInput{Email: f.Email, Role: access.Role(f.Role),
		ContractorID: contractorIDOf(f.Role, f.ContractorID)})
	if errs := formErrors(err); errs != nil {
		u.showMembers(w, r, http.StatusUnprocessableEntity, memberListData{Invite: f}, errs)
		return
	}
	if problem := problemOf(err); problem != "" {
		u.showMembers(w, r, statusOfErr(err), memberListData{Invite: f}, map[string]string{"email": problem})
		return
	}
	if err != nil {
		u.failed(w, r, "invite", err)
		return
	}
	u.redirect(w, r, "/members?done=invited")
}

func (u *UI) changeRole(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "member")
	if err != nil {
		u.failed(w, r, "change role", err)
		return
	}
	role := r.PostFormValue("role")
	_, err = u.deps.Identity.ChangeRole(r.Context(), v.Actor, id, identity.ChangeRoleInput{Role: access.Role(role),
		ContractorID: contractorIDOf(role, r.PostFormValue("contractorId"))})
	if err == nil {
		u.redirect(w, r, "/members?done=role")
		return
	}
	u.memberRefused(w, r, id, "change role", err)
}

func (u *UI) removeMember(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "member")
	if err != nil {
		u.failed(w, r, "remove member", err)
		return
	}
	if err := u.deps.Identity.RemoveMember(r.Context(), v.Actor, id); err != nil {
		u.memberRefused(w, r, id, "remove member", err)
		return
	}
	u.redirect(w, r, "/members?done=removed")
}

// memberRefused shows the members page with a refused change's reason (such as keeping
// the last ADMIN) beside the member it was about.
func (u *UI) memberRefused(w http.ResponseWriter, r *http.Request, id uuid.UUID, what string, err error) {
	problem := problemOf(err)
	if problem == "" {
		if errs := fieldErrors(err); errs != nil {
			for _, k := range []string{"contractorId", "role"} {
				if m := errs[k]; m != "" {
					problem = m
					break
				}
			}
		}
	}
	if problem == "" {
		u.failed(w, r, what, err)
		return
	}
	u.showMembers(w, r, statusOfErr(err), memberListData{Problem: problem, Member: id.String()}, nil)
}
