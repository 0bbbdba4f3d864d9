package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/maintainuk/maintainuk/internal/config"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/identity"
)

// platformAdmin grants or removes platform-operator rights: the only way to get them.
func platformAdmin(ctx context.Context, cfg *config.Config, _ *slog.Logger, args []string, out io.Writer) error {
	if len(args) < 1 || len(args) > 2 || (len(args) == 2 && args[1] != "--remove") {
		return errors.New("usage: maintainuk platform-admin EMAIL [--remove]")
	}
	if cfg.MigrationDatabaseURL == "" {
		return errors.New("MIGRATION_DATABASE_URL must be set: only the schema owner may grant platform-operator rights")
	}
	on := len(args) == 1
	if err := setPlatformAdmin(ctx, cfg, args[0], on); err != nil {
		return err
	}
	if on {
		fmt.Fprintf(out, "%s may now open the job dashboard at %s/admin/jobs/\n", args[0], cfg.BaseURL)
	} else {
		fmt.Fprintf(out, "%s is no longer a platform operator\n", args[0])
	}
	return nil
}

// setPlatformAdmin connects as the schema owner (MIGRATION_DATABASE_URL): the
// application's role may not write the operator flag.
func setPlatformAdmin(ctx context.Context, cfg *config.Config, email string, on bool) error {
	owner, err := database.Open(ctx, cfg.MigrationDatabaseURL, 2)
	if err != nil {
		return err
	}
	defer owner.Close()
	return identity.SetPlatformAdmin(ctx, owner, email, on)
}

// grantAsOwner is how the demo data (internal/demo) gets to make its admin a platform operator: only in
// development, where the demo password is public anyway, and only with an owner URL.
func grantAsOwner(cfg *config.Config) func(context.Context, string) error {
	if !cfg.IsDevelopment() || cfg.MigrationDatabaseURL == "" || cfg.MigrationDatabaseURL == cfg.DatabaseURL {
		return nil // no schema owner's connection: the demo admin is not an operator
	}
	return func(ctx context.Context, email string) error { return setPlatformAdmin(ctx, cfg, email, true) }
}
