package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

type patchSettingsIn struct {
	Body struct {
		ApprovalThresholdPence *int64                  `json:"approvalThresholdPence,omitempty" minimum:"0" maximum:"10000000000" doc:"Quotes above this total (pence, incl. VAT) need an ADMIN to approve."`
		SLA                    map[string]slaWindowIn  `json:"sla,omitempty" doc:"Windows to change, keyed by priority: EMERGENCY, URGENT or ROUTINE."`
		HolidayRegion          *ukcalendar.Region      `json:"holidayRegion,omitempty" enum:"ENGLAND_WALES,SCOTLAND,NORTHERN_IRELAND"`
		SeparationOfDuties     *orgsettings.Duties     `json:"separationOfDuties,omitempty" enum:"AUTO,ON,OFF" doc:"AUTO (on with two or more staff), ON or OFF."`
		QuietHours             *orgsettings.QuietHours `json:"quietHours,omitempty" doc:"Non-emergency texts wait while it lasts (UK time)."`
		ContactLine            *string                 `json:"contactLine,omitempty" maxLength:"300" doc:"The answer to a HELP text."`
		Landlord               *clocks.Landlord        `json:"landlord,omitempty" enum:"PRIVATE,SOCIAL,COUNCIL" doc:"PRIVATE, SOCIAL (Awaab's Law applies) or COUNCIL (Awaab's Law and the Right to Repair apply)."`
	}
}

// slaWindowIn is one priority's response window as a client sets it: exactly one of the
// two, above zero.
type slaWindowIn struct {
	Hours       int `json:"hours,omitempty" exclusiveMinimum:"0" maximum:"8760" doc:"Clock hours. Give this or workingDays, not both."`
	WorkingDays int `json:"workingDays,omitempty" exclusiveMinimum:"0" maximum:"365" doc:"Working days (weekends and the organisation's bank holidays skipped)."`
}

func slaWindows(in map[string]slaWindowIn) map[string]orgsettings.Window {
	if in == nil {
		return nil
	}
	out := make(map[string]orgsettings.Window, len(in))
	for prio, w := range in {
		out[prio] = orgsettings.Window{Hours: w.Hours, WorkingDays: w.WorkingDays}
	}
	return out
}

func (s *Server) settingsRoutes() {
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/settings", "getSettings", "Settings", "The organisation's SLA windows, holiday calendar, approval threshold, separation of duties, quiet hours and HELP answer", true),
		func(ctx context.Context, _ *struct{}) (*Out[orgsettings.Settings], error) {
			st, err := s.deps.Settings.Get(ctx, actorOf(ctx))
			if err != nil {
				return nil, err
			}
			return ok(ctx, st), nil
		})

	huma.Register(s.api, s.operation(http.MethodPatch, "/api/v1/settings", "updateSettings", "Settings", "Change settings (ADMIN)", true),
		func(ctx context.Context, in *patchSettingsIn) (*Out[orgsettings.Settings], error) {
			st, err := s.deps.Settings.Update(ctx, actorOf(ctx), orgsettings.Patch{
				ApprovalThresholdPence: in.Body.ApprovalThresholdPence, SLA: slaWindows(in.Body.SLA), HolidayRegion: in.Body.HolidayRegion,
				SeparationOfDuties: in.Body.SeparationOfDuties, QuietHours: in.Body.QuietHours, ContactLine: in.Body.ContactLine,
				Landlord: in.Body.Landlord,
			})
			if err != nil {
				return nil, err
			}
			return ok(ctx, st), nil
		})
}
