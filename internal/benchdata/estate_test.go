package benchdata

import (
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/validate"
)

// TestContactDetailsPassTheApplicationsChecks: the names, addresses, postcodes, phone
// numbers and emails generated are ones the API would have accepted.
func TestContactDetailsPassTheApplicationsChecks(t *testing.T) {
	until := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	orgs := build(Options{Orgs: 12, LargeTickets: 300, SmallTickets: 20, Seed: 3, Until: until})
	check := func(what, v string, f func(string) (string, error)) {
		t.Helper()
		if got, err := f(v); err != nil || got != v {
			t.Errorf("%s %q: the application would store %q (%v)", what, v, got, err)
		}
	}
	for _, o := range orgs {
		for _, u := range o.members() {
			check("email", u.email, validate.Email)
		}
		for _, c := range o.companies {
			check("company email", c.email, validate.Email)
			check("company phone", c.phone, validate.Phone)
		}
		for _, p := range o.properties {
			check("postcode", p.postcode, validate.Postcode)
		}
		for _, tk := range o.tickets {
			if tk.ReportedByPhone != "" {
				check("reporter's phone", tk.ReportedByPhone, validate.Phone)
			}
			if tk.ReportedByEmail != "" {
				check("reporter's email", tk.ReportedByEmail, validate.Email)
			}
			check("title", tk.Title, func(s string) (string, error) { return validate.Text(s, 1, 200) })
			check("description", tk.Description, func(s string) (string, error) { return validate.LongText(s, 0, 2000) })
		}
	}
}
