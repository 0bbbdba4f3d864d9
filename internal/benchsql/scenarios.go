package benchsql

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// Scenario is one API request of the benchmark and the transactions the service runs
// for it, in order.
type Scenario struct {
	Name    string // create-ticket, list-open, …
	Request string // the API request it stands for
	Txs     []Tx
}

// Tx is one transaction: BEGIN, database.ScopeSQL with Scope, the steps, COMMIT; or,
// when Implicit, the scope statement and one step sent together in a pipeline ended by a
// single Sync, which PostgreSQL runs as one implicit transaction (database.Scoped, the
// bearer check and the read-only Reader queries).
type Tx struct {
	Scope    Scope
	Steps    []Step
	Implicit bool
}

// Scope holds the pgbench values of database.ScopeSQL's five settings; "" means unset.
type Scope struct{ OrgID, UserID, LoginEmail, OrgSlug, System string }

func (s Scope) args() map[string]string {
	or := func(v string) string {
		if v == "" {
			return "''"
		}
		return v
	}
	return positional(or(s.OrgID), or(s.UserID), or(s.LoginEmail), or(s.OrgSlug), or(s.System))
}

// Step is a named query of a package (RiverPackage for River's), or, when Rescope is
// set, database.Rescope: the scope statement again, part-way through the transaction.
type Step struct {
	Package, Name string
	// Args are the query's parameters as pgbench SQL (see Query.Render). SampleTicket
	// stands for a ticket id drawn per request.
	Args map[string]string
	// Gset stores the single row the query returns in pgbench variables named Prefix +
	// column, for later steps: the numbers and ids the service carries from one query to
	// the next.
	Gset    bool
	Prefix  string
	Rescope *Scope
	// Pipelined steps are sent together, one round trip for consecutive ones, as
	// database.Pipeline sends them (pgbench's \startpipeline … \endpipeline).
	Pipelined bool
	// Raw is SQL run as written, for what the service does in Go but pgbench cannot: a
	// new ticket id (gen_random_uuid() with \gset). It is not one of the service's
	// statements, and costs the baseline a round trip the service does not make.
	Raw string
}

// SampleTicket is the value of a ticket id drawn from Facts.TicketIDs for each request.
const SampleTicket = "<sample ticket>"

// pgbench variables given with -D from Facts (see Facts.vars).
const (
	vOrg            = ":org_id"
	vStaff          = ":staff_user_id"
	vStaffRole      = ":staff_role"
	vContractorUser = ":contractor_user_id"
	vContractor     = ":contractor_id"
	vUnit           = ":unit_id"
	vUnitReference  = ":unit_reference"
	vSlug           = ":slug"
	vLoginEmail     = ":login_email"
	vSearch         = ":search_term"
	vFirstCreatedAt = ":first_before_created_at"
	vFirstID        = ":first_before_id"
	vDeepCreatedAt  = ":deep_before_created_at"
	vDeepID         = ":deep_before_id"
)

// pgbench variables set by \gset from an earlier query's answer (Prefix + column).
const (
	vPublicOrg       = ":public_org_id"       // OrgIDBySlug
	vLoginUser       = ":login_id"            // GetUserByEmail
	vNextNumber      = ":last_number"         // NextTicketNumber
	vNewTicket       = ":new_ticket_id"       // InsertTicket
	vUnitProperty    = ":property_id"         // GetUnitProperty
	vReporterName    = ":reporter_name"       // GetReporter
	vReporterEmail   = ":reporter_email"      // GetReporter
	vMatchedUnit     = ":matched_id"          // UnitByReference
	vMatchedProperty = ":matched_property_id" // UnitByReference
)

// Constants of the requests.
const (
	pageRowLimit      = "21" // limit=20, plus one to know whether there is a next page
	timelineRowLimit  = "1000"
	publicReportEmail = "'resident@example.com'"
)

// Names are the scenarios, in the benchmark's order.
var Names = []string{"create-ticket", "list-open", "list-deep", "search", "ticket-detail", "login", "public-report", "contractor-jobs"}

