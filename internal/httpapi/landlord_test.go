package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// An organisation declares what kind of landlord it is (which legal clocks apply):
// PRIVATE by default, SOCIAL or COUNCIL by an ADMIN; anything else is refused by field.
func TestLandlordSetting(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Landlord Kind", testsupport.EstateOptions{})
	var st orgsettings.Settings
	e.Coordinator.With(t).Get("/api/v1/settings").Expect(http.StatusOK).Data(&st)
	if st.Landlord != "PRIVATE" {
		t.Fatalf("default landlord %q", st.Landlord)
	}
	e.Admin.With(t).Patch("/api/v1/settings", map[string]any{"landlord": "FEUDAL"}).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "landlord")
	e.Coordinator.With(t).Patch("/api/v1/settings", map[string]any{"landlord": "COUNCIL"}).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	e.Admin.With(t).Patch("/api/v1/settings", map[string]any{"landlord": "SOCIAL"}).Expect(http.StatusOK).Data(&st)
	if st.Landlord != "SOCIAL" {
		t.Fatalf("landlord %q", st.Landlord)
	}
	e.Admin.With(t).Get("/api/v1/settings").Expect(http.StatusOK).Data(&st)
	if st.Landlord != "SOCIAL" || st.ApprovalThresholdPence != 50000 {
		t.Fatalf("after reading again %+v", st)
	}
}
