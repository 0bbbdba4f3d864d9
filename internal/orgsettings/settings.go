// Package orgsettings holds the rules each organisation sets for itself: SLA windows per
// priority, the bank-holiday calendar they count in, the quote approval threshold above
// which only an ADMIN may approve, whether money decisions need two people (separation of
// duties), and when and how texts reach residents (quiet hours, the HELP answer).
package orgsettings

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/orgsettings/orgsettingsdb"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// Window is how long a priority allows: calendar hours or UK working days (one of them).
type Window struct {
	Hours       int `json:"hours,omitempty" minimum:"0" maximum:"8760"`
	WorkingDays int `json:"workingDays,omitempty" minimum:"0" maximum:"365"`
}

// Settings are one organisation's rules.
type Settings struct {
	ApprovalThresholdPence int64             `json:"approvalThresholdPence" doc:"Quotes above this total (pence, incl. VAT) need an ADMIN to approve."`
	SLA                    map[string]Window `json:"sla" doc:"Response window per priority: EMERGENCY, URGENT, ROUTINE."`
	HolidayRegion          ukcalendar.Region `json:"holidayRegion" enum:"ENGLAND_WALES,SCOTLAND,NORTHERN_IRELAND" doc:"Whose bank holidays working days skip."`
	SeparationOfDuties     Duties            `json:"separationOfDuties" enum:"AUTO,ON,OFF" doc:"Whether whoever entered a quote or invoice may approve it, and whoever approved an invoice may mark it paid. ON: never; OFF: they may; AUTO (default): ON while the organisation has two or more staff (ADMIN or COORDINATOR members), OFF with one."`
	QuietHours             QuietHours        `json:"quietHours" doc:"Texts (SMS, WhatsApp) about anything but an emergency that would go out in this window, in UK time, wait until it ends. Equal start and end: no quiet hours."`
	ContactLine            string            `json:"contactLine" maxLength:"300" doc:"How residents reach the organisation (a phone number, an email, office hours): the answer to a HELP text. Empty: the organisation's name only."`
	Landlord               clocks.Landlord   `json:"landlord" enum:"PRIVATE,SOCIAL,COUNCIL" doc:"What kind of landlord the organisation is, which decides the legal clocks its repairs run against: PRIVATE (its own SLA windows), SOCIAL (also Awaab's Law, SI 2025/1042), COUNCIL (also the Right to Repair, SI 1994/133)."`
}

// QuietHours is a daily window in Europe/London time, "HH:MM" each; it may wrap midnight.
type QuietHours struct {
	Start string `json:"start" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" example:"21:00"`
	End   string `json:"end" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" example:"08:00"`
}

var clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

func (q QuietHours) valid() bool {
	return clockPattern.MatchString(q.Start) && clockPattern.MatchString(q.End)
}

// Duties is the separation-of-duties setting.
type Duties string

const (
	// DutiesAuto separates duties while the organisation has two or more staff.
	DutiesAuto Duties = "AUTO"
	// DutiesOn always separates duties.
	DutiesOn Duties = "ON"
	// DutiesOff never separates duties.
	DutiesOff Duties = "OFF"
)

// Valid reports whether d is one of AUTO, ON and OFF.
func (d Duties) Valid() bool { return d == DutiesAuto || d == DutiesOn || d == DutiesOff }

// Defaults are common UK social-housing response times.
func Defaults() Settings {
	return Settings{
		ApprovalThresholdPence: 50000,
		SLA: map[string]Window{
			"EMERGENCY": {Hours: 24},
			"URGENT":    {WorkingDays: 7},
			"ROUTINE":   {WorkingDays: 28},
		},
		HolidayRegion:      ukcalendar.EnglandWales,
		SeparationOfDuties: DutiesAuto,
		QuietHours:         QuietHours{Start: "21:00", End: "08:00"},
		Landlord:           clocks.Private,
	}
}

// stored is the shape of organisations.settings (the threshold has its own column).
type stored struct {
	SLA           map[string]Window `json:"sla,omitempty"`
	HolidayRegion string            `json:"holidayRegion,omitempty"`
	// SeparationOfDuties is absent for AUTO.
	SeparationOfDuties string      `json:"separationOfDuties,omitempty"`
	QuietHours         *QuietHours `json:"quietHours,omitempty"`
	ContactLine        string      `json:"contactLine,omitempty"`
	// Landlord is absent for PRIVATE.
	Landlord string `json:"landlord,omitempty"`
}

