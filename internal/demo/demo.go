// Package demo creates the "Demo Lettings" organisation that `make run` shows: one user
// per role, three properties with ten units, four contractors, and a week's activity
// (tickets in every status, work orders, quotes awaiting approval, invoices, comments;
// see activity.go). It goes through the same services as the API, so the demo data
// obeys every rule real data does.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/app"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/messaging"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// Password is every demo user's password. Demo data is for local use only.
const Password = "maintain-demo-2026" // #nosec G101 -- the demo data's published password, for local use only

// Login is one demo user.
type Login struct {
	Role  access.Role
	Email string
	Name  string
}

// Logins are the demo users, one per role.
var Logins = []Login{
	{access.Admin, "admin@demo-lettings.test", "Alex Admin"},
	{access.Coordinator, "coordinator@demo-lettings.test", "Chris Coordinator"},
	{access.Contractor, "contractor@demo-lettings.test", "Sam Plumber"},
	{access.Tenant, "tenant@demo-lettings.test", "Taylor Tenant"},
}

// Services are what seeding uses.
type Services struct {
	Identity    *identity.Service
	Estate      *estate.Service
	Contractors *contractors.Service
	Tickets     *tickets.Service
	WorkOrders  *workorders.Service
	Quotes      *quotes.Service
	Invoices    *invoices.Service
	// Messaging, when set, records the resident's consent to texts and a first text.
	Messaging *messaging.Service
	// GrantPlatformOperator, when set (development only), makes the demo admin a platform
	// operator so the job dashboard can be tried.
	GrantPlatformOperator func(ctx context.Context, email string) error
}

// ServicesOf takes the services from a running application.
func ServicesOf(a *app.App) Services {
	return Services{Identity: a.Identity, Estate: a.Estate, Contractors: a.Contractors,
		Tickets: a.Tickets, WorkOrders: a.WorkOrders, Quotes: a.Quotes, Invoices: a.Invoices, Messaging: a.Messaging}
}

// Seed creates the demo organisation unless its admin can already log in, then its
// activity unless the organisation already has tickets; running it again does nothing.
// It reports whether it created anything.
func Seed(ctx context.Context, s Services) (created bool, err error) {
	if _, err := s.Identity.Login(ctx, Logins[0].Email, Password, "seed-demo"); err == nil {
		// An organisation from an earlier version of the demo may have no activity yet.
	} else if !apperr.Is(err, apperr.Unauthenticated) {
		return false, err
	} else if err := seedOrganisation(ctx, s); err != nil {
		return false, err
	} else {
		created = true
	}
	made, err := seedActivity(ctx, s)
	return created || made, err
}

// seedOrganisation registers Demo Lettings with its users, contractors and estate.
func seedOrganisation(ctx context.Context, s Services) error {
	admin := Logins[0]
	sess, err := s.Identity.Register(ctx, identity.RegisterInput{OrgName: "Demo Lettings", Name: admin.Name, Email: admin.Email, Password: Password})
	if err != nil {
		return fmt.Errorf("demo: register: %w", err)
	}
	actor := access.Actor{UserID: sess.User.ID, OrgID: sess.Org.ID, Role: access.Admin}
	// In development the demo admin also operates the platform, so the job dashboard can
	// be tried; its password is public, so never elsewhere.
	if s.GrantPlatformOperator != nil {
		if err := s.GrantPlatformOperator(ctx, admin.Email); err != nil {
			return fmt.Errorf("demo: platform admin: %w", err)
		}
	}

	var firstContractor contractors.Contractor
	for i, c := range demoContractors {
		// Insurance dates run from the day the demo is seeded, so the demo's work orders are
		// never refused for lapsed insurance (and one company's is soon to expire, for the
		// reminder).
		expiry := time.Now().AddDate(0, c.insuranceMonths, 0).Format(time.DateOnly)
		in := contractors.Input{CompanyName: c.name, Trades: c.trades, Email: c.email, Phone: c.phone, InsuranceExpiresOn: &expiry, NiceicNumber: c.niceic}
		if c.gasSafe != "" {
			// Registered a year ahead of today, so the demo's boiler job can be raised
			// whenever it is seeded (docs/compliance.md).
			gasExpiry := time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
			in.GasSafeNumber, in.GasSafeExpiresOn = c.gasSafe, &gasExpiry
		}
		made, err := s.Contractors.Create(ctx, actor, in)
		if err != nil {
			return fmt.Errorf("demo: contractor %s: %w", c.name, err)
		}
		if i == 0 {
			firstContractor = *made
		}
	}

	var firstUnit estate.Unit
	for _, p := range demoProperties {
		prop, err := s.Estate.CreateProperty(ctx, actor, estate.PropertyInput{Name: p.name, AddressLine1: p.line1, Town: p.town, Postcode: p.postcode})
		if err != nil {
			return fmt.Errorf("demo: property %s: %w", p.name, err)
		}
		for i, label := range p.units {
			u, err := s.Estate.CreateUnit(ctx, actor, prop.ID, estate.UnitInput{Label: label, Reference: fmt.Sprintf("%s-%d", p.prefix, i+1)})
			if err != nil {
				return fmt.Errorf("demo: unit %s: %w", label, err)
			}
			if firstUnit.ID == [16]byte{} {
				firstUnit = *u
			}
		}
	}

	for _, l := range Logins[1:] {
		in := identity.InviteInput{Email: l.Email, Role: l.Role}
		if l.Role == access.Contractor {
			in.ContractorID = &firstContractor.ID
		}
		_, token, err := s.Identity.InviteWithToken(ctx, actor, in)
		if err != nil {
			return fmt.Errorf("demo: invite %s: %w", l.Email, err)
		}
		joined, err := s.Identity.AcceptInvitation(ctx, identity.AcceptInput{Token: token, Name: l.Name, Password: Password})
		if err != nil {
			return fmt.Errorf("demo: accept %s: %w", l.Email, err)
		}
		if l.Role == access.Tenant {
			if _, err := s.Estate.AddOccupant(ctx, actor, firstUnit.ID, joined.User.ID, ""); err != nil {
				return fmt.Errorf("demo: occupant: %w", err)
			}
		}
	}
	return nil
}

type demoProperty struct {
	name, line1, town, postcode, prefix string
	units                               []string
}

var demoProperties = []demoProperty{
	{"Riverside House", "12 Riverside Walk", "Manchester", "M3 4LZ", "RH", []string{"Flat 1", "Flat 2", "Flat 3", "Flat 4"}},
	{"Albert Court", "48 Albert Road", "Leeds", "LS6 4AB", "AC", []string{"Flat A", "Flat B", "Flat C", "Flat D"}},
	{"Ivy Cottage", "3 Church Lane", "York", "YO1 7HH", "IC", []string{"Ground floor", "First floor"}},
}

type demoContractor struct {
	name, email, phone string
	insuranceMonths    int // the insurance expires this many months after seeding
	trades             []string
	gasSafe, niceic    string // registration numbers, when the company has one
}

var demoContractors = []demoContractor{
	{"Swift Plumbing Ltd", "jobs@swiftplumbing.test", "07911 123456", 7, []string{"PLUMBING", "HVAC"}, "123456", ""},
	{"Brightspark Electrical", "office@brightspark.test", "0161 496 0123", 4, []string{"ELECTRICAL"}, "", "D123456"},
	{"Northern Pest Control", "help@northernpest.test", "0113 496 0456", 1, []string{"PEST_CONTROL"}, "", ""},
	{"Handy Maintenance Co", "team@handymaint.test", "01904 123456", 10, []string{"GENERAL", "STRUCTURAL", "APPLIANCE"}, "", ""},
}
