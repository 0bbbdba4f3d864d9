package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/maintainuk/maintainuk/internal/pgcluster"
)

// withPostgres runs a command against a throwaway cluster whose superuser URL it passes as
// TEST_DATABASE_URL (the test harness creates its own owner and application roles from it).
// The cluster and its files are gone when the command ends.
func withPostgres(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return errors.New("usage: maintainuk with-postgres -- CMD [ARGS…]")
	}
	dir, err := os.MkdirTemp("", "maintainuk-test-pg-")
	if err != nil {
		return err
	}
	// The unprivileged server user must be able to reach the directory.
	if err := os.Chmod(dir, 0o755); err != nil { // #nosec G302 -- a directory: the unprivileged server user must be able to reach it
		return err
	}
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{
		Dir: dir + "/data", Ephemeral: true,
		Logf: func(format string, a ...any) { fmt.Fprintf(env.Stderr, "with-postgres: "+format+"\n", a...) },
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	defer func() {
		_ = cluster.Stop(context.WithoutCancel(ctx))
		_ = os.RemoveAll(dir)
	}()
	fmt.Fprintf(env.Stderr, "with-postgres: throwaway PostgreSQL on 127.0.0.1:%d\n", cluster.Port())

	cmd := exec.CommandContext(ctx, args[0], args[1:]...) // #nosec G204 -- with-postgres runs the command its caller gives it; that is its purpose
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, env.Stdout, env.Stderr
	cmd.Env = append(os.Environ(),
		"TEST_DATABASE_URL="+cluster.SuperuserURL(""),
	)
	err = cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitCode(exitErr.ExitCode())
	}
	return err
}
