package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// TestSettingsCache: settings are cached per organisation (orgsettings.Load), yet a change
// applies to the same process's very next request — a new ticket's SLA and the settings
// read back — and one organisation's change never reaches another's.
func TestSettingsCache(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	a, b := app.NewEstate(t, "Cache Lets", testsupport.EstateOptions{}), app.NewEstate(t, "Cache Elsewhere", testsupport.EstateOptions{})
	emergencyWindow := func(e *testsupport.Estate) time.Duration {
		t.Helper()
		var tk tickets.Ticket
		e.Coordinator.With(t).Post("/api/v1/tickets", map[string]any{"unitId": e.UnitID, "title": "Boiler leaking onto wiring", "priority": "EMERGENCY",
			"reportedByName": "Jo Resident", "reportedByEmail": "jo@example.com"}).Expect(http.StatusCreated).Data(&tk)
		return tk.SLADueAt.Sub(tk.CreatedAt)
	}
	for _, e := range []*testsupport.Estate{a, b} { // both organisations' settings are now cached
		if w := emergencyWindow(e); w != 24*time.Hour {
			t.Fatalf("default EMERGENCY window %s", w)
		}
		stGet(t, e.Coordinator)
	}
	hits, _ := orgsettings.CacheStats()
	if emergencyWindow(a); func() uint64 { h, _ := orgsettings.CacheStats(); return h }() <= hits {
		t.Fatal("a second ticket did not read the cached settings")
	}

	stPatch(t, a.Admin, map[string]any{"sla": map[string]any{"EMERGENCY": map[string]any{"hours": 4}}})
	if w := emergencyWindow(a); w != 4*time.Hour {
		t.Fatalf("the next ticket after the change has a %s window, want 4h", w)
	}
	if got := stGet(t, a.Coordinator).SLA["EMERGENCY"]; got.Hours != 4 {
		t.Fatalf("settings read back after the change: %+v", got)
	}
	if w := emergencyWindow(b); w != 24*time.Hour {
		t.Fatalf("another organisation's ticket has a %s window after the change", w)
	}
	if got := stGet(t, b.Coordinator).SLA["EMERGENCY"]; got.Hours != 24 {
		t.Fatalf("another organisation reads %+v", got)
	}
}
