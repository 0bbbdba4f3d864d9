package benchdata

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/identity"
)

// org is one organisation and everything loaded into it, as the application would have
// written it over two years.
type org struct {
	id                uuid.UUID
	large             bool // the large organisation, the one the benchmark drives
	name, slug        string
	createdAt         time.Time
	admin             *user
	coordinators      []*user
	tenants           []*user
	companies         []*company
	properties        []*property
	units             []*unit
	tickets           []*ticket
	workOrders        []*workOrder
	comments          []*comment
	events            []*event
	rng               *rand.Rand
	ids               *rand.Rand
	until             time.Time
	firstCompanyShare float64 // the share of work orders that go to the first company
}

type user struct {
	id          uuid.UUID
	email, name string
	role        access.Role
	company     *company // CONTRACTOR members only
	home        *unit    // TENANT members only
	memberID    uuid.UUID
	createdAt   time.Time
}

type company struct {
	id                 uuid.UUID
	name, email, phone string
	trades             []string
	insuranceExpiresOn time.Time
	createdAt          time.Time
	user               *user // the company's CONTRACTOR member
}

type property struct {
	id                          uuid.UUID
	name, line1, town, postcode string
	createdAt                   time.Time
}

type unit struct {
	id          uuid.UUID
	property    *property
	label       string
	reference   string
	bedrooms    int
	createdAt   time.Time
	occupant    *user // the TENANT living there, if any
	occupancyID uuid.UUID
}

// orgShape is how big an organisation's estate and team are.
type orgShape struct {
	properties, unitsPerProperty, coordinators, companies, tenants int
}

// shapeFor is the shape of organisation i: the large one (0) has a housing association's
// estate and fifty contractor companies whatever its ticket count.
func shapeFor(i int) orgShape {
	if i == 0 {
		return orgShape{properties: 400, unitsPerProperty: 5, coordinators: 3, companies: 50, tenants: 500}
	}
	return orgShape{properties: 2, unitsPerProperty: 3, coordinators: 1, companies: 3, tenants: 2}
}

// newID is a version 4 UUID from the organisation's own id stream, so ids are the same
// for the same seed.
func (o *org) newID() uuid.UUID {
	var id uuid.UUID
	a, b := o.ids.Uint64(), o.ids.Uint64()
	for i := range 8 {
		id[i], id[8+i] = byte(a>>(8*i)), byte(b>>(8*i))
	}
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	return id
}

// newOrg builds the organisation with index i (0 is the large one) and its estate,
// members and contractor companies.
func newOrg(seed int64, i int, name string, until time.Time, shape orgShape) *org {
	o := &org{
		large: i == 0, name: name, slug: identity.Slugify(name), until: until,
		rng: rand.New(rand.NewPCG(uint64(seed), uint64(i)<<1)),   // #nosec G404 -- seeded on purpose: the benchmark estate is the same on every run
		ids: rand.New(rand.NewPCG(uint64(seed), uint64(i)<<1|1)), // #nosec G404 -- seeded on purpose: the benchmark estate is the same on every run
	}
	o.id = o.newID()
	o.firstCompanyShare = max(0.12, 1/float64(shape.companies))
	// Registered two years and a month or two before the end of the data set.
	o.createdAt = until.AddDate(-2, 0, -30-o.rng.IntN(30)).Truncate(time.Second)
	at := func(days int) time.Time {
		return o.createdAt.Add(time.Duration(days)*24*time.Hour + o.jitter(8*time.Hour))
	}
	o.admin = o.newUser("admin", access.Admin, o.createdAt)
	for n := range shape.coordinators {
		o.coordinators = append(o.coordinators, o.newUser(fmt.Sprintf("coordinator-%d", n+1), access.Coordinator, at(1)))
	}
	for n := range shape.companies {
		o.companies = append(o.companies, o.newCompany(n, at(2+n%7)))
	}
	town := towns[i%len(towns)]
	for n := range shape.properties {
		p := &property{id: o.newID(), name: fmt.Sprintf("%s House", pick(o.rng, surnames)),
			line1: fmt.Sprintf("%d %s", 1+o.rng.IntN(200), pick(o.rng, streets)),
			town:  town.name, postcode: postcode(o.rng, town.outward), createdAt: at(3 + n%10)}
		o.properties = append(o.properties, p)
		for k := range shape.unitsPerProperty {
			o.units = append(o.units, &unit{id: o.newID(), property: p, label: fmt.Sprintf("Flat %d", k+1),
				reference: fmt.Sprintf("%s-%04d-%d", strings.ToUpper(o.slug[:2]), n+1, k+1), bedrooms: 1 + o.rng.IntN(4),
				createdAt: p.createdAt.Add(time.Minute * time.Duration(k+1))})
		}
	}
	for n := range min(shape.tenants, len(o.units)) {
		t := o.newUser(fmt.Sprintf("tenant-%04d", n+1), access.Tenant, at(14))
		o.units[n].occupant, o.units[n].occupancyID, t.home = t, o.newID(), o.units[n]
		o.tenants = append(o.tenants, t)
	}
	return o
}

func (o *org) newUser(local string, role access.Role, at time.Time) *user {
	return &user{id: o.newID(), memberID: o.newID(), email: local + "@" + o.slug + ".test", name: personName(o.rng), role: role, createdAt: at}
}

func (o *org) newCompany(n int, at time.Time) *company {
	trade := trades[n%len(trades)]
	c := &company{id: o.newID(), name: fmt.Sprintf("%s %s Ltd", pick(o.rng, surnames), trade),
		email: fmt.Sprintf("jobs-%02d@%s.test", n+1, o.slug), phone: phone(o.rng),
		trades:             []string{contractors.Trades[n%len(contractors.Trades)]},
		insuranceExpiresOn: o.until.AddDate(0, 6+o.rng.IntN(12), 0).Truncate(24 * time.Hour), createdAt: at}
	c.user = o.newUser(fmt.Sprintf("contractor-%02d", n+1), access.Contractor, at.Add(time.Hour))
	c.user.company = c
	return c
}

// jitter is a random duration in [0, d).
func (o *org) jitter(d time.Duration) time.Duration { return time.Duration(o.rng.Int64N(int64(d))) }

// members lists every member of the organisation.
func (o *org) members() []*user {
	out := append([]*user{o.admin}, o.coordinators...)
	for _, c := range o.companies {
		out = append(out, c.user)
	}
	return append(out, o.tenants...)
}

// staff is a random ADMIN or COORDINATOR, mostly a coordinator.
func (o *org) staff() *user {
	if o.rng.IntN(5) == 0 {
		return o.admin
	}
	return pick(o.rng, o.coordinators)
}
