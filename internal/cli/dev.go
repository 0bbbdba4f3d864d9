package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/maintainuk/maintainuk/internal/app"
	"github.com/maintainuk/maintainuk/internal/config"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/demo"
	"github.com/maintainuk/maintainuk/internal/pgcluster"
)

// devPostgresPort is the private cluster's port: fixed, so its URL is the same every run,
// and away from a system PostgreSQL on 5432.
const devPostgresPort = 54329

// dev is the zero-configuration local run: the private cluster (unless DATABASE_URL is
// set), migrations, demo data, then serve until Ctrl-C, and stop the cluster cleanly.
// baseURLSet says whether BASE_URL was given: if not, the links in emails and the printed
// URL follow HTTP_ADDR.
func dev(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer, baseURLSet bool) error {
	if !cfg.IsDevelopment() {
		return errors.New("dev runs only with APP_ENV=development")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil { // #nosec G301 -- DATA_DIR of `maintainuk dev`; the cluster and uploads below it set their own modes
		return err
	}
	if cfg.DatabaseURL == "" {
		logf := func(format string, args ...any) { fmt.Fprintf(out, "  "+format+"\n", args...) }
		// As root, PostgreSQL runs as an unprivileged user, which cannot reach a checkout
		// under a private directory such as /root: the cluster then lives under
		// /var/lib/maintainuk instead (the rest of DATA_DIR stays where it is).
		dir, moved, err := pgcluster.DirFor(ctx, filepath.Join(cfg.DataDir, "postgres"), pgcluster.DefaultFallbackRoot, logf)
		if err != nil {
			return err
		}
		if moved {
			abs, _ := filepath.Abs(cfg.DataDir)
			fmt.Fprintf(out, "PostgreSQL runs as an unprivileged user, which cannot reach %s;\n  its data directory is %s instead (the same on every run of this checkout).\n",
				abs, dir)
		}
		fmt.Fprintf(out, "Starting the private PostgreSQL under %s …\n", dir)
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Port: devPostgresPort, Logf: logf})
		if err != nil {
			return err
		}
		defer func() {
			fmt.Fprintln(out, "Stopping PostgreSQL …")
			if err := cluster.Stop(context.WithoutCancel(ctx)); err != nil {
				fmt.Fprintf(out, "  %v\n", err)
			}
		}()
		cfg.DatabaseURL = cluster.AppURL("")
		cfg.MigrationDatabaseURL = cluster.OwnerURL("")
	}
	if cfg.AppSecret == "" {
		secret, err := devSecret(cfg.DataDir)
		if err != nil {
			return err
		}
		cfg.AppSecret = secret
	}
	if err := database.Migrate(ctx, cfg.MigrationDatabaseURL, log); err != nil {
		return err
	}
	// Listen before building the application, so that BASE_URL (the links in emails and
	// the URL printed below) can name the address actually served.
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (HTTP_ADDR): %w; is another maintainuk running?", cfg.HTTPAddr, err)
	}
	defer ln.Close()
	if !baseURLSet {
		cfg.BaseURL = servedURL(cfg.HTTPAddr, ln.Addr())
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := demo.Seed(ctx, withOperator(demo.ServicesOf(a), cfg)); err != nil {
		return err
	}
	printWelcome(out, cfg.BaseURL)
	return a.Run(ctx, ln)
}

// devSecret returns the development signing secret, creating it on first use. It lives
// under DATA_DIR so sessions survive restarts; production must set APP_SECRET.
func devSecret(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "app-secret")
	b, err := os.ReadFile(path) // #nosec G304 -- the dev secret under the configured DATA_DIR
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	secret := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return secret, nil
}

// servedURL is the http URL of a listener opened on httpAddr: its host as given (a
// wildcard or empty host becomes localhost) and the port actually bound (which differs
// from httpAddr's when that asks for port 0).
func servedURL(httpAddr string, bound net.Addr) string {
	host, _, _ := net.SplitHostPort(httpAddr)
	switch host {
	case "", "0.0.0.0", "::", "[::]":
		host = "localhost"
	}
	port := ""
	if tcp, ok := bound.(*net.TCPAddr); ok {
		port = fmt.Sprint(tcp.Port)
	} else if _, p, err := net.SplitHostPort(bound.String()); err == nil {
		port = p
	}
	return "http://" + net.JoinHostPort(host, port)
}

func printWelcome(out io.Writer, baseURL string) {
	fmt.Fprintf(out, "\nMaintainUK is running at %s  (API docs: %s/docs, Ctrl-C to stop)\n\n", baseURL, baseURL)
	fmt.Fprintf(out, "Demo logins (organisation \"Demo Lettings\"), password %q:\n", demo.Password)
	for _, l := range demo.Logins {
		fmt.Fprintf(out, "  %-12s %s\n", l.Role, l.Email)
	}
	fmt.Fprintf(out, "\nJob dashboard: %s/admin/jobs/ (log in as %s). Emails and texts: %s/dev/mailbox\n", baseURL, demo.Logins[0].Email, baseURL)
	fmt.Fprintf(out, "\nTry:\n  curl -s %s/api/v1/auth/login -H 'Content-Type: application/json' \\\n    -d '{\"email\":\"%s\",\"password\":\"%s\"}'\n\n",
		baseURL, demo.Logins[0].Email, demo.Password)
}
