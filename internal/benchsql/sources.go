package benchsql

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivershared/sqlctemplate"
)

// RiverPackage is the package name under which River's own queries are found in Sources.
const RiverPackage = "river"

// riverDriverModule holds River's SQL (internal/dbsqlc/*.sql): the version in our go.mod
// is the one the service runs.
const riverDriverModule = "github.com/riverqueue/river/riverdriver/riverpgxv5"

// Sources are the named queries the baseline is built from, by package: ours from each
// internal/<package>/queries.sql, River's from its driver module's query files.
//
// They are read from the checkout at run time rather than embedded: go:embed cannot reach
// other packages' files, and copying them into this package would be the very drift the
// baseline exists to avoid. The benchmark runs in a checkout (make bench) with the Go
// toolchain, which also locates River's module.
type Sources struct {
	queries map[string]map[string]Query // package → name → query
	// riverMode is how River's job insert reports duplicates on this server version; the
	// driver puts its SQL in the insert's template, so the baseline does the same.
	riverMode riverdriver.UniqueInsertMode
}

// LoadSources reads the query files of the module whose root is root (see ModuleRoot)
// and River's, for a server of version serverVersionNum (e.g. 150018), which decides the
// form of River's insert.
func LoadSources(root string, serverVersionNum int32) (*Sources, error) {
	s := &Sources{queries: map[string]map[string]Query{},
		riverMode: riverdriver.UniqueInsertModeFromProductAndVersion("PostgreSQL", serverVersionNum)}
	files, err := filepath.Glob(filepath.Join(root, "internal", "*", "queries.sql"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("benchsql: no internal/*/queries.sql under %s (%v)", root, err)
	}
	for _, f := range files {
		if err := s.addFile(filepath.Base(filepath.Dir(f)), f); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", riverDriverModule)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("benchsql: locate %s with go list: %w", riverDriverModule, err)
	}
	riverFiles, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "internal", "dbsqlc", "*.sql"))
	if len(riverFiles) == 0 {
		return nil, fmt.Errorf("benchsql: no River query files in %s", strings.TrimSpace(string(out)))
	}
	for _, f := range riverFiles {
		if err := s.addFile(RiverPackage, f); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Sources) addFile(pkg, path string) error {
	b, err := os.ReadFile(path) // #nosec G304 -- the repository's queries.sql files, walked by the benchmark
	if err != nil {
		return fmt.Errorf("benchsql: %w", err)
	}
	qs, err := ParseQueries(string(b))
	if err != nil {
		return fmt.Errorf("benchsql: %s: %w", path, err)
	}
	if s.queries[pkg] == nil {
		s.queries[pkg] = map[string]Query{}
	}
	for _, q := range qs {
		s.queries[pkg][q.Name] = q
	}
	return nil
}

// Query returns a named query of a package, River's with its templates filled in as the
// driver fills them (no schema prefix, the server's duplicate-detection expression).
func (s *Sources) Query(pkg, name string) (Query, error) {
	q, ok := s.queries[pkg][name]
	if !ok {
		return Query{}, fmt.Errorf("benchsql: no query %s in package %s", name, pkg)
	}
	if !strings.Contains(q.SQL, "/* TEMPLATE") {
		return q, nil
	}
	replacements := map[string]sqlctemplate.Replacement{"schema": {Value: "", Stable: true}}
	if strings.Contains(q.SQL, "unique_skipped_as_duplicate") {
		replacements["unique_skipped_as_duplicate"] = sqlctemplate.Replacement{Value: s.riverMode.SQL(), Stable: true}
	}
	var r sqlctemplate.Replacer
	sql, _, err := r.RunSafely(sqlctemplate.WithReplacements(context.Background(), replacements, nil), "$", q.SQL, nil)
	if err != nil {
		return Query{}, fmt.Errorf("benchsql: River query %s: %w", name, err)
	}
	q.SQL = sql
	return q, nil
}

// ModuleRoot finds the checkout's root (the directory holding go.mod) from dir upwards.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("benchsql: not inside a checkout (no go.mod found): run the benchmark from the repository")
		}
		dir = parent
	}
}
