package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

const (
	// startWaitSeconds bounds pg_ctl's wait for the server to accept connections
	// (pg_ctl -t); stopping uses the same bound.
	startWaitSeconds = 30
	// pgCtlTimeout bounds a whole pg_ctl invocation: its own wait plus some slack, so a
	// wedged pg_ctl cannot hang us.
	pgCtlTimeout = (startWaitSeconds + 15) * time.Second
	// portAttempts is how often Start tries fresh ports when Options.Port is 0 and another
	// process grabs the chosen port first (parallel test packages).
	portAttempts = 3
)

// serverOptions are passed to postgres through pg_ctl -o, which hands them to a shell;
// hence the quoted empty unix_socket_directories.
func (c *Cluster) serverOptions() string {
	opts := []string{
		"-c listen_addresses=" + listenHost,
		fmt.Sprintf("-c port=%d", c.port),
		"-c unix_socket_directories=''", // no socket files to collide with a system server
		"-c logging_collector=off",      // everything goes to the pg_ctl -l file
	}
	if c.ephemeral {
		// Durability is worthless for a throwaway cluster and costs most of the test time.
		// max_connections is raised because parallel tests each open pools.
		opts = append(opts,
			"-c fsync=off",
			"-c synchronous_commit=off",
			"-c full_page_writes=off",
			"-c max_connections=400",
		)
	}
	return strings.Join(opts, " ")
}

// startServer runs pg_ctl start and waits until the server accepts connections. When
// the port was picked by us and got taken in the meantime, it retries with another one.
func (c *Cluster) startServer(ctx context.Context, portPicked bool) error {
	for attempt := 1; ; attempt++ {
		c.logf("starting PostgreSQL on %s:%d (log: %s)", listenHost, c.port, c.logPath)
		offset := fileSize(c.logPath)
		out, err := c.user.run(ctx, pgCtlTimeout, c.bins.pgCtl, "start",
			"-D", c.dir, "-l", c.logPath, "-w", "-t", fmt.Sprint(startWaitSeconds), "-o", c.serverOptions())
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("pgcluster: start cancelled: %w", context.Cause(ctx))
		}
		tail := readLogTail(c.logPath, offset, 20)
		if portPicked && attempt < portAttempts && strings.Contains(tail, "Address already in use") {
			if c.port, err = freePort(); err != nil {
				return err
			}
			continue
		}
		return fmt.Errorf("pgcluster: PostgreSQL failed to start: %v: %s\nlast lines of %s:\n%s", err, out, c.logPath, tail)
	}
}

// stopServer runs pg_ctl stop -m fast. A server that is not running counts as stopped.
func (c *Cluster) stopServer(ctx context.Context) error {
	if _, err := os.Stat(c.pidFile()); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	c.logf("stopping PostgreSQL in %s", c.dir)
	out, err := c.user.run(ctx, pgCtlTimeout, c.bins.pgCtl, "stop",
		"-D", c.dir, "-m", "fast", "-w", "-t", fmt.Sprint(startWaitSeconds))
	if err == nil {
		return nil
	}
	// pg_ctl also fails when the server died earlier and left its lock file behind.
	data, rerr := os.ReadFile(c.pidFile())
	if errors.Is(rerr, os.ErrNotExist) {
		return nil
	}
	if rerr == nil {
		if pid := lockPID(data); pid > 0 && !processAlive(pid) {
			return nil
		}
	}
	return fmt.Errorf("pgcluster: stopping PostgreSQL in %s failed: %v: %s", c.dir, err, out)
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// readLogTail returns the last n lines the server logged after offset, i.e. during the
// attempt that just failed.
func readLogTail(path string, offset int64, n int) string {
	f, err := os.Open(path) // #nosec G304 -- the cluster's own server log
	if err != nil {
		return fmt.Sprintf("(cannot read the log: %v)", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() < offset {
		offset = 0
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return fmt.Sprintf("(cannot read the log: %v)", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return fmt.Sprintf("(cannot read the log: %v)", err)
	}
	if len(data) == 0 {
		return "(the log is empty)"
	}
	return lastLines(string(data), n)
}
