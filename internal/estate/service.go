// Package estate is what an organisation manages: properties, the units within them, and
// the residents (TENANT members) who occupy units.
package estate

import (
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/estate/estatedb"
)

// Service manages properties, units and occupants.
type Service struct {
	db *database.DB
	q  *estatedb.Queries
}

// NewService returns the estate service.
func NewService(db *database.DB) *Service { return &Service{db: db, q: estatedb.New()} }

// Property is a building or house with a postal address.
type Property struct {
	ID           uuid.UUID `json:"id"`
	Name         string    `json:"name"`
	AddressLine1 string    `json:"addressLine1"`
	AddressLine2 string    `json:"addressLine2"`
	Town         string    `json:"town"`
	Postcode     string    `json:"postcode"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

func propertyFromRow(p estatedb.Property) Property {
	return Property{ID: p.ID, Name: p.Name, AddressLine1: p.AddressLine1, AddressLine2: p.AddressLine2,
		Town: p.Town, Postcode: p.Postcode, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// Unit is a flat or house within a property that residents occupy.
type Unit struct {
	ID         uuid.UUID `json:"id"`
	PropertyID uuid.UUID `json:"propertyId"`
	Label      string    `json:"label"`
	Reference  string    `json:"reference"`
	Bedrooms   *int32    `json:"bedrooms"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

func unitFromRow(u estatedb.Unit) Unit {
	return Unit{ID: u.ID, PropertyID: u.PropertyID, Label: u.Label, Reference: u.Reference,
		Bedrooms: u.Bedrooms, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// Occupant links a TENANT member to a unit for an occupancy (tenancy) from StartsOn to
// EndsOn inclusive, dates in Europe/London.
type Occupant struct {
	ID        uuid.UUID `json:"id"`
	UnitID    uuid.UUID `json:"unitId"`
	UserID    uuid.UUID `json:"userId"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	StartsOn  string    `json:"startsOn" format:"date" example:"2026-12-01" doc:"First day of the occupancy (Europe/London)."`
	EndsOn    *string   `json:"endsOn" format:"date" example:"2027-11-30" doc:"Last day of the occupancy (Europe/London), set at move-out; null while it runs. After it the resident no longer sees the unit's tickets nor reports for the unit."`
	CreatedAt time.Time `json:"createdAt"`
}

func occupantFrom(o estatedb.UnitOccupant, name, email string) Occupant {
	out := Occupant{ID: o.ID, UnitID: o.UnitID, UserID: o.UserID, Name: name, Email: email,
		StartsOn: o.StartsOn.Format(time.DateOnly), CreatedAt: o.CreatedAt}
	if o.EndsOn != nil {
		d := o.EndsOn.Format(time.DateOnly)
		out.EndsOn = &d
	}
	return out
}

func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.NotFoundf(what)
	}
	return err
}
