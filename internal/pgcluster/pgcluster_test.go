package pgcluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// requirePostgres skips the test on machines without a usable PostgreSQL, rather than
// letting Start install one with apt-get in the middle of a test run.
func requirePostgres(t *testing.T) {
	t.Helper()
	_, found, err := locateBinaries(t.Context())
	if !found {
		t.Skip("PostgreSQL is not installed")
	}
	if err != nil {
		t.Skipf("no usable PostgreSQL: %v", err)
	}
}

// tempDir returns a temporary directory the PostgreSQL user can reach. As root the
// server runs as another user, and t.TempDir creates its directories with mode 0700.
func tempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// logRecorder collects Logf messages so tests can assert on them.
type logRecorder struct {
	t    *testing.T
	mu   sync.Mutex
	msgs []string
}

func (r *logRecorder) logf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.mu.Lock()
	r.msgs = append(r.msgs, msg)
	r.mu.Unlock()
	r.t.Log(msg)
}

func (r *logRecorder) contains(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.msgs {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

func startCluster(t *testing.T, opts Options) *Cluster {
	t.Helper()
	begin := time.Now()
	c, err := Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("cluster started in %v", time.Since(begin).Round(time.Millisecond))
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return c
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestPersistentCluster exercises one non-ephemeral cluster: its roles, the fast failure
// of a second Start, and a restart over a stale lock file that must keep the data.
func TestPersistentCluster(t *testing.T) {
	requirePostgres(t)
	ctx := t.Context()
	dir := filepath.Join(tempDir(t), "data", "postgres")
	logs := &logRecorder{t: t}
	opts := Options{Dir: dir, Logf: logs.logf}
	c := startCluster(t, opts)

	t.Run("app role", func(t *testing.T) {
		conn := connect(t, c.AppURL(""))
		var user, db string
		var super, bypass bool
		err := conn.QueryRow(ctx, `SELECT current_user, current_database(), rolsuper, rolbypassrls
			FROM pg_roles WHERE rolname = current_user`).Scan(&user, &db, &super, &bypass)
		if err != nil {
			t.Fatal(err)
		}
		if user != AppRole || db != DatabaseName || super || bypass {
			t.Errorf("got user=%s db=%s rolsuper=%v rolbypassrls=%v; want %s %s false false", user, db, super, bypass, AppRole, DatabaseName)
		}
	})

	t.Run("owner role", func(t *testing.T) {
		conn := connect(t, c.OwnerURL(DatabaseName))
		var user, dbOwner string
		var super, bypass, createdb bool
		err := conn.QueryRow(ctx, `SELECT current_user, rolsuper, rolbypassrls, rolcreatedb,
			(SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database())
			FROM pg_roles WHERE rolname = current_user`).Scan(&user, &super, &bypass, &createdb, &dbOwner)
		if err != nil {
			t.Fatal(err)
		}
		if user != OwnerRole || super || bypass || !createdb || dbOwner != OwnerRole {
			t.Errorf("got user=%s rolsuper=%v rolbypassrls=%v rolcreatedb=%v db owner=%s", user, super, bypass, createdb, dbOwner)
		}
		// Data written here must survive the restart in the stale-lock subtest.
		if _, err := conn.Exec(ctx, `CREATE TABLE survivor (v text); INSERT INTO survivor VALUES ('kept')`); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("superuser and settings", func(t *testing.T) {
		conn := connect(t, c.SuperuserURL("postgres"))
		var listen, sockets, fsync string
		err := conn.QueryRow(ctx, `SELECT current_setting('listen_addresses'), current_setting('unix_socket_directories'),
			current_setting('fsync')`).Scan(&listen, &sockets, &fsync)
		if err != nil {
			t.Fatal(err)
		}
		if listen != "127.0.0.1" || sockets != "" || fsync != "on" {
			t.Errorf("listen_addresses=%q unix_socket_directories=%q fsync=%q; want 127.0.0.1, empty, on", listen, sockets, fsync)
		}
		fi, err := os.Stat(filepath.Join(dir, credentialsFileName))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("credentials file mode %04o, want 0600", fi.Mode().Perm())
		}
	})

	t.Run("wrong password is refused", func(t *testing.T) {
		url := strings.Replace(c.AppURL(""), c.creds.App, "not-the-password", 1)
		if conn, err := pgx.Connect(ctx, url); err == nil {
			conn.Close(ctx)
			t.Fatal("connected with a wrong password")
		}
	})

	t.Run("already running", func(t *testing.T) {
		begin := time.Now()
		c2, err := Start(ctx, opts)
		if err == nil {
			c2.Stop(ctx)
			t.Fatal("second Start on a running cluster succeeded")
		}
		if !strings.Contains(err.Error(), "already running (pid ") {
			t.Errorf("unexpected error: %v", err)
		}
		if d := time.Since(begin); d > 5*time.Second {
			t.Errorf("second Start took %v; it must fail fast", d)
		}
		t.Logf("error: %v", err)
		// The running cluster must be untouched.
		conn := connect(t, c.AppURL(""))
		if err := conn.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("stale lock and restart", func(t *testing.T) {
		appURL := c.AppURL("")
		if err := c.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.Stop(ctx); err != nil {
			t.Fatalf("second Stop: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
			t.Fatalf("a persistent cluster must survive Stop: %v", err)
		}
		// pid 999999 exceeds any usual pid_max, so it cannot be alive.
		stale := fmt.Sprintf("999999\n%s\n1700000000\n%d\n\n127.0.0.1\n  0 0\nready   \n", dir, c.Port())
		if err := os.WriteFile(filepath.Join(dir, "postmaster.pid"), []byte(stale), 0o600); err != nil {
			t.Fatal(err)
		}
		opts := opts
		opts.Port = c.Port() // same port, so the stored URL must keep working
		c2 := startCluster(t, opts)
		if !logs.contains("removed stale lock file") {
			t.Error("no message about the removed stale lock file")
		}
		if got := c2.AppURL(""); got != appURL {
			t.Errorf("AppURL changed across restarts: %s != %s", got, appURL)
		}
		conn := connect(t, c2.AppURL(""))
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relname = 'survivor'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Error("table created before the restart is gone")
		}
	})
}

// TestEphemeralCluster checks the speed settings and that Stop removes the directory.
func TestEphemeralCluster(t *testing.T) {
	requirePostgres(t)
	ctx := t.Context()
	dir := filepath.Join(tempDir(t), "pg")
	c := startCluster(t, Options{Dir: dir, Ephemeral: true, Logf: t.Logf})

	conn, err := pgx.Connect(ctx, c.AppURL(""))
	if err != nil {
		t.Fatal(err)
	}
	var fsync, syncCommit, fpw, maxConn string
	err = conn.QueryRow(ctx, `SELECT current_setting('fsync'), current_setting('synchronous_commit'),
		current_setting('full_page_writes'), current_setting('max_connections')`).Scan(&fsync, &syncCommit, &fpw, &maxConn)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fsync != "off" || syncCommit != "off" || fpw != "off" || maxConn != "400" {
		t.Errorf("fsync=%s synchronous_commit=%s full_page_writes=%s max_connections=%s", fsync, syncCommit, fpw, maxConn)
	}

	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Stop left %s behind (stat: %v)", dir, err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestPortInUse(t *testing.T) {
	requirePostgres(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	dir := filepath.Join(tempDir(t), "pg")

	begin := time.Now()
	c, err := Start(t.Context(), Options{Dir: dir, Port: port, Ephemeral: true})
	if err == nil {
		c.Stop(context.Background())
		t.Fatal("Start succeeded on a port in use")
	}
	want := fmt.Sprintf("pgcluster: port %d is in use by another process", port)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("took %v; it must fail fast", d)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the data directory was created although Start failed (stat: %v)", err)
	}
}

func TestUnreachableDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root drops privileges for PostgreSQL")
	}
	requirePostgres(t)
	locked := filepath.Join(tempDir(t), "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Start(t.Context(), Options{Dir: filepath.Join(locked, "pg")})
	if err == nil || !strings.Contains(err.Error(), "cannot reach") || !strings.Contains(err.Error(), locked) {
		t.Fatalf("want a 'cannot reach %s' error, got %v", locked, err)
	}
	t.Logf("error: %v", err)
}

// TestCancelledStart cancels Start while pg_ctl is starting the server: Start must fail,
// leave no server running and remove the ephemeral directory.
func TestCancelledStart(t *testing.T) {
	requirePostgres(t)
	dir := filepath.Join(tempDir(t), "pg")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logf := func(format string, args ...any) {
		t.Logf(format, args...)
		if strings.HasPrefix(format, "starting PostgreSQL") {
			time.AfterFunc(100*time.Millisecond, cancel)
		}
	}
	c, err := Start(ctx, Options{Dir: dir, Ephemeral: true, Logf: logf})
	if err == nil {
		c.Stop(context.Background())
		t.Skip("Start finished before it could be cancelled")
	}
	t.Logf("error: %v", err)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cancelled Start left %s behind (stat: %v)", dir, err)
	}
	if pids := processesUnder(dir); len(pids) > 0 {
		t.Errorf("processes still running in %s: %v", dir, pids)
	}
}

// processesUnder lists processes whose working directory is dir or below it, including
// ones whose directory was already deleted.
func processesUnder(dir string) []string {
	entries, _ := os.ReadDir("/proc")
	var pids []string
	for _, e := range entries {
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err == nil && strings.HasPrefix(cwd, dir) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in      string
		version string
		major   int
		ok      bool
	}{
		{"pg_ctl (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)\n", "15.14", 15, true},
		{"postgres (PostgreSQL) 17beta1\n", "17beta1", 17, true},
		{"initdb (PostgreSQL) 9.6.24\n", "9.6.24", 9, true},
		{"something else", "", 0, false},
	} {
		version, major, ok := parseVersion(tc.in)
		if version != tc.version || major != tc.major || ok != tc.ok {
			t.Errorf("parseVersion(%q) = %q, %d, %v", tc.in, version, major, ok)
		}
	}
	if compareVersions("9.6", "15") >= 0 || compareVersions("16", "15") <= 0 {
		t.Error("compareVersions orders 9.6, 15, 16 wrongly")
	}
}

// TestDirFor_unreachableCheckout is `make run` as root in a checkout under a 0700
// directory (such as /root): the cluster moves to a directory PostgreSQL's user can
// reach, the same one on every run, and starts there.
func TestDirFor_unreachableCheckout(t *testing.T) {
	requirePostgres(t)
	locked := filepath.Join(tempDir(t), "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	wanted := filepath.Join(locked, "checkout", ".data", "postgres")
	fallback := filepath.Join(tempDir(t), "var-lib-maintainuk")
	dir, moved, err := DirFor(t.Context(), wanted, fallback, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		// Without root PostgreSQL runs as ourselves, who can reach our own directories.
		if moved || dir != wanted {
			t.Fatalf("DirFor(%s) = %s, %v; want it unchanged", wanted, dir, moved)
		}
		return
	}
	if !moved || !strings.HasPrefix(dir, fallback+string(filepath.Separator)) {
		t.Fatalf("DirFor(%s) = %s, moved %v; want a directory under %s", wanted, dir, moved, fallback)
	}
	again, _, err := DirFor(t.Context(), wanted, fallback, t.Logf)
	if err != nil || again != dir {
		t.Fatalf("second DirFor = %s, %v; want the same %s", again, err, dir)
	}
	other, _, err := DirFor(t.Context(), filepath.Join(locked, "other", ".data", "postgres"), fallback, t.Logf)
	if err != nil || other == dir {
		t.Fatalf("another checkout got %s (%v), the same as the first", other, err)
	}
	c, err := Start(t.Context(), Options{Dir: dir, Ephemeral: true})
	if err != nil {
		t.Fatalf("start in %s: %v", dir, err)
	}
	if err := c.Stop(context.WithoutCancel(t.Context())); err != nil {
		t.Fatal(err)
	}

	// A reachable directory stays where it is.
	open := filepath.Join(tempDir(t), "pg")
	if dir, moved, err := DirFor(t.Context(), open, fallback, t.Logf); err != nil || moved || dir != open {
		t.Fatalf("DirFor(%s) = %s, %v, %v; want it unchanged", open, dir, moved, err)
	}
}

// TestProgram: another program of the clusters' installation is found beside its server
// (through a link on PATH too) and is of the same major version; a missing one is named.
func TestProgram(t *testing.T) {
	ctx := context.Background()
	b, found, err := locateBinaries(ctx)
	if err != nil || !found {
		t.Fatalf("no PostgreSQL here (found %v, %v): make test installs it", found, err)
	}
	p, err := Program(ctx, "pgbench")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, p, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", p, err)
	}
	if _, major, ok := parseVersion(string(out)); !ok || major != b.major {
		t.Errorf("%s is %q, want PostgreSQL %d like the server", p, out, b.major)
	}
	if _, err := Program(ctx, "no-such-program"); err == nil || !strings.Contains(err.Error(), "no no-such-program beside") {
		t.Errorf("a missing program: %v", err)
	}
}
