package service

import (
	"context"
	"encoding/json"
	"time"

	"github.com/pavedev/pave/internal/engine"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/policy"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/store"
)

// DeployRequest asks to deploy an app's workloads to an environment.
type DeployRequest struct {
	Platform *platform.Platform
	// Policies are the platform's compiled policies (see LoadConfig); every
	// change is judged by them, so they are required.
	Policies  *policy.Engine
	App       string
	Env       string
	Workloads []*score.Workload
	Images    map[string]string
	Actor     Actor
	Commit    string
	Progress  engine.Progress
	// Action names the use case in history and audit: deploy, destroy,
	// promote, rollback.
	Action string
	// Wait is how long to wait for the environment's active deployment to
	// finish, planning again after it, rather than be refused at once.
	Wait time.Duration

	// planID is the id of the stored plan being applied, if any.
	planID string
	// newEnv is set when the change creates the environment (a creation
	// that waited for an approval): it is planned and judged as an
	// environment of that type, not yet recorded.
	newEnv *NewEnvironment
}

// DeployResult is a finished deployment.
type DeployResult struct {
	Plan    *graph.Plan     `json:"plan"`
	Summary *engine.Summary `json:"summary"`
	// Policy is what the platform's policies said; warnings are here.
	Policy *policy.Result `json:"policy,omitempty"`
	// Pending is set, and Summary nil, when nothing was applied because
	// the plan waits for a second person's approval.
	Pending *Pending `json:"pending,omitempty"`
	// Environment is the environment the change created, when it created
	// one (an approved plan of pave env create).
	Environment *store.Environment `json:"environment,omitempty"`
}

// Deploy plans and applies. Only one deployment per environment runs at a
// time: a second one is refused with the id of the one in progress, unless
// that one's process is gone, in which case it is marked failed and this one
// proceeds (drivers are idempotent, so it completes what the other began).
func (s *Service) Deploy(ctx context.Context, req DeployRequest) (*DeployResult, error) {
	return s.queued(ctx, req, s.deploy)
}

func (s *Service) deploy(ctx context.Context, req DeployRequest) (*DeployResult, error) {
	if s.Store == nil {
		return nil, errs.New(errs.Internal, "deploy needs state")
	}
	if req.Action == "" {
		req.Action = "deploy"
	}
	d, err := s.authorize(ctx, req.Platform, req.Actor, changeAction(req.Action), req.App, req.Env)
	if err != nil {
		return nil, err
	}
	if err := s.ensureEnvironment(ctx, req.Platform, req.App, req.Env, defaultTeam(req.Actor)); err != nil {
		return nil, err
	}
	plan, err := s.planFor(ctx, req)
	if err != nil {
		return nil, err
	}
	return s.gate(ctx, req, d, plan)
}

// apply records and applies a plan.
func (s *Service) apply(ctx context.Context, req DeployRequest, plan *graph.Plan) (*DeployResult, error) {
	wls := map[string]string{}
	for _, w := range plan.Workloads {
		if w.Action == graph.Delete {
			continue
		}
		v := &store.WorkloadVersion{App: req.App, Workload: w.Name, Score: w.Spec}
		if err := s.Store.PutWorkloadVersion(ctx, v); err != nil {
			return nil, err
		}
		wls[w.Name] = v.Hash
	}
	if req.planID == "" {
		rec, err := s.storePlan(ctx, req, plan, nil, nil)
		if err != nil {
			return nil, err
		}
		req.planID = rec.ID
	}
	dep := &store.Deployment{App: req.App, Env: req.Env, PlanID: req.planID, PlanHash: plan.Hash, Actor: actorName(req.Actor),
		Commit: req.Commit, Owner: s.Owner, Workloads: wls}
	if err := s.begin(ctx, dep); err != nil {
		return nil, err
	}
	e := s.engine(req.Platform)
	sum, err := e.Apply(ctx, plan, dep, engine.ApplyOptions{Images: req.Images, Progress: req.Progress})
	s.audit(ctx, req.Actor, req.Action, req.App+"/"+req.Env, plan.Hash, err, map[string]any{"deployment": dep.ID})
	return &DeployResult{Plan: plan, Summary: sum}, err
}

