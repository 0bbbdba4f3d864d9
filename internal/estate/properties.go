package estate

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/estate/estatedb"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// PropertyInput creates a property.
type PropertyInput struct {
	Name         string
	AddressLine1 string
	AddressLine2 string
	Town         string
	Postcode     string
}

// PropertyPatch changes the fields that are not nil.
type PropertyPatch struct {
	Name         *string
	AddressLine1 *string
	AddressLine2 *string
	Town         *string
	Postcode     *string
}

// Check applies the rules on the input alone, which CreateProperty applies first; the API
// runs it beside schema validation so that one answer lists every field error.
func (in PropertyInput) Check() error { return in.validate() }

// Check applies the input rules to the fields the patch sets, naming each that breaks
// one (the others keep their stored, already valid values, filled in here with valid
// stand-ins); the API runs it beside schema validation.
func (p PropertyPatch) Check() error {
	in := PropertyInput{AddressLine1: "1 High Street", Town: "Leeds", Postcode: "LS1 4AP"}
	var set []string
	for _, f := range []struct {
		name  string
		value *string
		into  *string
	}{{"name", p.Name, &in.Name}, {"addressLine1", p.AddressLine1, &in.AddressLine1}, {"addressLine2", p.AddressLine2, &in.AddressLine2},
		{"town", p.Town, &in.Town}, {"postcode", p.Postcode, &in.Postcode}} {
		if f.value != nil {
			*f.into = *f.value
			set = append(set, f.name)
		}
	}
	return apperr.OnlyFields(in.Check(), set...)
}

func (in *PropertyInput) validate() error {
	var f apperr.Fields
	check := func(field string, v *string, min, max int) {
		out, err := validate.Text(*v, min, max)
		if err != nil {
			f.Add(field, err.Error())
		}
		*v = out
	}
	check("name", &in.Name, 0, 200)
	check("addressLine1", &in.AddressLine1, 1, 200)
	check("addressLine2", &in.AddressLine2, 0, 200)
	check("town", &in.Town, 1, 100)
	pc, err := validate.Postcode(in.Postcode)
	if err != nil {
		f.Add("postcode", err.Error())
	}
	in.Postcode = pc
	return f.Err()
}

// CreateProperty adds a property (staff only).
func (s *Service) CreateProperty(ctx context.Context, actor access.Actor, in PropertyInput) (*Property, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out Property
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.InsertProperty(ctx, tx, estatedb.InsertPropertyParams{
			OrgID: actor.OrgID, Name: in.Name, AddressLine1: in.AddressLine1, AddressLine2: in.AddressLine2, Town: in.Town, Postcode: in.Postcode,
		})
		if err != nil {
			return err
		}
		out = propertyFromRow(row)
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityProperty, EntityID: row.ID, Action: "created", After: out})
	})
	return &out, err
}

// GetProperty returns one property (staff only).
func (s *Service) GetProperty(ctx context.Context, actor access.Actor, id uuid.UUID) (*Property, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var out Property
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetProperty(ctx, tx, estatedb.GetPropertyParams{OrgID: actor.OrgID, ID: id})
		out = propertyFromRow(row)
		return notFound(err, "property")
	})
	return &out, err
}

// UpdateProperty applies a patch (staff only) and records before and after.
func (s *Service) UpdateProperty(ctx context.Context, actor access.Actor, id uuid.UUID, patch PropertyPatch) (*Property, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var out Property
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetPropertyForUpdate(ctx, tx, estatedb.GetPropertyForUpdateParams{OrgID: actor.OrgID, ID: id})
		if err != nil {
			return notFound(err, "property")
		}
		before := propertyFromRow(row)
		in := PropertyInput{Name: row.Name, AddressLine1: row.AddressLine1, AddressLine2: row.AddressLine2, Town: row.Town, Postcode: row.Postcode}
		apply(&in.Name, patch.Name)
		apply(&in.AddressLine1, patch.AddressLine1)
		apply(&in.AddressLine2, patch.AddressLine2)
		apply(&in.Town, patch.Town)
		apply(&in.Postcode, patch.Postcode)
		if err := in.validate(); err != nil {
			return err
		}
		if in == (PropertyInput{Name: row.Name, AddressLine1: row.AddressLine1, AddressLine2: row.AddressLine2, Town: row.Town, Postcode: row.Postcode}) {
			out = before // nothing changed: no write, no audit noise
			return nil
		}
		row, err = s.q.UpdateProperty(ctx, tx, estatedb.UpdatePropertyParams{
			OrgID: actor.OrgID, ID: id, Name: in.Name, AddressLine1: in.AddressLine1, AddressLine2: in.AddressLine2, Town: in.Town, Postcode: in.Postcode,
		})
		if err != nil {
			return err
		}
		out = propertyFromRow(row)
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityProperty, EntityID: id, Action: "updated", Before: before, After: out})
	})
	return &out, err
}

// ListProperties pages through properties, optionally those at one postcode (staff only).
func (s *Service) ListProperties(ctx context.Context, actor access.Actor, postcode string, req page.Request) (page.Result[Property], error) {
	var res page.Result[Property]
	if err := actor.RequireStaff(); err != nil {
		return res, err
	}
	limit, before, err := req.ParseNewest()
	if err != nil {
		return res, err
	}
	var pc *string
	if postcode != "" {
		norm, err := validate.Postcode(postcode)
		if err != nil {
			var f apperr.Fields
			f.Add("postcode", err.Error())
			return res, f.Err()
		}
		pc = &norm
	}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		rows, err := s.q.ListProperties(ctx, tx, estatedb.ListPropertiesParams{
			OrgID: actor.OrgID, BeforeCreatedAt: before.CreatedAt, BeforeID: before.ID, Postcode: pc, RowLimit: int32(limit + 1),
		})
		items := make([]Property, len(rows))
		for i, r := range rows {
			items[i] = propertyFromRow(r)
		}
		res = page.Build(items, limit, func(p Property) page.Key { return page.Key{CreatedAt: p.CreatedAt, ID: p.ID} })
		return err
	})
	return res, err
}

func apply(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}
