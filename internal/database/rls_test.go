package database_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// tenantTables are the tables with an org_id column today, with how many rows each
// organisation of the fixture has in them.
var tenantTables = map[string]int{
	"memberships": 2, "invitations": 1, "refresh_tokens": 1, "properties": 1, "units": 1,
	"unit_occupants": 1, "contractors": 1, "timeline_events": 1, "idempotency_keys": 1,
	"password_resets": 1,
}

// tenant is one organisation of the fixture: an ADMIN and a TENANT living in its one unit.
type tenant struct {
	org, admin, resident, property, unit, contractor uuid.UUID
	slug, adminEmail                                 string
}

func openApp(t *testing.T, url string, maxConns int) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), url, maxConns)
	if err != nil {
		t.Fatalf("open as the app role: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

func randomBytes() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

// seed creates one organisation's rows as the app role, each in a transaction scoped the
// way the application scopes it.
func seed(t *testing.T, db *database.DB, name string) tenant {
	t.Helper()
	ctx := context.Background()
	suffix := strings.ReplaceAll(uuid.NewString(), "-", "")[:10]
	x := tenant{org: uuid.New(), admin: uuid.New(), resident: uuid.New(), property: uuid.New(), unit: uuid.New(), contractor: uuid.New(),
		slug: name + "-" + suffix, adminEmail: "admin-" + suffix + "@example.com"}
	err := db.InTx(ctx, database.Scope{OrgID: x.org, UserID: x.admin}, func(tx pgx.Tx) error {
		exec := func(sql string, args ...any) error {
			if _, err := tx.Exec(ctx, sql, args...); err != nil {
				return fmt.Errorf("%s: %w", sql, err)
			}
			return nil
		}
		if err := exec(`INSERT INTO organisations (id, name, slug) VALUES ($1, $2, $3)`, x.org, "Org "+name, x.slug); err != nil {
			return err
		}
		if err := exec(`INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'Admin', 'x')`, x.admin, x.adminEmail); err != nil {
			return err
		}
		// A user row is written by the user it is (app.user_id), as accepting an invitation does.
		if err := database.Rescope(ctx, tx, database.Scope{OrgID: x.org, UserID: x.resident}); err != nil {
			return err
		}
		if err := exec(`INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'Resident', 'x')`, x.resident, "resident-"+suffix+"@example.com"); err != nil {
			return err
		}
		if err := database.Rescope(ctx, tx, database.Scope{OrgID: x.org, UserID: x.admin}); err != nil {
			return err
		}
		for _, st := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'ADMIN'), ($1, $3, 'TENANT')`, []any{x.org, x.admin, x.resident}},
			{`INSERT INTO properties (id, org_id, address_line1, town, postcode) VALUES ($1, $2, '1 High Street', 'Bath', 'BA1 1AA')`, []any{x.property, x.org}},
			{`INSERT INTO units (id, org_id, property_id, label, reference) VALUES ($1, $2, $3, 'Flat 1', 'F-1')`, []any{x.unit, x.org, x.property}},
			{`INSERT INTO unit_occupants (org_id, unit_id, user_id) VALUES ($1, $2, $3)`, []any{x.org, x.unit, x.resident}},
			{`INSERT INTO contractors (id, org_id, company_name, email) VALUES ($1, $2, 'Pipes Ltd', 'pipes@example.com')`, []any{x.contractor, x.org}},
			{`INSERT INTO timeline_events (org_id, entity_type, entity_id, action) VALUES ($1, 'property', $2, 'created')`, []any{x.org, x.property}},
			{`INSERT INTO refresh_tokens (org_id, user_id, family_id, token_hash, expires_at) VALUES ($1, $2, gen_random_uuid(), $3, now() + interval '1 day')`, []any{x.org, x.admin, randomBytes()}},
			{`INSERT INTO invitations (org_id, email, role, token_hash, invited_by, expires_at) VALUES ($1, 'new@example.com', 'COORDINATOR', $2, $3, now() + interval '1 day')`, []any{x.org, randomBytes(), x.admin}},
			{`INSERT INTO idempotency_keys (org_id, user_id, key, method, path, request_hash) VALUES ($1, $2, 'k1', 'POST', '/api/v1/properties', '\x00')`, []any{x.org, x.admin}},
			{`INSERT INTO password_resets (org_id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + interval '30 minutes')`, []any{x.org, x.admin, randomBytes()}},
		} {
			if err := exec(st.sql, st.args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed %s: %v", name, err)
	}
	return x
}

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// count runs a count query in a transaction with scope.
func count(t *testing.T, db *database.DB, scope database.Scope, sql string, args ...any) int {
	t.Helper()
	var n int
	err := db.InTx(context.Background(), scope, func(tx pgx.Tx) error { return tx.QueryRow(context.Background(), sql, args...).Scan(&n) })
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestRLSIsolation(t *testing.T) {
	t.Parallel()
	dbs := testsupport.NewDatabases(t)
	db := openApp(t, dbs.AppURL, 4)
	ctx := context.Background()
	a, b := seed(t, db, "a"), seed(t, db, "b")
	inA := database.Scope{OrgID: a.org, UserID: a.admin}

	t.Run("no scope sees nothing", func(t *testing.T) {
		for table := range tenantTables {
			if n := count(t, db, database.Scope{}, "SELECT count(*) FROM "+table); n != 0 {
				t.Errorf("%s: %d rows without app.org_id, want 0", table, n)
			}
			// Outside any transaction, on a fresh pooled connection, too.
			var n int
			if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s outside a transaction: %d rows (%v), want 0", table, n, err)
			}
		}
		for _, table := range []string{"organisations", "users"} {
			if n := count(t, db, database.Scope{}, "SELECT count(*) FROM "+table); n != 0 {
				t.Errorf("%s: %d rows without a scope, want 0", table, n)
			}
		}
	})

	t.Run("an org sees only its rows", func(t *testing.T) {
		for _, x := range []tenant{a, b} {
			for table, want := range tenantTables {
				scope := database.Scope{OrgID: x.org}
				if n := count(t, db, scope, "SELECT count(*) FROM "+table); n != want {
					t.Errorf("%s scoped to %s: %d rows, want %d", table, x.slug, n, want)
				}
				if n := count(t, db, scope, "SELECT count(*) FROM "+table+" WHERE org_id <> $1", x.org); n != 0 {
					t.Errorf("%s scoped to %s: %d rows of another org", table, x.slug, n)
				}
			}
		}
		if n := count(t, db, inA, "SELECT count(*) FROM properties WHERE id = $1", b.property); n != 0 {
			t.Error("B's property is readable by id from A")
		}
		var orgs []uuid.UUID
		_ = db.InTx(ctx, inA, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, "SELECT id FROM organisations")
			orgs, _ = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
			return nil
		})
		if !slices.Equal(orgs, []uuid.UUID{a.org}) {
			t.Errorf("organisations seen from A: %v, want only %v", orgs, a.org)
		}
		// The same through a Reader, whose statements run in implicit transactions.
		rows, err := db.Reader(a.org, a.admin).Query(ctx, "SELECT org_id FROM memberships ORDER BY org_id")
		if err != nil {
			t.Fatal(err)
		}
		seen, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil || !slices.Equal(seen, []uuid.UUID{a.org, a.org}) {
			t.Errorf("memberships seen through A's Reader: %v (%v), want A's two", seen, err)
		}
		if _, err := db.Reader(a.org, a.admin).Exec(ctx, "UPDATE properties SET name = name || '!' WHERE org_id = $1", b.org); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, database.Scope{OrgID: b.org}, "SELECT count(*) FROM properties WHERE name LIKE '%!'"); n != 0 {
			t.Errorf("A's Reader changed %d of B's properties", n)
		}
	})

	t.Run("users: an org sees its members, not another's", func(t *testing.T) {
		tests := []struct {
			name  string
			scope database.Scope
			want  []uuid.UUID
		}{
			{"org only", database.Scope{OrgID: a.org}, []uuid.UUID{a.admin, a.resident}},
			{"org and user", inA, []uuid.UUID{a.admin, a.resident}},
			{"user only (switch-org, before an org is chosen)", database.Scope{UserID: b.admin}, []uuid.UUID{b.admin}},
			{"login by email", database.Scope{LoginEmail: b.adminEmail}, []uuid.UUID{b.admin}},
			{"public form slug", database.Scope{OrgSlug: a.slug}, nil},
			{"system", database.Scope{System: true}, nil},
		}
		for _, tc := range tests {
			var got []uuid.UUID
			err := db.InTx(ctx, tc.scope, func(tx pgx.Tx) error {
				rows, err := tx.Query(ctx, "SELECT id FROM users")
				if err != nil {
					return err
				}
				got, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
				return err
			})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			slices.SortFunc(got, func(x, y uuid.UUID) int { return strings.Compare(x.String(), y.String()) })
			slices.SortFunc(tc.want, func(x, y uuid.UUID) int { return strings.Compare(x.String(), y.String()) })
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: users %v, want %v", tc.name, got, tc.want)
			}
		}
		if n := count(t, db, inA, "SELECT count(*) FROM users WHERE email = $1", b.adminEmail); n != 0 {
			t.Error("B's admin is findable by email from A")
		}
	})

	t.Run("writing another org's rows is refused", func(t *testing.T) {
		tests := []struct {
			name string
			sql  string
			args []any
		}{
			{"properties", `INSERT INTO properties (org_id, address_line1, town, postcode) VALUES ($1, '9 Evil Road', 'Bath', 'BA1 1AA')`, []any{b.org}},
			{"units", `INSERT INTO units (org_id, property_id, label, reference) VALUES ($1, $2, 'X', 'EVIL-1')`, []any{b.org, b.property}},
			{"unit_occupants", `INSERT INTO unit_occupants (org_id, unit_id, user_id) VALUES ($1, $2, $3)`, []any{b.org, b.unit, a.admin}},
			{"contractors", `INSERT INTO contractors (org_id, company_name, email) VALUES ($1, 'Evil', 'e@example.com')`, []any{b.org}},
			{"memberships", `INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'ADMIN')`, []any{b.org, a.admin}},
			{"timeline_events", `INSERT INTO timeline_events (org_id, entity_type, entity_id, action) VALUES ($1, 'property', $2, 'forged')`, []any{b.org, b.property}},
			{"refresh_tokens", `INSERT INTO refresh_tokens (org_id, user_id, family_id, token_hash, expires_at) VALUES ($1, $2, gen_random_uuid(), $3, now())`, []any{b.org, b.admin, randomBytes()}},
			{"invitations", `INSERT INTO invitations (org_id, email, role, token_hash, invited_by, expires_at) VALUES ($1, 'x@example.com', 'ADMIN', $2, $3, now())`, []any{b.org, randomBytes(), a.admin}},
			{"idempotency_keys", `INSERT INTO idempotency_keys (org_id, user_id, key, method, path, request_hash) VALUES ($1, $2, 'evil', 'POST', '/', '\x00')`, []any{b.org, b.admin}},
			{"password_resets", `INSERT INTO password_resets (org_id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, now())`, []any{b.org, b.admin, randomBytes()}},
			{"organisations: another id", `INSERT INTO organisations (id, name, slug) VALUES ($1, 'Evil', $2)`, []any{uuid.New(), "evil-" + uuid.NewString()[:8]}},
			{"users: another id", `INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'Evil', 'x')`, []any{uuid.New(), uuid.NewString()[:8] + "@example.com"}},
			{"move own property to B", `UPDATE properties SET org_id = $1 WHERE id = $2`, []any{b.org, a.property}},
			{"move own contractor to B", `UPDATE contractors SET org_id = $1 WHERE id = $2`, []any{b.org, a.contractor}},
			{"move own membership to B", `UPDATE memberships SET org_id = $1 WHERE user_id = $2`, []any{b.org, a.admin}},
			{"update the audit trail", `UPDATE timeline_events SET action = 'x' WHERE org_id = $1`, []any{a.org}},
			{"delete the audit trail", `DELETE FROM timeline_events WHERE org_id = $1`, []any{a.org}},
		}
		for _, tc := range tests {
			err := db.InTx(ctx, inA, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, tc.sql, tc.args...)
				return err
			})
			if code := pgCode(err); code != "42501" {
				t.Errorf("%s scoped to A: error %v (SQLSTATE %q), want an insufficient_privilege / row-level security error (42501)", tc.name, err, code)
			}
		}
		// Pointing at another org's parent with one's own org_id: the (org_id, id)
		// foreign keys refuse it even though RLS admits the new row.
		err := db.InTx(ctx, inA, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO units (org_id, property_id, label, reference) VALUES ($1, $2, 'X', 'CROSS-1')`, a.org, b.property)
			return err
		})
		if code := pgCode(err); code != "23503" {
			t.Errorf("unit of A under B's property: %v (SQLSTATE %q), want a foreign-key violation", err, code)
		}
	})

	t.Run("updating or deleting another org's rows touches nothing", func(t *testing.T) {
		tests := []struct {
			name string
			sql  string
			args []any
		}{
			{"update properties", `UPDATE properties SET town = 'Hacked' WHERE org_id = $1`, []any{b.org}},
			{"delete properties", `DELETE FROM properties WHERE id = $1`, []any{b.property}},
			{"update units", `UPDATE units SET label = 'Hacked' WHERE org_id = $1`, []any{b.org}},
			{"delete units", `DELETE FROM units WHERE org_id = $1`, []any{b.org}},
			{"delete unit_occupants", `DELETE FROM unit_occupants WHERE org_id = $1`, []any{b.org}},
			{"update contractors", `UPDATE contractors SET active = false WHERE org_id = $1`, []any{b.org}},
			{"delete contractors", `DELETE FROM contractors WHERE org_id = $1`, []any{b.org}},
			{"update memberships", `UPDATE memberships SET role = 'TENANT' WHERE org_id = $1`, []any{b.org}},
			{"delete memberships", `DELETE FROM memberships WHERE org_id = $1`, []any{b.org}},
			{"update refresh_tokens", `UPDATE refresh_tokens SET revoked_at = now() WHERE org_id = $1`, []any{b.org}},
			{"delete refresh_tokens", `DELETE FROM refresh_tokens WHERE org_id = $1`, []any{b.org}},
			{"update invitations", `UPDATE invitations SET revoked_at = now() WHERE org_id = $1`, []any{b.org}},
			{"delete invitations", `DELETE FROM invitations WHERE org_id = $1`, []any{b.org}},
			{"update password_resets", `UPDATE password_resets SET used_at = now() WHERE org_id = $1`, []any{b.org}},
			{"delete password_resets", `DELETE FROM password_resets WHERE org_id = $1`, []any{b.org}},
			{"update idempotency_keys", `UPDATE idempotency_keys SET status_code = 200 WHERE org_id = $1`, []any{b.org}},
			{"delete idempotency_keys", `DELETE FROM idempotency_keys WHERE org_id = $1`, []any{b.org}},
			{"update organisations", `UPDATE organisations SET name = 'Hacked' WHERE id = $1`, []any{b.org}},
			{"update users", `UPDATE users SET password_hash = 'hacked' WHERE id = $1`, []any{b.admin}},
		}
		for _, tc := range tests {
			var tag pgconn.CommandTag
			err := db.InTx(ctx, inA, func(tx pgx.Tx) error {
				var err error
				tag, err = tx.Exec(ctx, tc.sql, tc.args...)
				return err
			})
			if err != nil || tag.RowsAffected() != 0 {
				t.Errorf("%s scoped to A: %d rows, %v; want 0 rows", tc.name, tag.RowsAffected(), err)
			}
		}
		inB := database.Scope{OrgID: b.org, UserID: b.admin}
		for table, want := range tenantTables {
			if n := count(t, db, inB, "SELECT count(*) FROM "+table); n != want {
				t.Errorf("B's %s: %d rows after A's attempts, want %d", table, n, want)
			}
		}
		if n := count(t, db, inB, "SELECT count(*) FROM properties WHERE town = 'Hacked'") +
			count(t, db, inB, "SELECT count(*) FROM organisations WHERE name = 'Hacked'") +
			count(t, db, inB, "SELECT count(*) FROM users WHERE password_hash = 'hacked'"); n != 0 {
			t.Errorf("%d of B's rows were changed from A", n)
		}
	})
}