var q = orgsettingsdb.New()

// Load reads an organisation's settings inside tx, filling gaps with the defaults. tx is
// in orgID's scope. They come from the process's cache when read less than CacheTTL ago.
func Load(ctx context.Context, tx database.Querier, orgID uuid.UUID) (Settings, error) {
	return cache.Load(orgID, func() (Settings, error) { return load(ctx, tx, orgID) })
}

// load reads an organisation's settings from the database.
func load(ctx context.Context, tx database.Querier, orgID uuid.UUID) (Settings, error) {
	row, err := q.GetSettings(ctx, tx, orgID)
	if err != nil {
		return Settings{}, fmt.Errorf("orgsettings: load: %w", err)
	}
	s := Defaults()
	s.ApprovalThresholdPence = row.ApprovalThresholdPence
	var st stored
	if len(row.Settings) > 0 {
		if err := json.Unmarshal(row.Settings, &st); err != nil {
			return Settings{}, fmt.Errorf("orgsettings: decode: %w", err)
		}
	}
	for p, w := range st.SLA {
		s.SLA[p] = w
	}
	if r := ukcalendar.Region(st.HolidayRegion); r.Valid() {
		s.HolidayRegion = r
	}
	if d := Duties(st.SeparationOfDuties); d.Valid() {
		s.SeparationOfDuties = d
	}
	if st.QuietHours != nil && st.QuietHours.valid() {
		s.QuietHours = *st.QuietHours
	}
	s.ContactLine = st.ContactLine
	if l := clocks.Landlord(st.Landlord); l.Valid() {
		s.Landlord = l
	}
	return s, nil
}

// DutiesSeparated reports whether separation of duties is in force for the organisation
// now: ON, or AUTO with two or more ADMIN or COORDINATOR members.
func DutiesSeparated(ctx context.Context, tx database.Querier, orgID uuid.UUID) (bool, error) {
	s, err := Load(ctx, tx, orgID)
	if err != nil {
		return false, err
	}
	switch s.SeparationOfDuties {
	case DutiesOn:
		return true, nil
	case DutiesOff:
		return false, nil
	}
	staff, err := q.CountStaff(ctx, tx, orgsettingsdb.CountStaffParams{OrgID: orgID, StaffRoles: access.StaffRoleNames()})
	if err != nil {
		return false, fmt.Errorf("orgsettings: count staff: %w", err)
	}
	return staff >= 2, nil
}

// ApprovalThreshold is the organisation's approval threshold in pence: quotes above it
// (counted per ticket) and invoices without a quote above it need an ADMIN.
func ApprovalThreshold(ctx context.Context, tx database.Querier, orgID uuid.UUID) (int64, error) {
	row, err := q.GetSettings(ctx, tx, orgID)
	if err != nil {
		return 0, fmt.Errorf("orgsettings: approval threshold: %w", err)
	}
	return row.ApprovalThresholdPence, nil
}

// DueAt is when a ticket of priority reported at reportedAt must be dealt with.
func (s Settings) DueAt(priority string, reportedAt time.Time, cal func(ukcalendar.Region) *ukcalendar.Calendar) time.Time {
	w, ok := s.SLA[priority]
	if !ok {
		w = Defaults().SLA[priority]
	}
	if w.WorkingDays > 0 {
		return cal(s.HolidayRegion).AddWorkingDays(reportedAt, w.WorkingDays)
	}
	return reportedAt.Add(time.Duration(w.Hours) * time.Hour).UTC()
}

// Service reads and changes settings through the API.
type Service struct{ db *database.DB }

// NewService returns the settings service.
func NewService(db *database.DB) *Service { return &Service{db: db} }

// Get returns the actor's organisation's settings (staff).
func (s *Service) Get(ctx context.Context, actor access.Actor) (Settings, error) {
	if err := actor.RequireStaff(); err != nil {
		return Settings{}, err
	}
	var out Settings
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		var err error
		out, err = Load(ctx, tx, actor.OrgID)
		return err
	})
	return out, err
}

// Patch changes the given settings (ADMIN only). SLA windows for tickets already open are
// not recomputed; they change when a ticket's priority does.
type Patch struct {
	ApprovalThresholdPence *int64
	SLA                    map[string]Window
	HolidayRegion          *ukcalendar.Region
	SeparationOfDuties     *Duties
	QuietHours             *QuietHours
	ContactLine            *string
	Landlord               *clocks.Landlord
}

