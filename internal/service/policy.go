package service

import (
	"context"
	"encoding/json"
	"github.com/pavedev/pave/internal/yamldoc"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/policy"
	"github.com/pavedev/pave/internal/score"
)

// policyAction names a use case (DeployRequest.Action) as policies see it.
func policyAction(action string) string {
	switch action {
	case "", "deploy", "env.clone":
		return policy.ActionDeploy
	case "gc", "env.delete":
		return policy.ActionDeleteEnv
	case "env.create":
		return policy.ActionCreateEnv
	}
	return action
}

// evalPolicy evaluates the platform's policies on an action. A nil engine is
// an error: every door must load the policies with the platform
// (LoadConfig), so that none can bypass them.
func evalPolicy(ctx context.Context, pol *policy.Engine, in policy.Input) (*policy.Result, error) {
	if pol == nil {
		return nil, errs.New(errs.Internal, "policies were not loaded with the platform config (use LoadConfig)")
	}
	return pol.Eval(ctx, in)
}

// denied turns the deny findings of a policy result into an errs.Policy
// error naming each, or nil when nothing is denied.
func denied(res *policy.Result) error {
	if res == nil || res.Allowed() {
		return nil
	}
	var list errs.List
	for _, f := range res.Deny {
		list = append(list, errs.New(errs.Policy, "denied by policy %s: %s", f.Policy, f.Message))
	}
	return list
}

// policyEnv describes an environment for policies: from its record when it
// exists, else from the platform config.
func (s *Service) policyEnv(ctx context.Context, p *platform.Platform, app, env string) policy.Environment {
	out := policy.Environment{Name: env}
	if pe, err := p.Environment(env); err == nil {
		out.Type = pe.Type
		if pe.TTL > 0 {
			out.Ephemeral, out.TTL = true, pe.TTL.String()
		}
	}
	if s.Store == nil {
		return out
	}
	if rec, err := s.Store.GetEnvironment(ctx, app, env); err == nil {
		out.Type = rec.Type
		if rec.ExpiresAt != nil {
			out.Ephemeral = true
			if out.TTL == "" {
				out.TTL = rec.ExpiresAt.Sub(rec.CreatedAt).Round(time.Second).String()
			}
		}
	}
	return out
}

// policyActor is the actor as policies see it.
func policyActor(a Actor) policy.Actor {
	kind := a.Kind
	if kind == "" {
		kind = policy.ActorLocal
	}
	return policy.Actor{ID: actorName(a), Kind: kind, Roles: a.Roles, Teams: a.Teams}
}

// policyPlan maps a plan, with the images supplied at deploy time, to what
// policies judge. Resource params are given as the workloads wrote them,
// placeholders unresolved; definition inputs leave out every value that may
// be secret (see publicInputs).
func policyPlan(p *platform.Platform, plan *graph.Plan, images map[string]string) (policy.Plan, error) {
	out := policy.Plan{Hash: plan.Hash}
	for _, r := range plan.Resources {
		pr := policy.Resource{UID: r.UID, Type: r.Type, Class: r.Class, ID: r.ID, Definition: r.Definition,
			Driver: r.Driver, Params: r.Params}
		if def, err := p.Definition(r.Definition); err == nil {
			pr.Inputs = publicInputs(def.Inputs)
		}
		out.Resources = append(out.Resources, pr)
	}
	for _, w := range plan.Workloads {
		if w.Action == graph.Delete {
			continue
		}
		var spec score.Workload
		if err := json.Unmarshal(w.Spec, &spec); err != nil {
			return out, errs.Wrap(errs.Internal, err, "plan: workload %q: spec cannot be read", w.Name)
		}
		pw := policy.Workload{Name: w.Name, Annotations: annotations(spec.Metadata)}
		for _, cn := range yamldoc.SortedKeys(spec.Containers) {
			c := spec.Containers[cn]
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
		for _, pn := range yamldoc.SortedKeys(spec.Service.Ports) {
			sp := spec.Service.Ports[pn]
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

// secretKeys are the words that mark an input key as holding a secret.
var secretKeys = []string{"secret", "password", "passwd", "token", "credential", "private", "apikey", "api_key", "kubeconfig"}

// publicInputs returns a definition's inputs without what may be secret:
// every key whose name says so (secrets, password, token…) and every
// string that references a platform secret (${secrets.…}).
func publicInputs(in map[string]any) map[string]any {
	out, _ := publicValue(in).(map[string]any)
	return out
}

func publicValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			lk := strings.ToLower(k)
			secret := false
			for _, w := range secretKeys {
				if strings.Contains(lk, w) {
					secret = true
					break
				}
			}
			if secret {
				continue
			}
			if pv := publicValue(val); pv != nil {
				out[k] = pv
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(v))
		for _, e := range v {
			if pv := publicValue(e); pv != nil {
				out = append(out, pv)
			}
		}
		return out
	case string:
		if strings.Contains(v, "${secrets.") {
			return nil
		}
		return v
	}
	return v
}
