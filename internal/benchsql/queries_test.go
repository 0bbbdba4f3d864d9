package benchsql

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestParseQueries(t *testing.T) {
	const file = `-- A preamble comment, before any query.

-- name: GetThing :one
-- What it does.
SELECT * FROM things WHERE org_id = $1 AND id = $2;

-- name: ListThings :many
SELECT sqlc.embed(t), u.name -- the owner's name
FROM things t JOIN users u ON u.id = t.owner_id
WHERE t.org_id = @org_id
  AND (sqlc.narg(status)::text IS NULL OR t.status = sqlc.narg('status'))
  AND t.search @@ websearch_to_tsquery('english', sqlc.arg(query))
  AND t.id = ANY(sqlc.slice(ids))
  AND t.note <> 'not @a $1 sqlc.arg(x) -- param'
LIMIT @row_limit;
-- name: Touch :execrows
UPDATE things SET touched_at = now() WHERE id = $1
`
	qs, err := ParseQueries(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 3 || qs[0].Name != "GetThing" || qs[0].Kind != ":one" || qs[1].Name != "ListThings" || qs[1].Kind != ":many" ||
		qs[2].Name != "Touch" || qs[2].Kind != ":execrows" {
		t.Fatalf("parsed %+v", qs)
	}
	if qs[0].SQL != "SELECT * FROM things WHERE org_id = $1 AND id = $2" {
		t.Errorf("GetThing SQL %q", qs[0].SQL)
	}
	tests := []struct {
		name    string
		q       Query
		args    map[string]string
		want    string // substrings of the rendered SQL, in order
		wantErr string
	}{
		{"positional", qs[0], positional(":org_id", "'x'"), "org_id = :org_id AND id = 'x'", ""},
		{"named, narg, quoted narg, arg, slice and embed", qs[1],
			map[string]string{"org_id": ":org_id", "status": "NULL", "query": ":term", "ids": "ARRAY[:id]::uuid[]", "row_limit": "21"},
			"SELECT t.*, u.name\nFROM|t.org_id = :org_id|(NULL::text IS NULL OR t.status = NULL)|t.search @@ websearch_to_tsquery('english', :term)" +
				"|ANY(ARRAY[:id]::uuid[])|'not @a $1 sqlc.arg(x) -- param'|LIMIT 21", ""},
		{"missing value", qs[0], positional(":org_id"), "", "parameters without a value [$2]"},
		{"value for no parameter", qs[2], map[string]string{"$1": "1", "$2": "2"}, "", "values for no parameter [$2]"},
		{"named query given positions", qs[1], positional("1"), "", "without a value [ids org_id query row_limit status]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.q.Render(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rest := got
			for _, part := range strings.Split(tc.want, "|") {
				i := strings.Index(rest, part)
				if i < 0 {
					t.Fatalf("rendered\n%s\nlacks (in order) %q", got, part)
				}
				rest = rest[i+len(part):]
			}
		})
	}
}

func TestStripTrailingComment(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT 1 -- one":            "SELECT 1",
		"SELECT '--not' AS a -- yes": "SELECT '--not' AS a",
		"SELECT 'it''s' -- x":        "SELECT 'it''s'",
		"SELECT 1":                   "SELECT 1",
	} {
		if got := stripTrailingComment(in); got != want {
			t.Errorf("stripTrailingComment(%q) = %q, want %q", in, got, want)
		}
	}
}

// leftover finds sqlc parameter syntax that rendering should have replaced; literals
// are removed first (stringLiteral).
var (
	leftover      = regexp.MustCompile(`sqlc\.|[^@]@[a-z_]|\$[0-9]`)
	stringLiteral = regexp.MustCompile(`'(?:[^']|'')*'`)
	gsetColumn    = regexp.MustCompile(`(?is)(?:SELECT|RETURNING)\s+(\w+)\b[^;]*$`)
)

