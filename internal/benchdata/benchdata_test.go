package benchdata_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/benchdata"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// TestMain checks every API answer these tests see against the OpenAPI document.
func TestMain(m *testing.M) { os.Exit(testsupport.RunCheckingContract(m)) }

// small is a data set small enough for a test; the large organisation keeps its full
// estate and fifty companies.
var small = benchdata.Options{Orgs: 5, LargeTickets: 2000, SmallTickets: 20, Seed: 42}

// superuserURL is the URL of a test database for the cluster's superuser, which
// row-level security does not narrow.
func superuserURL(t *testing.T, dbURL string) string {
	t.Helper()
	admin, err := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	own, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	admin.Path = own.Path
	return admin.String()
}

// superuser connects to a test database as the cluster's superuser, to look at every
// organisation's rows.
func superuser(t *testing.T, dbURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), superuserURL(t, dbURL))
	if err != nil {
		t.Fatalf("connect as superuser: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// login logs in through the API and returns a client for the session.
func login(t *testing.T, app *testsupport.App, email string) *testsupport.Client {
	t.Helper()
	var s struct {
		AccessToken string      `json:"accessToken"`
		Role        access.Role `json:"role"`
		User        struct {
			ID uuid.UUID `json:"id"`
		} `json:"user"`
		Org struct {
			ID uuid.UUID `json:"id"`
		} `json:"org"`
	}
	app.Anonymous().With(t).Post("/api/v1/auth/login", map[string]string{"email": email, "password": benchdata.Password}).
		Expect(http.StatusOK).Data(&s)
	return &testsupport.Client{App: app, Token: s.AccessToken, UserID: s.User.ID, OrgID: s.Org.ID, Role: s.Role, Email: email}
}

func TestLoadedDataWorksThroughTheAPI(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	f, err := benchdata.Load(context.Background(), app.DBs.OwnerURL, small)
	if err != nil {
		t.Fatalf("load: %v", err)
	}

	admin, coordinator := login(t, app, f.AdminEmail), login(t, app, f.CoordinatorEmail)
	contractor, tenant := login(t, app, f.ContractorEmail), login(t, app, f.TenantEmail)
	for c, want := range map[*testsupport.Client]struct {
		role access.Role
		user uuid.UUID
	}{admin: {access.Admin, f.AdminUserID}, coordinator: {access.Coordinator, f.CoordinatorUserID},
		contractor: {access.Contractor, f.ContractorUserID}, tenant: {access.Tenant, f.TenantUserID}} {
		if c.OrgID != f.OrgID || c.Role != want.role || c.UserID != want.user {
			t.Errorf("%s logged in to org %s as %s (user %s), want %s as %s (user %s)", c.Email, c.OrgID, c.Role, c.UserID, f.OrgID, want.role, want.user)
		}
	}

	t.Run("the NEW list pages by cursor, newest first", func(t *testing.T) {
		all := testsupport.All[tickets.Ticket](t, coordinator, "/api/v1/tickets?status=NEW")
		if want := 1120; len(all) != want { // ceil(56% of 2,000)
			t.Fatalf("%d NEW tickets listed, want %d", len(all), want)
		}
		seen := map[uuid.UUID]bool{}
		for i, tk := range all {
			if tk.Status != tickets.New || seen[tk.ID] {
				t.Fatalf("row %d: %s %s (seen before: %v)", i, tk.ID, tk.Status, seen[tk.ID])
			}
			seen[tk.ID] = true
			if i > 0 {
				prev := all[i-1]
				if c := tk.CreatedAt.Compare(prev.CreatedAt); c > 0 || c == 0 && bytes.Compare(tk.ID[:], prev.ID[:]) >= 0 {
					t.Fatalf("row %d (%s, %s) is not after row %d (%s, %s) in the list order", i, tk.CreatedAt, tk.ID, i-1, prev.CreatedAt, prev.ID)
				}
			}
		}
		items, next := testsupport.Page[tickets.Ticket](t, coordinator, "/api/v1/tickets?status=NEW&limit=20")
		if len(items) != 20 || next == "" || items[0].ID != all[0].ID {
			t.Fatalf("first page: %d items, next %q", len(items), next)
		}
		items, _ = testsupport.Page[tickets.Ticket](t, coordinator, "/api/v1/tickets?status=NEW&limit=20&cursor="+url.QueryEscape(next))
		if len(items) != 20 || items[0].ID != all[20].ID {
			t.Fatalf("second page starts at %v, want row 20 %s", items[0].ID, all[20].ID)
		}
	})

	t.Run("ticket detail with comments and timeline", func(t *testing.T) {
		for _, id := range f.SampleTicketIDs[:25] {
			d := testsupport.GetTicket(t, admin, id)
			if len(d.Comments) == 0 || len(d.Comments) > 2 || len(d.Timeline) == 0 || d.Timeline[0].Action != "created" {
				t.Fatalf("ticket %s: %d comments, timeline %+v", id, len(d.Comments), d.Timeline)
			}
			if d.Status != tickets.New && len(d.Timeline) < 2 {
				t.Errorf("%s ticket %s has no status change on its timeline", d.Status, id)
			}
		}
	})

	t.Run("the contractor's jobs", func(t *testing.T) {
		jobs := testsupport.All[workorders.WorkOrder](t, contractor, "/api/v1/work-orders")
		if len(jobs) < 20 {
			t.Fatalf("the contractor has %d work orders, want the first company's large share", len(jobs))
		}
		for _, w := range jobs {
			if w.ContractorID != f.ContractorID {
				t.Fatalf("the contractor sees work order %s of company %s", w.ID, w.ContractorID)
			}
		}
		i := slices.IndexFunc(jobs, func(w workorders.WorkOrder) bool { return w.Status.Live() })
		if i < 0 {
			t.Fatal("the contractor has no live work order")
		}
		d := testsupport.GetTicket(t, contractor, jobs[i].TicketID)
		if len(d.Timeline) == 0 {
			t.Fatalf("the contractor sees no timeline on ticket %s", d.ID)
		}
	})

	t.Run("search finds common and rare words", func(t *testing.T) {
		if len(f.SearchTerms) != 2 {
			t.Fatalf("search terms %v", f.SearchTerms)
		}
		common := testsupport.All[tickets.Ticket](t, coordinator, "/api/v1/tickets?q="+f.SearchTerms[0])
		rare := testsupport.All[tickets.Ticket](t, coordinator, "/api/v1/tickets?q="+f.SearchTerms[1])
		if len(common) < 200 || len(rare) != 3 { // 3: at least three rare reports in any data set
			t.Fatalf("%q finds %d tickets, %q %d", f.SearchTerms[0], len(common), f.SearchTerms[1], len(rare))
		}
	})

	t.Run("the public form matches the unit reference", func(t *testing.T) {
		var form bytes.Buffer
		w := multipart.NewWriter(&form)
		for k, v := range map[string]string{"unitReference": f.UnitReference, "title": "Boiler not working", "name": "Jo Resident", "email": "jo@example.com"} {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		app.Anonymous().With(t).Do(http.MethodPost, "/api/v1/public/"+f.OrgSlug+"/reports", form.Bytes(), "Content-Type", w.FormDataContentType()).
			Expect(http.StatusCreated)
		items, _ := testsupport.Page[tickets.Ticket](t, coordinator, "/api/v1/tickets?limit=1")
		if len(items) != 1 || items[0].Number != tickets.FormatNumber(2001) || items[0].UnitID == nil || *items[0].UnitID != f.UnitID {
			t.Fatalf("newest ticket after the public report: %+v", items)
		}
	})

	t.Run("other organisations' data stays theirs", func(t *testing.T) {
		var otherEmail string
		var otherTicket uuid.UUID
		err := superuser(t, app.DBs.OwnerURL).QueryRow(context.Background(), `
SELECT u.email, (SELECT t.id FROM tickets t WHERE t.org_id = m.org_id LIMIT 1)
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id <> $1 AND m.role = 'ADMIN' ORDER BY u.email LIMIT 1`, f.OrgID).Scan(&otherEmail, &otherTicket)
		if err != nil {
			t.Fatal(err)
		}
		other := login(t, app, otherEmail)
		other.With(t).Get("/api/v1/tickets/" + f.SampleTicketIDs[0].String()).Expect(http.StatusNotFound)
		admin.With(t).Get("/api/v1/tickets/" + otherTicket.String()).Expect(http.StatusNotFound)
		theirs := testsupport.All[tickets.Ticket](t, other, "/api/v1/tickets")
		if len(theirs) != small.SmallTickets || !slices.ContainsFunc(theirs, func(tk tickets.Ticket) bool { return tk.ID == otherTicket }) {
			t.Fatalf("the other organisation lists %d tickets, want its own %d", len(theirs), small.SmallTickets)
		}
		if n := len(testsupport.All[workorders.WorkOrder](t, other, "/api/v1/work-orders?contractorId="+f.ContractorID.String())); n != 0 {
			t.Fatalf("the other organisation sees %d of the large one's work orders", n)
		}
	})
}

// schemaQuery describes the loaded tables' indexes, constraints and row-level security,
// which Load changes while it loads and must leave as the migrations made them.
const schemaQuery = `
SELECT string_agg(d, E'\n' ORDER BY d) FROM (
    SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT format('%s %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid), convalidated)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT format('%s rls=%s force=%s', oid::regclass, relrowsecurity, relforcerowsecurity)
    FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
) s`

// TestCountsMatchOptions loads the same small set twice, as the schema owner and as a
// superuser: the counts follow the options, the rows keep the application's invariants,
// the schema is left as it was, and the same seed gives the same data.
func TestCountsMatchOptions(t *testing.T) {
	opts := small
	opts.Until = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	dbs := testsupport.NewDatabases(t)
	db := superuser(t, dbs.OwnerURL)
	var schemaBefore, schemaAfter string
	if err := db.QueryRow(context.Background(), schemaQuery).Scan(&schemaBefore); err != nil {
		t.Fatal(err)
	}
	f, err := benchdata.Load(context.Background(), dbs.OwnerURL, opts)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := db.QueryRow(context.Background(), schemaQuery).Scan(&schemaAfter); err != nil {
		t.Fatal(err)
	}
	if schemaAfter != schemaBefore || !strings.Contains(schemaBefore, "tickets_search_idx") || !strings.Contains(schemaBefore, "tickets rls=t force=t") {
		t.Errorf("the schema changed under the load:\nbefore:\n%s\nafter:\n%s", schemaBefore, schemaAfter)
	}
	c := f.Counts
	n := int64(opts.LargeTickets + (opts.Orgs-1)*opts.SmallTickets)
	// The large organisation: admin, 3 coordinators, 50 contractors, 500 tenants; the
	// others: admin, coordinator, 3 contractors, 2 tenants.
	members := int64(1+3+50+500) + int64(opts.Orgs-1)*(1+1+3+2)
	for table, want := range map[string]int64{
		"organisations": int64(opts.Orgs), "ticket_counters": int64(opts.Orgs), "tickets": n,
		"users": members, "memberships": members, "contractors": 50 + int64(opts.Orgs-1)*3,
		"properties": 400 + int64(opts.Orgs-1)*2, "units": 2000 + int64(opts.Orgs-1)*6, "unit_occupants": 500 + int64(opts.Orgs-1)*2,
	} {
		if c[table] != want {
			t.Errorf("%s: %d rows, want %d", table, c[table], want)
		}
	}
	if c["ticket_comments"] < n || c["ticket_comments"] > 2*n {
		t.Errorf("%d comments for %d tickets, want one or two each", c["ticket_comments"], n)
	}
	if c["work_orders"] < n/4 || c["work_orders"] > n*35/100 {
		t.Errorf("%d work orders for %d tickets, want about 30%%", c["work_orders"], n)
	}
	if c["timeline_events"] < 2*n || c["timeline_events"] > 6*n {
		t.Errorf("%d timeline entries for %d tickets", c["timeline_events"], n)
	}

	var broken int64
	// Each check counts rows that break one of the application's rules; all must be zero.
	for name, query := range map[string]string{
		"gap-free numbers and counters": `SELECT count(*) FROM ticket_counters c
			WHERE c.last_number <> (SELECT count(DISTINCT number) FROM tickets t WHERE t.org_id = c.org_id)
			   OR c.last_number <> (SELECT max(number) FROM tickets t WHERE t.org_id = c.org_id)`,
		"numbers in creation order": `SELECT count(*) FROM tickets a JOIN tickets b ON b.org_id = a.org_id AND b.number = a.number + 1
			WHERE (b.created_at, b.id) < (a.created_at, a.id)`,
		"status timestamps": `SELECT count(*) FROM tickets WHERE
			(status IN ('RESOLVED', 'CLOSED')) <> (resolved_at IS NOT NULL AND status <> 'CANCELLED')
			OR (status IN ('CLOSED', 'CANCELLED')) <> (closed_at IS NOT NULL)`,
		"NEW tickets have no work order": `SELECT count(*) FROM tickets t JOIN work_orders w ON w.org_id = t.org_id AND w.ticket_id = t.id
			WHERE t.status = 'NEW'`,
		"IN_PROGRESS tickets have a live work order": `SELECT count(*) FROM tickets t WHERE t.status = 'IN_PROGRESS' AND NOT EXISTS (
			SELECT 1 FROM work_orders w WHERE w.org_id = t.org_id AND w.ticket_id = t.id AND w.status IN ('ASSIGNED', 'ACCEPTED', 'SCHEDULED', 'IN_PROGRESS'))`,
		"a created entry per ticket, first": `SELECT count(*) FROM tickets t WHERE NOT EXISTS (
			SELECT 1 FROM timeline_events e WHERE e.org_id = t.org_id AND e.ticket_id = t.id AND e.action = 'created' AND e.entity_type = 'ticket'
			  AND e.seq = (SELECT min(seq) FROM timeline_events f WHERE f.org_id = t.org_id AND f.ticket_id = t.id))`,
		"timeline in time order": `SELECT count(*) FROM (SELECT occurred_at < lag(occurred_at) OVER (ORDER BY seq) AS back FROM timeline_events) s WHERE back`,
		"a comment entry per comment": `SELECT count(*) FROM ticket_comments c WHERE NOT EXISTS (
			SELECT 1 FROM timeline_events e WHERE e.org_id = c.org_id AND e.ticket_id = c.ticket_id AND e.action = 'comment_added'
			  AND e.after->>'commentId' = c.id::text)`,
		"less than 55% NEW in the large organisation": `SELECT count(*) FROM (SELECT 1 FROM tickets WHERE org_id = '` + f.OrgID.String() + `'
			HAVING count(*) FILTER (WHERE status = 'NEW') < 0.55 * count(*)) s`,
		"SLA notices for what is overdue": `SELECT count(*) FROM tickets t WHERE t.status IN ('NEW', 'TRIAGED', 'IN_PROGRESS') AND t.sla_due_at <= '2026-11-30'
			AND NOT EXISTS (SELECT 1 FROM notices_sent n WHERE n.org_id = t.org_id AND n.subject_id = t.id AND n.kind = 'sla.breached')`,
	} {
		if err := db.QueryRow(context.Background(), query).Scan(&broken); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if broken != 0 {
			t.Errorf("%s: %d rows break it", name, broken)
		}
	}
	var share float64
	if err := db.QueryRow(context.Background(), `SELECT avg((contractor_id = $1)::int) FROM work_orders WHERE org_id = $2`,
		f.ContractorID, f.OrgID).Scan(&share); err != nil || share < 0.08 {
		t.Errorf("the contractor's company has %.2f of the large organisation's work orders (%v), want about 12%%", share, err)
	}

	// The rare word is rare in the statistics the planner uses, which cover every
	// organisation: only the large one reports it (3 of its 2,000 tickets).
	var rare int64
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM tickets WHERE search @@ websearch_to_tsquery('english', $1)`,
		f.SearchTerms[1]).Scan(&rare); err != nil || rare != 3 {
		t.Errorf("%q matches %d tickets in all (%v), want 3", f.SearchTerms[1], rare, err)
	}

	again, err := benchdata.Load(context.Background(), superuserURL(t, testsupport.NewDatabases(t).OwnerURL), opts)
	if err != nil {
		t.Fatalf("load again: %v", err)
	}
	if !slices.Equal(f.SampleTicketIDs, again.SampleTicketIDs) || f.AdminUserID != again.AdminUserID || f.UnitID != again.UnitID {
		t.Error("the same seed gave different data")
	}
}

// BenchmarkLoadDefault loads the full default data set (1,000 organisations, the large
// one with 200,000 tickets) into a fresh database, to time it by hand:
// go test -run '^$' -bench LoadDefault -benchtime 1x ./internal/benchdata/
func BenchmarkLoadDefault(b *testing.B) {
	for range b.N {
		b.StopTimer()
		dbs := testsupport.NewDatabases(b)
		b.StartTimer()
		f, err := benchdata.Load(context.Background(), dbs.OwnerURL, benchdata.Options{Seed: 1})
		if err != nil {
			b.Fatalf("load: %v", err)
		}
		b.Logf("rows: %v", f.Counts)
	}
}
