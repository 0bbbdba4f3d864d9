package database_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// The application's role cannot make anyone a platform operator nor change an
// organisation's plan, subscription or Stripe ids, even in its own scope: a bug or an injected query in the app cannot escalate. The columns it needs stay
// writable.
func TestAppRoleLeastPrivilege(t *testing.T) {
	t.Parallel()
	dbs := testsupport.NewDatabases(t)
	db := openApp(t, dbs.AppURL, 2)
	x := seed(t, db, "priv")
	ctx := context.Background()
	exec := func(scope database.Scope, sql string, args ...any) error {
		return db.InTx(ctx, scope, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, sql, args...); return err })
	}
	self := database.Scope{OrgID: x.org, UserID: x.admin}
	newUser, newOrg := uuid.New(), uuid.New() // scoped as themselves, so row-level security admits the rows
	refused := []struct {
		name  string
		scope database.Scope
		sql   string
		args  []any
	}{
		{"make oneself a platform operator", self, `UPDATE users SET is_platform_admin = true WHERE id = $1`, []any{x.admin}},
		{"register as a platform operator", database.Scope{OrgID: x.org, UserID: newUser},
			`INSERT INTO users (id, email, name, password_hash, is_platform_admin) VALUES ($1, 'op@example.com', 'Op', 'x', true)`, []any{newUser}},
		{"change the plan", self, `UPDATE organisations SET plan = 'ENTERPRISE' WHERE id = $1`, []any{x.org}},
		{"change the subscription status", self, `UPDATE organisations SET subscription_status = 'ACTIVE' WHERE id = $1`, []any{x.org}},
		{"change the Stripe customer", self, `UPDATE organisations SET stripe_customer_id = 'cus_x' WHERE id = $1`, []any{x.org}},
		{"create an organisation on a paid plan", database.Scope{OrgID: newOrg}, `INSERT INTO organisations (id, name, slug, plan) VALUES ($1, 'Rich', 'rich-org', 'ENTERPRISE')`, []any{newOrg}},
	}
	for _, tc := range refused {
		if code := pgCode(exec(tc.scope, tc.sql, tc.args...)); code != "42501" {
			t.Errorf("%s: SQLSTATE %q, want 42501 (insufficient privilege)", tc.name, code)
		}
	}
	allowed := []struct {
		name string
		sql  string
		args []any
	}{
		{"rename oneself", `UPDATE users SET name = 'Renamed' WHERE id = $1`, []any{x.admin}},
		{"change one's password", `UPDATE users SET password_hash = 'y' WHERE id = $1`, []any{x.admin}},
		{"rename the organisation", `UPDATE organisations SET name = 'Renamed Org' WHERE id = $1`, []any{x.org}},
		{"change the approval threshold", `UPDATE organisations SET approval_threshold_pence = 1 WHERE id = $1`, []any{x.org}},
	}
	for _, tc := range allowed {
		if err := exec(self, tc.sql, tc.args...); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
