package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// fallbackUser is created when we run as root and the machine has no "postgres" user.
const fallbackUser = "maintainuk-pg"

// runAs is the operating-system user that runs initdb, pg_ctl and the server.
// PostgreSQL refuses to run as root, so as root we drop to an unprivileged user for every
// PostgreSQL command; otherwise everything runs as ourselves.
type runAs struct {
	name     string
	uid, gid uint32
	switched bool // true when commands run under a different user than this process
}

// resolveUser picks the user PostgreSQL runs as, creating fallbackUser if needed.
func resolveUser(ctx context.Context, logf func(string, ...any)) (runAs, error) {
	if os.Geteuid() != 0 {
		name := strconv.Itoa(os.Geteuid())
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
		return runAs{name: name, uid: uint32(os.Geteuid()), gid: uint32(os.Getegid())}, nil
	}
	u, err := lookupUser("postgres")
	if err == nil && u == nil {
		u, err = lookupUser(fallbackUser)
		if err == nil && u == nil {
			u, err = createSystemUser(ctx, logf)
		}
	}
	if err != nil {
		return runAs{}, err
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return runAs{}, fmt.Errorf("pgcluster: user %s has a non-numeric uid/gid (%s/%s)", u.Username, u.Uid, u.Gid)
	}
	if uid == 0 {
		return runAs{}, fmt.Errorf("pgcluster: user %s has uid 0, but PostgreSQL must run as an unprivileged user", u.Username)
	}
	return runAs{name: u.Username, uid: uint32(uid), gid: uint32(gid), switched: true}, nil
}

// lookupUser returns nil, nil when the user does not exist.
func lookupUser(name string) (*user.User, error) {
	u, err := user.Lookup(name)
	var unknown user.UnknownUserError
	if errors.As(err, &unknown) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pgcluster: looking up user %s: %w", name, err)
	}
	return u, nil
}

func createSystemUser(ctx context.Context, logf func(string, ...any)) (*user.User, error) {
	logf("creating system user %s to run PostgreSQL (it refuses to run as root)", fallbackUser)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", fallbackUser).CombinedOutput()
	// A concurrent Start (parallel test packages) may have created it first; that is fine.
	u, lookupErr := lookupUser(fallbackUser)
	if u != nil {
		return u, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pgcluster: creating system user %s with useradd: %v: %s", fallbackUser, err, strings.TrimSpace(string(out)))
	}
	if lookupErr != nil {
		return nil, lookupErr
	}
	return nil, fmt.Errorf("pgcluster: useradd succeeded but user %s cannot be found", fallbackUser)
}

// command prepares a PostgreSQL command. It runs in its own process group so that a
// Ctrl-C in the terminal reaches only us and we decide how to shut down; cancelling ctx
// sends SIGINT, which pg_ctl start answers by stopping the postmaster it launched and
// initdb by removing what it created. The environment is stripped of PG* variables
// (PGDATA, PGPORT, …) so a developer's shell settings cannot redirect the commands.
func (u runAs) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...) // #nosec G204 -- PostgreSQL's own programs, found by this package
	cmd.Dir = "/"                                  // our working directory may be unreadable by the PostgreSQL user; all paths are absolute
	cmd.Env = childEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if u.switched {
		// An empty (non-nil) Groups drops root's supplementary groups too.
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: u.uid, Gid: u.gid, Groups: []uint32{}}
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// run executes a command with a timeout and returns its combined output.
func (u runAs) run(ctx context.Context, timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := u.command(ctx, name, args...).CombinedOutput()
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (%w)", err, context.Cause(ctx))
	}
	return strings.TrimSpace(string(out)), err
}

func childEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			out = append(out, kv)
		}
	}
	return out
}

// checkReachable fails unless the PostgreSQL user can traverse dir and every directory
// leading to it; target (dir or a path inside it) is what the error message names. PostgreSQL would otherwise fail later with a bare "Permission denied"; a typical
// case is a project checked out under /root (mode 0700) while running as root. Only mode
// bits and the user's primary group are considered, which is what the dropped-privilege
// process gets (no supplementary groups); ACLs are not consulted.
func (u runAs) checkReachable(dir, target string) error {
	if !u.switched {
		return nil
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	for p := real; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && !u.canSearch(st) {
			return fmt.Errorf("pgcluster: user %s, which runs PostgreSQL because it refuses to run as root, cannot reach %s: "+
				"%s has mode %04o (owner uid %d); choose a data directory it can reach or allow traversal with: chmod o+x %s",
				u.name, target, p, st.Mode&0o7777, st.Uid, p)
		}
		if filepath.Dir(p) == p {
			return nil
		}
	}
}

func (u runAs) canSearch(st *syscall.Stat_t) bool {
	switch {
	case st.Uid == u.uid:
		return st.Mode&0o100 != 0
	case st.Gid == u.gid:
		return st.Mode&0o010 != 0
	default:
		return st.Mode&0o001 != 0
	}
}

// ownTree gives the PostgreSQL user everything under dir; PostgreSQL insists on owning its
// data directory, and a directory created by an earlier run as another user (or files we
// wrote as root) would otherwise stop it.
func (u runAs) ownTree(dir string) error {
	if !u.switched {
		return nil
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && (st.Uid != u.uid || st.Gid != u.gid) {
			return os.Lchown(path, int(u.uid), int(u.gid)) // #nosec G122 -- walks the cluster directory this process created, to hand it to the server user
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pgcluster: giving %s to user %s: %w", dir, u.name, err)
	}
	return nil
}

// chown hands one file or directory we created to the PostgreSQL user.
func (u runAs) chown(path string) error {
	if !u.switched {
		return nil
	}
	if err := os.Lchown(path, int(u.uid), int(u.gid)); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	return nil
}
