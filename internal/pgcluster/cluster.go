package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Start starts the cluster in opts.Dir, creating it on first use, and ensures OwnerRole,
// AppRole and DatabaseName exist. It fails fast, with an explanation, when a server for
// the directory is already running or the port is taken. If ctx is cancelled or anything
// fails after the server was launched, the server is stopped again (and an ephemeral
// Dir removed) before Start returns.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("pgcluster: Options.Dir is required")
	}
	if opts.Port < 0 || opts.Port > 65535 {
		return nil, fmt.Errorf("pgcluster: invalid port %d", opts.Port)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pgcluster: %w", context.Cause(ctx))
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	bins, err := findBinaries(ctx, logf)
	if err != nil {
		return nil, err
	}
	runner, err := resolveUser(ctx, logf)
	if err != nil {
		return nil, err
	}
	c := &Cluster{
		dir:       dir,
		logPath:   filepath.Join(dir, "log", "postgres.log"),
		port:      opts.Port,
		ephemeral: opts.Ephemeral,
		bins:      bins,
		user:      runner,
		logf:      logf,
	}

	// Checks that must not modify anything: the directory may belong to a running server
	// or hold someone else's files.
	if err := c.clearStaleLock(ctx); err != nil {
		return nil, err
	}
	if c.port == 0 {
		if c.port, err = freePort(); err != nil {
			return nil, err
		}
	} else if err := checkPortFree(c.port); err != nil {
		return nil, err
	}
	if err := checkDirUsable(dir); err != nil {
		return nil, err
	}

	// From here on a failure must undo what was done.
	if err := c.prepare(ctx); err != nil {
		return nil, c.abort(ctx, err)
	}
	if err := c.startServer(ctx, opts.Port == 0); err != nil {
		return nil, c.abort(ctx, err)
	}
	if err := c.ensureRolesAndDatabase(ctx); err != nil {
		return nil, c.abort(ctx, err)
	}
	c.logf("PostgreSQL %s ready on %s:%d", c.bins.version, listenHost, c.port)
	return c, nil
}

// Stop shuts the server down with a fast shutdown (open sessions are disconnected,
// committed data is safe) and, for an ephemeral cluster, deletes Dir. Calling it again
// after it succeeded does nothing.
func (c *Cluster) Stop(ctx context.Context) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil
	}
	if err := c.stopServer(ctx); err != nil {
		return err // keep Dir: the server may still be using it
	}
	if c.ephemeral {
		if err := os.RemoveAll(c.dir); err != nil {
			return fmt.Errorf("pgcluster: removing %s: %w", c.dir, err) // a later Stop retries
		}
	}
	c.stopped = true
	return nil
}

// abort cleans up after a failed or cancelled Start and returns cause (with any cleanup
// error). It uses a fresh deadline because ctx may be the reason we are aborting.
func (c *Cluster) abort(ctx context.Context, cause error) error {
	if ctx.Err() != nil && !errors.Is(cause, ctx.Err()) {
		cause = fmt.Errorf("%w (%w)", cause, context.Cause(ctx))
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pgCtlTimeout)
	defer cancel()
	if err := c.Stop(stopCtx); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// checkDirUsable refuses a non-empty directory that is not a data directory, so that a
// mistyped path cannot make us initialise a cluster over (or, if ephemeral, delete)
// unrelated files.
func checkDirUsable(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		return fmt.Errorf("pgcluster: %s is not empty and is not a PostgreSQL data directory (no PG_VERSION); choose another directory", dir)
	}
	return nil
}

// prepare creates the cluster if needed, loads its passwords and makes the directory
// acceptable to PostgreSQL (owner, mode 0700, log directory).
func (c *Cluster) prepare(ctx context.Context) error {
	parent := filepath.Dir(c.dir)
	if err := os.MkdirAll(parent, 0o755); err != nil { // #nosec G301 -- the parent of the cluster directory; the cluster itself is 0700
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := c.user.checkReachable(parent, c.dir); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(c.dir, "PG_VERSION")); err == nil {
		if c.creds, err = loadCredentials(filepath.Join(c.dir, credentialsFileName)); err != nil {
			return err
		}
	} else if err := c.initdb(ctx); err != nil {
		return err
	}
	if err := c.user.ownTree(c.dir); err != nil {
		return err
	}
	if fi, err := os.Stat(c.dir); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	} else if perm := fi.Mode().Perm(); perm != 0o700 && perm != 0o750 { // 0750 is PostgreSQL's group-access mode
		if err := os.Chmod(c.dir, 0o700); err != nil { // #nosec G302 -- a directory: 0700 is what PostgreSQL requires
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	logDir := filepath.Dir(c.logPath)
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := c.user.chown(logDir); err != nil {
		return err
	}
	// Keep one previous log so a persistent cluster's log does not grow without bound.
	if fi, err := os.Stat(c.logPath); err == nil && fi.Size() > 0 {
		if err := os.Rename(c.logPath, c.logPath+".1"); err != nil {
			return fmt.Errorf("pgcluster: rotating the server log: %w", err)
		}
	}
	return nil
}
