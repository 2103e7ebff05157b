package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/service"
)

// applyPlan is pave deploy --plan ID.
func (a *app) applyPlan(cmd *cobra.Command, id string, ef envFlags, sf stateFlags, df deployFlags, files []string) error {
	if len(files) > 0 {
		return usagef("--plan applies a stored plan: give no Score files")
	}
	d, err := a.open(cmd, sf, true)
	if err != nil {
		return err
	}
	defer d.close()
	if ef.platformDir == "" && d.svc != nil {
		return usagef("missing --platform")
	}
	cfg, err := a.configFor(d, ef.platformDir)
	if err != nil {
		return err
	}
	pp := &progressPrinter{w: a.stdout, json: df.output == formatJSON}
	res, err := d.ApplyPlan(cmd.Context(), service.ApplyPlanRequest{Platform: cfg.Platform, Policies: cfg.Policies,
		PlanID: id, Actor: localActor(), Progress: pp.event})
	return pp.finish(res, err)
}

func (a *app) newApprove() *cobra.Command {
	var sf stateFlags
	var platformDir, comment, output string
	cmd := &cobra.Command{
		Use:   "approve PLAN_ID [--comment TEXT]",
		Short: "Approve a plan that waits for a second person",
		Long: `Approve records your approval of a stored plan that a policy or the access
rules hold for a second person. You may not approve a plan you made, and you
must be allowed to make the change yourself without an approval. Then
pave deploy --plan PLAN_ID applies exactly that plan.`,
		Example: "  pave approve 01JD3Q... --comment 'checked the migration'",
		Args:    cobra.ExactArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			d, err := a.open(cmd, sf, true)
			if err != nil {
				return err
			}
			defer d.close()
			req := service.ApproveRequest{PlanID: args[0], Comment: comment, Actor: localActor()}
			if platformDir != "" && d.svc != nil {
				cfg, err := a.loadConfig(d.svc, platformDir)
				if err != nil {
					return err
				}
				req.Platform = cfg.Platform
			}
			sp, err := d.Approve(cmd.Context(), req)
			if err != nil {
				return err
			}
			return a.printApproved(sp, output == formatJSON)
		}),
	}
	cmd.Flags().StringVar(&platformDir, "platform", envOr("PAVE_PLATFORM", ""), "platform config directory (env PAVE_PLATFORM)")
	cmd.Flags().StringVar(&comment, "comment", "", "why you approve")
	cmd.Flags().StringVarP(&output, "output", "o", formatText, "output format: text or json")
	sf.register(cmd)
	return cmd
}

func (a *app) printApproved(sp *service.StoredPlan, asJSON bool) error {
	if asJSON {
		return writeJSON(a.stdout, sp)
	}
	fmt.Fprintf(a.stdout, "plan %s of %s/%s approved (%s)\n", sp.ID, sp.App, sp.Env, sp.Record.Action)
	for _, ap := range sp.Approvals {
		fmt.Fprintf(a.stdout, "  by %s at %s %s\n", ap.Actor, ap.Time.Format(time.RFC3339), ap.Comment)
	}
	fmt.Fprintf(a.stdout, "Apply it with `pave deploy --plan %s`.\n", sp.ID)
	return nil
}
