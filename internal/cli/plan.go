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
	var preview, noPreview bool
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
a policy denies is still shown and exits 0: deploying it would exit 3.

Resources to create or update whose driver can preview them (tofu) show the
driver's preview: its summary ("3 to add, 0 to change, 0 to destroy") and
its plan, secrets redacted, made with the resource's current state.
Previews run the driver's tool, so they are made only when the plan is made
against state (a state directory or database exists, or a server plans);
--no-preview skips them, --preview makes them without state too. A preview
that fails (no tofu binary, a module error) is shown on its resource and
the plan still exits 0. Previews are not part of the plan's hash.`,
		Example: `  pave plan --platform examples/platform --app shop --env development examples/shop/*.score.yaml
  pave plan --platform examples/platform --app shop --env staging -o json examples/shop/*.score.yaml`,
		RunE: runE(func(cmd *cobra.Command, files []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			mode := service.PreviewAuto
			switch {
			case preview && noPreview:
				return usagef("--preview and --no-preview exclude each other")
			case preview:
				mode = service.PreviewOn
			case noPreview:
				mode = service.PreviewOff
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
				Workloads: ws, Images: imgs, Actor: localActor(), Preview: mode})
			if err != nil {
				return err
			}
			return a.showPlan(plan, output == formatJSON)
		}),
	}
	cmd.Flags().StringVarP(&output, "output", "o", formatText, "output format: text or json")
	cmd.Flags().StringArrayVar(&images, "image", nil, `image for a container whose image is ".", for policies: [WORKLOAD.]CONTAINER=IMAGE`)
	cmd.Flags().BoolVar(&noPreview, "no-preview", false, "do not ask drivers (tofu) to preview the resources they would provision")
	cmd.Flags().BoolVar(&preview, "preview", false, "ask drivers (tofu) for previews even when there is no state (by default only with state)")
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
	a.printPreviews(p)
}

// printPreviews prints the drivers' previews of the plan's resources: a
// line each, then the detail indented.
func (a *app) printPreviews(p *graph.Plan) {
	header := false
	for _, r := range p.Resources {
		pv := r.Preview
		if pv == nil {
			continue
		}
		if !header {
			fmt.Fprintln(a.stdout, "\nPreviews:")
			header = true
		}
		if first, rest, multi := strings.Cut(pv.Error, "\n"); pv.Error != "" {
			fmt.Fprintf(a.stdout, "  %s (%s): cannot preview: %s\n", r.UID, r.Driver, first)
			if multi {
				fmt.Fprintln(a.stdout, indent(rest, "      "))
			}
			continue
		}
		fmt.Fprintf(a.stdout, "  %s (%s): %s\n", r.UID, r.Driver, pv.Summary)
		if pv.Detail != "" {
			fmt.Fprintln(a.stdout, indent(pv.Detail, "      "))
		}
	}
}

// indent prefixes every non-empty line of s.
func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = prefix + l
		} else {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}
