package estate

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/estate/estatedb"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// UnitInput creates a unit within a property.
type UnitInput struct {
	Label     string
	Reference string
	Bedrooms  *int32
}

var referenceRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,30}$`)

// Check applies the rules on the input alone, which CreateUnit applies first; the API runs
// it beside schema validation so that one answer lists every field error.
func (in UnitInput) Check() error {
	_, _, err := in.check()
	return err
}

// check returns the cleaned label and reference.
func (in UnitInput) check() (label, ref string, _ error) {
	var f apperr.Fields
	label, err := validate.Text(in.Label, 1, 100)
	if err != nil {
		f.Add("label", err.Error())
	}
	ref = strings.ToUpper(strings.TrimSpace(in.Reference))
	if !referenceRE.MatchString(ref) {
		f.Add("reference", "must be 2 to 31 letters, digits or hyphens, e.g. DL-12B")
	}
	if in.Bedrooms != nil && (*in.Bedrooms < 0 || *in.Bedrooms > 50) {
		f.Add("bedrooms", "must be from 0 to 50")
	}
	return label, ref, f.Err()
}

// CreateUnit adds a unit to a property (staff only). The reference is unique within the
// organisation; residents quote it on the public repair form.
func (s *Service) CreateUnit(ctx context.Context, actor access.Actor, propertyID uuid.UUID, in UnitInput) (*Unit, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	label, ref, err := in.check()
	if err != nil {
		return nil, err
	}
	var out Unit
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if _, err := s.q.GetProperty(ctx, tx, estatedb.GetPropertyParams{OrgID: actor.OrgID, ID: propertyID}); err != nil {
			return notFound(err, "property")
		}
		row, err := s.q.InsertUnit(ctx, tx, estatedb.InsertUnitParams{OrgID: actor.OrgID, PropertyID: propertyID, Label: label, Reference: ref, Bedrooms: in.Bedrooms})
		if database.IsUniqueViolation(err, "units_org_id_reference_key") {
			var f apperr.Fields
			f.Add("reference", "is already used by another unit")
			return &apperr.Error{Code: apperr.Conflict, Message: "unit reference already in use", Fields: f}
		}
		if err != nil {
			return err
		}
		out = unitFromRow(row)
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityUnit, EntityID: row.ID, Action: "created", After: out})
	})
	return &out, err
}

// GetUnit returns one unit (staff only).
func (s *Service) GetUnit(ctx context.Context, actor access.Actor, id uuid.UUID) (*Unit, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var out Unit
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetUnit(ctx, tx, estatedb.GetUnitParams{OrgID: actor.OrgID, ID: id})
		out = unitFromRow(row)
		return notFound(err, "unit")
	})
	return &out, err
}

// ListUnits pages through a property's units (staff only).
func (s *Service) ListUnits(ctx context.Context, actor access.Actor, propertyID uuid.UUID, req page.Request) (page.Result[Unit], error) {
	var res page.Result[Unit]
	if err := actor.RequireStaff(); err != nil {
		return res, err
	}
	limit, before, err := req.ParseNewest()
	if err != nil {
		return res, err
	}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if _, err := s.q.GetProperty(ctx, tx, estatedb.GetPropertyParams{OrgID: actor.OrgID, ID: propertyID}); err != nil {
			return notFound(err, "property")
		}
		rows, err := s.q.ListUnits(ctx, tx, estatedb.ListUnitsParams{
			OrgID: actor.OrgID, PropertyID: propertyID, BeforeCreatedAt: before.CreatedAt, BeforeID: before.ID, RowLimit: int32(limit + 1),
		})
		items := make([]Unit, len(rows))
		for i, r := range rows {
			items[i] = unitFromRow(r)
		}
		res = page.Build(items, limit, func(u Unit) page.Key { return page.Key{CreatedAt: u.CreatedAt, ID: u.ID} })
		return err
	})
	return res, err
}

// AddOccupant links a TENANT member of the organisation to a unit (staff only), for an
// occupancy starting on startsOn (YYYY-MM-DD; "" is today in Europe/London).
func (s *Service) AddOccupant(ctx context.Context, actor access.Actor, unitID, userID uuid.UUID, startsOn string) (*Occupant, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var start *time.Time
	if startsOn != "" {
		d, err := parseDate("startsOn", startsOn)
		if err != nil {
			return nil, err
		}
		start = &d
	}
	var out Occupant
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if _, err := s.q.GetUnit(ctx, tx, estatedb.GetUnitParams{OrgID: actor.OrgID, ID: unitID}); err != nil {
			return notFound(err, "unit")
		}
		role, err := s.q.GetMemberRole(ctx, tx, estatedb.GetMemberRoleParams{OrgID: actor.OrgID, UserID: userID})
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err != nil || access.Role(role) != access.Tenant {
			var f apperr.Fields
			f.Add("userId", "must be a TENANT member of this organisation")
			return f.Err()
		}
		row, err := s.q.InsertOccupant(ctx, tx, estatedb.InsertOccupantParams{OrgID: actor.OrgID, UnitID: unitID, UserID: userID, StartsOn: start})
		if database.IsUniqueViolation(err, "") {
			return apperr.New(apperr.Conflict, "this resident already occupies the unit")
		}
		if err != nil {
			return err
		}
		o, err := s.q.GetOccupant(ctx, tx, estatedb.GetOccupantParams{OrgID: actor.OrgID, ID: row.ID})
		if err != nil {
			return err
		}
		out = occupantFrom(o.UnitOccupant, o.Name, o.Email)
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityUnit, EntityID: unitID, Action: "occupant_added",
			After: map[string]any{"occupantId": o.UnitOccupant.ID, "userId": userID, "startsOn": out.StartsOn}})
	})
	return &out, err
}

// ListOccupants lists a unit's residents (staff only).
func (s *Service) ListOccupants(ctx context.Context, actor access.Actor, unitID uuid.UUID) ([]Occupant, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var out []Occupant
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if _, err := s.q.GetUnit(ctx, tx, estatedb.GetUnitParams{OrgID: actor.OrgID, ID: unitID}); err != nil {
			return notFound(err, "unit")
		}
		rows, err := s.q.ListOccupants(ctx, tx, estatedb.ListOccupantsParams{OrgID: actor.OrgID, UnitID: unitID})
		out = make([]Occupant, len(rows))
		for i, r := range rows {
			out[i] = occupantFrom(r.UnitOccupant, r.Name, r.Email)
		}
		return err
	})
	return out, err
}

// EndOccupancy records a move-out (staff only): the occupancy's last day is endsOn
// (YYYY-MM-DD, Europe/London), on or after its first. After that day the resident no
// longer sees the unit's tickets nor reports for the unit. An ended occupancy answers 409;
// another unit's occupant, or another organisation's, 404.
func (s *Service) EndOccupancy(ctx context.Context, actor access.Actor, unitID, occupantID uuid.UUID, endsOn string) (*Occupant, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	end, err := parseDate("endsOn", endsOn)
	if err != nil {
		return nil, err
	}
	var out Occupant
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if _, err := s.q.GetUnit(ctx, tx, estatedb.GetUnitParams{OrgID: actor.OrgID, ID: unitID}); err != nil {
			return notFound(err, "unit")
		}
		row, err := s.q.GetOccupantForUpdate(ctx, tx, estatedb.GetOccupantForUpdateParams{OrgID: actor.OrgID, UnitID: unitID, ID: occupantID})
		if err != nil {
			return notFound(err, "occupant")
		}
		if row.EndsOn != nil {
			return apperr.New(apperr.Conflict, "this occupancy has already ended")
		}
		if end.Before(row.StartsOn) {
			var f apperr.Fields
			f.Add("endsOn", "must be on or after the occupancy's start, "+row.StartsOn.Format(time.DateOnly))
			return f.Err()
		}
		if err := s.q.EndOccupancy(ctx, tx, estatedb.EndOccupancyParams{OrgID: actor.OrgID, ID: occupantID, EndsOn: &end}); err != nil {
			return err
		}
		o, err := s.q.GetOccupant(ctx, tx, estatedb.GetOccupantParams{OrgID: actor.OrgID, ID: occupantID})
		if err != nil {
			return err
		}
		out = occupantFrom(o.UnitOccupant, o.Name, o.Email)
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityUnit, EntityID: unitID, Action: "occupancy_ended",
			After: map[string]any{"occupantId": occupantID, "userId": row.UserID, "startsOn": out.StartsOn, "endsOn": out.EndsOn}})
	})
	return &out, err
}

// parseDate reads a YYYY-MM-DD date for field.
func parseDate(field, v string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	if err != nil {
		var f apperr.Fields
		f.Add(field, "must be a date like 2027-03-31")
		return time.Time{}, f.Err()
	}
	return d, nil
}
