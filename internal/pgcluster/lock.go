package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clearStaleLock inspects postmaster.pid before we start. A live server for this
// directory is reported at once in plain words, rather than as "lock file already exists"
// at the end of the server log. A lock left by a crash, a kill -9 or a reboot is removed
// (and said so): PostgreSQL only checks whether the recorded pid is alive, and after a
// reboot that pid often belongs to an unrelated process, which would block start-up until
// someone deletes the file by hand.
func (c *Cluster) clearStaleLock(ctx context.Context) error {
	path := c.pidFile()
	data, err := os.ReadFile(path) // #nosec G304 -- the cluster's own postmaster.pid
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pgcluster: reading %s: %w", path, err)
	}
	pid := lockPID(data)
	reason := "its contents are unreadable"
	if pid > 0 {
		reason = fmt.Sprintf("process %d is not running", pid)
		if processAlive(pid) {
			if c.serverRunning(ctx, pid) {
				return fmt.Errorf("pgcluster: a PostgreSQL server for %s is already running (pid %d); "+
					"stop it first (e.g. kill -INT %d for a fast shutdown) or use another directory", c.dir, pid, pid)
			}
			reason = fmt.Sprintf("process %d is not a PostgreSQL server for this directory", pid)
		}
	}
	// PostgreSQL's own stale-lock handling refuses to start while processes of the old
	// server are still attached to its shared memory; removing the lock file bypasses that
	// interlock, so check for such leftovers (backends outliving a killed postmaster) here.
	if pids := processesIn(c.dir); len(pids) > 0 {
		return fmt.Errorf("pgcluster: %s has a lock file (%s) and processes %v still run in the directory, "+
			"probably left over from a crashed server; wait for them to exit or stop them, then retry", c.dir, reason, pids)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pgcluster: removing stale lock file: %w", err)
	}
	c.logf("removed stale lock file %s (%s)", path, reason)
	return nil
}

// lockPID returns the pid on the first line of postmaster.pid, or 0. A standalone
// (single-user) backend records its pid negated.
func lockPID(data []byte) int {
	first, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return 0
	}
	if pid < 0 {
		pid = -pid
	}
	return pid
}

// processAlive reports whether pid exists; EPERM means it exists but belongs to someone
// else. A zombie (a killed postmaster its new parent has not reaped yet) counts as dead.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat")) // #nosec G703 -- /proc/<pid>/stat, pid an integer
	if err != nil {
		return true
	}
	// The state follows the parenthesised command name, which may itself contain ") ".
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
		return false
	}
	return true
}

// serverRunning asks pg_ctl status whether the server is running. pg_ctl only checks that
// the recorded pid is alive, so where /proc shows it we also require that the process's
// working directory is this data directory (the postmaster chdirs there), which tells a
// reused pid apart from our server.
func (c *Cluster) serverRunning(ctx context.Context, pid int) bool {
	if _, err := c.user.run(ctx, 15*time.Second, c.bins.pgCtl, "status", "-D", c.dir); err != nil {
		return false // exit status 3: not running; anything else: cannot tell, let start-up decide
	}
	cwd, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "cwd"))
	if err != nil {
		return true
	}
	real, err := filepath.EvalSymlinks(c.dir)
	if err != nil {
		return true
	}
	return cwd == real
}

// processesIn lists the pids of processes whose working directory is dir: a postmaster
// and all its children chdir into their data directory. Processes whose /proc entry we
// may not read are missed, which only weakens a safety check.
func processesIn(dir string) []int {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd")); err == nil && cwd == real {
			pids = append(pids, pid)
		}
	}
	return pids
}

// checkPortFree fails fast when something already listens on the port; PostgreSQL would
// only report it in its log after pg_ctl's start-up wait.
func checkPortFree(port int) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(listenHost, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("pgcluster: port %d is in use by another process; stop it or choose another port", port)
	}
	return ln.Close()
}

// freePort asks the kernel for an unused port. Another process may take it before the
// server binds it; Start retries with a new port in that case.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(listenHost, "0"))
	if err != nil {
		return 0, fmt.Errorf("pgcluster: finding a free port: %w", err)
	}
	addr, ok := ln.Addr().(*net.TCPAddr)
	if err := ln.Close(); err != nil || !ok {
		return 0, fmt.Errorf("pgcluster: finding a free port: %v", err)
	}
	return addr.Port, nil
}
