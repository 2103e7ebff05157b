package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/target"
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
		Example: "  pave logs --platform examples/platform --app shop --env development api --tail 50",
		Args:    cobra.ExactArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := ef.check(); err != nil {
				return err
			}
			svc, closeSvc, err := a.service(cmd.Context(), sf, true)
			if err != nil {
				return err
			}
			defer closeSvc()
			p, err := a.loadPlatform(svc, ef.platformDir)
			if err != nil {
				return err
			}
			tgt, cfg, err := targetOf(svc, p, ef.env)
			if err != nil {
				return err
			}
			lr, ok := tgt.(target.LogReader)
			if !ok {
				return errs.New(errs.Invalid, "the target of environment %q keeps no logs pave can read", ef.env)
			}
			lines, err := lr.Logs(cmd.Context(), cfg, ef.app, ef.env, args[0], tail)
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
	cmd.Flags().IntVar(&tail, "tail", 100, "how many lines")
	return cmd
}

// targetOf returns the target of a config environment with its config as
// written (log and status reading need no secrets).
func targetOf(svc *service.Service, p *platform.Platform, env string) (target.Target, target.Config, error) {
	e, err := p.Environment(env)
	if err != nil {
		return nil, nil, err
	}
	t, ok := svc.Targets.Get(e.Target.Kind)
	if !ok {
		return nil, nil, errs.New(errs.Invalid, "unknown target %q", e.Target.Kind)
	}
	return t, target.Config(e.Target.Config), nil
}
