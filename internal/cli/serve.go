package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/maintainuk/maintainuk/internal/app"
	"github.com/maintainuk/maintainuk/internal/config"
	"github.com/maintainuk/maintainuk/internal/database"
)

func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (HTTP_ADDR): %w", cfg.HTTPAddr, err)
	}
	return a.Run(ctx, ln)
}

// worker runs the job workers without the HTTP server, for scaling out.
func worker(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Work(ctx)
}

func migrate(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	if cfg.MigrationDatabaseURL == "" {
		if !cfg.IsDevelopment() {
			return fmt.Errorf("MIGRATION_DATABASE_URL must be set: migrations run as the schema owner, a role the application never uses (for the private development cluster use `maintainuk dev`)")
		}
		return fmt.Errorf("MIGRATION_DATABASE_URL or DATABASE_URL must be set (for the private development cluster use `maintainuk dev`)")
	}
	return database.Migrate(ctx, cfg.MigrationDatabaseURL, log)
}
