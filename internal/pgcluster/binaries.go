package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// minMajor is the oldest PostgreSQL the project supports. From 15 on, the public schema is
// no longer writable by every role, which the owner/app role split relies on.
const minMajor = 15

// debianRoot is where Debian and Ubuntu install server binaries, one directory per major
// version; they are not on PATH there.
const debianRoot = "/usr/lib/postgresql"

// binaries are the three server programs of one PostgreSQL installation. They must come
// from the same installation: initdb and pg_ctl refuse a postgres of another version.
type binaries struct {
	dir      string // for messages
	initdb   string
	pgCtl    string
	postgres string
	version  string // e.g. "15.14"
	major    int
}

// findBinaries locates PostgreSQL, installing it with apt-get when we are root and it is
// missing, so that a fresh development machine needs no manual step.
func findBinaries(ctx context.Context, logf func(string, ...any)) (binaries, error) {
	b, found, err := locateBinaries(ctx)
	if found || err != nil {
		return b, err
	}
	if os.Geteuid() != 0 {
		return binaries{}, errors.New("pgcluster: PostgreSQL not found (looked for initdb, pg_ctl and postgres on PATH and in " +
			debianRoot + "/*/bin); install it with: sudo apt-get install postgresql")
	}
	if err := installPostgres(ctx, logf); err != nil {
		return binaries{}, err
	}
	b, found, err = locateBinaries(ctx)
	if err == nil && !found {
		err = errors.New("pgcluster: apt-get installed postgresql but initdb, pg_ctl and postgres are still not found")
	}
	return b, err
}

// locateBinaries returns the first installation (PATH, then /usr/lib/postgresql newest
// first) that is recent enough. found is false when no installation exists at all; an
// error means installations exist but none is usable.
func locateBinaries(ctx context.Context) (b binaries, found bool, err error) {
	candidates := candidateInstallations()
	if len(candidates) == 0 {
		return binaries{}, false, nil
	}
	var problems []string
	for _, cand := range candidates {
		if err := cand.probe(ctx); err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if cand.major < minMajor {
			problems = append(problems, fmt.Sprintf("PostgreSQL %s in %s is too old", cand.version, cand.dir))
			continue
		}
		return cand, true, nil
	}
	return binaries{}, true, fmt.Errorf("pgcluster: PostgreSQL %d or newer is required (%s); install a newer version, e.g. from https://apt.postgresql.org",
		minMajor, strings.Join(problems, "; "))
}

// candidateInstallations lists complete installations in order of preference: PATH wins
// so a developer can point at any build; otherwise the newest Debian-style version.
func candidateInstallations() []binaries {
	var out []binaries
	initdb, err1 := exec.LookPath("initdb")
	pgCtl, err2 := exec.LookPath("pg_ctl")
	postgres, err3 := exec.LookPath("postgres")
	if err1 == nil && err2 == nil && err3 == nil {
		out = append(out, binaries{dir: "PATH (" + filepath.Dir(pgCtl) + ")", initdb: initdb, pgCtl: pgCtl, postgres: postgres})
	}
	dirs, _ := filepath.Glob(filepath.Join(debianRoot, "*", "bin")) // the pattern is constant, so Glob cannot fail
	slices.SortFunc(dirs, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a))) // newest first
	})
	for _, d := range dirs {
		b := binaries{dir: d, initdb: filepath.Join(d, "initdb"), pgCtl: filepath.Join(d, "pg_ctl"), postgres: filepath.Join(d, "postgres")}
		if isExecutable(b.initdb) && isExecutable(b.pgCtl) && isExecutable(b.postgres) {
			out = append(out, b)
		}
	}
	return out
}

// probe runs each program with --version, records the version and checks that the three
// agree, so a mixed-up PATH fails here rather than half-way through initdb.
func (b *binaries) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for _, prog := range []string{b.postgres, b.pgCtl, b.initdb} {
		out, err := exec.CommandContext(ctx, prog, "--version").Output() // #nosec G204 -- PostgreSQL's own programs, found by this package
		if err != nil {
			return fmt.Errorf("%s --version failed: %v", prog, err)
		}
		version, major, ok := parseVersion(string(out))
		if !ok {
			return fmt.Errorf("cannot parse the version printed by %s: %q", prog, strings.TrimSpace(string(out)))
		}
		if b.version == "" {
			b.version, b.major = version, major
		} else if major != b.major {
			return fmt.Errorf("%s is version %s but %s is %s; they must come from one installation", prog, version, b.postgres, b.version)
		}
	}
	return nil
}

// parseVersion extracts the version from output such as
// "pg_ctl (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)" or "postgres (PostgreSQL) 17beta1".
func parseVersion(out string) (version string, major int, ok bool) {
	_, rest, found := strings.Cut(out, "(PostgreSQL) ")
	if !found {
		return "", 0, false
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return "", 0, false
	}
	version = fields[0]
	digits := version
	if i := strings.IndexFunc(version, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		digits = version[:i]
	}
	major, err := strconv.Atoi(digits)
	if err != nil {
		return "", 0, false
	}
	return version, major, true
}

// compareVersions orders dotted versions numerically ("9.6" < "15"); non-numeric parts
// count as 0 so odd directory names sort last rather than failing.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// installPostgres installs the distribution's PostgreSQL with apt-get. apt-get update is
// only run when the install fails, because it is slow and usually unnecessary.
func installPostgres(ctx context.Context, logf func(string, ...any)) error {
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("pgcluster: PostgreSQL not found and apt-get is unavailable; install PostgreSQL %d or newer yourself", minMajor)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()
	logf("PostgreSQL not found; installing it with apt-get install -y postgresql (this can take a few minutes)")
	if _, err := aptGet(ctx, "install", "-y", "postgresql"); err == nil {
		logf("PostgreSQL installed")
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("pgcluster: installing PostgreSQL: %w", context.Cause(ctx))
	}
	logf("apt-get install failed; running apt-get update and retrying")
	if out, err := aptGet(ctx, "update"); err != nil {
		return fmt.Errorf("pgcluster: apt-get update failed: %v\n%s", err, lastLines(out, 20))
	}
	if out, err := aptGet(ctx, "install", "-y", "postgresql"); err != nil {
		return fmt.Errorf("pgcluster: apt-get install -y postgresql failed: %v\n%s", err, lastLines(out, 20))
	}
	logf("PostgreSQL installed")
	return nil
}

func aptGet(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "apt-get", args...) // #nosec G204 -- apt-get with fixed package names, to install PostgreSQL for development
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// lastLines returns at most n trailing lines of s, because tool output and server logs
// can be long and only their end usually explains a failure.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Program returns another program of the installation the clusters run on (pgbench,
// psql, …), so that a tool and the server it talks to come from one PostgreSQL.
func Program(ctx context.Context, name string) (string, error) {
	b, found, err := locateBinaries(ctx)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("pgcluster: PostgreSQL not found (looked on PATH and in %s/*/bin)", debianRoot)
	}
	// On PATH the server may be a link into its installation (as /usr/local/bin is here).
	postgres, err := filepath.EvalSymlinks(b.postgres)
	if err != nil {
		return "", fmt.Errorf("pgcluster: %w", err)
	}
	p := filepath.Join(filepath.Dir(postgres), name)
	if !isExecutable(p) {
		return "", fmt.Errorf("pgcluster: no %s beside %s", name, postgres)
	}
	return p, nil
}
