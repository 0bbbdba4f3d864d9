package database_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// globalTables are the tables without org_id, and why each stays global. Under a
// distributed PostgreSQL such as Citus (docs/operations.md, "Past one database") tenant
// tables are distributed by org_id and these become reference tables (copied to every
// node, so a tenant table's foreign key to one of them stays local) or, for River's and
// goose's, stay on the coordinator. A new table without org_id fails
// TestSchemaDistributableByOrg until it is listed here with its reason.
var globalTables = map[string]string{
	// One row per organisation: the distribution key's own table. Tenant tables reference
	// organisations(id); as a reference table the reference is local on every node.
	"organisations": "the organisations themselves (reference table)",
	// A person may belong to several organisations (memberships carries org_id), so users
	// cannot be distributed by one of them.
	"users": "people across organisations (reference table)",
	// goose's bookkeeping: written by `migrate` only, never by the application.
	"goose_db_version": "migration bookkeeping (coordinator)",
	// The API's shared rate-limit counters (RATE_LIMIT_STORE=postgres, migration 00021):
	// keyed by an opaque hash of a client or an organisation, UNLOGGED and short-lived;
	// every replica counts in the same row, so it stays on the coordinator.
	"rate_limits": "API rate-limit counters shared by the replicas (coordinator)",
}

// globalPrefixes are families of global tables. River's job tables are global by design:
// each job carries its org id in its arguments and scopes its own work
// (internal/database/migrate.go), and River's queries (fetch the next jobs of a queue,
// leader election, LISTEN/NOTIFY) span every organisation; they stay on the coordinator.
var globalPrefixes = []string{"river_"}

func isGlobal(table string) bool {
	if _, ok := globalTables[table]; ok {
		return true
	}
	for _, p := range globalPrefixes {
		if strings.HasPrefix(table, p) {
			return true
		}
	}
	return false
}

// TestSchemaDistributableByOrg keeps the schema ready to be distributed by organisation
// (item 8 of issue 15): every table with org_id has it in its primary key, in every unique
// constraint and unique index and every exclusion constraint (a distributed table can only
// enforce uniqueness that includes its distribution column), and in every foreign key to
// another org_id table, mapped to that table's org_id (so the referenced row lives on the
// same node). Foreign keys to global tables are allowed: those are reference tables.
func TestSchemaDistributableByOrg(t *testing.T) {
	t.Parallel()
	dbs := testsupport.NewDatabases(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbs.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(ctx) })

	rows, err := conn.Query(ctx, `
		SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)
		FROM pg_class c
		WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace AND NOT c.relispartition
		ORDER BY c.relname`)
	if err != nil {
		t.Fatal(err)
	}
	var tenant []string
	for rows.Next() {
		var name string
		var hasOrg bool
		if err := rows.Scan(&name, &hasOrg); err != nil {
			t.Fatal(err)
		}
		switch {
		case hasOrg && isGlobal(name):
			t.Errorf("table %s has org_id but is listed as global", name)
		case hasOrg:
			tenant = append(tenant, name)
		case !isGlobal(name):
			t.Errorf("table %s has no org_id: give it one (org_id in its keys), or list it in globalTables with why it is global", name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for table := range tenantTables {
		if !slices.Contains(tenant, table) {
			t.Errorf("known tenant table %s not found by the catalog query (found %v)", table, tenant)
		}
	}

	t.Run("primary keys", func(t *testing.T) {
		var missing []string
		for _, table := range tenant {
			var ok bool
			err := conn.QueryRow(ctx, `
				SELECT coalesce((SELECT a.attnum = ANY(con.conkey)
				  FROM pg_constraint con JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attname = 'org_id'
				  WHERE con.conrelid = $1::regclass AND con.contype = 'p'), false)`, table).Scan(&ok)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				missing = append(missing, table)
			}
		}
		if len(missing) > 0 {
			t.Errorf("tables whose primary key lacks org_id (or that have none): %v", missing)
		}
	})

	t.Run("unique indexes and exclusion constraints", func(t *testing.T) {
		// Every unique constraint and primary key is backed by a unique index, so checking
		// the indexes' key columns (not their INCLUDE columns) covers all three.
		rows, err := conn.Query(ctx, `
			SELECT c.relname, i.relname, pg_get_indexdef(x.indexrelid)
			FROM pg_index x
			JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_class c ON c.oid = x.indrelid
			JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
			WHERE c.relnamespace = current_schema()::regnamespace
			  AND (x.indisunique OR x.indisexclusion)
			  AND NOT EXISTS (SELECT 1 FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
			                  WHERE k.n <= x.indnkeyatts AND k.attnum = a.attnum)
			ORDER BY 1, 2`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var table, index, def string
			if err := rows.Scan(&table, &index, &def); err != nil {
				t.Fatal(err)
			}
			t.Errorf("%s: unique index %s lacks org_id: %s", table, index, def)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("foreign keys between tenant tables", func(t *testing.T) {
		rows, err := conn.Query(ctx, `
			SELECT con.conname, c.relname, r.relname, pg_get_constraintdef(con.oid)
			FROM pg_constraint con
			JOIN pg_class c ON c.oid = con.conrelid
			JOIN pg_class r ON r.oid = con.confrelid
			JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
			JOIN pg_attribute ra ON ra.attrelid = r.oid AND ra.attname = 'org_id' AND NOT ra.attisdropped
			WHERE con.contype = 'f' AND c.relnamespace = current_schema()::regnamespace
			  AND NOT EXISTS (SELECT 1 FROM unnest(con.conkey, con.confkey) k(col, refcol)
			                  WHERE k.col = a.attnum AND k.refcol = ra.attnum)
			ORDER BY 2, 1`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name, table, ref, def string
			if err := rows.Scan(&name, &table, &ref, &def); err != nil {
				t.Fatal(err)
			}
			t.Errorf("%s: foreign key %s to tenant table %s does not map org_id to org_id: %s", table, name, ref, def)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	})
}