// Scenarios returns every scenario's transactions. Values that are the same for every
// request of a scenario (the request body's title, the SLA) are literals; the request's
// identity comes from Facts as pgbench variables, and what one query returns to the
// service is carried to the next with \gset, as the service carries it.
func Scenarios() ([]Scenario, error) {
	staff := Scope{OrgID: vOrg, UserID: vStaff}
	contractor := Scope{OrgID: vOrg, UserID: vContractorUser}
	list := func(before, beforeID string, status, query string) map[string]string {
		return map[string]string{"org_id": vOrg, "status": status, "priority": "NULL", "category": "NULL", "unit_id": "NULL",
			"property_id": "NULL", "assignee_user_id": "NULL", "overdue": "false", "now": "now()", "query": query,
			"tenant_user_id": "NULL", "contractor_id": "NULL", "before_created_at": before, "before_id": beforeID, "row_limit": pageRowLimit}
	}
	// read is one statement of database.Reader: the scope and the statement, one implicit transaction.
	read := func(scope Scope, st Step) Tx { return Tx{Scope: scope, Implicit: true, Steps: []Step{st}} }
	listTx := func(args map[string]string) Tx {
		return read(staff, Step{Package: "tickets", Name: "ListTickets", Args: args})
	}
	staffCreate, err := createSteps(false)
	if err != nil {
		return nil, err
	}
	publicCreate, err := createSteps(true)
	if err != nil {
		return nil, err
	}
	publicOrg := Scope{OrgID: vPublicOrg}
	return []Scenario{
		{Name: "create-ticket", Request: "POST /api/v1/tickets as staff", Txs: []Tx{
			bearer(staff),
			{Scope: staff, Steps: append([]Step{
				{Package: "tickets", Name: "GetUnitProperty", Args: positional(vOrg, vUnit), Gset: true},
				{Package: "tickets", Name: "GetReporter", Args: positional(vStaff), Gset: true, Prefix: "reporter_"},
			}, staffCreate...)},
		}},
		{Name: "list-open", Request: "GET /api/v1/tickets?status=NEW&limit=20", Txs: []Tx{
			bearer(staff), listTx(list(vFirstCreatedAt, vFirstID, "'NEW'", "NULL"))}},
		{Name: "list-deep", Request: "GET /api/v1/tickets?status=NEW&limit=20&cursor=… (deep)", Txs: []Tx{
			bearer(staff), listTx(list(vDeepCreatedAt, vDeepID, "'NEW'", "NULL"))}},
		{Name: "search", Request: "GET /api/v1/tickets?q=TERM&limit=20", Txs: []Tx{
			bearer(staff), listTx(list(vFirstCreatedAt, vFirstID, "NULL", vSearch))}},
		{Name: "ticket-detail", Request: "GET /api/v1/tickets/{id}", Txs: []Tx{
			bearer(staff),
			read(staff, Step{Package: "tickets", Name: "GetTicket", Args: positional(vOrg, SampleTicket)}),
			read(staff, Step{Package: "tickets", Name: "ListComments", Args: map[string]string{"org_id": vOrg, "ticket_id": SampleTicket, "resident_only": "false", "contractor_id": "NULL"}}),
			read(staff, Step{Package: "tickets", Name: "ListTicketHazards", Args: map[string]string{"org_id": vOrg, "ticket_id": SampleTicket}}),
			read(staff, Step{Package: "timeline", Name: "ListTicketEvents", Args: map[string]string{"org_id": vOrg, "ticket_id": SampleTicket, "after_seq": "0", "row_limit": timelineRowLimit}}),
		}},
		{Name: "login", Request: "POST /api/v1/auth/login", Txs: []Tx{
			{Scope: Scope{LoginEmail: vLoginEmail}, Steps: []Step{
				{Package: "identity", Name: "GetUserByEmail", Args: positional(vLoginEmail), Gset: true, Prefix: "login_"}}},
			{Scope: Scope{UserID: vLoginUser}, Steps: []Step{
				{Package: "identity", Name: "ListMembershipsOfUser", Args: positional(vLoginUser)},
				// The service takes the first membership; Facts.LoginEmail's is Facts.OrgID.
				{Rescope: &Scope{OrgID: vOrg, UserID: vLoginUser}},
				{Package: "identity", Name: "GetOrganisation", Args: positional(vOrg)},
				{Package: "identity", Name: "InsertRefreshToken", Args: positional(vOrg, vLoginUser, "gen_random_uuid()",
					"sha256(convert_to(gen_random_uuid()::text, 'UTF8'))", "now() + interval '30 days'", "now()")},
			}},
		}},
		{Name: "public-report", Request: "POST /api/v1/public/{slug}/reports (multipart, no photos)", Txs: []Tx{
			{Scope: Scope{OrgSlug: vSlug}, Steps: []Step{
				{Package: "tickets", Name: "OrgIDBySlug", Args: positional(vSlug), Gset: true, Prefix: "public_org_"},
				{Rescope: &publicOrg},
				{Package: "tickets", Name: "PublicUploadsOn", Args: map[string]string{"org_id": vPublicOrg, "day": "current_date"}},
			}},
			{Scope: publicOrg, Steps: append([]Step{
				{Package: "tickets", Name: "UnitByReference", Args: positional(vPublicOrg, vUnitReference), Gset: true, Prefix: "matched_"},
			}, publicCreate...)},
		}},
		{Name: "contractor-jobs", Request: "GET /api/v1/work-orders?limit=20 as a CONTRACTOR", Txs: []Tx{
			bearer(contractor),
			read(contractor, Step{Package: "workorders", Name: "ListWorkOrders", Args: map[string]string{
				"org_id": vOrg, "status": "NULL", "ticket_id": "NULL", "contractor_id": vContractor,
				"before_created_at": vFirstCreatedAt, "before_id": vFirstID, "row_limit": pageRowLimit}}),
		}},
	}, nil
}

