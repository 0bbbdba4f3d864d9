package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

func clockStates(cs []clocks.Clock) map[string]string {
	out := map[string]string{}
	for _, c := range cs {
		out[c.Rule] = c.State
	}
	return out
}

// The legal clocks of a social landlord's ticket: an emergency starts Awaab's 24 hours,
// damp and mould the investigation; pausing needs a reason and adds the wait; milestones
// stop what they meet and start what follows; the Right to Repair needs a council;
// resolution stops everything; a private landlord's emergency starts none; the resident
// sees the countdown and another organisation sees nothing.
func TestTicketClocks(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Clock Homes", testsupport.EstateOptions{})
	other := app.NewEstate(t, "Clock Elsewhere", testsupport.EstateOptions{})
	private := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Gas smell", "priority": "EMERGENCY"})
	var cs []clocks.Clock
	e.Coordinator.With(t).Get(testsupport.Path("/api/v1/tickets/%s/clocks", private.ID)).Expect(http.StatusOK).Data(&cs)
	if len(cs) != 0 {
		t.Fatalf("a private landlord's ticket runs %+v", cs)
	}

	e.Admin.With(t).Patch("/api/v1/settings", map[string]any{"landlord": "SOCIAL"}).Expect(http.StatusOK)
	tk := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Ceiling collapsed after a leak", "priority": "EMERGENCY"})
	clocksPath := testsupport.Path("/api/v1/tickets/%s/clocks", tk.ID)
	e.Tenant.With(t).Get(clocksPath).Expect(http.StatusOK).Data(&cs)
	if len(cs) != 1 || cs[0].Rule != "AWAAB_EMERGENCY" || cs[0].State != "RUNNING" || cs[0].DueAt.Sub(cs[0].StartedAt).Hours() != 24 || cs[0].Source == "" {
		t.Fatalf("the resident sees %+v", cs)
	}
	other.Coordinator.With(t).Get(clocksPath).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	other.Coordinator.With(t).Post(clocksPath+"/milestone", map[string]any{"milestone": "MADE_SAFE"}).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	other.Coordinator.With(t).Post(clocksPath+"/pause", map[string]any{"reason": "theirs"}).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	other.Coordinator.With(t).Post(clocksPath+"/resume", nil).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	other.Coordinator.With(t).Do(http.MethodPut, testsupport.Path("/api/v1/tickets/%s/right-to-repair", tk.ID), map[string]any{"defect": "LEAKING_ROOF"}).
		ExpectFailure(http.StatusNotFound, apperr.NotFound)

	// A priority raised to EMERGENCY later, by a person, starts the clock too.
	later := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Lights flickering"})
	e.Coordinator.With(t).Patch(testsupport.Path("/api/v1/tickets/%s", later.ID), map[string]any{"priority": "EMERGENCY"}).Expect(http.StatusOK)
	e.Coordinator.With(t).Get(testsupport.Path("/api/v1/tickets/%s/clocks", later.ID)).Expect(http.StatusOK).Data(&cs)
	if got := clockStates(cs); got["AWAAB_EMERGENCY"] != "RUNNING" || len(got) != 1 {
		t.Fatalf("after raising the priority: %v", got)
	}

	e.Coordinator.With(t).Do(http.MethodPut, testsupport.Path("/api/v1/tickets/%s/hazards", tk.ID), map[string]any{"hazards": []string{"DAMP_MOULD"}}).Expect(http.StatusOK)
	e.Coordinator.With(t).Get(clocksPath).Expect(http.StatusOK).Data(&cs)
	if got := clockStates(cs); got["AWAAB_EMERGENCY"] != "RUNNING" || got["AWAAB_INVESTIGATE"] != "RUNNING" || len(got) != 2 {
		t.Fatalf("after tagging damp and mould: %v", got)
	}
	dueBefore := cs[1].DueAt

	// Waiting on access.
	e.Coordinator.With(t).Post(clocksPath+"/pause", map[string]any{"reason": " "}).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "reason")
	e.Tenant.With(t).Post(clocksPath+"/pause", map[string]any{"reason": "no access"}).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	e.Coordinator.With(t).Post(clocksPath+"/pause", map[string]any{"reason": "The tenant refused access today."}).Expect(http.StatusOK).Data(&cs)
	if got := clockStates(cs); got["AWAAB_INVESTIGATE"] != "PAUSED" || got["AWAAB_EMERGENCY"] != "PAUSED" {
		t.Fatalf("after pausing: %v", got)
	}
	e.Coordinator.With(t).Post(clocksPath+"/pause", map[string]any{"reason": "again"}).ExpectFailure(http.StatusConflict, apperr.Conflict)
	e.Coordinator.With(t).Post(clocksPath+"/resume", nil).Expect(http.StatusOK).Data(&cs)
	if got := clockStates(cs); got["AWAAB_INVESTIGATE"] != "RUNNING" || cs[1].DueAt.Before(dueBefore) {
		t.Fatalf("after resuming: %v, due %v (was %v)", got, cs[1].DueAt, dueBefore)
	}

	// Made safe, then investigated: the next duties start.
	e.Coordinator.With(t).Post(clocksPath+"/milestone", map[string]any{"milestone": "ARRIVED"}).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "milestone")
	e.Coordinator.With(t).Post(clocksPath+"/milestone", map[string]any{"milestone": "MADE_SAFE"}).Expect(http.StatusOK)
	e.Coordinator.With(t).Post(clocksPath+"/milestone", map[string]any{"milestone": "INVESTIGATED"}).Expect(http.StatusOK).Data(&cs)
	got := clockStates(cs)
	if got["AWAAB_EMERGENCY"] != "MET" || got["AWAAB_INVESTIGATE"] != "MET" || got["AWAAB_SUMMARY"] != "RUNNING" || got["AWAAB_SAFETY_WORK"] != "RUNNING" {
		t.Fatalf("after the investigation: %v", got)
	}

	// The Right to Repair is a council's.
	defect := testsupport.Path("/api/v1/tickets/%s/right-to-repair", tk.ID)
	e.Coordinator.With(t).Do(http.MethodPut, defect, map[string]any{"defect": "LEAKING_ROOF"}).ExpectFailure(http.StatusConflict, apperr.Conflict)
	e.Admin.With(t).Patch("/api/v1/settings", map[string]any{"landlord": "COUNCIL"}).Expect(http.StatusOK)
	e.Coordinator.With(t).Do(http.MethodPut, defect, map[string]any{"defect": "A_DRAGON"}).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "defect")
	e.Coordinator.With(t).Do(http.MethodPut, defect, map[string]any{"defect": "LEAKING_ROOF"}).Expect(http.StatusOK).Data(&cs)
	if clockStates(cs)["RTR_LEAKING_ROOF"] != "RUNNING" {
		t.Fatalf("the Right to Repair clock: %v", clockStates(cs))
	}

	// Resolution stops every running clock.
	e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/transition", tk.ID), map[string]any{"to": "TRIAGED"}).Expect(http.StatusOK)
	e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/transition", tk.ID), map[string]any{"to": "RESOLVED"}).Expect(http.StatusOK)
	e.Tenant.With(t).Get(clocksPath).Expect(http.StatusOK).Data(&cs)
	for _, c := range cs {
		if c.StoppedAt == nil || (c.State != "MET" && c.State != "BREACHED") {
			t.Fatalf("after resolution a clock is %+v", c)
		}
	}
	e.Coordinator.With(t).Post(clocksPath+"/resume", nil).ExpectFailure(http.StatusConflict, apperr.Conflict)
}
