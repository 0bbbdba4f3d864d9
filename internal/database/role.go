package database

import (
	"context"
	"fmt"
	"strings"
)

// RoleProblems lists the ways the connected role would escape row-level security: a
// superuser or a BYPASSRLS role sees every organisation's rows, and so does the owner of
// a table (or a member of the owning role, who can become it). The application must
// connect as none of these (docs/database.md); an empty list means it does not.
func (db *DB) RoleProblems(ctx context.Context) ([]string, error) {
	var role string
	var super, bypass bool
	err := db.Pool.QueryRow(ctx, `SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).
		Scan(&role, &super, &bypass)
	if err != nil {
		return nil, fmt.Errorf("database: check role: %w", err)
	}
	var problems []string
	if super {
		problems = append(problems, fmt.Sprintf("role %q is a superuser", role))
	}
	if bypass {
		problems = append(problems, fmt.Sprintf("role %q has BYPASSRLS", role))
	}
	rows, err := db.Pool.Query(ctx, `
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity
  AND n.nspname = current_schema()
  AND pg_has_role(current_user, c.relowner, 'MEMBER')
ORDER BY c.relname`)
	if err != nil {
		return nil, fmt.Errorf("database: check table owners: %w", err)
	}
	defer rows.Close()
	var owned []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		owned = append(owned, name)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(owned) > 0 && !super {
		problems = append(problems, fmt.Sprintf("role %q owns (or may become the owner of) tenant tables: %s", role, strings.Join(owned, ", ")))
	}
	return problems, nil
}