// bearer is identity.Authenticate: the member's role and, for a CONTRACTOR, its
// company's standing, in one statement with the scope (database.Scoped).
func bearer(scope Scope) Tx {
	return Tx{Scope: scope, Implicit: true, Steps: []Step{{Package: "identity", Name: "GetActor", Args: positional(scope.OrgID, scope.UserID)}}}
}

// createSteps is tickets.Service.insert: number, ticket, timeline, the event's jobs
// (webhooks always; the reporter's acknowledgement email for a public report) and the
// ticket's AI classification job. The organisation's settings come from the process's
// cache (orgsettings.CacheTTL) in the steady state measured: one read per organisation
// every 10 seconds, which the baseline leaves out.
func createSteps(public bool) ([]Step, error) {
	org, unit, property, reporter, name, email, source := vOrg, vUnit, vUnitProperty, vStaff, vReporterName, vReporterEmail, tickets.SourceStaff
	actor, role := vStaff, vStaffRole
	if public {
		org, unit, property, reporter, name, email, source = vPublicOrg, vMatchedUnit, vMatchedProperty, "NULL", "'A Resident'", publicReportEmail, tickets.SourcePublicForm
		actor, role = "NULL", "NULL"
	}
	now := time.Now().UTC()
	after, err := jsonLiteral(tickets.Ticket{ID: uuid.New(), Number: "MT-000001", Title: "Leaking tap in the kitchen",
		Description: "The kitchen tap drips constantly.", Category: "PLUMBING", Priority: "ROUTINE", Status: tickets.New,
		Source: source, ReportedByName: "A Reporter", ReportedByEmail: "reporter@example.com",
		SLADueAt: now.Add(7 * 24 * time.Hour), CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return nil, fmt.Errorf("benchsql: timeline payload: %w", err)
	}
	steps := []Step{
		{Raw: "SELECT gen_random_uuid() AS id", Gset: true, Prefix: "new_ticket_"},
		{Package: "tickets", Name: "NextTicketNumber", Args: positional(org), Gset: true},
		{Package: "tickets", Name: "InsertTicket", Pipelined: true, Args: map[string]string{
			"id": vNewTicket, "org_id": org, "number": vNextNumber, "unit_id": unit, "property_id": property, "category": "'PLUMBING'",
			"priority": "'ROUTINE'", "title": "'Leaking tap in the kitchen'", "description": "'The kitchen tap drips constantly.'",
			"source": Literal(source), "reported_by_user_id": reporter, "reported_by_name": name, "reported_by_phone": "''",
			"reported_by_email": email, "reported_address": "''", "assignee_user_id": "NULL",
			"sla_due_at": "now() + interval '7 days'", "created_at": "now()"}},
		{Package: "timeline", Name: "InsertEvent", Pipelined: true, Args: positional(org, "'ticket'", vNewTicket, "'created'", actor, role,
			"NULL", after, vNewTicket)},
	}
	ev := &events.TicketCreated{TicketID: uuid.New(), Number: "MT-000001", Title: "Leaking tap in the kitchen", Priority: "ROUTINE",
		SLADueAt: time.Now(), Reporter: events.Recipient{Name: "A Reporter", Email: "reporter@example.com"}}
	env, err := events.Wrap(uuid.New(), time.Now(), ev)
	if err != nil {
		return nil, fmt.Errorf("benchsql: event payload: %w", err)
	}
	publish := func(args interface {
		river.JobArgs
		river.JobArgsWithInsertOpts
	}) ([]Step, error) {
		encoded, err := jsonLiteral(args)
		if err != nil {
			return nil, fmt.Errorf("benchsql: job args: %w", err)
		}
		payload, err := jsonLiteral(json.RawMessage(env.Payload))
		if err != nil {
			return nil, fmt.Errorf("benchsql: event payload: %w", err)
		}
		river := riverInsert(args.Kind(), args.InsertOpts().Queue, encoded)
		river.Pipelined = true
		return []Step{
			{Package: "outbox", Name: "InsertEvent", Pipelined: true, Args: positional(org, "gen_random_uuid()", Literal(env.Name),
				strconv.Itoa(env.Version), "now()", payload)},
			river,
		}, nil
	}
	if public {
		more, err := publish(outbox.EmailArgs{Event: env.Ref()})
		if err != nil {
			return nil, err
		}
		steps = append(steps, more...)
	}
	more, err := publish(outbox.WebhooksArgs{Event: env.Ref()})
	if err != nil {
		return nil, err
	}
	steps = append(steps, more...)
	// The classification job carries ids only: no event row of its own.
	classify, err := jsonLiteral(outbox.ClassifyArgs{OrgID: uuid.New(), TicketID: uuid.New()})
	if err != nil {
		return nil, fmt.Errorf("benchsql: job args: %w", err)
	}
	job := riverInsert(outbox.ClassifyArgs{}.Kind(), outbox.ClassifyArgs{}.InsertOpts().Queue, classify)
	job.Pipelined = true
	return append(steps, job), nil
}

// jsonLiteral is v as a SQL string literal of indented JSON: pgbench takes ":name" as a
// variable even inside a literal, and compact JSON has `"key":null`; the columns are jsonb,
// so the spacing is not stored.
func jsonLiteral(v any) (string, error) {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return "", err
	}
	if m := varRE.Find(b); m != nil {
		return "", fmt.Errorf("benchsql: JSON literal would be read by pgbench as a variable at %q", m)
	}
	return Literal(string(b)), nil
}

