package engine

import (
	"context"
	"strings"
	"sync"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/secrets"
	"github.com/pavedev/pave/internal/store"
)

// Preview asks the drivers that can (driver.Planner) what provisioning the
// create and update nodes of plan would change, at most Parallelism at a
// time. Each driver gets the request applying the plan would give it: the
// inputs resolved, and the resource's stored state and outputs when the
// environment has them, so that a preview is of this resource instance.
// Nodes that are kept or deleted, or whose driver cannot preview, get
// none.
//
// A preview that cannot be made has an Error, and the others stand: only
// failing to read the environment's resources fails the call. Every text is
// redacted of the secrets the requests held. Nothing is changed: drivers
// preview without writing, and the store is only read.
func (e *Engine) Preview(ctx context.Context, plan *graph.Plan) (map[string]*graph.Preview, error) {
	r := &run{e: e, plan: plan, redactor: secrets.NewRedactor(), existing: map[string]*store.Resource{},
		outputs: map[string]graph.Outputs{}, manifests: map[string][]map[string]any{}}
	if e.Store != nil {
		list, err := e.Store.ListResources(ctx, plan.App, plan.Env)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return nil, err
		}
		for i := range list {
			r.existing[list[i].UID] = &list[i]
			r.learnSecrets(list[i].SecretOutputs)
		}
	}
	limit := e.Parallelism
	if limit <= 0 {
		limit = DefaultParallelism
	}
	out := map[string]*graph.Preview{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, limit)
	for i := range plan.Resources {
		n := &plan.Resources[i]
		if n.Action != graph.Create && n.Action != graph.Update {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if p := r.preview(ctx, n); p != nil {
				mu.Lock()
				out[n.UID] = p
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// Redacted once every request has taught the redactor its secrets.
	for _, p := range out {
		p.Summary, p.Detail, p.Error = r.redactor.Redact(p.Summary), r.redactor.Redact(p.Detail), r.redactor.Redact(p.Error)
	}
	return out, nil
}

// preview asks one node's driver for its preview; nil when it cannot give
// one.
func (r *run) preview(ctx context.Context, n *graph.Resource) *graph.Preview {
	def, drv, err := r.definition(n.Definition)
	if err != nil {
		return &graph.Preview{Error: errText(err)}
	}
	planner, ok := drv.(driver.Planner)
	if !ok {
		return nil
	}
	// A resource it uses that does not exist yet has no outputs to resolve
	// its inputs with: they are known once the plan is applied.
	var unknown []string
	for _, dep := range n.DependsOn {
		if prev := r.existing[dep]; prev == nil || prev.Status != store.ResourceReady {
			unknown = append(unknown, dep)
		}
	}
	if len(unknown) > 0 {
		return &graph.Preview{Error: "it uses the outputs of " + strings.Join(unknown, ", ") +
			", known once applying the plan provisions them"}
	}
	req, err := r.request(ctx, n.UID, n.Type, n.Class, n.ID, n.ResID, n.Params, n.Users, def, drv, r.existing[n.UID])
	if err != nil {
		return &graph.Preview{Error: errText(err)}
	}
	var res *driver.PlanResult
	_, err = r.callDriver(ctx, def, func(ctx context.Context) (*driver.Result, error) {
		var err error
		res, err = planner.Plan(ctx, req)
		return nil, err
	})
	if err != nil {
		return &graph.Preview{Error: errText(err)}
	}
	if res == nil {
		return &graph.Preview{Error: "driver " + def.Driver + " returned no preview"}
	}
	return &graph.Preview{Summary: res.Summary, Detail: res.Detail}
}

// errText is the user-safe text of err: its messages, one a line.
func errText(err error) string {
	var lines []string
	for _, e := range errs.Errors(err) {
		lines = append(lines, e.Error())
	}
	return strings.Join(lines, "\n")
}
