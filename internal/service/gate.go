package service

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/policy"
	"github.com/pavedev/pave/internal/store"
)

// Pending says that a change waits for a second person's approval of its
// stored plan: approve it with Approve, then apply it with ApplyPlan.
type Pending struct {
	PlanID   string `json:"planId"`
	PlanHash string `json:"planHash"`
	// Reasons say why approval is needed: the access rules, the policies.
	Reasons []string `json:"reasons"`
}

// PlanRecord is the body of a stored plan: the plan and what applying it
// needs. It holds no secret.
type PlanRecord struct {
	Plan *graph.Plan `json:"plan"`
	// Action is the use case that made the plan: deploy, destroy, promote,
	// rollback….
	Action string            `json:"action"`
	Images map[string]string `json:"images,omitempty"`
	Commit string            `json:"commit,omitempty"`
	Policy *policy.Result    `json:"policy,omitempty"`
	// ApprovalNeeded says why the plan needs approval; empty when it
	// needs none.
	ApprovalNeeded []string `json:"approvalNeeded,omitempty"`
	// Base fingerprints the environment's state the plan was made
	// against (see stateHash): applying refuses if it changed.
	Base string `json:"base"`
	// Environment is set on the plan of creating an environment (action
	// env.create) that waits for an approval: applying the plan creates
	// this environment, then applies the plan (the clone's workloads).
	Environment *NewEnvironment `json:"environment,omitempty"`
}

// judge evaluates the platform's policies on a change.
func (s *Service) judge(ctx context.Context, req DeployRequest, plan *graph.Plan) (*policy.Result, error) {
	pp, err := s.policyPlan(req.Platform, plan, req.Images)
	if err != nil {
		return nil, err
	}
	env := s.policyEnv(ctx, req.Platform, req.App, req.Env)
	if req.newEnv != nil {
		env = newEnvPolicy(req.Env, req.newEnv)
	}
	return evalPolicy(ctx, req.Policies, policy.Input{
		Action:      policyAction(req.Action),
		Actor:       policyActor(req.Actor),
		App:         req.App,
		Environment: env,
		Plan:        pp,
	})
}

// approvalReasons lists why a change needs approval: the access rules'
// reason, then each policy's.
func approvalReasons(d identity.Decision, res *policy.Result) []string {
	var out []string
	if d.Approval != "" {
		out = append(out, d.Approval)
	}
	if res != nil {
		for _, f := range res.Approval {
			out = append(out, "policy "+f.Policy+": "+f.Message)
		}
	}
	return out
}

// gate judges a planned change by the platform's policies and then refuses
// it (a deny), stores it to wait for approval, or applies it.
func (s *Service) gate(ctx context.Context, req DeployRequest, d identity.Decision, plan *graph.Plan) (*DeployResult, error) {
	pres, err := s.judge(ctx, req, plan)
	if err != nil {
		return nil, err
	}
	res := &DeployResult{Plan: plan, Policy: pres}
	if err := denied(pres); err != nil {
		s.audit(ctx, req.Actor, req.Action, req.App+"/"+req.Env, plan.Hash, err, map[string]any{"deny": pres.Deny})
		return res, err
	}
	if reasons := approvalReasons(d, pres); len(reasons) > 0 {
		rec, err := s.storePlan(ctx, req, plan, pres, reasons)
		if err != nil {
			return nil, err
		}
		res.Pending = &Pending{PlanID: rec.ID, PlanHash: plan.Hash, Reasons: reasons}
		s.auditOutcome(ctx, req.Actor, req.Action, req.App+"/"+req.Env, plan.Hash, "pending", map[string]any{"plan": rec.ID, "reasons": reasons})
		return res, nil
	}
	applied, err := s.apply(ctx, req, plan)
	if applied != nil {
		applied.Policy = pres
	}
	return applied, err
}

