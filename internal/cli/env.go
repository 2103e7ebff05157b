package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/service"
)

func (a *app) newEnv() *cobra.Command {
	cmd := &cobra.Command{Use: "env", Short: "Create, list and delete environments"}
	var typ, from string
	var ttl time.Duration
	create := a.envCommand("create --platform DIR --app APP --env NAME --type TYPE [--ttl DURATION] [--clone-from ENV]",
		"Create an environment of an app, optionally ephemeral or cloned",
		`Create records a new environment of an environment type. With --ttl it is
ephemeral: pave gc destroys it when the time is up. With --clone-from it starts
with the workloads currently deployed in another environment, deployed now.`,
		"  pave env create --platform examples/platform --app shop --env pr-42 --type development --ttl 24h --clone-from development",
		noArgs,
		func(cmd *cobra.Command, svc core, req service.DeployRequest, _ []string) (*service.DeployResult, error) {
			if typ == "" {
				return nil, usagef("missing --type")
			}
			rec, res, err := svc.CreateEnvironment(cmd.Context(), service.CreateEnvironmentRequest{Platform: req.Platform, Policies: req.Policies, App: req.App,
				Env: req.Env, Type: typ, TTL: ttl, CloneFrom: from, Actor: req.Actor},
				func(d service.DeployRequest) service.DeployRequest {
					d.Progress, d.Images = req.Progress, req.Images
					return d
				})
			if rec != nil && res == nil && err == nil {
				fmt.Fprintf(a.stdout, "environment %s/%s created (type %s)\n", rec.App, rec.Name, rec.Type)
			}
			return res, err
		},
		func(c *cobra.Command) {
			c.Flags().StringVar(&typ, "type", "", "environment type")
			c.Flags().DurationVar(&ttl, "ttl", 0, "time to live of an ephemeral environment, such as 24h")
			c.Flags().StringVar(&from, "clone-from", "", "environment whose current workloads to deploy")
		})
	del := a.envCommand("delete --platform DIR --app APP --env NAME", "Destroy an environment and forget it",
		"Delete destroys everything of the environment, then removes its record and history.",
		"  pave env delete --platform examples/platform --app shop --env pr-42", noArgs,
		func(cmd *cobra.Command, svc core, req service.DeployRequest, _ []string) (*service.DeployResult, error) {
			return svc.DeleteEnvironment(cmd.Context(), req)
		}, nil)
	list := a.stateCommand("list --app APP", "List an app's environments",
		"  pave env list --app shop", noArgs,
		func(cmd *cobra.Command, svc core, app, _ string, _ []string, asJSON bool) error {
			if app == "" {
				return usagef("--app is required")
			}
			envs, err := svc.ListEnvironments(cmd.Context(), localActor(), app)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, envs)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTYPE\tEXPIRES\tCLONED FROM")
			for _, e := range envs {
				exp := "-"
				if e.ExpiresAt != nil {
					exp = e.ExpiresAt.Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Name, e.Type, exp, orDash(e.ClonedFrom))
			}
			return tw.Flush()
		}, nil)
	cmd.AddCommand(create, list, del)
	return cmd
}

func (a *app) newGC() *cobra.Command {
	var sf stateFlags
	var platformDir string
	cmd := &cobra.Command{Use: "gc --platform DIR", Short: "Destroy ephemeral environments whose time to live is over",
		Long: `Gc destroys and deletes every environment whose time to live is over, each
as its deletion by you would be. Platform engineers and admins only.`,
		Example: "  pave gc --platform examples/platform", Args: noArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			// Flags first: a local mistake creates no state.
			login, err := loginFor(cmd)
			if err != nil {
				return err
			}
			if login == nil && platformDir == "" {
				return usagef("missing --platform")
			}
			d, err := a.open(cmd, sf, true)
			if err != nil {
				return err
			}
			defer d.close()
			cfg := &service.Config{}
			if d.svc != nil {
				if cfg, err = a.loadConfig(d.svc, platformDir); err != nil {
					return err
				}
			}
			pp := &progressPrinter{w: a.stdout}
			done, err := d.GC(cmd.Context(), *cfg, localActor(), func(d service.DeployRequest) service.DeployRequest { d.Progress = pp.event; return d })
			for _, e := range done {
				fmt.Fprintf(a.stdout, "destroyed expired environment %s/%s\n", e.App, e.Name)
			}
			if len(done) == 0 && err == nil {
				fmt.Fprintln(a.stdout, "no expired environment")
			}
			return err
		})}
	cmd.Flags().StringVar(&platformDir, "platform", envOr("PAVE_PLATFORM", ""), "platform config directory (env PAVE_PLATFORM)")
	sf.register(cmd)
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