// Check applies the rules on the patch alone, naming every field that breaks one; the API
// runs it beside schema validation.
func (p Patch) Check() error {
	var f apperr.Fields
	if p.ApprovalThresholdPence != nil && (*p.ApprovalThresholdPence < 0 || *p.ApprovalThresholdPence > 100_000_000_00) {
		f.Add("approvalThresholdPence", "must be from 0 to 10000000000")
	}
	for prio, w := range p.SLA {
		if _, known := Defaults().SLA[prio]; !known {
			f.Add("sla."+prio, "must be EMERGENCY, URGENT or ROUTINE")
		} else if (w.Hours > 0) == (w.WorkingDays > 0) {
			f.Add("sla."+prio, "give exactly one of hours or workingDays, above zero")
		}
	}
	if p.HolidayRegion != nil && !p.HolidayRegion.Valid() {
		f.Add("holidayRegion", "must be ENGLAND_WALES, SCOTLAND or NORTHERN_IRELAND")
	}
	if p.SeparationOfDuties != nil && !p.SeparationOfDuties.Valid() {
		f.Add("separationOfDuties", "must be AUTO, ON or OFF")
	}
	if p.QuietHours != nil {
		if !clockPattern.MatchString(p.QuietHours.Start) {
			f.Add("quietHours.start", "must be a time of day as HH:MM, 00:00 to 23:59")
		}
		if !clockPattern.MatchString(p.QuietHours.End) {
			f.Add("quietHours.end", "must be a time of day as HH:MM, 00:00 to 23:59")
		}
	}
	if p.Landlord != nil && !p.Landlord.Valid() {
		f.Add("landlord", "must be PRIVATE, SOCIAL or COUNCIL")
	}
	if p.ContactLine != nil && utf8.RuneCountInString(*p.ContactLine) > 300 {
		f.Add("contactLine", "must be at most 300 characters")
	}
	return f.Err()
}

// Update applies a patch (ADMIN only) and records it on the organisation's timeline.
func (s *Service) Update(ctx context.Context, actor access.Actor, p Patch) (Settings, error) {
	if err := actor.Require(access.Admin); err != nil {
		return Settings{}, err
	}
	if err := p.Check(); err != nil {
		return Settings{}, err
	}
	var out Settings
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		before, err := load(ctx, tx, actor.OrgID) // what is committed, not a cached copy
		if err != nil {
			return err
		}
		out = before
		out.SLA = map[string]Window{}
		for k, v := range before.SLA {
			out.SLA[k] = v
		}
		if p.ApprovalThresholdPence != nil {
			out.ApprovalThresholdPence = *p.ApprovalThresholdPence
		}
		for k, v := range p.SLA {
			out.SLA[k] = v
		}
		if p.HolidayRegion != nil {
			out.HolidayRegion = *p.HolidayRegion
		}
		if p.SeparationOfDuties != nil {
			out.SeparationOfDuties = *p.SeparationOfDuties
		}
		if p.QuietHours != nil {
			out.QuietHours = *p.QuietHours
		}
		if p.ContactLine != nil {
			out.ContactLine = strings.TrimSpace(*p.ContactLine)
		}
		if p.Landlord != nil {
			out.Landlord = *p.Landlord
		}
		if reflect.DeepEqual(out, before) {
			return nil // nothing changed: no write, no audit noise
		}
		st := stored{SLA: out.SLA, HolidayRegion: string(out.HolidayRegion)}
		if out.SeparationOfDuties != DutiesAuto {
			st.SeparationOfDuties = string(out.SeparationOfDuties)
		}
		if out.QuietHours != Defaults().QuietHours {
			st.QuietHours = &out.QuietHours
		}
		st.ContactLine = out.ContactLine
		if out.Landlord != clocks.Private {
			st.Landlord = string(out.Landlord)
		}
		raw, err := json.Marshal(st)
		if err != nil {
			return err
		}
		if err := q.UpdateSettings(ctx, tx, orgsettingsdb.UpdateSettingsParams{ID: actor.OrgID, ApprovalThresholdPence: out.ApprovalThresholdPence, Settings: raw}); err != nil {
			return err
		}
		return timeline.Record(ctx, tx, actor, timeline.Change{
			EntityType: timeline.EntityOrganisation, EntityID: actor.OrgID, Action: "settings_changed", Before: before, After: out,
		})
	})
	// Committed (or not): this process's next Load reads the settings again.
	Forget(actor.OrgID)
	return out, err
}
