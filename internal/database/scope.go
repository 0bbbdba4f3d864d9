package database

import (
	"context"
	"fmt"

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
// the next user of the pooled connection.
func (db *DB) InTx(ctx context.Context, scope Scope, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := scope.apply(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
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
	system := ""
	if s.System {
		system = "on"
	}
	// One round trip for all the settings.
	_, err := tx.Exec(ctx, ScopeSQL, uuidOrEmpty(s.OrgID), uuidOrEmpty(s.UserID), s.LoginEmail, s.OrgSlug, system)
	if err != nil {
		return fmt.Errorf("database: set scope: %w", err)
	}
	return nil
}

func uuidOrEmpty(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// Rescope replaces the settings of a transaction already open, for the few flows that learn
// who is acting part-way through (accepting an invitation creates the user it acts as).
func Rescope(ctx context.Context, tx pgx.Tx, scope Scope) error { return scope.apply(ctx, tx) }
