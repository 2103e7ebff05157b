// Command supervisor stands in for `pave __supervise` in the process
// target's tests: it runs process.RunSupervisor the way pave's hidden
// command does.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/pavedev/pave/internal/target/process"
)

func main() {
	if len(os.Args) != 5 || os.Args[1] != process.SupervisorSubcommand {
		fmt.Fprintln(os.Stderr, "usage: supervisor __supervise STATE_DIR APP ENV")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := process.RunSupervisor(ctx, os.Args[2], os.Args[3], os.Args[4]); err != nil {
		fmt.Fprintln(os.Stderr, "supervisor:", err)
		os.Exit(1)
	}
}
