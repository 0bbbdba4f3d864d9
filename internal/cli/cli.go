// Package cli is the maintainuk command: its subcommands parse the environment, assemble
// the app and run it. main() only calls Main.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/maintainuk/maintainuk/internal/config"
)

const usage = `maintainuk: property maintenance for UK letting agents, landlords and housing associations.

Usage:
  maintainuk [command]

Commands:
  serve       HTTP API and job workers in one process (the default)
  worker      job workers only, for scaling out
  migrate     apply database migrations (as the schema owner)
  seed-demo   create the "Demo Lettings" organisation with demo users and data
              (APP_ENV=development only)
  platform-admin EMAIL [--remove]
              let a user open the job dashboard at /admin/jobs (or stop them)
  healthcheck [ADDR]
              exit 0 if the server on this machine answers GET /health/live within 2 s
              (at HTTP_ADDR's port, or ADDR), 1 otherwise: the container's HEALTHCHECK
  dev         zero-config local run: private PostgreSQL under DATA_DIR, migrate, seed, serve
  openapi     print the OpenAPI 3.1 document (as served at /openapi.json; servers from BASE_URL)
  loadtest -url URL -email EMAIL [flags]
              drive a running server with load scenarios and report rates and latencies
              (passwords from LOADTEST_PASSWORD; 'maintainuk loadtest -h' lists the flags)
  ai-eval FILE.jsonl [--provider P]
              measure AI classification on labelled reports (category and priority
              accuracy, EMERGENCY recall and precision, confusion matrices)
  with-postgres -- CMD [ARGS…]
              run CMD against a throwaway PostgreSQL cluster (TEST_DATABASE_URL is set for it);
              'make test' uses this

Configuration comes from the environment; see docs/configuration.md. Every command runs
in production mode (APP_ENV=production) unless told otherwise, except dev.
`

// Env is what a command needs from the process.
type Env struct {
	Args   []string // without the program name
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
}

// Main runs a subcommand until ctx is cancelled (SIGINT/SIGTERM) and returns the exit code.
func Main(ctx context.Context, env Env) int {
	cmd := "serve"
	args := env.Args
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = withConfig(env, func(cfg *config.Config, log *slog.Logger) error { return serve(ctx, cfg, log) })
	case "worker":
		err = withConfig(env, func(cfg *config.Config, log *slog.Logger) error { return worker(ctx, cfg, log) })
	case "migrate":
		err = withConfig(env, func(cfg *config.Config, log *slog.Logger) error { return migrate(ctx, cfg, log) })
	case "seed-demo":
		err = withConfig(env, func(cfg *config.Config, log *slog.Logger) error { return seedDemo(ctx, cfg, log, env.Stdout) })
	case "dev":
		devEnv := env
		devEnv.Getenv = config.DevelopmentDefaults(env.Getenv)
		err = withConfig(devEnv, func(cfg *config.Config, log *slog.Logger) error {
			return dev(ctx, cfg, log, env.Stdout, env.Getenv("BASE_URL") != "")
		})
	case "platform-admin":
		err = withConfig(env, func(cfg *config.Config, log *slog.Logger) error {
			return platformAdmin(ctx, cfg, log, args, env.Stdout)
		})
	case "with-postgres":
		err = withPostgres(ctx, args, env)
	case "healthcheck":
		err = healthcheck(ctx, args, env)
	case "config-doc":
		configDoc(env.Stdout)
		return 0
	case "openapi":
		err = openAPI(env, env.Stdout)
	case "loadtest":
		err = runLoadtest(ctx, args, env)
	case "ai-eval":
		err = aiEval(ctx, args, env)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return 0
	default:
		fmt.Fprintf(env.Stderr, "maintainuk: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		var exit exitCode
		if errors.As(err, &exit) {
			return int(exit)
		}
		fmt.Fprintf(env.Stderr, "maintainuk %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// exitCode passes a child command's exit status through.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func withConfig(env Env, run func(*config.Config, *slog.Logger) error) error {
	cfg, err := config.Load(env.Getenv)
	if err != nil {
		return err
	}
	return run(cfg, newLogger(cfg.LogLevel, env.Stderr))
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(strings.ToUpper(level)))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
