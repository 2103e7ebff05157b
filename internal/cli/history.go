package cli

import (
	"fmt"
	"github.com/pavedev/pave/internal/yamldoc"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// stateCommand builds a command that reads state for an app and
// environment and prints text or JSON.
func (a *app) stateCommand(use, short, example string, args cobra.PositionalArgs,
	run func(cmd *cobra.Command, svc core, app, env string, args []string, json bool) error,
	extra func(cmd *cobra.Command)) *cobra.Command {
	var sf stateFlags
	var output, appName, env string
	cmd := &cobra.Command{Use: use, Short: short, Example: example, Args: args,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			d, err := a.open(cmd, sf, true)
			if err != nil {
				return err
			}
			defer d.close()
			return run(cmd, d, appName, env, args, output == formatJSON)
		})}
	cmd.Flags().StringVarP(&output, "output", "o", formatText, "output format: text or json")
	cmd.Flags().StringVar(&appName, "app", "", "app name")
	cmd.Flags().StringVar(&env, "env", "", "environment name")
	sf.register(cmd)
	if extra != nil {
		extra(cmd)
	}
	return cmd
}

func needAppEnv(app, env string) error {
	if app == "" || env == "" {
		return usagef("--app and --env are required")
	}
	return nil
}

func (a *app) newResources() *cobra.Command {
	cmd := &cobra.Command{Use: "resources", Short: "List provisioned resources and their outputs"}
	var reveal bool
	list := func(outputsOnly bool) func(cmd *cobra.Command, svc core, app, env string, args []string, asJSON bool) error {
		return func(cmd *cobra.Command, svc core, app, env string, args []string, asJSON bool) error {
			if err := needAppEnv(app, env); err != nil {
				return err
			}
			rs, err := svc.Resources(cmd.Context(), nil, localActor(), app, env, reveal)
			if err != nil {
				return err
			}
			if outputsOnly && len(args) == 1 {
				for _, r := range rs {
					if r.UID == args[0] {
						if asJSON {
							return writeJSON(a.stdout, r.Outputs)
						}
						for _, k := range yamldoc.SortedKeys(r.Outputs) {
							fmt.Fprintf(a.stdout, "%s=%v\n", k, r.Outputs[k])
						}
						return nil
					}
				}
				return usagef("no resource %q in %s/%s", args[0], app, env)
			}
			if asJSON {
				return writeJSON(a.stdout, rs)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "UID\tSTATUS\tDEFINITION\tDRIVER\tOUTPUTS")
			for _, r := range rs {
				var outs []string
				for _, k := range yamldoc.SortedKeys(r.Outputs) {
					outs = append(outs, fmt.Sprintf("%s=%v", k, r.Outputs[k]))
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.UID, r.Status, r.Definition, r.Driver, strings.Join(outs, " "))
			}
			return tw.Flush()
		}
	}
	revealFlag := func(c *cobra.Command) {
		c.Flags().BoolVar(&reveal, "reveal", false, "show secret outputs in clear (recorded in the audit log)")
	}
	cmd.AddCommand(
		a.stateCommand("list --app APP --env ENV [-o text|json] [--reveal]", "List an environment's resources",
			"  pave resources list --app shop --env development -o json", noArgs, list(false), revealFlag),
		a.stateCommand("outputs --app APP --env ENV UID [--reveal]", "Show one resource's outputs",
			"  pave resources outputs --app shop --env development postgres.default#shop-db", cobra.ExactArgs(1), list(true), revealFlag),
	)
	return cmd
}

func (a *app) newDeployments() *cobra.Command {
	cmd := &cobra.Command{Use: "deployments", Short: "Show deployment history"}
	var limit int
	cmd.AddCommand(
		a.stateCommand("list --app APP --env ENV", "List an environment's deployments, newest first",
			"  pave deployments list --app shop --env development", noArgs,
			func(cmd *cobra.Command, svc core, app, env string, _ []string, asJSON bool) error {
				if err := needAppEnv(app, env); err != nil {
					return err
				}
				ds, err := svc.Deployments(cmd.Context(), localActor(), app, env, limit)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, ds)
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSTATUS\tSTARTED\tACTOR\tPLAN")
				for _, d := range ds {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Status, d.StartedAt.Format(time.RFC3339), d.Actor, shortHash(d.PlanHash))
				}
				return tw.Flush()
			},
			func(c *cobra.Command) { c.Flags().IntVar(&limit, "limit", 20, "how many to show") }),
		a.stateCommand("show DEPLOYMENT", "Show a deployment and its events",
			"  pave deployments show 01JD3Q...", cobra.ExactArgs(1),
			func(cmd *cobra.Command, svc core, _, _ string, args []string, asJSON bool) error {
				d, err := svc.Deployment(cmd.Context(), localActor(), args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, d)
				}
				fmt.Fprintf(a.stdout, "deployment %s of %s/%s: %s\nstarted %s by %s, plan %s\n", d.ID, d.App, d.Env, d.Status,
					d.StartedAt.Format(time.RFC3339), d.Actor, d.PlanHash)
				if d.Error != "" {
					fmt.Fprintf(a.stdout, "error: %s\n", d.Error)
				}
				for _, e := range d.Events {
					fmt.Fprintf(a.stdout, "  %s %-8s %-8s %s %s %s\n", e.Time.Format("15:04:05.000"), e.Phase, e.Action, e.Node, dur(e.Duration), e.Message)
				}
				return nil
			}, nil),
	)
	return cmd
}

func shortHash(h string) string {
	h = strings.TrimPrefix(h, "sha256:")
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