// begin starts a deployment, clearing the way first if the deployment that
// holds the environment belongs to a process that is gone.
func (s *Service) begin(ctx context.Context, dep *store.Deployment) error {
	err := s.Store.BeginDeployment(ctx, dep)
	if !errs.Is(err, errs.Conflict) {
		return err
	}
	if s.reapStale(ctx, dep.App, dep.Env) == 0 {
		return err
	}
	dep.ID = ""
	return s.Store.BeginDeployment(ctx, dep)
}

// reapStale marks failed the active deployments of an environment whose
// owner died (a local process that is gone, or a heartbeat silent for
// StaleAfter) and returns how many it marked.
func (s *Service) reapStale(ctx context.Context, app, env string) int {
	active, err := s.Store.ListDeployments(ctx, store.DeploymentFilter{App: app, Env: env,
		Statuses: []store.DeploymentStatus{store.DeploymentPending, store.DeploymentRunning}})
	if err != nil {
		return 0
	}
	staleAfter := s.StaleAfter
	if staleAfter <= 0 {
		staleAfter = 30 * time.Second
	}
	n := 0
	for _, d := range active {
		if ownerDead(d.Owner) || s.now().Sub(d.Heartbeat) > staleAfter {
			msg := "interrupted: the process running it (" + d.Owner + ") stopped; the next deployment completes its work"
			if s.Store.SetDeploymentStatus(ctx, d.ID, store.DeploymentFailed, msg) == nil {
				n++
			}
		}
	}
	return n
}

// ensureEnvironment creates the app and the environment records on first
// deployment, for environments the platform config defines.
func (s *Service) ensureEnvironment(ctx context.Context, p *platform.Platform, app, env, team string) error {
	if err := checkName("app", app); err != nil {
		return err
	}
	if _, err := s.Store.GetApp(ctx, app); errs.Is(err, errs.NotFound) {
		if err := s.Store.CreateApp(ctx, &store.App{Name: app, Team: team}); err != nil && !errs.Is(err, errs.Conflict) {
			return err
		}
	} else if err != nil {
		return err
	}
	if _, err := s.Store.GetEnvironment(ctx, app, env); err == nil {
		return nil
	} else if !errs.Is(err, errs.NotFound) {
		return err
	}
	pe, err := p.Environment(env)
	if err != nil {
		return errs.New(errs.NotFound, "environment %q is neither in the platform config nor created with pave env create", env)
	}
	if !pe.Allows(app) {
		return errs.New(errs.Invalid, "environment %q is reserved for app %q", env, pe.App)
	}
	rec := &store.Environment{App: app, Name: env, Type: pe.Type}
	if pe.TTL > 0 {
		t := s.now().Add(pe.TTL)
		rec.ExpiresAt = &t
	}
	if err := s.Store.CreateEnvironment(ctx, rec); err != nil && !errs.Is(err, errs.Conflict) {
		return err
	}
	return nil
}

// audit appends an audit entry; a failure to audit is not hidden.
func (s *Service) audit(ctx context.Context, a Actor, action, target, planHash string, err error, detail map[string]any) {
	outcome := "ok"
	if err != nil {
		outcome = "failed"
		if errs.Is(err, errs.Policy) || errs.Is(err, errs.Forbidden) {
			outcome = "denied"
		}
	}
	kind := a.Kind
	if kind == "" {
		kind = "local"
	}
	raw, _ := json.Marshal(detail)
	_ = s.Store.AppendAudit(context.WithoutCancel(ctx), &store.AuditEntry{Actor: actorName(a), ActorKind: store.ActorKind(kind),
		Action: action, Target: target, Outcome: outcome, PlanHash: planHash, Detail: raw})
}

func actorName(a Actor) string {
	if a.ID == "" {
		return "local"
	}
	return a.ID
}
