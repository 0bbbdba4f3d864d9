package pgcluster

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// initdb creates a new cluster. It initialises a sibling staging directory, stores the
// passwords in it and only then renames it to Dir, so an interrupted first run can never
// leave a cluster whose superuser password is lost.
func (c *Cluster) initdb(ctx context.Context) error {
	if c.ephemeral {
		c.logf("initialising a throwaway PostgreSQL %s cluster in %s", c.bins.version, c.dir)
	} else {
		c.logf("initialising a new PostgreSQL %s cluster in %s (first run only)", c.bins.version, c.dir)
	}
	creds, err := newCredentials()
	if err != nil {
		return err
	}
	staging := c.dir + ".initdb"
	defer os.RemoveAll(staging) // a no-op after the rename below
	pwfile, err := c.writePasswordFile(creds.Superuser)
	if err != nil {
		return err
	}
	defer os.Remove(pwfile)

	args := []string{
		"-D", staging,
		"-U", superuserName,
		"--auth-local=scram-sha-256",
		"--auth-host=scram-sha-256",
		"--encoding=UTF8",
		"--pwfile=" + pwfile,
	}
	if c.ephemeral {
		args = append(args, "--no-sync") // a test cluster need not survive a power cut
	}
	out, err := c.runInitdb(ctx, staging, append(args, "--locale=C.UTF-8"))
	if err != nil && ctx.Err() == nil && strings.Contains(out, "invalid locale name") {
		c.logf("locale C.UTF-8 is unavailable; initialising with --no-locale")
		out, err = c.runInitdb(ctx, staging, append(args, "--no-locale"))
	}
	if ctx.Err() != nil {
		return fmt.Errorf("pgcluster: initdb interrupted: %w", context.Cause(ctx))
	}
	if err != nil {
		return fmt.Errorf("pgcluster: initdb failed: %v\n%s", err, lastLines(out, 20))
	}

	credPath := filepath.Join(staging, credentialsFileName)
	if err := creds.save(credPath); err != nil {
		return err
	}
	if err := c.user.chown(credPath); err != nil {
		return err
	}
	// rename(2) replaces Dir if it is an empty directory (checkDirUsable guaranteed that).
	if err := os.Rename(staging, c.dir); err != nil {
		return fmt.Errorf("pgcluster: moving the new cluster into place: %w", err)
	}
	c.creds = creds
	return nil
}

// runInitdb runs initdb on a freshly created, empty staging directory owned by the
// PostgreSQL user (it may not be allowed to create directories in Dir's parent).
func (c *Cluster) runInitdb(ctx context.Context, staging string, args []string) (string, error) {
	if err := os.RemoveAll(staging); err != nil {
		return "", fmt.Errorf("pgcluster: %w", err)
	}
	if err := os.Mkdir(staging, 0o700); err != nil {
		return "", fmt.Errorf("pgcluster: %w", err)
	}
	if err := c.user.chown(staging); err != nil {
		return "", err
	}
	return c.user.run(ctx, 5*time.Minute, c.bins.initdb, args...)
}

// writePasswordFile writes the superuser password for initdb --pwfile to a private
// temporary file readable by the PostgreSQL user. (initdb cannot read it from a pipe we
// create: as another user it may not reopen our /dev/stdin.)
func (c *Cluster) writePasswordFile(password string) (string, error) {
	f, err := os.CreateTemp("", "maintainuk-pgpass-*")
	if err != nil {
		return "", fmt.Errorf("pgcluster: creating the initdb password file: %w", err)
	}
	_, err = io.WriteString(f, password+"\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		err = fmt.Errorf("pgcluster: writing the initdb password file: %w", err)
	}
	if err == nil {
		err = c.user.chown(f.Name())
	}
	if err == nil {
		err = c.user.checkReachable(filepath.Dir(f.Name()), f.Name())
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
