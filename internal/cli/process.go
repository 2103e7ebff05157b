package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/target/process"
)

// newSupervise is the hidden command the process target re-executes pave
// with, to supervise an environment's processes in the background.
func (a *app) newSupervise() *cobra.Command {
	return &cobra.Command{Use: process.SupervisorSubcommand + " STATE_DIR APP ENV", Hidden: true, Args: cobra.ExactArgs(3),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return process.RunSupervisor(cmd.Context(), args[0], args[1], args[2])
		})}
}

func (a *app) newLogs() *cobra.Command {
	var ef envFlags
	var sf stateFlags
	var tail int
	cmd := &cobra.Command{Use: "logs --platform DIR --app APP --env ENV WORKLOAD", Short: "Show a workload's recent logs",
		Long: `Logs prints the last --tail lines (0 for all) of a workload's output, from
targets that keep it (process, compose). Logged in to a server, they are the
server's.`,
		Example: "  pave logs --platform examples/platform --app shop --env development api --tail 50",
		Args:    cobra.ExactArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if tail < 0 {
				return usagef("--tail must be 0 (all) or more")
			}
			// Flags first: a local mistake creates no state.
			login, err := loginFor(cmd)
			if err != nil {
				return err
			}
			if err := ef.checkWhere(login != nil); err != nil {
				return err
			}
			d, err := a.open(cmd, sf, true)
			if err != nil {
				return err
			}
			defer d.close()
			req := service.LogsRequest{App: ef.app, Env: ef.env, Workload: args[0], Tail: tail, Actor: localActor()}
			if d.svc != nil {
				if req.Platform, err = a.loadPlatform(d.svc, ef.platformDir); err != nil {
					return err
				}
			}
			lines, err := d.Logs(cmd.Context(), req)
			if err != nil {
				return err
			}
			for _, l := range lines {
				fmt.Fprintln(a.stdout, l)
			}
			return nil
		})}
	ef.register(cmd)
	sf.register(cmd)
	cmd.Flags().IntVar(&tail, "tail", 100, "how many lines (0 for all)")
	return cmd
}
