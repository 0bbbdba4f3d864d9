package database_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets/ticketsdb"
)

// ixCapture stands in for the database: it records the statement and arguments the
// generated ListTickets sends, so the test explains exactly what the application runs.
type ixCapture struct {
	sql  string
	args []any
}

var errIxCaptured = errors.New("captured")

func (c *ixCapture) Query(_ context.Context, sql string, args ...any) (pgx.Rows, error) {
	c.sql, c.args = sql, args
	return nil, errIxCaptured
}

func (c *ixCapture) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.CommandTag{}, errors.New("ListTickets is expected to Query")
}

func (c *ixCapture) QueryRow(context.Context, string, ...any) pgx.Row {
	panic("ListTickets is expected to Query")
}

// ixNode is a node of an EXPLAIN (FORMAT JSON) plan.
type ixNode struct {
	NodeType      string   `json:"Node Type"`
	Relation      string   `json:"Relation Name"`
	Index         string   `json:"Index Name"`
	ParentRel     string   `json:"Parent Relationship"`
	Filter        string   `json:"Filter"`
	RowsRemoved   float64  `json:"Rows Removed by Filter"`
	RowsRemovedIx float64  `json:"Rows Removed by Index Recheck"`
	ActualRows    float64  `json:"Actual Rows"`
	ActualLoops   float64  `json:"Actual Loops"`
	Plans         []ixNode `json:"Plans"`
}

func (n ixNode) walk(fn func(ixNode)) {
	fn(n)
	for _, c := range n.Plans {
		c.walk(fn)
	}
}

// ixSeed fills a fresh database as the owner (subject to forced RLS like everyone, so each
// organisation's rows are written under its own app.org_id): organisation A with 100,000
// tickets over 500 units, organisation B with 5,000.
type ixSeed struct {
	orgA, orgB                 uuid.UUID
	staff1, staff2, tenant     uuid.UUID
	newTenant                  uuid.UUID // lives in a new unit with no tickets yet
	contractor, otherContr     uuid.UUID
	idleContractor             uuid.UUID // no work orders
	unit, property             uuid.UUID
	tenantUnit                 uuid.UUID
	seededAt                   time.Time // the seeding transaction's now(), which dates the tickets
	secondPageAt               time.Time
	secondPageID               uuid.UUID
	ticketsInA, workOrdersForC int
}

const ixTicketsA, ixTicketsB = 100_000, 5_000

