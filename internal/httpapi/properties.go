package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/estate"
)

type propertyBody struct {
	Name         string `json:"name,omitempty" maxLength:"200" doc:"Optional name, e.g. Riverside House."`
	AddressLine1 string `json:"addressLine1" minLength:"1" maxLength:"200" example:"12 Riverside Walk"`
	AddressLine2 string `json:"addressLine2,omitempty" maxLength:"200"`
	Town         string `json:"town" minLength:"1" maxLength:"100" example:"Leeds"`
	Postcode     string `json:"postcode" minLength:"5" maxLength:"10" example:"LS1 4DT" doc:"UK postcode in any case and spacing (sw1a1aa); stored as upper case with one space (SW1A 1AA)."`
}

type createPropertyIn struct {
	Body propertyBody
}

type patchPropertyIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Name         *string `json:"name,omitempty" maxLength:"200"`
		AddressLine1 *string `json:"addressLine1,omitempty" minLength:"1" maxLength:"200"`
		AddressLine2 *string `json:"addressLine2,omitempty" maxLength:"200"`
		Town         *string `json:"town,omitempty" minLength:"1" maxLength:"100"`
		Postcode     *string `json:"postcode,omitempty" minLength:"5" maxLength:"10" example:"LS1 4DT" doc:"UK postcode in any case and spacing (sw1a1aa); stored as upper case with one space (SW1A 1AA)."`
	}
}

type idIn struct {
	ID uuid.UUID `path:"id"`
}

type listPropertiesIn struct {
	PageQuery
	Postcode string `query:"postcode" maxLength:"10" doc:"Only properties at this postcode."`
}

type createUnitIn struct {
	ID   uuid.UUID `path:"id" doc:"The property."`
	Body struct {
		Label     string `json:"label" minLength:"1" maxLength:"100" example:"Flat 2" doc:"How the unit is known, e.g. Flat 2."`
		Reference string `json:"reference" maxLength:"31" pattern:"^ *[A-Za-z0-9][A-Za-z0-9-]{1,30} *$" patternDescription:"2 to 31 letters, digits or hyphens, starting with a letter or digit" example:"DL-12B" doc:"Unique within the organisation; residents quote it on the public form. 2 to 31 letters, digits or hyphens, not starting with a hyphen; stored in upper case (dl-12b is DL-12B)."`
		Bedrooms  *int32 `json:"bedrooms,omitempty" minimum:"0" maximum:"50"`
	}
}

type listUnitsIn struct {
	ID uuid.UUID `path:"id" doc:"The property."`
	PageQuery
}

type addOccupantIn struct {
	ID   uuid.UUID `path:"id" doc:"The unit."`
	Body struct {
		UserID   uuid.UUID `json:"userId" format:"uuid" doc:"A TENANT member of the organisation."`
		StartsOn string    `json:"startsOn,omitempty" format:"date" example:"2026-12-01" doc:"First day of the occupancy (Europe/London); today if omitted. The resident sees the unit's tickets raised from this day."`
	}
}

type endOccupancyIn struct {
	ID         uuid.UUID `path:"id" doc:"The unit."`
	OccupantID uuid.UUID `path:"occupantId" doc:"The occupancy (the id of GET /units/{id}/occupants)."`
	Body       struct {
		EndsOn string `json:"endsOn" format:"date" example:"2027-11-30" doc:"Last day of the occupancy (Europe/London), on or after its first; may be in the past or the future."`
	}
}

func (s *Server) propertyRoutes() {
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/properties", "listProperties", "Properties", "List properties", true),
		func(ctx context.Context, in *listPropertiesIn) (*ListOut[estate.Property], error) {
			res, err := s.deps.Estate.ListProperties(ctx, actorOf(ctx), in.Postcode, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/properties", "createProperty", "Properties", "Add a property", true)),
		func(ctx context.Context, in *createPropertyIn) (*Created[estate.Property], error) {
			b := in.Body
			p, err := s.deps.Estate.CreateProperty(ctx, actorOf(ctx), estate.PropertyInput{Name: b.Name, AddressLine1: b.AddressLine1, AddressLine2: b.AddressLine2, Town: b.Town, Postcode: b.Postcode})
			if err != nil {
				return nil, err
			}
			return created(ctx, *p), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/properties/{id}", "getProperty", "Properties", "Get a property", true),
		func(ctx context.Context, in *idIn) (*Out[estate.Property], error) {
			p, err := s.deps.Estate.GetProperty(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *p), nil
		})

	huma.Register(s.api, s.operation(http.MethodPatch, "/api/v1/properties/{id}", "updateProperty", "Properties", "Change a property", true),
		func(ctx context.Context, in *patchPropertyIn) (*Out[estate.Property], error) {
			b := in.Body
			p, err := s.deps.Estate.UpdateProperty(ctx, actorOf(ctx), in.ID, estate.PropertyPatch{Name: b.Name, AddressLine1: b.AddressLine1, AddressLine2: b.AddressLine2, Town: b.Town, Postcode: b.Postcode})
			if err != nil {
				return nil, err
			}
			return ok(ctx, *p), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/properties/{id}/units", "listUnits", "Properties", "List a property's units", true),
		func(ctx context.Context, in *listUnitsIn) (*ListOut[estate.Unit], error) {
			res, err := s.deps.Estate.ListUnits(ctx, actorOf(ctx), in.ID, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/properties/{id}/units", "createUnit", "Properties", "Add a unit to a property", true)),
		func(ctx context.Context, in *createUnitIn) (*Created[estate.Unit], error) {
			u, err := s.deps.Estate.CreateUnit(ctx, actorOf(ctx), in.ID, estate.UnitInput{Label: in.Body.Label, Reference: in.Body.Reference, Bedrooms: in.Body.Bedrooms})
			if err != nil {
				return nil, err
			}
			return created(ctx, *u), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/units/{id}", "getUnit", "Properties", "Get a unit", true),
		func(ctx context.Context, in *idIn) (*Out[estate.Unit], error) {
			u, err := s.deps.Estate.GetUnit(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *u), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/units/{id}/occupants", "listOccupants", "Properties", "List a unit's residents", true),
		func(ctx context.Context, in *idIn) (*Out[[]estate.Occupant], error) {
			o, err := s.deps.Estate.ListOccupants(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, o), nil
		})

	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/units/{id}/occupants", "addOccupant", "Properties", "Link a TENANT member to a unit", true)),
		func(ctx context.Context, in *addOccupantIn) (*Created[estate.Occupant], error) {
			o, err := s.deps.Estate.AddOccupant(ctx, actorOf(ctx), in.ID, in.Body.UserID, in.Body.StartsOn)
			if err != nil {
				return nil, err
			}
			return created(ctx, *o), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/units/{id}/occupants/{occupantId}/end", "endOccupancy", "Properties", "End an occupancy (move-out)", true),
		func(ctx context.Context, in *endOccupancyIn) (*Out[estate.Occupant], error) {
			o, err := s.deps.Estate.EndOccupancy(ctx, actorOf(ctx), in.ID, in.OccupantID, in.Body.EndsOn)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *o), nil
		})
}
