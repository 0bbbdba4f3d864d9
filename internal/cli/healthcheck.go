package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// healthcheckTimeout bounds the whole check, so a hung server reads as unhealthy.
const healthcheckTimeout = 2 * time.Second

// healthcheck asks a running server on this machine whether it is alive: GET
// /health/live on 127.0.0.1 at HTTP_ADDR's port (or at the ADDR given, e.g. a worker's
// METRICS_ADDR), answering nil for 200 and an error otherwise. It is the container image's
// HEALTHCHECK: distroless has no shell nor curl. It reads HTTP_ADDR alone, not the whole
// configuration, so it never needs the process's secrets.
func healthcheck(ctx context.Context, args []string, env Env) error {
	addr := env.Getenv("HTTP_ADDR")
	switch {
	case len(args) == 1:
		addr = args[0]
	case len(args) > 1:
		return fmt.Errorf("usage: maintainuk healthcheck [ADDR]")
	}
	if addr == "" {
		addr = ":8080" // HTTP_ADDR's default (internal/config)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1" // listening on every interface: ask over loopback
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/health/live"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