func ixFill(t *testing.T, ctx context.Context, ownerURL string) ixSeed {
	t.Helper()
	s := ixSeed{orgA: uuid.New(), orgB: uuid.New(), staff1: uuid.New(), staff2: uuid.New(), tenant: uuid.New(), newTenant: uuid.New(),
		contractor: uuid.New(), otherContr: uuid.New(), idleContractor: uuid.New()}
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatalf("connect as owner: %v", err)
	}
	defer conn.Close(ctx)
	suffix := strings.ReplaceAll(uuid.NewString(), "-", "")[:10]
	scope := func(tx pgx.Tx, org, user uuid.UUID) error {
		_, err := tx.Exec(ctx, `SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)`, org.String(), user.String())
		return err
	}
	// org fills one organisation: users (each written as itself), 20 properties of 25
	// units and n tickets a quarter of an hour apart (three years for 100,000), a quarter
	// of them assigned to users[0] or users[1], one in 997 reported by users[2].
	org := func(tx pgx.Tx, id uuid.UUID, name string, users []uuid.UUID, n int) error {
		if err := scope(tx, id, users[0]); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO organisations (id, name, slug) VALUES ($1, $2, $3)`, id, name, name+"-"+suffix); err != nil {
			return fmt.Errorf("organisation: %w", err)
		}
		for i, u := range users {
			if err := scope(tx, id, u); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'User', 'x')`,
				u, fmt.Sprintf("u%d-%s-%s@example.com", i, name, suffix)); err != nil {
				return fmt.Errorf("user: %w", err)
			}
		}
		steps := []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO properties (org_id, name, address_line1, town, postcode)
			  SELECT $1, 'P' || g, g || ' High Street', 'Leeds', 'LS1 4AP' FROM generate_series(1, 20) g`, []any{id}},
			{`INSERT INTO units (org_id, property_id, label, reference)
			  SELECT p.org_id, p.id, 'Flat ' || g, p.name || '-' || g FROM properties p, generate_series(1, 25) g WHERE p.org_id = $1`, []any{id}},
			{`INSERT INTO tickets (org_id, number, unit_id, property_id, category, priority, status, title, description, source,
			                       reported_by_user_id, assignee_user_id, sla_due_at, created_at)
			  SELECT $1, g, u.ids[1 + g % 500], u.props[1 + g % 500],
			         (ARRAY['PLUMBING','ELECTRICAL','HVAC','APPLIANCE','STRUCTURAL','PEST_CONTROL','OTHER'])[1 + (g / 400) % 7],
			         CASE WHEN g % 20 = 7 THEN 'EMERGENCY' WHEN g % 4 = 1 THEN 'URGENT' ELSE 'ROUTINE' END,
			         CASE (g + g / 500) % 20 WHEN 0 THEN 'NEW' WHEN 1 THEN 'TRIAGED' WHEN 2 THEN 'IN_PROGRESS' WHEN 3 THEN 'RESOLVED'
			                     WHEN 4 THEN 'RESOLVED' WHEN 5 THEN 'CANCELLED' ELSE 'CLOSED' END,
			         (ARRAY['Leaking','Broken','Blocked','Noisy','Damp','Cracked'])[1 + g % 6] || ' ' ||
			         (ARRAY['tap','boiler','window','door','radiator','toilet','roof','fence'])[1 + (g / 6) % 8] ||
			         CASE WHEN g % 2000 = 0 THEN ' with asbestos' ELSE '' END,
			         'Visit ' || g || ', access by the side gate',
			         'STAFF',
			         CASE WHEN g % 997 = 0 THEN $4::uuid END,
			         CASE g % 8 WHEN 0 THEN $2::uuid WHEN 1 THEN $3::uuid END,
			         now() - (($5::int - g) * interval '15 minutes') + interval '7 days',
			         now() - (($5::int - g) * interval '15 minutes')
			  FROM (SELECT array_agg(id ORDER BY reference) AS ids, array_agg(property_id ORDER BY reference) AS props
			        FROM units WHERE org_id = $1) u,
			       generate_series(1, $5::int) g`,
				[]any{id, users[0], users[1], users[2], n}},
		}
		for _, st := range steps {
			if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
				return fmt.Errorf("%.60s…: %w", strings.TrimSpace(st.sql), err)
			}
		}
		return nil
	}
	start := time.Now()
	var indexDefs []string
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// Building the tickets' plain indexes after the rows is several times faster than
		// maintaining them row by row. They are recreated from their own definitions, so
		// the test explains against exactly the indexes the migrations made.
		if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '128MB'`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
			WHERE indrelid = 'tickets'::regclass AND NOT indisunique ORDER BY 1`)
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				return err
			}
			names, indexDefs = append(names, name), append(indexDefs, def)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(names) == 0 {
			return errors.New("tickets has no plain indexes")
		}
		if _, err := tx.Exec(ctx, `DROP INDEX `+strings.Join(names, ", ")); err != nil {
			return err
		}
		// B first, so A's rows are the newest in the heap as in a busy organisation.
		other := uuid.New()
		if err := org(tx, s.orgB, "bravo", []uuid.UUID{other, uuid.New(), uuid.New()}, ixTicketsB); err != nil {
			return fmt.Errorf("B: %w", err)
		}
		if err := org(tx, s.orgA, "alpha", []uuid.UUID{s.staff1, s.staff2, s.tenant, s.newTenant}, ixTicketsA); err != nil {
			return fmt.Errorf("A: %w", err)
		}
		// In A: the tenant lives in one unit (since before every seeded ticket), the new
		// tenant in a new unit; three contractors, one with 100 work orders, one with 100
		// others, one with none.
		for _, st := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO unit_occupants (org_id, unit_id, user_id, starts_on) SELECT org_id, id, $2, DATE '2000-01-01' FROM units WHERE org_id = $1 AND reference = 'P7-3'`, []any{s.orgA, s.tenant}},
			{`INSERT INTO units (org_id, property_id, label, reference) SELECT org_id, id, 'Flat 26', 'NEW-1' FROM properties WHERE org_id = $1 AND name = 'P1'`, []any{s.orgA}},
			{`INSERT INTO unit_occupants (org_id, unit_id, user_id) SELECT org_id, id, $2 FROM units WHERE org_id = $1 AND reference = 'NEW-1'`, []any{s.orgA, s.newTenant}},
			{`INSERT INTO contractors (id, org_id, company_name, email)
			  VALUES ($1, $4, 'Pipes Ltd', 'pipes@example.com'), ($2, $4, 'Sparks Ltd', 'sparks@example.com'), ($3, $4, 'Idle Ltd', 'idle@example.com')`,
				[]any{s.contractor, s.otherContr, s.idleContractor, s.orgA}},
			{`INSERT INTO work_orders (org_id, ticket_id, contractor_id, description, status)
			  SELECT org_id, id, CASE WHEN number % 1000 = 0 THEN $2::uuid ELSE $3::uuid END, 'Attend', 'ASSIGNED'
			  FROM tickets WHERE org_id = $1 AND number % 500 = 0`, []any{s.orgA, s.contractor, s.otherContr}},
		} {
			if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
				return fmt.Errorf("%.60s…: %w", strings.TrimSpace(st.sql), err)
			}
		}
		for _, def := range indexDefs {
			if _, err := tx.Exec(ctx, def); err != nil {
				return fmt.Errorf("recreate %s: %w", def, err)
			}
		}
		q := func(sql string, dst ...any) error { return tx.QueryRow(ctx, sql, s.orgA).Scan(dst...) }
		if err := q(`SELECT id, property_id FROM units WHERE org_id = $1 AND reference = 'P3-11'`, &s.unit, &s.property); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT unit_id FROM unit_occupants WHERE org_id = $1 AND user_id = $2`, s.orgA, s.tenant).Scan(&s.tenantUnit); err != nil {
			return err
		}
		if err := q(`SELECT created_at, id FROM tickets WHERE org_id = $1 ORDER BY created_at DESC, id DESC OFFSET 50 LIMIT 1`, &s.secondPageAt, &s.secondPageID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT now()`).Scan(&s.seededAt); err != nil {
			return err
		}
		if err := q(`SELECT count(*) FROM tickets WHERE org_id = $1`, &s.ticketsInA); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM work_orders WHERE org_id = $1 AND contractor_id = $2`, s.orgA, s.contractor).Scan(&s.workOrdersForC)
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	inserted := time.Since(start)
	// A sample as large as the tables, so the statistics (and so the plans) are the same
	// on every run.
	if _, err := conn.Exec(ctx, `SET default_statistics_target = 1000`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE tickets, units, properties, unit_occupants, work_orders, contractors`); err != nil {
		t.Fatalf("analyze: %v", err)
	}
	t.Logf("seeded %d + %d tickets in %v, analyzed in %v", ixTicketsA, ixTicketsB, inserted.Round(time.Millisecond), (time.Since(start) - inserted).Round(time.Millisecond))
	var after []string
	rows, err := conn.Query(ctx, `SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'tickets'::regclass AND NOT indisunique ORDER BY indexrelid::regclass::text`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var def string
		if err := rows.Scan(&def); err != nil {
			t.Fatal(err)
		}
		after = append(after, def)
	}
	rows.Close()
	if !slices.Equal(after, indexDefs) {
		t.Fatalf("indexes after seeding differ from the migrations':\n%v\n%v", after, indexDefs)
	}
	if s.ticketsInA != ixTicketsA || s.workOrdersForC != 100 {
		t.Fatalf("seeded %d tickets in A and %d work orders for the contractor", s.ticketsInA, s.workOrdersForC)
	}
	return s
}

