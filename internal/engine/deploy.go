package engine

import (
	"context"
	"sort"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/target"
)

// deploy hands the resolved workloads to the environment's target, or, when
// the plan keeps no workload, has the target remove everything.
func (r *run) deploy(ctx context.Context) error {
	tgt, cfg, err := r.target(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, w := range r.plan.Workloads {
		if w.Action != graph.Delete {
			names = append(names, w.Name)
		}
	}
	started := time.Now()
	node := &graph.Resource{UID: "workloads", Action: "deploy"}
	if len(names) == 0 {
		node.Action = "destroy"
		r.emit(Event{Node: "workloads", Kind: KindWorkload, Phase: "started", Action: "destroy"})
		if err := tgt.Destroy(ctx, cfg, r.plan.App, r.plan.Env); err != nil {
			return r.fail(node, started, err)
		}
		r.finishWorkloads(node, started)
		return nil
	}
	uids := make([]string, 0, len(r.manifests))
	for uid := range r.manifests {
		uids = append(uids, uid)
	}
	sort.Strings(uids)
	var manifests []map[string]any
	for _, uid := range uids {
		manifests = append(manifests, r.manifests[uid]...)
	}
	ws, err := r.workloadList()
	if err != nil {
		return r.fail(node, started, err)
	}
	d, err := r.plan.DeploymentOf(ws, r.outputs, r.opts.Images, manifests)
	if err != nil {
		return r.fail(node, started, err)
	}
	d.DeploymentID = r.dep.ID
	for _, n := range r.plan.Resources {
		if n.Action != graph.Delete {
			node.DependsOn = append(node.DependsOn, n.UID)
		}
	}
	r.emit(Event{Node: "workloads", Kind: KindWorkload, Phase: "started", Action: "deploy"})
	err = tgt.Deploy(ctx, cfg, d, func(ev target.Event) {
		r.emit(Event{Node: "workload/" + ev.Workload, Kind: KindWorkload, Phase: ev.Phase, Message: ev.Message})
	})
	if err != nil {
		return r.fail(node, started, err)
	}
	r.finishWorkloads(node, started)
	return nil
}

func (r *run) finishWorkloads(node *graph.Resource, started time.Time) {
	d := time.Since(started)
	r.record(node, "finished", d, "")
	r.emit(Event{Node: "workloads", Kind: KindWorkload, Phase: "finished", Action: string(node.Action), Duration: Millis(d)})
}

// target returns the environment's target and its config, placeholders
// resolved.
func (r *run) target(ctx context.Context) (target.Target, target.Config, error) {
	name := r.plan.Env
	if r.plan.Template != "" {
		name = r.plan.Template
	}
	env, err := r.e.Platform.Environment(name)
	if err != nil {
		return nil, nil, err
	}
	tgt, ok := r.e.Targets.Get(env.Target.Kind)
	if !ok {
		return nil, nil, errs.New(errs.Invalid, "environment %q deploys to target %q, which this pave does not have", env.Name, env.Target.Kind)
	}
	dctx := driverContext(r.plan)
	cfg, err := r.resolveInputs(ctx, env.Target.Config, "/spec/target/config", "target#"+r.plan.App, dctx)
	if err != nil {
		return nil, nil, errs.Prefix("environment "+env.Name+" target config", err)
	}
	m, _ := cfg.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return tgt, target.Config(m), nil
}
