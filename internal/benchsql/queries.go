// Package benchsql is the SQL baseline of the performance benchmark (issue 9): for each
// API scenario, a pgbench script that runs the statements the service runs for one
// request, in the same transactions, generated from the sqlc query files so that it cannot
// drift from the code, and a runner that drives it with pgbench and reports the rate and
// latency percentiles. The drift test checks each scenario's list of queries against what
// the real request runs.
package benchsql

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Query is one named query of a sqlc query file.
type Query struct {
	Name string // e.g. GetTicket
	Kind string // :one, :many, :exec, :execrows, …
	// SQL is the statement without comments or its final semicolon, parameters still in
	// sqlc's syntax.
	SQL string
}

var nameLine = regexp.MustCompile(`^--\s*name:\s*(\w+)\s+(:\w+)\s*$`)

// ParseQueries splits a sqlc query file into its named queries.
func ParseQueries(text string) ([]Query, error) {
	var out []Query
	var cur *Query
	var body []string
	flush := func() error {
		if cur == nil {
			return nil
		}
		cur.SQL = strings.TrimSuffix(strings.TrimSpace(strings.Join(body, "\n")), ";")
		if cur.SQL == "" {
			return fmt.Errorf("benchsql: query %s has no SQL", cur.Name)
		}
		out = append(out, *cur)
		return nil
	}
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\r\n")
		if m := nameLine.FindStringSubmatch(line); m != nil {
			if err := flush(); err != nil {
				return nil, err
			}
			cur, body = &Query{Name: m[1], Kind: m[2]}, nil
			continue
		}
		if cur == nil || strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue // a file's preamble, or a comment line
		}
		body = append(body, stripTrailingComment(line))
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// stripTrailingComment removes a "-- …" comment after SQL on the same line, leaving
// string literals alone.
func stripTrailingComment(line string) string {
	inQuote := false
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\'':
			inQuote = !inQuote
		case !inQuote && strings.HasPrefix(line[i:], "--"):
			return strings.TrimRight(line[:i], " \t")
		}
	}
	return line
}

// paramRE matches sqlc's parameter forms: sqlc.arg(x), sqlc.narg(x), sqlc.slice(x) (with
// or without quotes), @x, and $n; and sqlc.embed(x) in a select list.
var paramRE = regexp.MustCompile(`^(?:sqlc\.(arg|narg|slice|embed)\(\s*'?(\w+)'?\s*\)|@(\w+)|\$(\d+))`)

// Render turns the query into pgbench SQL: every parameter is replaced by args[name] (a
// pgbench variable such as ":org_id", or a SQL literal or expression such as "NULL" or
// "'NEW'"); positional parameters are named "$1", "$2", …. sqlc.embed(x) becomes x.*,
// the same columns sqlc lists. A parameter without a value, or a value for no parameter
// of the query, is an error, so a changed query fails loudly rather than run wrong SQL.
func (q Query) Render(args map[string]string) (string, error) {
	return renderSQL(q.Name, q.SQL, args)
}

func renderSQL(name, sql string, args map[string]string) (string, error) {
	used := map[string]bool{}
	var missing []string
	var b strings.Builder
	inQuote := false
	last := 0
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		if c == '\'' {
			inQuote = !inQuote
			continue
		}
		if inQuote || (c != 's' && c != '@' && c != '$') {
			continue
		}
		m := paramRE.FindStringSubmatchIndex(sql[i:])
		if m == nil || (c == 's' && i > 0 && isWord(sql[i-1])) || (c == '@' && (i > 0 && sql[i-1] == '@' || i+1 < len(sql) && sql[i+1] == '@')) {
			continue
		}
		group := func(n int) string {
			if m[2*n] < 0 {
				return ""
			}
			return sql[i+m[2*n] : i+m[2*n+1]]
		}
		b.WriteString(sql[last:i])
		switch {
		case group(1) == "embed":
			b.WriteString(group(2) + ".*")
		default:
			key := group(2) + group(3)
			if n := group(4); n != "" {
				key = "$" + n
			}
			v, ok := args[key]
			if !ok {
				missing = append(missing, key)
			}
			used[key] = true
			b.WriteString(v)
		}
		i += m[1] - 1
		last = i + 1
	}
	b.WriteString(sql[last:])
	var unused []string
	for k := range args {
		if !used[k] {
			unused = append(unused, k)
		}
	}
	if len(missing) > 0 || len(unused) > 0 {
		sort.Strings(unused)
		return "", fmt.Errorf("benchsql: query %s: parameters without a value %v, values for no parameter %v", name, dedupe(missing), unused)
	}
	return b.String(), nil
}

func isWord(c byte) bool {
	return c == '_' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// Literal quotes s as a SQL string literal.
func Literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// positional names the $n parameters of a statement in order, for args maps.
func positional(values ...string) map[string]string {
	out := make(map[string]string, len(values))
	for i, v := range values {
		out["$"+strconv.Itoa(i+1)] = v
	}
	return out
}

// varRE finds pgbench variable references (":name", not a "::type" cast).
var varRE = regexp.MustCompile(`(?:^|[^:]):([a-zA-Z_]\w*)`)
