package service

import (
	"context"

	"github.com/pavedev/pave/internal/engine"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/policy"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/store"
)

// ApproveRequest is one person's approval of a stored plan.
type ApproveRequest struct {
	Platform *platform.Platform
	PlanID   string
	Comment  string
	Actor    Actor
}

// Approve records an approval of a plan that waits for one. The approver
// must be another person than the plan's author, allowed to make the change
// without an approval themselves.
func (s *Service) Approve(ctx context.Context, req ApproveRequest) (*StoredPlan, error) {
	p, err := s.Store.GetPlan(ctx, req.PlanID)
	if err != nil {
		return nil, err
	}
	sp, err := decodePlan(p)
	if err != nil {
		return nil, err
	}
	sc, err := s.planScope(ctx, req.Platform, req.Actor, sp)
	if err != nil {
		return nil, err
	}
	if d, err := s.authorizeScope(ctx, req.Actor, identity.ApprovePlan, sc); err != nil {
		return nil, err
	} else if d.Approval != "" {
		return nil, errs.New(errs.Forbidden, "%s: %s", identity.ApprovePlan, d.Approval)
	}
	target := p.App + "/" + p.Env
	if actorName(req.Actor) == p.CreatedBy {
		err := errs.New(errs.Forbidden, "plan %s: %s made it and cannot approve it too: another person must", p.ID, p.CreatedBy)
		s.audit(ctx, req.Actor, string(identity.ApprovePlan), target, p.Hash, err, map[string]any{"plan": p.ID})
		return nil, err
	}
	if len(sp.Record.ApprovalNeeded) == 0 {
		return nil, errs.New(errs.Conflict, "plan %s needs no approval", p.ID)
	}
	err = s.Store.ApprovePlan(ctx, p.ID, store.Approval{Actor: actorName(req.Actor), Comment: req.Comment})
	s.audit(ctx, req.Actor, string(identity.ApprovePlan), target, p.Hash, err, map[string]any{"plan": p.ID})
	if err != nil {
		return nil, err
	}
	return s.GetPlan(ctx, req.Actor, p.ID)
}

// planScope is the scope of an action on a stored plan's environment; for
// the plan of creating one, the environment's type is the plan's.
func (s *Service) planScope(ctx context.Context, p *platform.Platform, a Actor, sp *StoredPlan) (identity.Scope, error) {
	if ne := sp.Record.Environment; ne != nil {
		return s.newEnvScope(ctx, p, a, sp.App, sp.Env, ne.Type)
	}
	return s.appScope(ctx, p, a, sp.App, sp.Env)
}

// ApplyPlanRequest asks to apply a stored plan.
type ApplyPlanRequest struct {
	Platform *platform.Platform
	Policies *policy.Engine
	PlanID   string
	Actor    Actor
	Progress engine.Progress
}

