package reminders_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/reminders"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// fixture is a fresh database, an insert-only River client on it (the real outbox), a
// fake clock and the reminders on both.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	db     *database.DB
	client *jobs.Client
	now    time.Time
	r      *reminders.Reminders
	seq    int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	t.Parallel()
	db := testsupport.NewDB(t)
	client, err := jobs.NewClient(db, jobs.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: context.Background(), db: db, client: client, now: at("2026-01-05T09:00:00Z")}
	f.r = f.with(outbox.NewPublisher(client, f.clock))
	return f
}

func (f *fixture) clock() time.Time { return f.now }

// with returns reminders on the fixture's database and clock with another publisher.
func (f *fixture) with(pub reminders.Publisher) *reminders.Reminders {
	return reminders.New(reminders.Deps{DB: f.db, Publisher: pub, Now: f.clock, Logger: slog.New(slog.DiscardHandler)})
}

func at(s string) time.Time {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return v.UTC()
}

func date(s string) time.Time {
	v, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return v
}

// exec runs sql in orgID's scope (and userID's, for inserting that user).
func (f *fixture) exec(orgID, userID uuid.UUID, sql string, args ...any) {
	f.t.Helper()
	err := f.db.InTx(f.ctx, database.Scope{OrgID: orgID, UserID: userID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(f.ctx, sql, args...)
		return err
	})
	if err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) org(name string) uuid.UUID {
	f.t.Helper()
	id := uuid.New()
	f.exec(id, uuid.Nil, `INSERT INTO organisations (id, name, slug) VALUES ($1, $2, $3)`, id, name, "org-"+strings.ReplaceAll(id.String(), "-", ""))
	return id
}

// member is a user with a membership.
type member struct {
	ID uuid.UUID
	events.Recipient
}

// member adds a new user to orgID with role (CONTRACTOR members get a contractor of their own).
func (f *fixture) member(orgID uuid.UUID, role, name string) member {
	f.t.Helper()
	f.seq++
	m := member{ID: uuid.New(), Recipient: events.Recipient{Name: name, Email: fmt.Sprintf("%s.%d.%s@example.test", strings.ToLower(name), f.seq, m8(orgID))}}
	f.exec(orgID, m.ID, `INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, 'x')`, m.ID, m.Email, m.Name)
	f.join(orgID, m.ID, role)
	return m
}

// join adds an existing user to orgID with role.
func (f *fixture) join(orgID, userID uuid.UUID, role string) {
	f.t.Helper()
	var contractorID *uuid.UUID
	if role == "CONTRACTOR" {
		id := f.contractor(orgID, contractorOpts{company: "Member Co"})
		contractorID = &id
	}
	f.exec(orgID, uuid.Nil, `INSERT INTO memberships (org_id, user_id, role, contractor_id) VALUES ($1, $2, $3, $4)`, orgID, userID, role, contractorID)
}

func m8(id uuid.UUID) string { return id.String()[:8] }

type ticketOpts struct {
	created, due time.Time
	status       string // NEW when empty
	priority     string // EMERGENCY when empty
	assignee     *uuid.UUID
	title        string
}

// ticket adds a ticket and returns its id and number.
func (f *fixture) ticket(orgID uuid.UUID, o ticketOpts) (uuid.UUID, int64) {
	f.t.Helper()
	if o.status == "" {
		o.status = "NEW"
	}
	if o.priority == "" {
		o.priority = "EMERGENCY"
	}
	if o.title == "" {
		o.title = "Leak under the sink"
	}
	f.seq++
	id, number := uuid.New(), int64(f.seq)
	f.exec(orgID, uuid.Nil, `INSERT INTO tickets (id, org_id, number, category, priority, status, title, source, assignee_user_id, sla_due_at, created_at)
		VALUES ($1, $2, $3, 'PLUMBING', $4, $5, $6, 'STAFF', $7, $8, $9)`,
		id, orgID, number, o.priority, o.status, o.title, o.assignee, o.due, o.created)
	return id, number
}

type contractorOpts struct {
	company  string
	expires  *time.Time
	inactive bool
}

