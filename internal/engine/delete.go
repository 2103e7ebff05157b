package engine

import (
	"context"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/store"
)

func driverContext(p *graph.Plan) driver.Context {
	return driver.Context{App: p.App, Env: p.Env, EnvType: p.EnvType}
}

// deprovisionAll deletes, in plan order (users before what they use), the
// resources the plan no longer has, after the workloads stopped using them.
func (r *run) deprovisionAll(ctx context.Context) error {
	for i := range r.plan.Resources {
		n := &r.plan.Resources[i]
		if n.Action != graph.Delete {
			continue
		}
		if err := r.deprovision(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) deprovision(ctx context.Context, n *graph.Resource) error {
	started := time.Now()
	bg := context.WithoutCancel(ctx)
	prev := r.existing[n.UID]
	if prev == nil {
		return nil // already gone
	}
	def, drv, err := r.definition(prev.Definition)
	if err != nil {
		return r.fail(n, started, errs.Prefix("cannot deprovision with the definition it was provisioned with", err))
	}
	r.emit(Event{Node: n.UID, Kind: KindResource, Phase: "started", Action: string(graph.Delete)})
	resID := prev.ID
	if resID == "" {
		resID = n.ResID
	}
	req, err := r.request(ctx, n.UID, prev.Type, prev.Class, prev.ID, resID, nil, nil, def, drv, prev)
	if err != nil {
		return r.fail(n, started, err)
	}
	if err := r.e.Store.MarkResource(bg, r.plan.App, r.plan.Env, n.UID, store.ResourceDeleting, ""); err != nil {
		return r.fail(n, started, err)
	}
	_, err = r.callDriver(ctx, def, func(ctx context.Context) (*driver.Result, error) { return nil, drv.Deprovision(ctx, req) })
	if err != nil {
		_ = r.e.Store.MarkResource(bg, r.plan.App, r.plan.Env, n.UID, store.ResourceFailed, r.redactor.Redact(errs.Errors(err)[0].Message))
		return r.fail(n, started, err)
	}
	if err := r.e.Store.DeleteResource(bg, r.plan.App, r.plan.Env, n.UID); err != nil {
		return r.fail(n, started, err)
	}
	d := time.Since(started)
	r.record(n, "finished", d, "")
	r.emit(Event{Node: n.UID, Kind: KindResource, Phase: "finished", Action: string(graph.Delete), Duration: Millis(d)})
	return nil
}
