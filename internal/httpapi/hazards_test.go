package httpapi_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/maintainuk/maintainuk/internal/ai"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// Staff tag a ticket with HHSRS hazards (the 29, validated by index), shown in its detail
// and on its timeline; accepting the AI's classification adds the hazards it proposes;
// residents cannot tag; another organisation's ticket is not found.
func TestTicketHazards(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Hazard Homes", testsupport.EstateOptions{})
	other := app.NewEstate(t, "Hazard Elsewhere", testsupport.EstateOptions{})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Black mould in the bedroom",
		"description": "Black mould spreading on the bedroom wall and ceiling; damp and condensation every morning; my child has asthma."})
	path := testsupport.Path("/api/v1/tickets/%s/hazards", tk.ID)

	var list []struct{ Code, Name, Group string }
	e.Tenant.With(t).Get("/api/v1/hazards").Expect(http.StatusOK).Data(&list)
	if len(list) != 29 || list[0].Code != "DAMP_MOULD" {
		t.Fatalf("hazards %+v", list)
	}
	e.Coordinator.With(t).Do(http.MethodPut, path, map[string]any{"hazards": []string{"EXCESS_COLD", "GREMLINS"}}).
		ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "hazards[1]")
	e.Tenant.With(t).Do(http.MethodPut, path, map[string]any{"hazards": []string{"EXCESS_COLD"}}).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	other.Coordinator.With(t).Do(http.MethodPut, path, map[string]any{"hazards": []string{"EXCESS_COLD"}}).ExpectFailure(http.StatusNotFound, apperr.NotFound)

	var tags struct{ Hazards []string }
	e.Coordinator.With(t).Do(http.MethodPut, path, map[string]any{"hazards": []string{"excess_cold", "FIRE", "EXCESS_COLD"}}).Expect(http.StatusOK).Data(&tags)
	if !slices.Equal(tags.Hazards, []string{"EXCESS_COLD", "FIRE"}) {
		t.Fatalf("tagged %v", tags.Hazards)
	}

	// The AI proposes damp and mould; accepting adds it to what staff tagged.
	var sg ai.Suggestion
	e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/ai/classify", tk.ID), nil).Expect(http.StatusOK).Data(&sg)
	if !slices.Contains(sg.HHSRSHazards, "DAMP_MOULD") {
		t.Fatalf("the suggestion proposes %v (hazards %v)", sg.HHSRSHazards, sg.Hazards)
	}
	e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/ai-suggestion/accept", tk.ID), nil).Expect(http.StatusOK)
	var d tickets.Detail
	e.Tenant.With(t).Get(testsupport.Path("/api/v1/tickets/%s", tk.ID)).Expect(http.StatusOK).Data(&d)
	if !slices.Equal(d.Hazards, []string{"DAMP_MOULD", "EXCESS_COLD", "FIRE"}) {
		t.Fatalf("the ticket's hazards %v", d.Hazards)
	}
	tagged := 0
	for _, ev := range d.Timeline {
		if ev.Action == "hazards_tagged" {
			tagged++
		}
	}
	var staff tickets.Detail
	e.Coordinator.With(t).Get(testsupport.Path("/api/v1/tickets/%s", tk.ID)).Expect(http.StatusOK).Data(&staff)
	for _, ev := range staff.Timeline {
		if ev.Action == "hazards_tagged" {
			tagged++
		}
	}
	if tagged < 2 {
		t.Fatalf("hazard tagging is not on the staff timeline (%d entries)", tagged)
	}
	// Clearing.
	e.Coordinator.With(t).Do(http.MethodPut, path, map[string]any{"hazards": []string{}}).Expect(http.StatusOK).Data(&tags)
	if len(tags.Hazards) != 0 {
		t.Fatalf("after clearing %v", tags.Hazards)
	}
}