// ApplyPlan applies exactly a stored plan, once it has the approval it
// needs. It plans again first and refuses, with a conflict, if the
// environment or the platform changed since the plan was made (the hashes
// differ); the policies are evaluated again and a deny still blocks.
func (s *Service) ApplyPlan(ctx context.Context, req ApplyPlanRequest) (*DeployResult, error) {
	p, err := s.Store.GetPlan(ctx, req.PlanID)
	if err != nil {
		return nil, err
	}
	sp, err := decodePlan(p)
	if err != nil {
		return nil, err
	}
	rec := sp.Record
	dr := DeployRequest{Platform: req.Platform, Policies: req.Policies, App: p.App, Env: p.Env, Images: rec.Images,
		Commit: rec.Commit, Actor: req.Actor, Progress: req.Progress, Action: rec.Action, planID: p.ID, newEnv: rec.Environment}
	sc, err := s.planScope(ctx, req.Platform, req.Actor, sp)
	if err != nil {
		return nil, err
	}
	if _, err := s.authorizeScope(ctx, req.Actor, changeAction(rec.Action), sc); err != nil {
		return nil, err
	}
	approved := false
	for _, a := range p.Approvals {
		if a.Actor != p.CreatedBy {
			approved = true
		}
	}
	res := &DeployResult{Plan: rec.Plan, Policy: rec.Policy}
	if len(rec.ApprovalNeeded) > 0 && !approved {
		res.Pending = &Pending{PlanID: p.ID, PlanHash: p.Hash, Reasons: rec.ApprovalNeeded}
		return res, nil
	}
	for _, w := range rec.Plan.Workloads {
		if w.Action == "delete" {
			continue
		}
		sw, err := score.Parse(w.Name+"@plan-"+p.ID, w.Spec)
		if err != nil {
			return nil, err
		}
		dr.Workloads = append(dr.Workloads, sw)
	}
	if dr.newEnv != nil {
		if _, err := s.Store.GetEnvironment(ctx, p.App, p.Env); err == nil {
			err := errs.New(errs.Conflict, "plan %s is out of date: environment %s/%s was created since it was made", p.ID, p.App, p.Env)
			s.audit(ctx, req.Actor, rec.Action, p.App+"/"+p.Env, p.Hash, err, map[string]any{"plan": p.ID})
			return res, err
		} else if !errs.Is(err, errs.NotFound) {
			return nil, err
		}
	}
	now, err := s.planFor(ctx, dr)
	if err != nil {
		return nil, err
	}
	base, err := s.stateHash(ctx, p.App, p.Env)
	if err != nil {
		return nil, err
	}
	if base != rec.Base {
		err := errs.New(errs.Conflict, "plan %s is out of date: the environment changed since it was made (it was deployed to, or its resources changed); plan again", p.ID)
		s.audit(ctx, req.Actor, rec.Action, p.App+"/"+p.Env, p.Hash, err, map[string]any{"plan": p.ID})
		return res, err
	}
	if now.Hash != p.Hash {
		err := errs.New(errs.Conflict, "plan %s is out of date: the environment, the platform or a platform secret it uses changed since it was made (its hash is %s, planning again gives %s); plan again", p.ID, p.Hash, now.Hash)
		s.audit(ctx, req.Actor, rec.Action, p.App+"/"+p.Env, p.Hash, err, map[string]any{"plan": p.ID})
		return res, err
	}
	var pres *policy.Result
	if dr.newEnv != nil {
		if pres, err = s.judgeCreateEnvironment(ctx, req.Policies, req.Actor, p.App, p.Env, dr.newEnv); err != nil {
			res.Policy = pres
			return res, err
		}
		dr.Action = "env.clone"
	}
	if dr.newEnv == nil || len(dr.Workloads) > 0 {
		jres, err := s.judge(ctx, dr, rec.Plan)
		if err != nil {
			return nil, err
		}
		pres = mergeResults(pres, jres)
	}
	res.Policy = pres
	if err := denied(pres); err != nil {
		s.audit(ctx, req.Actor, rec.Action, p.App+"/"+p.Env, p.Hash, err, map[string]any{"plan": p.ID, "deny": pres.Deny})
		return res, err
	}
	if len(pres.Approval) > 0 && !approved {
		res.Pending = &Pending{PlanID: p.ID, PlanHash: p.Hash, Reasons: approvalReasons(identity.Decision{}, pres)}
		return res, nil
	}
	return s.applyStored(ctx, dr, rec.Plan, pres)
}

// applyStored applies a stored plan that may go ahead: it creates the
// environment first for a plan of creating one, and forgets the
// environment after a plan of deleting one.
func (s *Service) applyStored(ctx context.Context, dr DeployRequest, plan *graph.Plan, pres *policy.Result) (*DeployResult, error) {
	var env *store.Environment
	if dr.newEnv != nil {
		var err error
		if env, err = s.recordEnvironment(ctx, dr.Actor, dr.App, dr.Env, dr.newEnv); err != nil {
			return &DeployResult{Plan: plan, Policy: pres}, err
		}
		if len(plan.Workloads) == 0 && len(plan.Resources) == 0 {
			return &DeployResult{Plan: plan, Policy: pres, Environment: env}, nil
		}
		dr.newEnv = nil // recorded now: the clone deploys to it
	}
	applied, err := s.apply(ctx, dr, plan)
	if applied != nil {
		applied.Policy, applied.Environment = pres, env
	}
	if err == nil && deletesEnvironment(dr.Action) {
		err = s.forgetEnvironment(ctx, dr.Actor, dr.App, dr.Env)
	}
	return applied, err
}