// storePlan records a plan for approval or for a replica to resume.
func (s *Service) storePlan(ctx context.Context, req DeployRequest, plan *graph.Plan, pres *policy.Result, reasons []string) (*store.Plan, error) {
	base, err := s.stateHash(ctx, req.App, req.Env)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(PlanRecord{Plan: plan, Action: req.Action, Images: req.Images, Commit: req.Commit,
		Policy: pres, ApprovalNeeded: reasons, Base: base, Environment: req.newEnv})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "plan cannot be stored")
	}
	rec := &store.Plan{Hash: plan.Hash, App: req.App, Env: req.Env, Body: body, CreatedBy: actorName(req.Actor)}
	if err := s.Store.CreatePlan(ctx, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// stateHash fingerprints what a plan of an environment is made against:
// its resource instances and the workloads of its last successful
// deployment. Two plans with the same hash made against different states
// (the same update from another version) differ here.
func (s *Service) stateHash(ctx context.Context, app, env string) (string, error) {
	prev, wls, err := s.previous(ctx, app, env)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(struct {
		Resources []graph.Previous
		Workloads map[string]string
	}{prev, wls})
	if err != nil {
		return "", errs.Wrap(errs.Internal, err, "state of %s/%s cannot be fingerprinted", app, env)
	}
	return store.ContentHash(b), nil
}

// StoredPlan is a stored plan with its record decoded.
type StoredPlan struct {
	store.Plan
	Record PlanRecord `json:"record"`
}

func decodePlan(p *store.Plan) (*StoredPlan, error) {
	sp := &StoredPlan{Plan: *p}
	if err := json.Unmarshal(p.Body, &sp.Record); err != nil || sp.Record.Plan == nil {
		return nil, errs.Wrap(errs.Internal, err, "plan %s cannot be read", p.ID)
	}
	sp.Body = nil
	return sp, nil
}

// authorizeQuiet is authorize without auditing a refusal, for questions
// rather than requests ("would deploying need approval?").
func (s *Service) authorizeQuiet(ctx context.Context, p *platform.Platform, a Actor, action identity.Action, app, env string) (identity.Decision, error) {
	sc, err := s.appScope(ctx, p, a, app, env)
	if err != nil {
		return identity.Decision{}, err
	}
	d := identity.Authorize(principal(a), action, sc)
	if !d.Allowed {
		return d, errs.New(errs.Forbidden, "%s", d.Reason)
	}
	return d, nil
}

// GetPlan returns a stored plan.
func (s *Service) GetPlan(ctx context.Context, actor Actor, id string) (*StoredPlan, error) {
	p, err := s.Store.GetPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.allow(ctx, nil, actor, identity.ReadApp, p.App, p.Env); err != nil {
		return nil, err
	}
	return decodePlan(p)
}

// ListPlans lists the stored plans of an environment, newest first,
// without their bodies.
func (s *Service) ListPlans(ctx context.Context, actor Actor, app, env string, limit int) ([]store.Plan, error) {
	if err := s.allow(ctx, nil, actor, identity.ReadApp, app, env); err != nil {
		return nil, err
	}
	return s.Store.ListPlans(ctx, app, env, limit)
}

// checkCreateEnvironment authorizes creating an environment of a type and
// judges it by the platform's policies: a deny is an error; the decision
// and the policy result say whether it needs an approval.
func (s *Service) checkCreateEnvironment(ctx context.Context, req CreateEnvironmentRequest) (identity.Decision, *policy.Result, error) {
	sc, err := s.newEnvScope(ctx, req.Platform, req.Actor, req.App, req.Env, req.Type)
	if err != nil {
		return identity.Decision{}, nil, err
	}
	d, err := s.authorizeScope(ctx, req.Actor, identity.CreateEnv, sc)
	if err != nil {
		return d, nil, err
	}
	pres, err := s.judgeCreateEnvironment(ctx, req.Policies, req.Actor, req.App, req.Env, newEnvironmentSpec(req))
	return d, pres, err
}

// judgeCreateEnvironment evaluates the policies on creating an environment;
// a deny is an error, audited.
func (s *Service) judgeCreateEnvironment(ctx context.Context, pol *policy.Engine, actor Actor, app, env string, spec *NewEnvironment) (*policy.Result, error) {
	pres, err := evalPolicy(ctx, pol, policy.Input{Action: policy.ActionCreateEnv, Actor: policyActor(actor),
		App: app, Environment: newEnvPolicy(env, spec)})
	if err != nil {
		return nil, err
	}
	if err := denied(pres); err != nil {
		s.audit(ctx, actor, "env.create", app+"/"+env, "", err, map[string]any{"deny": pres.Deny})
		return pres, err
	}
	return pres, nil
}

// newEnvScope is the scope of an action on an environment of type typ that
// does not exist yet.
func (s *Service) newEnvScope(ctx context.Context, p *platform.Platform, a Actor, app, env, typ string) (identity.Scope, error) {
	sc, err := s.appScope(ctx, p, a, app, "")
	if err != nil {
		return sc, err
	}
	sc.Env, sc.EnvType, sc.Direct = env, typ, developerDirect(p, typ)
	return sc, nil
}

func newEnvironmentSpec(req CreateEnvironmentRequest) *NewEnvironment {
	spec := &NewEnvironment{Type: req.Type, CloneFrom: req.CloneFrom}
	if req.TTL > 0 {
		spec.TTL = req.TTL.String()
	}
	return spec
}

// newEnvPolicy describes an environment to be created, for policies.
func newEnvPolicy(env string, spec *NewEnvironment) policy.Environment {
	out := policy.Environment{Name: env, Type: spec.Type}
	if spec.TTL != "" {
		out.Ephemeral, out.TTL = true, spec.TTL
	}
	return out
}

// mergeResults joins two policy results, each finding once.
func mergeResults(a, b *policy.Result) *policy.Result {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	join := func(x, y []policy.Finding) []policy.Finding {
		out := slices.Clone(x)
		for _, f := range y {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
		return out
	}
	return &policy.Result{Deny: join(a.Deny, b.Deny), Warn: join(a.Warn, b.Warn), Approval: join(a.Approval, b.Approval)}
}

// appendNew appends the items of more that list does not hold yet.
func appendNew(list []string, more ...string) []string {
	for _, m := range more {
		if !slices.Contains(list, m) {
			list = append(list, m)
		}
	}
	return list
}
