package benchdata

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// tables are the tables Load writes, parents first.
var tables = []string{
	"organisations", "users", "contractors", "memberships", "properties", "units", "unit_occupants",
	"ticket_counters", "tickets", "work_orders", "ticket_comments", "timeline_events", "notices_sent",
}

func tableList() string { return strings.Join(tables, ", ") }

// liftForcedRLS lets a schema owner that is not a superuser write every organisation's
// rows in one go: tenant tables FORCE row-level security, which binds their owner too.
// It turns FORCE off inside the loading transaction and returns the function that turns
// it back on before the commit, so no other transaction ever sees the tables without it
// (and a failed load rolls the change back with the rows). A superuser or BYPASSRLS role
// needs none of this.
func liftForcedRLS(ctx context.Context, tx pgx.Tx) (restore func() error, err error) {
	var bypass bool
	if err := tx.QueryRow(ctx, `SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&bypass); err != nil {
		return nil, fmt.Errorf("benchdata: own role: %w", err)
	}
	if bypass {
		return func() error { return nil }, nil
	}
	rows, err := tx.Query(ctx, `SELECT c.relname FROM pg_class c
		WHERE c.oid = ANY (ARRAY(SELECT to_regclass(t) FROM unnest($1::text[]) AS t)) AND c.relforcerowsecurity`, tables)
	if err != nil {
		return nil, fmt.Errorf("benchdata: forced tables: %w", err)
	}
	forced, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("benchdata: forced tables: %w", err)
	}
	alter := func(how string) error {
		for _, t := range forced {
			if _, err := tx.Exec(ctx, fmt.Sprintf("ALTER TABLE %s %s ROW LEVEL SECURITY", pgx.Identifier{t}.Sanitize(), how)); err != nil {
				return fmt.Errorf("benchdata: %s row level security on %s (connect as the schema owner or a superuser): %w", how, t, err)
			}
		}
		return nil
	}
	return func() error { return alter("FORCE") }, alter("NO FORCE")
}

// deferIndexesAndForeignKeys follows PostgreSQL's advice for populating a database: it
// drops the loaded tables' foreign keys and the indexes that back no constraint, inside
// the loading transaction, and returns the function that recreates each from its own
// definition (pg_get_indexdef, pg_get_constraintdef). Building an index once is much
// faster than updating it row by row, and re-adding a foreign key checks every row in
// one query instead of a trigger per row; every constraint is still checked before the
// commit. Primary keys and unique constraints stay, since foreign keys refer to them.
func deferIndexesAndForeignKeys(ctx context.Context, tx pgx.Tx) (restore func() error, err error) {
	rows, err := tx.Query(ctx, `
WITH loaded AS (SELECT to_regclass(t) AS oid FROM unnest($1::text[]) AS t)
SELECT 1 AS step, format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid IN (SELECT oid FROM loaded)
UNION ALL
SELECT 2, format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM loaded)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1, 2`, tables)
	if err != nil {
		return nil, fmt.Errorf("benchdata: indexes and foreign keys: %w", err)
	}
	type change struct {
		step         int
		drop, create string
	}
	changes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (c change, err error) {
		return c, r.Scan(&c.step, &c.drop, &c.create)
	})
	if err != nil {
		return nil, fmt.Errorf("benchdata: indexes and foreign keys: %w", err)
	}
	for _, c := range changes { // foreign keys first: they may depend on an index
		if _, err := tx.Exec(ctx, c.drop); err != nil {
			return nil, fmt.Errorf("benchdata: %s: %w", c.drop, err)
		}
	}
	return func() error {
		for _, c := range slices.Backward(changes) { // indexes first
			if _, err := tx.Exec(ctx, c.create); err != nil {
				return fmt.Errorf("benchdata: %s: %w", c.create, err)
			}
		}
		return nil
	}, nil
}

// copyAll copies every generated row in, table by table.
func copyAll(ctx context.Context, tx pgx.Tx, orgs []*org, passwordHash string) error {
	type table struct {
		name string
		cols []string
		rows func(o *org, add func(...any))
	}
	all := []table{
		{"organisations", []string{"id", "name", "slug", "created_at", "updated_at"}, func(o *org, add func(...any)) {
			add(o.id, o.name, o.slug, o.createdAt, o.createdAt)
		}},
		{"users", []string{"id", "email", "name", "password_hash", "created_at", "updated_at"}, func(o *org, add func(...any)) {
			for _, u := range o.members() {
				add(u.id, u.email, u.name, passwordHash, u.createdAt, u.createdAt)
			}
		}},
		{"contractors", []string{"id", "org_id", "company_name", "trades", "email", "phone", "insurance_expires_on", "created_at", "updated_at"},
			func(o *org, add func(...any)) {
				for _, c := range o.companies {
					add(c.id, o.id, c.name, c.trades, c.email, c.phone, c.insuranceExpiresOn, c.createdAt, c.createdAt)
				}
			}},
		{"memberships", []string{"id", "org_id", "user_id", "role", "contractor_id", "created_at", "updated_at"}, func(o *org, add func(...any)) {
			for _, u := range o.members() {
				var company any
				if u.company != nil {
					company = u.company.id
				}
				add(u.memberID, o.id, u.id, string(u.role), company, u.createdAt, u.createdAt)
			}
		}},
		{"properties", []string{"id", "org_id", "name", "address_line1", "town", "postcode", "created_at", "updated_at"}, func(o *org, add func(...any)) {
			for _, p := range o.properties {
				add(p.id, o.id, p.name, p.line1, p.town, p.postcode, p.createdAt, p.createdAt)
			}
		}},
		{"units", []string{"id", "org_id", "property_id", "label", "reference", "bedrooms", "created_at", "updated_at"}, func(o *org, add func(...any)) {
			for _, u := range o.units {
				add(u.id, o.id, u.property.id, u.label, u.reference, int32(u.bedrooms), u.createdAt, u.createdAt)
			}
		}},
		{"unit_occupants", []string{"id", "org_id", "unit_id", "user_id", "starts_on", "created_at"}, func(o *org, add func(...any)) {
			for _, u := range o.units {
				if t := u.occupant; t != nil {
					add(u.occupancyID, o.id, u.id, t.id, londonDate(t.createdAt), t.createdAt)
				}
			}
		}},
		{"ticket_counters", []string{"org_id", "last_number"}, func(o *org, add func(...any)) {
			if len(o.tickets) > 0 {
				add(o.id, int64(len(o.tickets)))
			}
		}},
		{"tickets", []string{"id", "org_id", "number", "unit_id", "property_id", "category", "priority", "status", "title", "description",
			"source", "reported_by_user_id", "reported_by_name", "reported_by_phone", "reported_by_email", "reported_address",
			"assignee_user_id", "sla_due_at", "resolved_at", "closed_at", "created_at", "updated_at"}, func(o *org, add func(...any)) {
			for _, t := range o.tickets {
				add(t.ID, o.id, t.number, t.UnitID, t.PropertyID, t.Category, t.Priority, string(t.Status), t.Title, t.Description,
					t.Source, t.ReportedByUserID, t.ReportedByName, t.ReportedByPhone, t.ReportedByEmail, t.ReportedAddress,
					t.AssigneeUserID, t.SLADueAt, t.ResolvedAt, t.ClosedAt, t.CreatedAt, t.UpdatedAt)
			}
		}},
		{"work_orders", []string{"id", "org_id", "ticket_id", "contractor_id", "description", "status", "scheduled_for",
			"completion_notes", "status_reason", "created_by", "completed_at", "created_at", "updated_at"}, func(o *org, add func(...any)) {
			for _, w := range o.workOrders {
				add(w.ID, o.id, w.TicketID, w.ContractorID, w.Description, string(w.Status), w.ScheduledFor,
					w.CompletionNotes, w.StatusReason, w.createdBy.id, w.CompletedAt, w.CreatedAt, w.UpdatedAt)
			}
		}},
		{"ticket_comments", []string{"id", "org_id", "ticket_id", "author_id", "body", "visibility", "contractor_id",
			"shared_with_contractor_id", "created_at"}, func(o *org, add func(...any)) {
			for _, c := range o.comments {
				add(c.id, o.id, c.ticketID, c.author.id, c.body, c.visibility, c.contractorID, c.sharedWithCoID, c.createdAt)
			}
		}},
	}
	for _, t := range all {
		var rows [][]any
		for _, o := range orgs {
			t.rows(o, func(v ...any) { rows = append(rows, v) })
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("benchdata: copy %s: %w", t.name, err)
		}
	}
	return copyTimeline(ctx, tx, orgs)
}

// londonDate is the date in Europe/London at t, as the application stores occupancies.
func londonDate(t time.Time) time.Time {
	y, m, d := t.In(london).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // the binary embeds time/tzdata through ukcalendar
	}
	return l
}()

// copyTimeline copies every organisation's trail in the order it happened, so seq (an
// identity assigned as rows arrive) is in time order across the whole table as it would
// be had the application written it. Before and after are marshalled as rows are sent.
func copyTimeline(ctx context.Context, tx pgx.Tx, orgs []*org) error {
	type entry struct {
		*event
		org *org
	}
	var all []entry
	for _, o := range orgs {
		for _, e := range o.events {
			all = append(all, entry{e, o})
		}
	}
	slices.SortFunc(all, func(a, b entry) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		if c := bytes.Compare(a.org.id[:], b.org.id[:]); c != 0 {
			return c
		}
		return a.order - b.order
	})
	// Entries are encoded on a second goroutine while PostgreSQL takes the previous ones.
	rows := make(chan []any, 4096)
	done := make(chan struct{})
	defer close(done)
	var encodeErr error
	go func() {
		defer close(rows)
		for _, e := range all {
			row, err := timelineRow(e.event, e.org)
			if err != nil {
				encodeErr = err // read only after rows is closed
				return
			}
			select {
			case rows <- row:
			case <-done:
				return
			}
		}
	}()
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if row, ok := <-rows; ok {
			return row, nil
		}
		return nil, encodeErr
	})
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"timeline_events"},
		[]string{"id", "org_id", "entity_type", "entity_id", "action", "actor_id", "actor_role", "before", "after", "occurred_at", "ticket_id"}, src)
	if err != nil {
		return fmt.Errorf("benchdata: copy timeline_events: %w", err)
	}
	return nil
}

// timelineRow is the row timeline.Record would insert for e.
func timelineRow(e *event, o *org) ([]any, error) {
	var actorID, role any
	if e.actor != nil {
		actorID, role = e.actor.id, string(e.actor.role)
	}
	before, err := marshalOrNil(e.before)
	if err != nil {
		return nil, err
	}
	after, err := marshalOrNil(e.after)
	if err != nil {
		return nil, err
	}
	return []any{e.id, o.id, e.entityType, e.entityID, e.action, actorID, role, before, after, e.at, e.ticketID}, nil
}

// marshalOrNil is timeline.Record's encoding of before and after: JSON, or NULL for none.
func marshalOrNil(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("benchdata: marshal timeline entry: %w", err)
	}
	return b, nil
}

// recordNoticesSent writes the periodic notices the application would already have sent
// by until (reminders: SLA warnings at 75% of the window and breaches of open tickets,
// one chaser per work order waiting on its contractor), so a server started on the data
// set does not send thousands of them at once during a benchmark.
func recordNoticesSent(ctx context.Context, tx pgx.Tx, until time.Time) error {
	_, err := tx.Exec(ctx, `
INSERT INTO notices_sent (org_id, kind, subject_id, key, sent_at)
SELECT t.org_id, n.kind, t.id, to_char(t.sla_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), n.at
FROM tickets t
CROSS JOIN LATERAL (VALUES ('sla.warning', t.created_at + (t.sla_due_at - t.created_at) * 0.75),
                           ('sla.breached', t.sla_due_at)) AS n (kind, at)
WHERE t.status IN ('NEW', 'TRIAGED', 'IN_PROGRESS') AND n.at <= $1
UNION ALL
SELECT w.org_id, 'quote.chaser', w.id, '3wd', w.created_at + interval '5 days'
FROM work_orders w
WHERE w.status IN ('ASSIGNED', 'ACCEPTED') AND w.created_at + interval '5 days' <= $1`, until)
	if err != nil {
		return fmt.Errorf("benchdata: notices sent: %w", err)
	}
	return nil
}

// countRows counts each table's rows (inside the loading transaction, where the owner
// still sees every organisation's).
func countRows(ctx context.Context, tx pgx.Tx) (map[string]int64, error) {
	counts := make(map[string]int64, len(tables))
	for _, t := range tables {
		var n int64
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{t}.Sanitize()).Scan(&n); err != nil {
			return nil, fmt.Errorf("benchdata: count %s: %w", t, err)
		}
		counts[t] = n
	}
	return counts, nil
}
