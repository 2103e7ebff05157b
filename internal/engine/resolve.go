package engine

import (
	"context"
	"sort"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/secrets"
	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/target"
)

// Resolve computes what the plan would deploy without changing anything:
// resources of pure drivers (static, template) are evaluated in process,
// others must already be provisioned (their recorded outputs are used).
// Store may be nil, for an environment with no state.
func (e *Engine) Resolve(ctx context.Context, plan *graph.Plan, images map[string]string) (*target.Deployment, error) {
	r := &run{e: e, plan: plan, dep: &store.Deployment{}, redactor: secrets.NewRedactor(),
		outputs: map[string]graph.Outputs{}, manifests: map[string][]map[string]any{}, existing: map[string]*store.Resource{}}
	if e.Store != nil {
		list, err := e.Store.ListResources(ctx, plan.App, plan.Env)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return nil, err
		}
		for i := range list {
			r.existing[list[i].UID] = &list[i]
		}
	}
	var problems errs.List
	for i := range plan.Resources {
		n := &plan.Resources[i]
		if n.Action == graph.Delete {
			continue
		}
		if err := r.evaluate(ctx, n); err != nil {
			problems.Add(err)
		}
	}
	if len(problems) > 0 {
		return nil, redactErr(r.redactor, problems)
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
		return nil, err
	}
	d, err := plan.DeploymentOf(ws, r.outputs, images, manifests)
	if err != nil {
		return nil, redactErr(r.redactor, err)
	}
	return d, nil
}

// evaluate finds one resource's outputs without provisioning anything.
func (r *run) evaluate(ctx context.Context, n *graph.Resource) error {
	rtype, err := r.e.Platform.Type(n.Type)
	if err != nil {
		return err
	}
	def, drv, err := r.definition(n.Definition)
	if err != nil {
		return err
	}
	ds, _ := drv.(driver.Describer)
	if ds == nil || !ds.Describe().Pure {
		prev := r.existing[n.UID]
		if prev == nil || prev.Status != store.ResourceReady {
			return errs.New(errs.Invalid, "resource %q uses driver %q, which provisions for real: run pave deploy first, or render an environment whose definitions use pure drivers (static, template)", n.UID, def.Driver)
		}
		r.setOutputs(n.UID, prev, rtype)
		return nil
	}
	req, err := r.request(ctx, n.UID, n.Type, n.Class, n.ID, n.ResID, n.Params, n.Users, def, drv, r.existing[n.UID])
	if err != nil {
		return errs.Prefix("resource "+n.UID, err)
	}
	res, err := r.callDriver(ctx, def, func(ctx context.Context) (*driver.Result, error) { return drv.Provision(ctx, req) })
	if err == nil {
		err = rtype.CheckOutputs(res.Outputs)
	}
	if err != nil {
		return errs.Prefix("resource "+n.UID, err)
	}
	rec := &store.Resource{Manifests: res.Manifests}
	rec.Outputs, rec.SecretOutputs = splitOutputs(res.Outputs, rtype)
	r.setOutputs(n.UID, rec, rtype)
	return nil
}
