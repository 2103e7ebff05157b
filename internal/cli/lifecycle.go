package cli

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pavedev/pave/internal/service"
)

// envCommand builds a command that needs a platform, an app, an
// environment and state, and reports a deployment's progress.
func (a *app) envCommand(use, short, long, example string, args cobra.PositionalArgs,
	run func(cmd *cobra.Command, c core, req service.DeployRequest, args []string) (*service.DeployResult, error),
	extra func(cmd *cobra.Command)) *cobra.Command {
	var ef envFlags
	var sf stateFlags
	var df deployFlags
	cmd := &cobra.Command{Use: use, Short: short, Long: long, Example: example, Args: args,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(df.output); err != nil {
				return err
			}
			d, err := a.open(cmd, sf, true)
			if err != nil {
				return err
			}
			defer d.close()
			if err := ef.checkFor(d); err != nil {
				return err
			}
			imgs, err := parseImages(df.images)
			if err != nil {
				return err
			}
			cfg, err := a.configFor(d, ef.platformDir)
			if err != nil {
				return err
			}
			pp := &progressPrinter{w: a.stdout, json: df.output == formatJSON}
			req := service.DeployRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: ef.app, Env: ef.env, Images: imgs, Commit: df.commit,
				Actor: localActor(), Progress: pp.event}
			res, err := run(cmd, d, req, args)
			return pp.finish(res, err)
		})}
	ef.register(cmd)
	sf.register(cmd)
	df.register(cmd)
	if extra != nil {
		extra(cmd)
	}
	return cmd
}

func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

func (a *app) newDestroy() *cobra.Command {
	return a.envCommand("destroy --platform DIR --app APP --env ENV",
		"Remove every workload and resource of an environment",
		`Destroy stops the environment's workloads on its target and deprovisions every
resource, users before what they use. It exits 0 when nothing of the
environment is left.`,
		"  pave destroy --platform examples/platform --app shop --env development",
		noArgs,
		func(cmd *cobra.Command, svc core, req service.DeployRequest, _ []string) (*service.DeployResult, error) {
			return svc.Destroy(cmd.Context(), req)
		}, nil)
}

func (a *app) newPromote() *cobra.Command {
	var from string
	cmd := a.envCommand("promote --platform DIR --app APP --from ENV --to ENV",
		"Deploy the workloads running in one environment to another",
		`Promote takes the workloads of the last successful deployment of --from and
deploys them to --to, resolved with the definitions of the target
environment: the same Score files, other resources.`,
		"  pave promote --platform examples/platform --app shop --from development --to staging",
		noArgs,
		func(cmd *cobra.Command, svc core, req service.DeployRequest, _ []string) (*service.DeployResult, error) {
			if from == "" {
				return nil, usagef("missing --from")
			}
			return svc.Promote(cmd.Context(), from, req)
		},
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&from, "from", "", "environment to promote from")
		})
	// --to is the environment deployed to: an alias of --env.
	cmd.Flags().SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "to" {
			name = "env"
		}
		return pflag.NormalizedName(name)
	})
	return cmd
}

func (a *app) newRollback() *cobra.Command {
	var to string
	return a.envCommand("rollback --platform DIR --app APP --env ENV --to DEPLOYMENT",
		"Deploy again the workloads of an earlier deployment",
		`Rollback deploys the workloads an earlier deployment of the same environment
deployed, resolved with today's platform config.`,
		"  pave rollback --platform examples/platform --app shop --env staging --to 01JD3Q...",
		noArgs,
		func(cmd *cobra.Command, svc core, req service.DeployRequest, _ []string) (*service.DeployResult, error) {
			if to == "" {
				return nil, usagef("missing --to DEPLOYMENT")
			}
			return svc.Rollback(cmd.Context(), to, req)
		},
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&to, "to", "", "id of the deployment to roll back to")
		})
}
