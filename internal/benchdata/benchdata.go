// Package benchdata loads the performance benchmark's data set (issue 9) into a freshly
// migrated database: many small organisations and one large one with a storm's backlog
// of tickets, their timelines, comments and work orders. Every row is one the
// application could have written: the rows are built in Go by the same rules as the
// domain services (numbering, SLA due times, the ticket following its work orders, the
// timeline entries each change records) and copied in with COPY, in one transaction.
package benchdata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// Options say how much to load.
type Options struct {
	Orgs         int // organisations in all, default 1000 (the large one included)
	LargeTickets int // tickets of the large organisation, default 200_000
	SmallTickets int // tickets per other organisation, default 20
	Seed         int64
	// Until is when the data set ends: tickets span the two years before it. Zero is the
	// start of the current day (UTC); the data is the same for the same Seed and Until.
	Until time.Time
}

// Defaults of Options.
const (
	DefaultOrgs         = 1000
	DefaultLargeTickets = 200_000
	DefaultSmallTickets = 20
)

func (o Options) withDefaults() Options {
	if o.Orgs <= 0 {
		o.Orgs = DefaultOrgs
	}
	if o.LargeTickets <= 0 {
		o.LargeTickets = DefaultLargeTickets
	}
	if o.SmallTickets <= 0 {
		o.SmallTickets = DefaultSmallTickets
	}
	if o.Until.IsZero() {
		o.Until = time.Now().UTC().Truncate(24 * time.Hour)
	}
	o.Until = o.Until.UTC()
	return o
}

// Password is every loaded user's password.
const Password = "benchmark-storm-2026"

// LargeOrgName is the large organisation's name (its slug is "northgate-housing").
const LargeOrgName = "Northgate Housing"

// Facts is what a benchmark needs to drive the large organisation.
type Facts struct {
	OrgID             uuid.UUID        `json:"orgId"`
	OrgSlug           string           `json:"orgSlug"`
	AdminEmail        string           `json:"adminEmail"`
	CoordinatorEmail  string           `json:"coordinatorEmail"`
	ContractorEmail   string           `json:"contractorEmail"`
	TenantEmail       string           `json:"tenantEmail"`
	Password          string           `json:"password"`
	AdminUserID       uuid.UUID        `json:"adminUserId"`
	CoordinatorUserID uuid.UUID        `json:"coordinatorUserId"`
	ContractorUserID  uuid.UUID        `json:"contractorUserId"`
	TenantUserID      uuid.UUID        `json:"tenantUserId"`
	ContractorID      uuid.UUID        `json:"contractorId"`
	UnitID            uuid.UUID        `json:"unitId"`
	PropertyID        uuid.UUID        `json:"propertyId"`
	UnitReference     string           `json:"unitReference"` // what the public form matches on (the tenant's home)
	SampleTicketIDs   []uuid.UUID      `json:"sampleTicketIds"`
	SearchTerms       []string         `json:"searchTerms"` // a common word, then a rare one
	Counts            map[string]int64 `json:"counts"`      // rows per table after loading
}

// sampleSize is how many of the large organisation's tickets Facts names.
const sampleSize = 1000

// Load fills a freshly migrated database through ownerURL (the schema owner or a
// superuser; RLS does not apply) and returns what the benchmark needs to drive it. It
// ends with ANALYZE.
func Load(ctx context.Context, ownerURL string, o Options) (*Facts, error) {
	o = o.withDefaults()
	// One real hash, computed once by the identity package and shared by every user.
	hash, err := identity.HashPassword(Password)
	if err != nil {
		return nil, fmt.Errorf("benchdata: hash password: %w", err)
	}
	orgs := build(o)

	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return nil, fmt.Errorf("benchdata: connect: %w", err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("benchdata: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	restore, err := liftForcedRLS(ctx, tx)
	if err != nil {
		return nil, err
	}
	// Index builds (the search index above all) get the memory to sort in one go.
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
		return nil, fmt.Errorf("benchdata: maintenance_work_mem: %w", err)
	}
	recreate, err := deferIndexesAndForeignKeys(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := copyAll(ctx, tx, orgs, hash); err != nil {
		return nil, err
	}
	if err := recreate(); err != nil {
		return nil, err
	}
	if err := recordNoticesSent(ctx, tx, o.Until); err != nil {
		return nil, err
	}
	counts, err := countRows(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := restore(); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("benchdata: commit: %w", err)
	}
	if _, err := conn.Exec(ctx, "ANALYZE "+tableList()); err != nil {
		return nil, fmt.Errorf("benchdata: analyze: %w", err)
	}
	return facts(o, orgs[0], counts), nil
}

// build generates every organisation in memory: the large one first.
func build(o Options) []*org {
	settings := orgsettings.Defaults()
	calendars := map[ukcalendar.Region]*ukcalendar.Calendar{}
	for _, r := range []ukcalendar.Region{ukcalendar.EnglandWales, ukcalendar.Scotland, ukcalendar.NorthernIreland} {
		calendars[r] = ukcalendar.New(r)
	}
	cal := func(r ukcalendar.Region) *ukcalendar.Calendar { return calendars[r] }
	orgs := make([]*org, o.Orgs)
	for i := range orgs {
		name, n := LargeOrgName, o.LargeTickets
		if i > 0 {
			name, n = fmt.Sprintf("%s Lettings %04d", surnames[i%len(surnames)], i), o.SmallTickets
		}
		orgs[i] = newOrg(o.Seed, i, name, o.Until, shapeFor(i))
		orgs[i].addTickets(n, settings, cal)
	}
	return orgs
}

func facts(o Options, large *org, counts map[string]int64) *Facts {
	tenant := large.tenants[0]
	home := tenant.home
	contractor := large.companies[0].user
	coordinator := large.coordinators[0]
	f := &Facts{
		OrgID: large.id, OrgSlug: large.slug, Password: Password,
		AdminEmail: large.admin.email, CoordinatorEmail: coordinator.email, ContractorEmail: contractor.email, TenantEmail: tenant.email,
		AdminUserID: large.admin.id, CoordinatorUserID: coordinator.id, ContractorUserID: contractor.id, TenantUserID: tenant.id,
		ContractorID: large.companies[0].id, UnitID: home.id, PropertyID: home.property.id, UnitReference: home.reference,
		SearchTerms: []string{commonTerm, rareTerm}, Counts: counts,
	}
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0xfac75)) // #nosec G404 -- seeded on purpose: the benchmark estate is the same on every run
	for _, i := range rng.Perm(len(large.tickets))[:min(sampleSize, len(large.tickets))] {
		f.SampleTicketIDs = append(f.SampleTicketIDs, large.tickets[i].ID)
	}
	return f
}
