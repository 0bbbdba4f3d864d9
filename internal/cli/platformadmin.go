package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/maintainuk/maintainuk/internal/app"
	"github.com/maintainuk/maintainuk/internal/config"
)

// platformAdmin grants or removes platform-operator rights: the only way to get them.
func platformAdmin(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) < 1 || len(args) > 2 || (len(args) == 2 && args[1] != "--remove") {
		return errors.New("usage: maintainuk platform-admin EMAIL [--remove]")
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	on := len(args) == 1
	if err := a.Identity.SetPlatformAdmin(ctx, args[0], on); err != nil {
		return err
	}
	if on {
		fmt.Fprintf(out, "%s may now open the job dashboard at %s/admin/jobs/\n", args[0], cfg.BaseURL)
	} else {
		fmt.Fprintf(out, "%s is no longer a platform operator\n", args[0])
	}
	return nil
}
