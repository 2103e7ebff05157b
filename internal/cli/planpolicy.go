package cli

import (
	"fmt"

	"github.com/pavedev/pave/internal/service"
)

// showPlan prints a plan with its policy findings. A plan is a question,
// not a change: a policy that denies it is shown, and is no failure.
func (a *app) showPlan(res *service.PlanResult, asJSON bool) error {
	if asJSON {
		return writeJSON(a.stdout, res)
	}
	a.printPlan(res.Plan)
	a.printPolicy(res)
	return nil
}

// printPolicy prints every policy finding of a plan and what deploying it
// would wait for.
func (a *app) printPolicy(res *service.PlanResult) {
	p := res.Policy
	if p == nil {
		return
	}
	fmt.Fprintln(a.stdout)
	if len(p.Deny)+len(p.Warn)+len(p.Approval) == 0 {
		fmt.Fprintln(a.stdout, "Policies: no findings.")
	} else {
		fmt.Fprintln(a.stdout, "Policies:")
		for _, f := range p.Deny {
			fmt.Fprintf(a.stdout, "  DENY      %s: %s\n", f.Policy, f.Message)
		}
		for _, f := range p.Approval {
			fmt.Fprintf(a.stdout, "  APPROVAL  %s: %s\n", f.Policy, f.Message)
		}
		for _, f := range p.Warn {
			fmt.Fprintf(a.stdout, "  WARN      %s: %s\n", f.Policy, f.Message)
		}
	}
	if len(res.ApprovalNeeded) > 0 {
		fmt.Fprintln(a.stdout, "Deploying it waits for the approval of a second person:")
		for _, r := range res.ApprovalNeeded {
			fmt.Fprintf(a.stdout, "  - %s\n", r)
		}
	}
}