// ixMaxDiscarded bounds the ticket rows a list page may read and throw away (through
// any index) before it has its answer: 5% of the organisation. A plan that walks the
// whole organisation in date order, testing each ticket, "uses an index" without the
// index serving the filter.
const ixMaxDiscarded = ixTicketsA / 20

// TestTicketListUsesIndexes explains the ticket list, exactly as the application sends it,
// for every filter and viewer over 100,000 tickets in one organisation (and 5,000 in
// another), as the application role under row-level security with the pool's
// plan_cache_mode. It fails on a sequential scan of tickets (docs/decisions/0005), and on
// a plan that reads more than ixMaxDiscarded tickets to fill a page.
func TestTicketListUsesIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbs := testsupport.NewDatabases(t)
	s := ixFill(t, ctx, dbs.OwnerURL)
	db, err := database.Open(ctx, dbs.AppURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	str := func(v string) *string { return &v }
	id := func(v uuid.UUID) *uuid.UUID { return &v }
	now := s.seededAt.Add(time.Hour)                         // fixed, so "overdue" finds the same tickets on every run
	endOfTime := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) // the first page's cursor (tickets.endOfTime)
	type params = ticketsdb.ListTicketsParams
	cases := []struct {
		name string
		edit func(p *params)
		rows int // rows the page returns with this data, so each plan is for a real answer
	}{
		{"no filter", func(p *params) {}, 51},
		{"status", func(p *params) { p.Status = str("NEW") }, 51},
		{"status, least common", func(p *params) { p.Status = str("IN_PROGRESS") }, 51},
		{"priority", func(p *params) { p.Priority = str("EMERGENCY") }, 51},
		{"category", func(p *params) { p.Category = str("HVAC") }, 51},
		{"unitId", func(p *params) { p.UnitID = id(s.unit) }, 51},
		{"propertyId", func(p *params) { p.PropertyID = id(s.property) }, 51},
		{"assigneeUserId", func(p *params) { p.AssigneeUserID = id(s.staff2) }, 51},
		{"overdue", func(p *params) { p.Overdue = true }, 51},
		{"overdue for a unit", func(p *params) { p.Overdue, p.UnitID = true, id(s.tenantUnit) }, 28},
		{"q, common word", func(p *params) { p.Query = str("boiler") }, 51},
		{"q, phrase", func(p *params) { p.Query = str(`"leaking tap"`) }, 51},
		{"q, rare word", func(p *params) { p.Query = str("asbestos") }, 50},
		{"tenant visibility", func(p *params) { p.TenantUserID = id(s.tenant) }, 51},
		{"tenant visibility, new tenant without tickets", func(p *params) { p.TenantUserID = id(s.newTenant) }, 0},
		{"tenant visibility with a status", func(p *params) { p.TenantUserID, p.Status = id(s.tenant), str("NEW") }, 14},
		{"contractor visibility", func(p *params) { p.ContractorID = id(s.contractor) }, 51},
		{"contractor visibility, no work orders", func(p *params) { p.ContractorID = id(s.idleContractor) }, 0},
		{"contractor visibility with q", func(p *params) { p.ContractorID, p.Query = id(s.contractor), str("asbestos") }, 50},
		{"second page", func(p *params) { p.BeforeCreatedAt, p.BeforeID = s.secondPageAt, s.secondPageID }, 51},
		{"second page of a status", func(p *params) {
			p.Status = str("NEW")
			p.BeforeCreatedAt, p.BeforeID = s.secondPageAt, s.secondPageID
		}, 51},
		{"status and priority", func(p *params) { p.Status, p.Priority = str("TRIAGED"), str("URGENT") }, 51},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := params{OrgID: s.orgA, Now: now, BeforeCreatedAt: endOfTime, BeforeID: uuid.Max, RowLimit: 51}
			tc.edit(&p)
			var c ixCapture
			if _, err := ticketsdb.New().ListTickets(ctx, &c, p); !errors.Is(err, errIxCaptured) {
				t.Fatalf("ListTickets did not query: %v", err)
			}
			var raw []byte
			err := db.InOrg(ctx, s.orgA, uuid.Nil, func(tx pgx.Tx) error {
				var mode string
				if err := tx.QueryRow(ctx, `SHOW plan_cache_mode`).Scan(&mode); err != nil || mode != "force_custom_plan" {
					return fmt.Errorf("plan_cache_mode %q (%v), want force_custom_plan", mode, err)
				}
				return tx.QueryRow(ctx, "EXPLAIN (ANALYZE, FORMAT JSON)\n"+c.sql, c.args...).Scan(&raw)
			})
			if err != nil {
				t.Fatalf("explain: %v", err)
			}
			var plans []struct {
				Plan          ixNode  `json:"Plan"`
				ExecutionTime float64 `json:"Execution Time"`
			}
			if err := json.Unmarshal(raw, &plans); err != nil || len(plans) != 1 {
				t.Fatalf("plan: %v: %s", err, raw)
			}
			plan := plans[0].Plan
			if got := int(plan.ActualRows); got != tc.rows {
				t.Fatalf("the page has %d rows, want %d: the seeded data no longer exercises this case", got, tc.rows)
			}
			var seqScans int
			var indexes []string
			var discarded float64
			plan.walk(func(n ixNode) {
				if n.Relation != "tickets" {
					return
				}
				if n.NodeType == "Seq Scan" {
					seqScans++
				}
				if n.Index != "" && !slices.Contains(indexes, n.Index) {
					indexes = append(indexes, n.Index)
				}
				// EXPLAIN shows per-loop averages.
				discarded += (n.RowsRemoved + n.RowsRemovedIx) * max(n.ActualLoops, 1)
			})
			plan.walk(func(n ixNode) { // a bitmap's index is named on its child node
				if n.NodeType == "Bitmap Index Scan" && strings.HasPrefix(n.Index, "tickets_") && !slices.Contains(indexes, n.Index) {
					indexes = append(indexes, n.Index)
				}
			})
			summary := fmt.Sprintf("%d rows in %.1f ms via %v, %.0f tickets read and discarded", int(plan.ActualRows), plans[0].ExecutionTime, indexes, discarded)
			t.Log(summary)
			pretty := func() string {
				var b strings.Builder
				var write func(n ixNode, depth int)
				write = func(n ixNode, depth int) {
					fmt.Fprintf(&b, "%s%s", strings.Repeat("  ", depth+1), n.NodeType)
					if n.Relation != "" {
						fmt.Fprintf(&b, " on %s", n.Relation)
					}
					if n.Index != "" {
						fmt.Fprintf(&b, " using %s", n.Index)
					}
					fmt.Fprintf(&b, " (rows=%.0f loops=%.0f removed=%.0f)", n.ActualRows, n.ActualLoops, n.RowsRemoved)
					if n.Filter != "" {
						fmt.Fprintf(&b, " filter: %.200s", n.Filter)
					}
					b.WriteString("\n")
					for _, c := range n.Plans {
						write(c, depth+1)
					}
				}
				write(plan, 0)
				return b.String()
			}
			if seqScans > 0 || len(indexes) == 0 {
				t.Fatalf("sequential scan of tickets (%s):\n%s", summary, pretty())
			}
			if discarded > ixMaxDiscarded {
				t.Errorf("reads %.0f of the organisation's %d tickets to fill the page (%s): the filter is not served by an index:\n%s", discarded, ixTicketsA, summary, pretty())
			}
		})
	}
}
