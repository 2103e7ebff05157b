package service

import (
	"context"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/policy"
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
