package database

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Scope is what a transaction may see. Each non-zero field becomes a transaction-local
// setting that the row-level-security policies read (migrations/00001_tenancy.sql):
//
//   - OrgID: app.org_id, the tenant; every tenant table admits only its rows.
//   - UserID: app.user_id, the acting user; admits their own user row and their
//     memberships in other organisations (to log in and switch).
//   - LoginEmail: app.login_email, admits the one user row being logged in.
//   - OrgSlug: app.org_slug, admits the one organisation a public form names.
//   - System: app.system, admits every organisation row (ids for system jobs to iterate),
//     and nothing else.
//
// A zero Scope sees no tenant rows at all.
type Scope struct {
	OrgID      uuid.UUID
	UserID     uuid.UUID
	LoginEmail string
	OrgSlug    string
	System     bool
}

// InTx runs fn in a transaction whose settings are the scope's, committing when fn
// returns nil and rolling back otherwise. The settings are set with set_config(…, true),
// the parameterised form of SET LOCAL, so they end with the transaction and never leak to
// the next user of the pooled connection. BEGIN and the settings travel in one round trip
// (scope.beginSQL).
func (db *DB) InTx(ctx context.Context, scope Scope, fn func(tx pgx.Tx) error) error {
	begin, err := scope.beginSQL()
	if err != nil {
		return err
	}
	return pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{BeginQuery: begin}, fn)
}

// InOrg is InTx for the common case: one organisation, one acting user.
func (db *DB) InOrg(ctx context.Context, orgID, userID uuid.UUID, fn func(tx pgx.Tx) error) error {
	return db.InTx(ctx, Scope{OrgID: orgID, UserID: userID}, fn)
}

// ScopeSQL sets a transaction's scope: $1 org id, $2 user id, $3 login email, $4 org
// slug, $5 "on" for system (each "" when unset). The benchmark's SQL baseline runs it too.
const ScopeSQL = `SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true),
	set_config('app.login_email', $3, true), set_config('app.org_slug', $4, true), set_config('app.system', $5, true)`

func (s Scope) apply(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, ScopeSQL, s.args()...); err != nil {
		return fmt.Errorf("database: set scope: %w", err)
	}
	return nil
}

// args are ScopeSQL's parameters.
func (s Scope) args() []any {
	system := ""
	if s.System {
		system = "on"
	}
	return []any{uuidOrEmpty(s.OrgID), uuidOrEmpty(s.UserID), s.LoginEmail, s.OrgSlug, system}
}

// beginSQL is BEGIN followed by ScopeSQL with the scope's values written in as literals:
// pgx sends a statement without arguments in the simple protocol, where several
// statements may share one message, so the transaction starts already scoped in a single
// round trip instead of two. The literals are safe: every connection runs with
// standard_conforming_strings on (Open sets it), where a quote doubled is the only escape
// a string literal has. PostgreSQL text cannot hold the NUL byte, so a value with one is
// refused (the input checks refuse it long before).
func (s Scope) beginSQL() (string, error) {
	var b strings.Builder
	b.WriteString("BEGIN; SELECT ")
	for i, arg := range s.args() {
		v := arg.(string)
		if strings.IndexByte(v, 0) >= 0 {
			return "", fmt.Errorf("database: scope %s holds a NUL byte", scopeSettings[i])
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("set_config('")
		b.WriteString(scopeSettings[i])
		b.WriteString("', '")
		b.WriteString(strings.ReplaceAll(v, "'", "''"))
		b.WriteString("', true)")
	}
	return b.String(), nil
}

// scopeSettings are the settings of ScopeSQL, in its parameters' order.
var scopeSettings = [...]string{"app.org_id", "app.user_id", "app.login_email", "app.org_slug", "app.system"}

func uuidOrEmpty(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// Rescope replaces the settings of a transaction already open, for the few flows that learn
// who is acting part-way through (accepting an invitation creates the user it acts as).
func Rescope(ctx context.Context, tx pgx.Tx, scope Scope) error { return scope.apply(ctx, tx) }
