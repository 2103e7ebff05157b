package cli

import (
	"fmt"
	"github.com/pavedev/pave/internal/yamldoc"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/service"
)

func (a *app) newPlan() *cobra.Command {
	var output string
	var images []string
	var ef envFlags
	var wf workloadFlags
	var sf stateFlags
	cmd := &cobra.Command{
		Use:   "plan --platform DIR --app APP --env ENV [-o text|json] FILE...",
		Short: "Show what deploying the workloads would do",
		Long: `Plan resolves the workloads against the platform config in one environment:
every resource with its definition, driver, dependencies and action (create,
update, keep, delete) against the environment's current state, and every
workload. The plan is deterministic: the same inputs give the same hash.
Every policy of the platform is evaluated on it and every finding shown
(deny, approval, warn), with what deploying it would wait for; a plan that
a policy denies is still shown and exits 0: deploying it would exit 3.`,
		Example: `  pave plan --platform examples/platform --app shop --env development examples/shop/*.score.yaml
  pave plan --platform examples/platform --app shop --env staging -o json examples/shop/*.score.yaml`,
		RunE: runE(func(cmd *cobra.Command, files []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			d, err := a.open(cmd, sf, false)
			if err != nil {
				return err
			}
			defer d.close()
			if err := ef.checkFor(d); err != nil {
				return err
			}
			cfg, err := a.configFor(d, ef.platformDir)
			if err != nil {
				return err
			}
			ws, err := wf.parse(files)
			if err != nil {
				return err
			}
			imgs, err := parseImages(images)
			if err != nil {
				return err
			}
			plan, err := d.Plan(cmd.Context(), service.PlanRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: ef.app, Env: ef.env,
				Workloads: ws, Images: imgs, Actor: localActor()})
			if err != nil {
				return err
			}
			return a.showPlan(plan, output == formatJSON)
		}),
	}
	cmd.Flags().StringVarP(&output, "output", "o", formatText, "output format: text or json")
	cmd.Flags().StringArrayVar(&images, "image", nil, `image for a container whose image is ".", for policies: [WORKLOAD.]CONTAINER=IMAGE`)
	ef.register(cmd)
	wf.register(cmd)
	sf.register(cmd)
	return cmd
}

func (a *app) printPlan(p *graph.Plan) {
	fmt.Fprintf(a.stdout, "Plan %s\napp %s, environment %s (type %s, target %s)\n\n", p.Hash, p.App, p.Env, p.EnvType, p.Target)
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tRESOURCE\tDEFINITION\tDRIVER\tDEPENDS ON")
	counts := map[graph.Action]int{}
	for _, r := range p.Resources {
		counts[r.Action]++
		deps := strings.Join(r.DependsOn, ", ")
		if deps == "" {
			deps = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Action, r.UID, r.Definition, r.Driver, deps)
	}
	tw.Flush()
	fmt.Fprintln(a.stdout)
	tw = tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tWORKLOAD\tRESOURCES")
	for _, w := range p.Workloads {
		var rs []string
		for _, name := range yamldoc.SortedKeys(w.Resources) {
			rs = append(rs, name+"="+w.Resources[name])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", w.Action, w.Name, strings.Join(rs, " "))
	}
	tw.Flush()
	fmt.Fprintf(a.stdout, "\n%d to create, %d to update, %d unchanged, %d to delete.\n",
		counts[graph.Create], counts[graph.Update], counts[graph.Keep], counts[graph.Delete])
}
