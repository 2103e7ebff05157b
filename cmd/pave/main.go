// Command pave is an infrastructure-first Internal Developer Platform: it turns
// Score workloads into provisioned resources and running deployments.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pavedev/pave/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
