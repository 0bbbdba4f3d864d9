package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// roleSpec describes a login role Start maintains. attributes are spelled out in full
// (including the NO… forms) so that re-running ALTER ROLE also repairs a role someone
// changed by hand.
type roleSpec struct {
	name       string
	password   string
	attributes string
}

// ensureRolesAndDatabase makes the cluster match what the application expects. It is
// idempotent: every Start re-applies the attributes and the stored passwords.
func (c *Cluster) ensureRolesAndDatabase(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.SuperuserURL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: connecting as superuser: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	roles := []roleSpec{
		// CREATEDB lets the test harness create databases from templates as the owner.
		{OwnerRole, c.creds.Owner, "LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"},
		{AppRole, c.creds.App, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"},
	}
	for _, r := range roles {
		if err := ensureRole(ctx, conn, r); err != nil {
			return err
		}
	}
	if err := c.ensureDatabase(ctx, conn); err != nil {
		return err
	}
	// template1 first, so databases created later (tests') inherit it, then ours.
	for _, db := range []string{"template1", DatabaseName} {
		if err := MarkSearchLeakproof(ctx, c.SuperuserURL(db)); err != nil {
			return err
		}
	}
	return nil
}

// MarkSearchLeakproof lets row-level-secured queries use full-text indexes: PostgreSQL
// uses an index under RLS only for LEAKPROOF operators, and the text-search match
// operator's function (ts_match_vq) is not marked so by default. It only compares a
// document with a query and raises no data-dependent errors. Needs a superuser, once per
// database (docs/database.md, docs/decisions/0006).
func MarkSearchLeakproof(ctx context.Context, superuserURL string) error {
	conn, err := pgx.Connect(ctx, superuserURL)
	if err != nil {
		return fmt.Errorf("pgcluster: connecting as superuser: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF`); err != nil {
		return fmt.Errorf("pgcluster: mark ts_match_vq leakproof: %w", err)
	}
	return nil
}

func ensureRole(ctx context.Context, conn *pgx.Conn, r roleSpec) error {
	var exists bool
	err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)`, r.name).Scan(&exists)
	if err != nil {
		return fmt.Errorf("pgcluster: looking up role %s: %w", r.name, err)
	}
	verb := "CREATE"
	if exists {
		verb = "ALTER"
	}
	// Utility statements take no bind parameters, so the server's format() quotes the
	// name (%I) and the password (%L) for us instead of splicing them in by hand.
	var stmt string
	err = conn.QueryRow(ctx, `SELECT pg_catalog.format($1::text, $2::text, $3::text)`,
		verb+" ROLE %I WITH "+r.attributes+" PASSWORD %L", r.name, r.password).Scan(&stmt)
	if err != nil {
		return fmt.Errorf("pgcluster: preparing %s ROLE %s: %w", verb, r.name, err)
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("pgcluster: %s ROLE %s: %w", verb, r.name, err)
	}
	return nil
}

// ensureDatabase creates DatabaseName owned by OwnerRole, or corrects its owner. The
// existence check comes first because CREATE DATABASE has no IF NOT EXISTS and cannot run
// inside a transaction (so no DO block either).
func (c *Cluster) ensureDatabase(ctx context.Context, conn *pgx.Conn) error {
	db, owner := pgx.Identifier{DatabaseName}.Sanitize(), pgx.Identifier{OwnerRole}.Sanitize()
	var current string
	err := conn.QueryRow(ctx,
		`SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database WHERE datname = $1`, DatabaseName).Scan(&current)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		c.logf("creating database %s owned by %s", DatabaseName, OwnerRole)
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+db+" OWNER "+owner); err != nil {
			return fmt.Errorf("pgcluster: creating database %s: %w", DatabaseName, err)
		}
	case err != nil:
		return fmt.Errorf("pgcluster: looking up database %s: %w", DatabaseName, err)
	case current != OwnerRole:
		if _, err := conn.Exec(ctx, "ALTER DATABASE "+db+" OWNER TO "+owner); err != nil {
			return fmt.Errorf("pgcluster: giving database %s to %s: %w", DatabaseName, OwnerRole, err)
		}
	}
	return nil
}
