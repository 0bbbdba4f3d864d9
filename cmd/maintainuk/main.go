// Command maintainuk is the whole MaintainUK service in one binary; see `maintainuk help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/maintainuk/maintainuk/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, cli.Env{Args: os.Args[1:], Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
