package estate

import (
	"context"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/estate/estatedb"
)

// Home is a unit a resident lives in, with its address.
type Home struct {
	UnitID       uuid.UUID
	Label        string
	Reference    string
	PropertyName string
	AddressLine1 string
	Town         string
	Postcode     string
}

// Homes lists the units the acting member lives in today (their current occupancies).
func (s *Service) Homes(ctx context.Context, actor access.Actor) ([]Home, error) {
	rows, err := s.q.ListHomesOfResident(ctx, s.db.Reader(actor.OrgID, actor.UserID),
		estatedb.ListHomesOfResidentParams{OrgID: actor.OrgID, UserID: actor.UserID})
	if err != nil {
		return nil, err
	}
	out := make([]Home, len(rows))
	for i, r := range rows {
		out[i] = Home{UnitID: r.ID, Label: r.Label, Reference: r.Reference, PropertyName: r.PropertyName,
			AddressLine1: r.AddressLine1, Town: r.Town, Postcode: r.Postcode}
	}
	return out, nil
}

// maxUnitChoices bounds the units a form offers; an estate larger than this reports by
// property page instead.
const maxUnitChoices = 1000

// UnitChoices lists the organisation's units with their addresses, for a form (staff).
func (s *Service) UnitChoices(ctx context.Context, actor access.Actor) ([]Home, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.q.ListUnitChoices(ctx, s.db.Reader(actor.OrgID, actor.UserID),
		estatedb.ListUnitChoicesParams{OrgID: actor.OrgID, Lim: maxUnitChoices})
	if err != nil {
		return nil, err
	}
	out := make([]Home, len(rows))
	for i, r := range rows {
		out[i] = Home{UnitID: r.ID, Label: r.Label, Reference: r.Reference, PropertyName: r.PropertyName,
			AddressLine1: r.AddressLine1, Town: r.Town, Postcode: r.Postcode}
	}
	return out, nil
}
