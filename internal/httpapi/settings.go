package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

type patchSettingsIn struct {
	Body struct {
		ApprovalThresholdPence *int64                        `json:"approvalThresholdPence,omitempty" minimum:"0"`
		SLA                    map[string]orgsettings.Window `json:"sla,omitempty" doc:"Windows to change, by priority."`
		HolidayRegion          *ukcalendar.Region            `json:"holidayRegion,omitempty" enum:"ENGLAND_WALES,SCOTLAND,NORTHERN_IRELAND"`
		SeparationOfDuties     *orgsettings.Duties           `json:"separationOfDuties,omitempty" enum:"AUTO,ON,OFF" doc:"AUTO (on with two or more staff), ON or OFF."`
	}
}

func (s *Server) settingsRoutes() {
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/settings", "getSettings", "Settings", "The organisation's SLA windows, holiday calendar, approval threshold and separation of duties", true),
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
				ApprovalThresholdPence: in.Body.ApprovalThresholdPence, SLA: in.Body.SLA, HolidayRegion: in.Body.HolidayRegion,
				SeparationOfDuties: in.Body.SeparationOfDuties,
			})
			if err != nil {
				return nil, err
			}
			return ok(ctx, st), nil
		})
}