// TestEveryScenarioRenders builds every scenario's scripts from the repository's query
// files: no sqlc syntax is left, each transaction is whole, every variable is given or
// set by an earlier \gset, and a scenario drawing a ticket has one script per ticket.
func TestEveryScenarioRenders(t *testing.T) {
	src, err := LoadSources("../..", 150018)
	if err != nil {
		t.Fatal(err)
	}
	scenarios, err := Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	facts := Facts{OrgID: uuid.New(), StaffUserID: uuid.New(), StaffRole: "ADMIN", ContractorUserID: uuid.New(), ContractorID: uuid.New(),
		UnitID: uuid.New(), UnitReference: "EST-1", Slug: "acme", LoginEmail: "a@example.com", SearchTerm: "tap",
		DeepCreatedAt: time.Now(), DeepID: uuid.New(), TicketIDs: []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}}
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) {
			scripts, err := s.Script(src, facts)
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if s.Name == "ticket-detail" {
				want = len(facts.TicketIDs)
			}
			if len(scripts.Files) != want {
				t.Errorf("%d scripts, want %d", len(scripts.Files), want)
			}
			for i, text := range scripts.Files {
				if i > 0 && text == scripts.Files[0] {
					t.Errorf("script %d is script 0 again", i)
				}
				if m := leftover.FindString(stringLiteral.ReplaceAllString(text, "''")); m != "" {
					t.Errorf("sqlc syntax %q left in\n%s", m, text)
				}
				explicit, implicit := 0, 0
				for _, tx := range s.Txs {
					if tx.Implicit {
						implicit++
					} else {
						explicit++
					}
				}
				if n := strings.Count(text, "BEGIN;\n"); n != explicit || strings.Count(text, "COMMIT;\n") != n {
					t.Errorf("%d explicit transactions, want %d", n, explicit)
				}
				// Every pipeline ends; the implicit transactions are pipelines of their own.
				if n := strings.Count(text, "\\startpipeline\n"); n < implicit || strings.Count(text, "\\endpipeline\n") != n {
					t.Errorf("%d pipelines (%d ended), want at least %d", n, strings.Count(text, "\\endpipeline\n"), implicit)
				}
				checkVariables(t, text, scripts.Vars)
			}
		})
	}
}

// checkVariables fails t for a variable used before it is given (-D) or set by \gset:
// with a prefix, \gset sets prefix+column for any column; without, the first column
// selected or returned.
func checkVariables(t *testing.T, text string, given map[string]string) {
	t.Helper()
	var prefixes []string
	set := map[string]bool{}
	statement := ""
	for line := range strings.Lines(text) {
		for _, m := range varRE.FindAllStringSubmatch(line, -1) {
			name := m[1]
			if _, ok := given[name]; ok || set[name] || slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
				continue
			}
			t.Errorf("variable :%s is neither given nor set before\n%s", name, line)
		}
		statement += line
		if sql, prefix, ok := strings.Cut(statement, `\gset`); ok {
			if prefix = strings.TrimSpace(prefix); prefix != "" {
				prefixes = append(prefixes, prefix)
			} else if m := gsetColumn.FindStringSubmatch(sql); m != nil {
				set[m[1]] = true
			}
		}
		if strings.HasSuffix(strings.TrimSpace(line), ";") || strings.Contains(line, `\gset`) {
			statement = ""
		}
	}
}

// TestScriptsNeedTheirFacts refuses to build a script whose facts are missing, rather
// than run it against a nil id.
func TestScriptsNeedTheirFacts(t *testing.T) {
	src, err := LoadSources("../..", 150018)
	if err != nil {
		t.Fatal(err)
	}
	scenarios, err := Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scenarios {
		if _, err := s.Script(src, Facts{}); err == nil || !strings.Contains(err.Error(), "needs") {
			t.Errorf("%s built without facts (error %v)", s.Name, err)
		}
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	var sorted []time.Duration
	for i := 1; i <= 200; i++ {
		sorted = append(sorted, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[int]time.Duration{50: 100 * time.Millisecond, 95: 190 * time.Millisecond, 99: 198 * time.Millisecond} {
		if got := percentile(sorted, p); got != want {
			t.Errorf("p%d = %v, want %v", p, got, want)
		}
	}
	if got := percentile(sorted[:1], 99); got != time.Millisecond {
		t.Errorf("p99 of one = %v", got)
	}
}