// riverInsert is River's InsertTx of one job as its pgx driver sends it (one-element
// arrays); values are River's defaults where our jobs set none.
func riverInsert(kind, queue, argsLiteral string) Step {
	return Step{Package: RiverPackage, Name: "JobInsertFastMany", Args: map[string]string{
		"id": "'{0}'", "args": "ARRAY[" + argsLiteral + "]", "created_at": "ARRAY[now()]", "kind": "ARRAY[" + Literal(kind) + "]",
		"max_attempts": "ARRAY[" + strconv.Itoa(jobs.MaxAttempts) + "]", "metadata": "ARRAY['{}']",
		"priority": "ARRAY[" + strconv.Itoa(river.PriorityDefault) + "]", "queue": "ARRAY[" + Literal(queue) + "]",
		"scheduled_at": "ARRAY[now()]", "state": "ARRAY['available']", "tags": "ARRAY['']",
		"unique_key": "ARRAY[NULL::bytea]", "unique_states": "ARRAY[0]",
	}}
}

// QueryNames lists the names of the queries the scenario runs, transaction by
// transaction: what the drift test compares with what the real request runs.
func (s Scenario) QueryNames() [][]string {
	out := make([][]string, len(s.Txs))
	for i, tx := range s.Txs {
		out[i] = []string{}
		for _, st := range tx.Steps {
			if st.Rescope == nil && st.Raw == "" {
				out[i] = append(out[i], st.Name)
			}
		}
	}
	return out
}