// TestRLSSettingsDoNotLeak runs transactions one after another on the one connection
// of a pool: a scope ends with its transaction, committed or rolled back.
func TestRLSSettingsDoNotLeak(t *testing.T) {
	t.Parallel()
	dbs := testsupport.NewDatabases(t)
	seedDB := openApp(t, dbs.AppURL, 2)
	a := seed(t, seedDB, "a")
	db := openApp(t, dbs.AppURL, 1)
	ctx := context.Background()

	type seen struct {
		pid                     int
		orgID, userID, email    string
		slug, system            string
		properties, memberships int
	}
	look := func(q database.Querier) (seen, error) {
		var s seen
		err := q.QueryRow(ctx, `SELECT pg_backend_pid(),
			coalesce(current_setting('app.org_id', true), ''), coalesce(current_setting('app.user_id', true), ''),
			coalesce(current_setting('app.login_email', true), ''), coalesce(current_setting('app.org_slug', true), ''),
			coalesce(current_setting('app.system', true), ''),
			(SELECT count(*) FROM properties), (SELECT count(*) FROM memberships)`).
			Scan(&s.pid, &s.orgID, &s.userID, &s.email, &s.slug, &s.system, &s.properties, &s.memberships)
		return s, err
	}
	inTx := func(scope database.Scope, fail bool) seen {
		t.Helper()
		var s seen
		err := db.InTx(ctx, scope, func(tx pgx.Tx) error {
			var err error
			if s, err = look(tx); err != nil {
				return err
			}
			if fail {
				return errors.New("roll back")
			}
			return nil
		})
		if err != nil && !fail {
			t.Fatal(err)
		}
		return s
	}
	full := database.Scope{OrgID: a.org, UserID: a.admin, LoginEmail: a.adminEmail, OrgSlug: a.slug, System: true}

	first := inTx(full, false)
	if first.orgID != a.org.String() || first.userID != a.admin.String() || first.email != a.adminEmail ||
		first.slug != a.slug || first.system != "on" || first.properties != 1 || first.memberships != 2 {
		t.Fatalf("scoped transaction saw %+v", first)
	}
	for _, step := range []struct {
		name string
		next func() seen
	}{
		{"next transaction without a scope", func() seen { return inTx(database.Scope{}, false) }},
		{"after a rolled-back scoped transaction", func() seen { inTx(full, true); return inTx(database.Scope{}, false) }},
		{"after a Scoped statement", func() seen {
			if s, err := look(db.Scoped(full)); err != nil || s.orgID != a.org.String() || s.system != "on" || s.properties != 1 {
				t.Fatalf("Scoped statement saw %+v (%v), want the full scope", s, err)
			}
			return inTx(database.Scope{}, false)
		}},
		{"a plain query after a Scoped statement", func() seen {
			if _, err := look(db.Scoped(full)); err != nil {
				t.Fatal(err)
			}
			s, err := look(db.Pool)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"a plain query outside transactions", func() seen {
			s, err := look(db.Pool)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	} {
		s := step.next()
		if s.pid != first.pid {
			t.Fatalf("%s: ran on backend %d, not %d; the test needs one pooled connection", step.name, s.pid, first.pid)
		}
		if s.orgID != "" || s.userID != "" || s.email != "" || s.slug != "" || s.system != "" || s.properties != 0 || s.memberships != 0 {
			t.Errorf("%s: settings leaked from an earlier transaction: %+v", step.name, s)
		}
	}
}

// TestRLSRoleAndCatalog checks what RLS rests on: the application role cannot bypass it,
// and every table holding tenant data forces it.
func TestRLSRoleAndCatalog(t *testing.T) {
	t.Parallel()
	dbs := testsupport.NewDatabases(t)
	db := openApp(t, dbs.AppURL, 2)
	ctx := context.Background()

	t.Run("app role is neither superuser nor BYPASSRLS, nor a member of one", func(t *testing.T) {
		rows, err := db.Pool.Query(ctx, `SELECT r.rolname, r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolname = current_user
			FROM pg_roles r WHERE pg_has_role(current_user, r.oid, 'MEMBER')`)
		if err != nil {
			t.Fatal(err)
		}
		self, inApp := false, false
		for rows.Next() {
			var name string
			var super, bypass, createRole, isSelf bool
			if err := rows.Scan(&name, &super, &bypass, &createRole, &isSelf); err != nil {
				t.Fatal(err)
			}
			self = self || isSelf
			inApp = inApp || name == "maintainuk_app"
			if super || bypass || createRole {
				t.Errorf("role %s (the app connects as or can become it): superuser=%v bypassrls=%v createrole=%v", name, super, bypass, createRole)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if !self || !inApp {
			t.Fatalf("current_user listed: %v; member of maintainuk_app: %v", self, inApp)
		}
		var owns int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND pg_has_role(current_user, tableowner, 'MEMBER')`).Scan(&owns); err != nil || owns != 0 {
			t.Errorf("the app role owns %d tables (%v); owners can disable RLS", owns, err)
		}
	})

	t.Run("every org_id table forces RLS with a policy on org_id", func(t *testing.T) {
		// pg_attribute rather than information_schema.columns: the latter hides tables
		// the current role has no privilege on, which is exactly the kind a forgotten
		// migration would add.
		rows, err := db.Pool.Query(ctx, `
			SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
			       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid),
			       -- policies are OR-ed: each one must itself be keyed on org_id, unless it
			       -- applies to neither PUBLIC nor the application's role (the texting
			       -- lookups' policy for the schema owner, migrations/00013_texting.sql)
			       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid
			          AND (coalesce(pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)) LIKE '%org_id%'
			               OR NOT (0 = ANY(p.polroles) OR to_regrole('maintainuk_app') = ANY(p.polroles))))
			FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
			WHERE a.attname = 'org_id' AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
			  AND c.relnamespace = current_schema()::regnamespace
			ORDER BY c.relname`)
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for rows.Next() {
			var name string
			var enabled, forced bool
			var policies, orgPolicies int
			if err := rows.Scan(&name, &enabled, &forced, &policies, &orgPolicies); err != nil {
				t.Fatal(err)
			}
			found = append(found, name)
			if !enabled || !forced || policies == 0 || orgPolicies != policies {
				t.Errorf("table %s has org_id but RLS enabled=%v forced=%v, %d policies of which %d are keyed on org_id", name, enabled, forced, policies, orgPolicies)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for table := range tenantTables {
			if !slices.Contains(found, table) {
				t.Errorf("known tenant table %s not found by the catalog query (found %v)", table, found)
			}
		}
	})

	t.Run("every table the app role can reach forces RLS", func(t *testing.T) {
		// River's job tables are one deliberate exception (internal/database/migrate.go):
		// every job carries its org id and scopes its own work. rate_limits is the other
		// (migrations/00021_rate_limits.sql): shared counters keyed by opaque hashes,
		// which name no organisation and count clients that have none.
		rows, err := db.Pool.Query(ctx, `
			SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
			FROM pg_class c
			WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace
			  AND has_table_privilege(current_user, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
			  AND c.relname NOT LIKE 'river\_%' AND c.relname <> 'rate_limits'
			ORDER BY c.relname`)
		if err != nil {
			t.Fatal(err)
		}
		var reachable []string
		for rows.Next() {
			var name string
			var enabled, forced bool
			if err := rows.Scan(&name, &enabled, &forced); err != nil {
				t.Fatal(err)
			}
			reachable = append(reachable, name)
			if !enabled || !forced {
				t.Errorf("the app role can reach %s, which does not force RLS (enabled=%v forced=%v)", name, enabled, forced)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"organisations", "users", "properties"} {
			if !slices.Contains(reachable, want) {
				t.Errorf("catalog query missed %s (found %v)", want, reachable)
			}
		}
	})
}

// TestScopeValuesStayValues checks that a scope's values, which InTx writes into its BEGIN as
// string literals, arrive exactly as given and cannot become SQL, whichever way the scope
// is applied.
func TestScopeValuesStayValues(t *testing.T) {
	t.Parallel()
	dbs := testsupport.NewDatabases(t)
	db := openApp(t, dbs.AppURL, 2)
	ctx := context.Background()
	const read = `SELECT current_setting('app.login_email', true), current_setting('app.org_slug', true),
		coalesce(current_setting('app.system', true), '')`
	tests := []struct{ name, email, slug string }{
		{"quotes", "o'brien@example.com", "o''connor"},
		{"an attempt to close the literal", "x', true), set_config('app.system', 'on', true) --", "'; SET app.system = 'on'; --"},
		{"backslashes", `back\slash\'@example.com`, `\x27`},
		{"unicode", "zoë@example.com", "caf\u00e9-☕"},
	}
	for _, tt := range tests {
		scope := database.Scope{LoginEmail: tt.email, OrgSlug: tt.slug}
		check := func(how string, q database.Querier) {
			var email, slug, system string
			if err := q.QueryRow(ctx, read).Scan(&email, &slug, &system); err != nil {
				t.Fatalf("%s, %s: %v", tt.name, how, err)
			}
			if email != tt.email || slug != tt.slug || system != "" {
				t.Errorf("%s, %s: saw email %q slug %q system %q; want %q %q and no system", tt.name, how, email, slug, system, tt.email, tt.slug)
			}
		}
		if err := db.InTx(ctx, scope, func(tx pgx.Tx) error { check("InTx", tx); return nil }); err != nil {
			t.Fatal(err)
		}
		check("Scoped", db.Scoped(scope))
	}
	if err := db.InTx(ctx, database.Scope{LoginEmail: "nul\x00@example.com"}, func(pgx.Tx) error { return nil }); err == nil {
		t.Error("a scope value holding a NUL byte began a transaction")
	}
}
