package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/store"
)

// provision brings one node to its planned state. The store learns that the
// resource is provisioning before the driver is called, and its outputs and
// state right after, so that a crash at any point leaves nothing the store
// does not know about; drivers being idempotent by UID, the next run
// completes it instead of creating it twice.
func (r *run) provision(ctx context.Context, n *graph.Resource) error {
	started := time.Now()
	bg := context.WithoutCancel(ctx)
	rtype, err := r.e.Platform.Type(n.Type)
	if err != nil {
		return r.fail(n, started, err)
	}
	prev := r.existing[n.UID]
	if n.Action == graph.Keep && prev != nil && prev.Status == store.ResourceReady {
		r.setOutputs(n.UID, prev, rtype)
		if !slices.Equal(prev.Users, n.Users) {
			prev.Users = n.Users
			if err := r.e.Store.PutResource(bg, prev); err != nil {
				return r.fail(n, started, err)
			}
		}
		r.record(n, "skipped", 0, "")
		r.emit(Event{Node: n.UID, Kind: KindResource, Phase: "skipped", Action: string(n.Action), Message: "unchanged"})
		return nil
	}
	def, drv, err := r.definition(n.Definition)
	if err != nil {
		return r.fail(n, started, err)
	}
	r.emit(Event{Node: n.UID, Kind: KindResource, Phase: "started", Action: string(n.Action)})
	req, err := r.request(ctx, n.UID, n.Type, n.Class, n.ID, n.ResID, n.Params, n.Users, def, drv, prev)
	if err != nil {
		return r.fail(n, started, err)
	}
	rec := &store.Resource{UID: n.UID, App: r.plan.App, Env: r.plan.Env, Type: n.Type, Class: n.Class, ID: n.ID,
		Definition: def.Name, Driver: def.Driver, Status: store.ResourceProvisioning, Users: n.Users}
	if prev != nil {
		rec.InputsHash, rec.Outputs, rec.SecretOutputs, rec.State, rec.Manifests = prev.InputsHash, prev.Outputs, prev.SecretOutputs, prev.State, prev.Manifests
	}
	if err := r.e.Store.PutResource(bg, rec); err != nil {
		return r.fail(n, started, err)
	}
	res, err := r.callDriver(ctx, def, func(ctx context.Context) (*driver.Result, error) { return drv.Provision(ctx, req) })
	if err == nil {
		if cerr := rtype.CheckOutputs(res.Outputs); cerr != nil {
			err = errs.Prefix("driver "+def.Driver+" returned bad outputs", cerr)
		}
	}
	if err != nil {
		if res != nil && len(res.State) > 0 {
			rec.State = res.State // what a failed run did create (tofu), so the next run can finish or remove it
		}
		rec.Status, rec.Message = store.ResourceFailed, r.redactor.Redact(errs.Errors(err)[0].Message)
		_ = r.e.Store.PutResource(bg, rec)
		return r.fail(n, started, err)
	}
	rec.Outputs, rec.SecretOutputs = splitOutputs(res.Outputs, rtype)
	rec.Status, rec.Message, rec.InputsHash = store.ResourceReady, "", n.InputsHash
	rec.State, rec.Manifests = res.State, res.Manifests
	if err := r.e.Store.PutResource(bg, rec); err != nil {
		return r.fail(n, started, err)
	}
	r.setOutputs(n.UID, rec, rtype)
	d := time.Since(started)
	r.record(n, "finished", d, "")
	r.emit(Event{Node: n.UID, Kind: KindResource, Phase: "finished", Action: string(n.Action), Duration: Millis(d)})
	return nil
}

// callDriver runs f with the definition's timeout, or the engine's. On
// failure the result, if any, is returned with the error: it may hold the
// state of what the driver did create.
func (r *run) callDriver(ctx context.Context, def *platform.ResourceDefinition, f func(context.Context) (*driver.Result, error)) (*driver.Result, error) {
	timeout := def.Timeout
	if timeout <= 0 {
		timeout = r.e.Timeout
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tctx, cancel := context.WithTimeoutCause(ctx, timeout, errs.New(errs.Transient, "timed out after %s", timeout))
	defer cancel()
	res, err := f(tctx)
	if err != nil && tctx.Err() != nil && ctx.Err() == nil {
		return res, context.Cause(tctx)
	}
	if err != nil {
		return res, asError(err) // a failed driver may still return state
	}
	if res == nil {
		res = &driver.Result{}
	}
	return res, nil
}

// asError keeps pave errors and wraps others, whose text may be unsafe.
func asError(err error) error {
	if c := errs.CodeOf(err); c != errs.Internal {
		return err
	}
	return errs.Wrap(errs.Internal, err, "%s", err.Error())
}

func (r *run) definition(name string) (*platform.ResourceDefinition, driver.Driver, error) {
	def, err := r.e.Platform.Definition(name)
	if err != nil {
		return nil, nil, err
	}
	drv, ok := r.e.Drivers.Get(def.Driver)
	if !ok {
		return nil, nil, errs.New(errs.Invalid, "definition %q uses driver %q, which this pave does not have", def.Name, def.Driver)
	}
	return def, drv, nil
}

// fail records a failed node and returns its error named after the node.
func (r *run) fail(n *graph.Resource, started time.Time, err error) error {
	d := time.Since(started)
	err = errs.Prefix(fmt.Sprintf("resource %q: %s", n.UID, verb(n.Action)), err)
	msg := r.redactor.Redact(errs.Errors(err)[0].Message)
	r.record(n, "failed", d, msg)
	r.emit(Event{Node: n.UID, Kind: KindResource, Phase: "failed", Action: string(n.Action), Duration: Millis(d), Message: msg})
	return err
}

func verb(a graph.Action) string {
	if a == graph.Delete {
		return "deprovision"
	}
	return "provision"
}

func (r *run) record(n *graph.Resource, phase string, d time.Duration, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results = append(r.results, NodeResult{Node: n.UID, Action: string(n.Action), Phase: phase, Duration: Millis(d), DependsOn: n.DependsOn, Error: msg})
}

// setOutputs makes a resource's outputs available to its dependents and
// workloads, and teaches the redactor its secrets.
func (r *run) setOutputs(uid string, rec *store.Resource, rtype *platform.ResourceType) {
	values := make(map[string]any, len(rec.Outputs)+len(rec.SecretOutputs))
	maps.Copy(values, rec.Outputs)
	maps.Copy(values, rec.SecretOutputs)
	secret := map[string]bool{}
	for _, name := range rtype.SecretOutputs() {
		secret[name] = true
	}
	r.learnSecrets(rec.SecretOutputs)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outputs[uid] = graph.Outputs{Values: values, Secret: secret}
	if len(rec.Manifests) > 0 {
		r.manifests[uid] = rec.Manifests
	}
}

// splitOutputs separates the outputs the type marks secret.
func splitOutputs(all map[string]any, rtype *platform.ResourceType) (clear, secret map[string]any) {
	clear, secret = map[string]any{}, map[string]any{}
	for k, v := range all {
		out, declared := rtype.Outputs[k]
		if !declared {
			continue // see ResourceType.CheckOutputs
		}
		if out.Secret {
			secret[k] = v
		} else {
			clear[k] = v
		}
	}
	return clear, secret
}
