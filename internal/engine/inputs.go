package engine

import (
	"context"
	"strings"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/store"
)

// request builds the driver request of a resource, resolving its params and
// the definition's inputs. Resolved secret values are taught to the
// redactor before anything can print them.
func (r *run) request(ctx context.Context, uid, typ, class, id, resID string, params map[string]any, users []string,
	def *platform.ResourceDefinition, drv driver.Driver, prev *store.Resource) (*driver.Request, error) {
	dctx := driver.Context{App: r.plan.App, Env: r.plan.Env, EnvType: r.plan.EnvType, ResID: resID}
	inputs, err := r.resolveInputs(ctx, def.Inputs, "/spec/inputs", uid, dctx)
	if err != nil {
		return nil, errs.Prefix("definition "+def.Name, err)
	}
	in, _ := inputs.(map[string]any)
	r.learnSecretInputs(drv, in)
	resolvedParams, err := r.resolveParams(params, users)
	if err != nil {
		return nil, err
	}
	req := &driver.Request{UID: DriverUID(r.plan.App, r.plan.Env, uid), Type: typ, Class: class, ID: id, Context: dctx,
		Params: resolvedParams, Inputs: in, ConfigDir: r.e.Platform.Dir()}
	if prev != nil {
		req.State = prev.State
		if len(prev.Outputs)+len(prev.SecretOutputs) > 0 {
			req.Outputs = map[string]any{}
			for k, v := range prev.Outputs {
				req.Outputs[k] = v
			}
			for k, v := range prev.SecretOutputs {
				req.Outputs[k] = v
			}
		}
	}
	return req, nil
}

// DriverUID is the id a driver keys a resource on: the plan's UID made
// unique across apps and environments, so that the same Score file deployed
// to two environments gets two databases.
func DriverUID(app, env, uid string) string { return app + "/" + env + "/" + uid }

// learnSecretInputs teaches the redactor the inputs a driver marks secret,
// such as an admin URL with a password in it.
func (r *run) learnSecretInputs(drv driver.Driver, inputs map[string]any) {
	ds, ok := drv.(driver.Describer)
	if !ok {
		return
	}
	for _, in := range ds.Describe().Inputs {
		if !in.Secret {
			continue
		}
		if s, ok := inputs[in.Name].(string); ok && len(s) >= 4 {
			r.redactor.Add(s)
			if i := strings.Index(s, "://"); i >= 0 { // the password of a URL alone
				if at := strings.LastIndexByte(s, '@'); at > i {
					if _, pw, ok := strings.Cut(s[i+3:at], ":"); ok && len(pw) >= 4 {
						r.redactor.Add(pw)
					}
				}
			}
		}
	}
}

// resolveInputs substitutes ${context.*}, ${secrets.*} and
// ${resources.<type>[.<class>][#<id>].<output>} in v. A resource reference
// without id means the resource with the same id as uid's.
func (r *run) resolveInputs(ctx context.Context, v any, pointer, uid string, dctx driver.Context) (any, error) {
	_, suffix, _ := strings.Cut(uid, "#")
	out, _, err := score.Substitute(v, pointer, func(ref score.Reference) (any, bool, error) {
		in, err := platform.ParseInputRef(ref.Raw)
		if err != nil {
			return nil, false, err
		}
		switch in.Root {
		case platform.RootContext:
			return map[string]string{"app": dctx.App, "env": dctx.Env, "envType": dctx.EnvType, "resId": dctx.ResID}[in.Key], false, nil
		case platform.RootSecrets:
			if r.e.Store == nil {
				return nil, false, errs.New(errs.Invalid, "platform secret %q is needed, and there is no state to read it from", in.Key)
			}
			val, err := r.e.Store.GetSecret(ctx, in.Key)
			if errs.Is(err, errs.NotFound) {
				return nil, false, errs.New(errs.Invalid, "platform secret %q is not set (pave secrets set %s)", in.Key, in.Key)
			}
			if err != nil {
				return nil, false, err
			}
			if len(val) >= 4 {
				r.redactor.Add(string(val))
			}
			return string(val), true, nil
		default:
			sfx := suffix
			if in.Resource.ID != "" {
				sfx = in.Resource.ID
			}
			dep := graph.UID(in.Resource.Type, in.Resource.Class, sfx)
			o, ok := r.outputsOf(dep)
			if !ok {
				return nil, false, errs.New(errs.Invalid, "resource %s has no outputs yet", dep)
			}
			val, ok := o.Values[in.Output]
			if !ok {
				return nil, false, errs.New(errs.Invalid, "resource %s has no output %q", dep, in.Output)
			}
			return val, o.Secret[in.Output], nil
		}
	})
	return out, err
}

// outputsOf returns the outputs of a resource provisioned in this run, or
// recorded earlier.
func (r *run) outputsOf(uid string) (graph.Outputs, bool) {
	r.mu.Lock()
	o, ok := r.outputs[uid]
	r.mu.Unlock()
	if ok {
		return o, true
	}
	prev, ok := r.existing[uid]
	if !ok {
		return graph.Outputs{}, false
	}
	rtype, err := r.e.Platform.Type(prev.Type)
	if err != nil {
		return graph.Outputs{}, false
	}
	values := map[string]any{}
	secret := map[string]bool{}
	for k, v := range prev.Outputs {
		values[k] = v
	}
	for k, v := range prev.SecretOutputs {
		values[k] = v
	}
	for _, n := range rtype.SecretOutputs() {
		secret[n] = true
	}
	return graph.Outputs{Values: values, Secret: secret}, true
}

// resolveParams substitutes a resource's params in the context of the first
// workload that uses it: ${metadata.*} and ${resources.<name>.*}.
func (r *run) resolveParams(params map[string]any, users []string) (map[string]any, error) {
	if len(params) == 0 {
		return params, nil
	}
	decoded, err := r.workloads()
	if err != nil {
		return nil, err
	}
	var w *score.Workload
	var names map[string]string
	for _, u := range users {
		if pw := r.planWorkload(u); pw != nil && decoded[u] != nil {
			w, names = decoded[u], pw.Resources
			break
		}
	}
	if w == nil {
		return params, nil
	}
	out, _, err := score.Substitute(params, "/params", w.Resolver(func(resource string, keys []string) (any, bool, error) {
		o, ok := r.outputsOf(names[resource])
		if !ok {
			return nil, false, errs.New(errs.Invalid, "resource %q has no outputs yet", resource)
		}
		v, ok := score.Lookup(o.Values, keys)
		if !ok || len(keys) == 0 {
			return nil, false, errs.New(errs.Invalid, "resource %q has no output %q", resource, strings.Join(keys, "."))
		}
		return v, o.Secret[keys[0]], nil
	}))
	if err != nil {
		return nil, err
	}
	m, _ := out.(map[string]any)
	return m, nil
}

func (r *run) planWorkload(name string) *graph.Workload {
	for i := range r.plan.Workloads {
		if r.plan.Workloads[i].Name == name && r.plan.Workloads[i].Action != graph.Delete {
			return &r.plan.Workloads[i]
		}
	}
	return nil
}
