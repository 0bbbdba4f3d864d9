package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestReadmeWalkthrough is the README's curl session: register, create a property and a
// unit, list them.
func TestReadmeWalkthrough(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Acme Lettings")

	propertyID := admin.Post("/api/v1/properties", map[string]any{
		"addressLine1": "1 High Street", "town": "Bristol", "postcode": "bs1 4dj",
	}).Expect(http.StatusCreated).ID()
	admin.Post(testsupport.Path("/api/v1/properties/%s/units", propertyID), map[string]any{
		"label": "Flat 1", "reference": "hs-1",
	}).Expect(http.StatusCreated)

	var props []struct {
		Postcode string `json:"postcode"`
	}
	admin.Get("/api/v1/properties").Expect(http.StatusOK).Data(&props)
	if len(props) != 1 || props[0].Postcode != "BS1 4DJ" {
		t.Fatalf("properties = %+v, want one at BS1 4DJ", props)
	}
	var units []struct {
		Reference string `json:"reference"`
	}
	admin.Get(testsupport.Path("/api/v1/properties/%s/units", propertyID)).Expect(http.StatusOK).Data(&units)
	if len(units) != 1 || units[0].Reference != "HS-1" {
		t.Fatalf("units = %+v, want one HS-1", units)
	}
}