func (f *fixture) contractor(orgID uuid.UUID, o contractorOpts) uuid.UUID {
	f.t.Helper()
	f.seq++
	id := uuid.New()
	email := fmt.Sprintf("office%d@%s.example.test", f.seq, strings.ToLower(strings.ReplaceAll(o.company, " ", "")))
	f.exec(orgID, uuid.Nil, `INSERT INTO contractors (id, org_id, company_name, email, insurance_expires_on, active) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, orgID, o.company, email, o.expires, !o.inactive)
	return id
}

func (f *fixture) contractorEmail(orgID, id uuid.UUID) string {
	f.t.Helper()
	var email string
	err := f.db.InOrg(f.ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		return tx.QueryRow(f.ctx, `SELECT email FROM contractors WHERE id = $1`, id).Scan(&email)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return email
}

func (f *fixture) workOrder(orgID, ticketID, contractorID uuid.UUID, status string, created time.Time) uuid.UUID {
	f.t.Helper()
	id := uuid.New()
	f.exec(orgID, uuid.Nil, `INSERT INTO work_orders (id, org_id, ticket_id, contractor_id, description, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, orgID, ticketID, contractorID, "Replace the trap under the kitchen sink", status, created)
	return id
}

func (f *fixture) quote(orgID, workOrderID, contractorID uuid.UUID) {
	f.t.Helper()
	f.exec(orgID, uuid.Nil, `INSERT INTO quotes (org_id, work_order_id, contractor_id, status, valid_until, net_pence, vat_pence, total_pence)
		VALUES ($1, $2, $3, 'SUBMITTED', '2027-01-01', 10000, 2000, 12000)`, orgID, workOrderID, contractorID)
}

// job is one River job the outbox inserted, with its decoded event.
type job struct {
	Kind, Queue string
	Env         events.Envelope
	Event       events.Event
	Xmin        string
}

// jobs lists the outbox jobs (not the scans themselves) in insertion order.
func (f *fixture) jobs() []job {
	f.t.Helper()
	// Texts (text.notify) have their own check: textJobs.
	rows, err := f.db.Pool.Query(f.ctx, `SELECT kind, queue, args, xmin::text FROM river_job
		WHERE kind NOT LIKE 'maintenance.%' AND kind <> 'text.notify' ORDER BY id`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close() // before any Fatal: an open result holds a connection the pool's Close waits for
	var out []job
	var refs []events.Ref
	for rows.Next() {
		var j job
		var args []byte
		if err := rows.Scan(&j.Kind, &j.Queue, &args, &j.Xmin); err != nil {
			f.t.Fatal(err)
		}
		var a struct {
			Event events.Ref `json:"event"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			f.t.Fatalf("args %s: %v", args, err)
		}
		refs = append(refs, a.Event)
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	rows.Close()
	for i, ref := range refs {
		env, err := outbox.Load(f.ctx, f.db, ref)
		if err != nil {
			f.t.Fatal(err)
		}
		out[i].Env = env
		if out[i].Event, err = events.Decode(env); err != nil {
			f.t.Fatal(err)
		}
	}
	return out
}

// notice is a notices_sent row.
type notice struct {
	Kind    string
	Subject uuid.UUID
	Key     string
	Xmin    string
}

// notices lists the notices orgID's scope can see.
func (f *fixture) notices(orgID uuid.UUID) []notice {
	f.t.Helper()
	var out []notice
	err := f.db.InOrg(f.ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		rows, err := tx.Query(f.ctx, `SELECT kind, subject_id, key, xmin::text FROM notices_sent ORDER BY sent_at, kind, key`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[notice])
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// run runs scan and checks it sent want notices.
func (f *fixture) run(scan func(context.Context) (int, error), want int) {
	f.t.Helper()
	n, err := scan(f.ctx)
	if err != nil {
		f.t.Fatalf("at %s: %v", f.now.Format(time.RFC3339), err)
	}
	if n != want {
		f.t.Fatalf("at %s: sent %d notices, want %d", f.now.Format(time.RFC3339), n, want)
	}
}

// checkPublished checks the jobs from index from on: each notice is one email.send job on
// the email queue and one event.publish job on the webhooks queue with the same event, for
// orgID, at the fake clock's time. It returns the events.
func (f *fixture) checkPublished(from int, orgID uuid.UUID, occurred time.Time) []events.Event {
	f.t.Helper()
	all := f.jobs()
	if len(all) < from || (len(all)-from)%2 != 0 {
		f.t.Fatalf("jobs: %d, want pairs after %d", len(all), from)
	}
	var out []events.Event
	for i := from; i < len(all); i += 2 {
		email, generic := all[i], all[i+1]
		if email.Kind != "email.send" || email.Queue != "email" || generic.Kind != "event.publish" || generic.Queue != "webhooks" {
			f.t.Fatalf("job pair %d: %s/%s and %s/%s, want email.send/email then event.publish/webhooks", i, email.Kind, email.Queue, generic.Kind, generic.Queue)
		}
		for _, j := range []job{email, generic} {
			if j.Env.OrgID != orgID || !j.Env.OccurredAt.Equal(occurred) || j.Env.Version != 1 || j.Env.Name != j.Event.Name() {
				f.t.Fatalf("envelope %+v: want org %s at %s, version 1", j.Env, orgID, occurred)
			}
		}
		if string(email.Env.Payload) != string(generic.Env.Payload) || email.Env.Name != generic.Env.Name {
			f.t.Fatalf("email and webhook events differ: %s %s / %s %s", email.Env.Name, email.Env.Payload, generic.Env.Name, generic.Env.Payload)
		}
		out = append(out, email.Event)
	}
	return out
}

// checkSameTransactions checks every job was inserted by a transaction that recorded
// notices (two jobs per notice) and every notice transaction inserted its jobs.
func (f *fixture) checkSameTransactions(orgIDs ...uuid.UUID) {
	f.t.Helper()
	jobsByTx, noticesByTx := map[string]int{}, map[string]int{}
	for _, j := range f.jobs() {
		jobsByTx[j.Xmin]++
	}
	for _, org := range orgIDs {
		for _, n := range f.notices(org) {
			noticesByTx[n.Xmin]++
		}
	}
	for tx, n := range noticesByTx {
		if jobsByTx[tx] != 2*n {
			f.t.Errorf("transaction %s recorded %d notices but inserted %d jobs", tx, n, jobsByTx[tx])
		}
	}
	for tx := range jobsByTx {
		if noticesByTx[tx] == 0 {
			f.t.Errorf("transaction %s inserted jobs but recorded no notice", tx)
		}
	}
}

func recipients(rs ...member) []events.Recipient {
	out := make([]events.Recipient, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Recipient)
	}
	slices.SortFunc(out, func(a, b events.Recipient) int { return strings.Compare(a.Email, b.Email) })
	return out
}

func ticketNumber(n int64) string { return fmt.Sprintf("MT-%06d", n) }

// textJobs counts the text.notify jobs queued: notices to contractors also go by text.
func (f *fixture) textJobs() int {
	f.t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM river_job WHERE kind = 'text.notify'`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}
