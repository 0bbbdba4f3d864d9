package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/maintainuk/maintainuk/internal/app"
	"github.com/maintainuk/maintainuk/internal/config"
	"github.com/maintainuk/maintainuk/internal/demo"
)

// seedDemo creates the demo organisation, whose logins and password are public: never in
// production.
func seedDemo(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer) error {
	if !cfg.IsDevelopment() {
		return errors.New("seed-demo runs only with APP_ENV=development: the demo logins and password are published")
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	created, err := demo.Seed(ctx, withOperator(demo.ServicesOf(a), cfg))
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintln(out, "Created the Demo Lettings organisation.")
	} else {
		fmt.Fprintln(out, "Demo Lettings already exists; nothing to do.")
	}
	return nil
}

// withOperator lets seeding make the demo admin a platform operator (development only).
func withOperator(s demo.Services, cfg *config.Config) demo.Services {
	s.GrantPlatformOperator = grantAsOwner(cfg)
	return s
}
