package service

import (
	"maps"
	"slices"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/policy"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/yamldoc"
)

// policyPlan maps a plan, with the images supplied at deploy time, to what
// policies judge. Nothing secret enters it, and nothing is resolved that
// would need a secret or a provisioned resource: placeholders that can be
// resolved at plan time are (see policyParams and policyInputs); the others
// stay as written.
func (s *Service) policyPlan(p *platform.Platform, plan *graph.Plan, images map[string]string) (policy.Plan, error) {
	out := policy.Plan{Hash: plan.Hash}
	ws, err := plan.DecodeWorkloads()
	if err != nil {
		return out, errs.Prefix("plan", err)
	}
	decoded := map[string]*score.Workload{}
	for _, w := range ws {
		decoded[w.Name] = w
	}
	for i := range plan.Resources {
		r := &plan.Resources[i]
		pr := policy.Resource{UID: r.UID, Type: r.Type, Class: r.Class, ID: r.ID, Definition: r.Definition,
			Driver: r.Driver, Params: policyParams(p, plan, r, decoded), Inputs: map[string]any{}}
		if def, err := p.Definition(r.Definition); err == nil {
			pr.Inputs = s.policyInputs(p, plan, r, def)
		}
		out.Resources = append(out.Resources, pr)
	}
	for _, w := range ws {
		pw := policy.Workload{Name: w.Name, Annotations: annotations(w.Metadata)}
		for _, cn := range yamldoc.SortedKeys(w.Containers) {
			c := w.Containers[cn]
			img := c.Image
			if img == "." {
				if v := images[w.Name+"."+cn]; v != "" {
					img = v
				} else if v := images[cn]; v != "" {
					img = v
				}
			}
			pc := policy.Container{Name: cn, Image: img}
			if c.Resources != nil {
				if l := c.Resources.Limits; l != nil {
					pc.Limits = policy.Resources{CPU: l.CPU, Memory: l.Memory}
				}
				if r := c.Resources.Requests; r != nil {
					pc.Requests = policy.Resources{CPU: r.CPU, Memory: r.Memory}
				}
			}
			pw.Containers = append(pw.Containers, pc)
		}
		for _, pn := range yamldoc.SortedKeys(w.Service.Ports) {
			sp := w.Service.Ports[pn]
			pw.Ports = append(pw.Ports, policy.Port{Name: pn, Port: sp.Port, TargetPort: sp.TargetPort, Protocol: sp.Protocol})
		}
		out.Workloads = append(out.Workloads, pw)
	}
	return out, nil
}

func annotations(md map[string]any) map[string]string {
	raw, _ := md["annotations"].(map[string]any)
	out := map[string]string{}
	for k, v := range raw {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// policyParams returns a resource's params as policies see them, resolved
// as the engine resolves them (in the first workload that uses the
// resource) as far as the plan allows: ${metadata.*} is resolved;
// ${resources.*} stays as written, since outputs are known only once
// provisioned. Params the type marks writeOnly are left out.
func policyParams(p *platform.Platform, plan *graph.Plan, r *graph.Resource, decoded map[string]*score.Workload) map[string]any {
	params := maps.Clone(r.Params)
	if params == nil {
		return map[string]any{}
	}
	if t, err := p.Type(r.Type); err == nil {
		for _, name := range t.SecretParams() {
			delete(params, name)
		}
	}
	var w *score.Workload
	for _, u := range r.Users {
		if w = decoded[u]; w != nil {
			break
		}
	}
	if w == nil {
		return params
	}
	metadata := w.Resolver(nil)
	resolve := func(ref score.Reference) (any, bool, error) {
		if ref.Root() == score.RootResources {
			return ref.String(), false, nil // known once provisioned
		}
		return metadata(ref)
	}
	out, _, err := score.Substitute(params, "/params", resolve)
	if m, ok := out.(map[string]any); err == nil && ok {
		return m
	}
	return params // a placeholder the plan cannot resolve: as written
}

// policyInputs returns a definition's driver inputs as policies see them.
// What may be secret is left out, as the platform marks it, not by guessing
// from names: every input the driver marks secret (all of them, for a
// driver that does not describe its inputs), and, for drivers that take
// their outputs' values from their inputs (static, template), the secret
// outputs the resource type marks (inputs.secrets, and each secret output
// in inputs.outputs). In what is left, ${context.*} is resolved;
// ${secrets.*} and ${resources.*} stay as written: resolving them needs a
// secret or a provisioned resource.
func (s *Service) policyInputs(p *platform.Platform, plan *graph.Plan, r *graph.Resource, def *platform.ResourceDefinition) map[string]any {
	out := map[string]any{}
	if len(def.Inputs) == 0 || s.Drivers == nil {
		return out
	}
	drv, ok := s.Drivers.Get(def.Driver)
	ds, described := drv.(driver.Describer)
	if !ok || !described {
		return out
	}
	var secret []string
	for _, in := range ds.Describe().Inputs {
		if in.Secret {
			secret = append(secret, in.Name)
		}
	}
	for k, v := range def.Inputs {
		if !slices.Contains(secret, k) {
			out[k] = v
		}
	}
	if def.OutputsInInputs() {
		delete(out, "secrets")
		if t, err := p.Type(r.Type); err == nil && len(t.SecretOutputs()) > 0 {
			if outs, isMap := out["outputs"].(map[string]any); isMap {
				outs = maps.Clone(outs)
				for _, name := range t.SecretOutputs() {
					delete(outs, name)
				}
				out["outputs"] = outs
			} else {
				delete(out, "outputs") // one template of every output, secret ones too
			}
		}
	}
	ctx := map[string]string{"app": plan.App, "env": plan.Env, "envType": plan.EnvType, "resId": r.ResID}
	resolved, _, err := score.Substitute(out, "/spec/inputs", func(ref score.Reference) (any, bool, error) {
		if in, err := platform.ParseInputRef(ref.Raw); err == nil && in.Root == platform.RootContext {
			return ctx[in.Key], false, nil
		}
		return ref.String(), false, nil
	})
	if m, ok := resolved.(map[string]any); err == nil && ok {
		return m
	}
	return out
}
