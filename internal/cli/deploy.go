package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/engine"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// progressPrinter prints deployment events as they happen: one line each in
// text, one JSON object per line with -o json.
type progressPrinter struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
}

func (p *progressPrinter) event(ev engine.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		b, _ := json.Marshal(struct {
			Type string `json:"type"`
			engine.Event
		}{"event", ev})
		fmt.Fprintf(p.w, "%s\n", b)
		return
	}
	switch {
	case ev.Kind == engine.KindDeployment && ev.Phase == "started":
		fmt.Fprintf(p.w, "deployment %s started\n", ev.DeploymentID)
	case ev.Kind == engine.KindDeployment:
		return // the summary says it
	case ev.Phase == "started":
		fmt.Fprintf(p.w, "  ... %-8s %s\n", ev.Action, ev.Node)
	case ev.Phase == "finished":
		fmt.Fprintf(p.w, "  ok  %-8s %s (%s)\n", ev.Action, ev.Node, dur(time.Duration(ev.Duration)))
	case ev.Phase == "failed":
		fmt.Fprintf(p.w, "  ERR %-8s %s (%s): %s\n", ev.Action, ev.Node, dur(time.Duration(ev.Duration)), ev.Message)
	case ev.Phase == "skipped":
		fmt.Fprintf(p.w, "  --  %-8s %s (%s)\n", ev.Action, ev.Node, ev.Message)
	default:
		if ev.Message != "" {
			fmt.Fprintf(p.w, "      %s: %s %s\n", ev.Node, ev.Phase, ev.Message)
		} else {
			fmt.Fprintf(p.w, "      %s: %s\n", ev.Node, ev.Phase)
		}
	}
}

func (p *progressPrinter) summary(res *service.DeployResult) {
	if res != nil && res.Environment != nil { // an approved plan of pave env create
		e := res.Environment
		if p.json {
			b, _ := json.Marshal(struct {
				Type        string             `json:"type"`
				Environment *store.Environment `json:"environment"`
			}{"environment", e})
			fmt.Fprintf(p.w, "%s\n", b)
		} else {
			fmt.Fprintf(p.w, "environment %s/%s created (type %s)\n", e.App, e.Name, e.Type)
		}
	}
	if res == nil || res.Summary == nil {
		return
	}
	s := res.Summary
	if p.json {
		b, _ := json.Marshal(struct {
			Type     string          `json:"type"`
			PlanHash string          `json:"planHash"`
			Summary  *engine.Summary `json:"summary"`
		}{"summary", res.Plan.Hash, s})
		fmt.Fprintf(p.w, "%s\n", b)
		return
	}
	fmt.Fprintf(p.w, "deployment %s %s in %s\n", s.DeploymentID, s.Status, dur(time.Duration(s.Duration)))
	if len(s.CriticalPath) > 0 {
		fmt.Fprintf(p.w, "critical path (%s): %s\n", dur(time.Duration(s.CriticalDuration)), strings.Join(s.CriticalPath, " -> "))
	}
}

func dur(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

// deployFlags are shared by the commands that deploy.
type deployFlags struct {
	output string
	images []string
	commit string
}

func (f *deployFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.output, "output", "o", formatText, "output format: text, or json for one JSON object per line")
	cmd.Flags().StringArrayVar(&f.images, "image", nil, `image for a container whose image is ".": [WORKLOAD.]CONTAINER=IMAGE`)
	cmd.Flags().StringVar(&f.commit, "commit", envOr("PAVE_COMMIT", ""), "the source commit being deployed, recorded with the deployment")
}

func (a *app) newDeploy() *cobra.Command {
	var ef envFlags
	var wf workloadFlags
	var sf stateFlags
	var df deployFlags
	var planID string
	cmd := &cobra.Command{
		Use:   "deploy --platform DIR --app APP --env ENV [--state DIR] [-o text|json] FILE...",
		Short: "Provision the workloads' resources and deploy the workloads",
		Long: `Deploy plans, provisions every resource for real with its driver, deploys the
workloads to the environment's target and deletes what is no longer needed.
Progress is printed as it happens. It exits 0 only when the deployment
succeeded. State is kept under --state (default .pave) or in PostgreSQL with
--database-url.

The platform's policies judge every deployment: a deny refuses it (exit 3);
an approval stores the plan and exits 4 with its id, for another person to
approve with pave approve; pave deploy --plan ID then applies exactly that
plan, refusing if the environment changed since.`,
		Example: `  pave deploy --platform examples/platform --app shop --env development examples/shop/*.score.yaml
  pave deploy --platform examples/platform --app shop --env staging -o json examples/shop/*.score.yaml`,
		RunE: runE(func(cmd *cobra.Command, files []string) error {
			if err := checkFormat(df.output); err != nil {
				return err
			}
			if planID != "" {
				return a.applyPlan(cmd, planID, ef, sf, df, files)
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
			ws, err := wf.parse(files)
			if err != nil {
				return err
			}
			cfg, err := a.configFor(d, ef.platformDir)
			if err != nil {
				return err
			}
			pp := &progressPrinter{w: a.stdout, json: df.output == formatJSON}
			res, err := d.Deploy(cmd.Context(), service.DeployRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: ef.app, Env: ef.env, Workloads: ws,
				Images: imgs, Commit: df.commit, Actor: localActor(), Progress: pp.event})
			return pp.finish(res, err)
		}),
	}
	ef.register(cmd)
	wf.register(cmd)
	sf.register(cmd)
	df.register(cmd)
	cmd.Flags().StringVar(&planID, "plan", "", "apply exactly this stored, approved plan instead of planning Score files")
	return cmd
}

// localActor is the actor of the local CLI: its own admin.
func localActor() service.Actor { return service.LocalAdmin() }
