package testsupport

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Estate is the one organisation fixture: a Team (a member of every role), a property
// with one unit the team's TENANT has lived in for a year (so tickets dated in the past
// fall within the tenancy), the contractor company of the team's CONTRACTOR, a second
// contractor company with no members, the organisation's slug and every membership id.
type Estate struct {
	Team
	OrgID             uuid.UUID
	Slug              string
	PropertyID        uuid.UUID
	UnitID            uuid.UUID
	ContractorID      uuid.UUID // the company of Team.Contractor
	OtherContractorID uuid.UUID
	MemberID          map[uuid.UUID]uuid.UUID // user id → membership id
}

// EstateOptions vary an Estate where tests need to: a unit reference and postcode may
// repeat across organisations, so tests choose them.
type EstateOptions struct {
	Postcode  string // default LS1 4AP
	Reference string // the unit's reference; default EST-1
}

// NewEstate builds an Estate named name through the API, as its ADMIN.
func (a *App) NewEstate(t testing.TB, name string, opts EstateOptions) *Estate {
	t.Helper()
	if opts.Postcode == "" {
		opts.Postcode = "LS1 4AP"
	}
	if opts.Reference == "" {
		opts.Reference = "EST-1"
	}
	e := &Estate{Team: a.NewTeam(name), MemberID: map[uuid.UUID]uuid.UUID{}}
	admin := e.Admin.With(t)
	e.OrgID = e.Admin.OrgID
	var me struct {
		Org struct {
			Slug string `json:"slug"`
		} `json:"org"`
	}
	admin.Get("/api/v1/auth/me").Expect(http.StatusOK).Data(&me)
	e.Slug = me.Org.Slug
	e.PropertyID = admin.Post("/api/v1/properties", map[string]any{
		"name": name + " House", "addressLine1": "1 " + name + " Street", "town": "Leeds", "postcode": opts.Postcode,
	}).Expect(http.StatusCreated).ID()
	e.UnitID = admin.Post(Path("/api/v1/properties/%s/units", e.PropertyID), map[string]any{
		"label": "Flat 1", "reference": opts.Reference, "bedrooms": 2,
	}).Expect(http.StatusCreated).ID()
	admin.Post(Path("/api/v1/units/%s/occupants", e.UnitID), map[string]any{
		"userId": e.Tenant.UserID, "startsOn": time.Now().AddDate(-1, 0, 0).Format(time.DateOnly),
	}).Expect(http.StatusCreated)
	e.OtherContractorID = admin.Post("/api/v1/contractors", map[string]any{
		"companyName": name + " Sparks Ltd", "email": "sparks@" + strings.ToLower(strings.ReplaceAll(name, " ", "")) + ".example.com",
		"trades": []string{"ELECTRICAL", "PLUMBING"},
	}).Expect(http.StatusCreated).ID()
	var members []struct {
		ID           uuid.UUID  `json:"id"`
		UserID       uuid.UUID  `json:"userId"`
		ContractorID *uuid.UUID `json:"contractorId"`
	}
	admin.Get("/api/v1/members?limit=200").Expect(http.StatusOK).Data(&members)
	for _, m := range members {
		e.MemberID[m.UserID] = m.ID
		if m.UserID == e.Contractor.UserID && m.ContractorID != nil {
			e.ContractorID = *m.ContractorID
		}
	}
	if e.ContractorID == uuid.Nil || len(e.MemberID) != 4 {
		t.Fatalf("estate %s: contractor company %s, %d members", name, e.ContractorID, len(e.MemberID))
	}
	return e
}
