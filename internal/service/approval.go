package service

import (
	"context"

	"github.com/pavedev/pave/internal/engine"
	"github.com/pavedev/pave/internal/errs"
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
	if err := s.allow(ctx, req.Platform, req.Actor, identity.ApprovePlan, p.App, p.Env); err != nil {
		return nil, err
	}
	sp, err := decodePlan(p)
	if err != nil {
		return nil, err
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
		Commit: rec.Commit, Actor: req.Actor, Progress: req.Progress, Action: rec.Action, planID: p.ID}
	if _, err := s.authorize(ctx, req.Platform, req.Actor, changeAction(rec.Action), p.App, p.Env); err != nil {
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
	pres, err := s.judge(ctx, dr, rec.Plan)
	if err != nil {
		return nil, err
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
	applied, err := s.apply(ctx, dr, rec.Plan)
	if applied != nil {
		applied.Policy = pres
	}
	return applied, err
}
