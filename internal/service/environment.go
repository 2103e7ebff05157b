package service

import (
	"context"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/policy"
	"github.com/pavedev/pave/internal/store"
)

// template returns the platform environment that gives env its type and
// target: env itself when the config defines it, otherwise the first
// environment (by name) of the recorded type that allows the app.
func (s *Service) template(ctx context.Context, p *platform.Platform, app, env string) (*platform.Environment, error) {
	if e, err := p.Environment(env); err == nil {
		return e, nil
	}
	rec, err := s.Store.GetEnvironment(ctx, app, env)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, errs.New(errs.NotFound, "environment %q is neither in the platform config nor created with pave env create", env)
		}
		return nil, err
	}
	return typeTemplate(p, app, env, rec.Type)
}

// typeTemplate returns the first platform environment (by name) of type typ
// that allows app: the type and target of an environment env created with
// pave env create.
func typeTemplate(p *platform.Platform, app, env, typ string) (*platform.Environment, error) {
	for _, e := range p.Environments() {
		if e.Type == typ && e.Allows(app) {
			return e, nil
		}
	}
	return nil, errs.New(errs.Invalid, "environment type %q has no environment in the platform config that app %q may use, "+
		"so environment %q has no target: add an Environment of type %q to the platform config", typ, app, env, typ)
}

// CreateEnvironmentRequest asks for a new environment of an app.
type CreateEnvironmentRequest struct {
	Platform *platform.Platform
	Policies *policy.Engine
	App      string
	Env      string
	Type     string
	TTL      time.Duration
	// CloneFrom names an environment whose current workloads are deployed
	// to the new one.
	CloneFrom string
	Actor     Actor
}

// NewEnvironment is what creating an environment records. The plan of a
// creation that waits for an approval keeps it, so that applying the plan
// creates exactly the environment approved.
type NewEnvironment struct {
	Type string `json:"type"`
	// TTL is a Go duration ("24h"); empty for a permanent environment. The
	// environment expires that long after it is created.
	TTL       string `json:"ttl,omitempty"`
	CloneFrom string `json:"cloneFrom,omitempty"`
}

func (n *NewEnvironment) ttl() time.Duration {
	d, _ := time.ParseDuration(n.TTL)
	return d
}

// CreateEnvironment records a new environment and, when cloning, deploys
// the source environment's current workloads to it. When the access rules
// or the policies ask for an approval, nothing is created: the plan of the
// creation (with the clone's workloads) is stored and returned pending, and
// applying it once approved (ApplyPlan) creates the environment.
func (s *Service) CreateEnvironment(ctx context.Context, req CreateEnvironmentRequest, deploy func(DeployRequest) DeployRequest) (*store.Environment, *DeployResult, error) {
	if err := checkName("environment", req.Env); err != nil {
		return nil, nil, err
	}
	if _, err := req.Platform.Environment(req.Env); err == nil {
		return nil, nil, errs.New(errs.Conflict, "environment %q is defined by the platform config; it needs no creating", req.Env)
	}
	if _, err := req.Platform.EnvironmentType(req.Type); err != nil {
		return nil, nil, errs.New(errs.Invalid, "unknown environment type %q", req.Type)
	}
	if req.TTL < 0 {
		return nil, nil, errs.New(errs.Invalid, "environment %q: ttl %s is negative", req.Env, req.TTL)
	}
	d, pres, err := s.checkCreateEnvironment(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.Store.GetEnvironment(ctx, req.App, req.Env); err == nil {
		return nil, nil, errs.New(errs.Conflict, "environment %q of app %q already exists", req.Env, req.App)
	} else if !errs.Is(err, errs.NotFound) {
		return nil, nil, err
	}
	if _, err := typeTemplate(req.Platform, req.App, req.Env, req.Type); err != nil {
		return nil, nil, err
	}
	if _, err := s.Store.GetApp(ctx, req.App); errs.Is(err, errs.NotFound) {
		if err := s.Store.CreateApp(ctx, &store.App{Name: req.App, Team: defaultTeam(req.Actor)}); err != nil && !errs.Is(err, errs.Conflict) {
			return nil, nil, err
		}
	}
	spec := newEnvironmentSpec(req)
	dr := DeployRequest{Platform: req.Platform, Policies: req.Policies, App: req.App, Env: req.Env, Actor: req.Actor, Action: "env.clone"}
	if deploy != nil {
		dr = deploy(dr)
	}
	if reasons := approvalReasons(d, pres); len(reasons) > 0 {
		res, err := s.holdEnvironment(ctx, dr, spec, pres, reasons)
		return nil, res, err
	}
	rec, err := s.recordEnvironment(ctx, req.Actor, req.App, req.Env, spec)
	if err != nil || req.CloneFrom == "" {
		return rec, nil, err
	}
	ws, err := s.currentWorkloads(ctx, req.App, req.CloneFrom)
	if err != nil {
		return rec, nil, err
	}
	dr.Workloads = ws
	res, err := s.Deploy(ctx, dr)
	return rec, res, err
}

// holdEnvironment stores the plan of creating an environment, for a second
// person to approve: an empty plan, or the clone's workloads planned
// against the new environment's type, judged by the policies too.
func (s *Service) holdEnvironment(ctx context.Context, dr DeployRequest, spec *NewEnvironment, pres *policy.Result, reasons []string) (*DeployResult, error) {
	dr.newEnv = spec
	if spec.CloneFrom != "" {
		ws, err := s.currentWorkloads(ctx, dr.App, spec.CloneFrom)
		if err != nil {
			return nil, err
		}
		dr.Workloads = ws
	}
	plan, err := s.planFor(ctx, dr)
	if err != nil {
		return nil, err
	}
	target := dr.App + "/" + dr.Env
	if spec.CloneFrom != "" {
		cres, err := s.judge(ctx, dr, plan)
		if err != nil {
			return nil, err
		}
		pres = mergeResults(pres, cres)
		if err := denied(cres); err != nil {
			s.audit(ctx, dr.Actor, "env.create", target, plan.Hash, err, map[string]any{"deny": cres.Deny})
			return &DeployResult{Plan: plan, Policy: pres}, err
		}
		reasons = appendNew(reasons, approvalReasons(identity.Decision{}, cres)...)
	}
	dr.Action = "env.create"
	rec, err := s.storePlan(ctx, dr, plan, pres, reasons)
	if err != nil {
		return nil, err
	}
	s.auditOutcome(ctx, dr.Actor, "env.create", target, plan.Hash, "pending", map[string]any{"plan": rec.ID, "reasons": reasons})
	return &DeployResult{Plan: plan, Policy: pres, Pending: &Pending{PlanID: rec.ID, PlanHash: plan.Hash, Reasons: reasons}}, nil
}

// recordEnvironment records an environment created with pave env create.
func (s *Service) recordEnvironment(ctx context.Context, actor Actor, app, env string, spec *NewEnvironment) (*store.Environment, error) {
	rec := &store.Environment{App: app, Name: env, Type: spec.Type, ClonedFrom: spec.CloneFrom}
	if ttl := spec.ttl(); ttl > 0 {
		t := s.now().Add(ttl)
		rec.ExpiresAt = &t
	}
	err := s.Store.CreateEnvironment(ctx, rec)
	s.audit(ctx, actor, "env.create", app+"/"+env, "", err, map[string]any{"type": spec.Type, "ttl": spec.TTL, "cloneFrom": spec.CloneFrom})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// ListEnvironments returns the recorded environments of an app.
func (s *Service) ListEnvironments(ctx context.Context, actor Actor, app string) ([]store.Environment, error) {
	if err := s.allow(ctx, nil, actor, identity.ReadApp, app, ""); err != nil {
		return nil, err
	}
	return s.Store.ListEnvironments(ctx, app)
}

// DeleteEnvironment destroys everything of an environment and forgets it.
func (s *Service) DeleteEnvironment(ctx context.Context, req DeployRequest) (*DeployResult, error) {
	if req.Action == "" {
		req.Action = "env.delete"
	}
	res, err := s.Destroy(ctx, req)
	if err != nil || res.Pending != nil {
		return res, err
	}
	return res, s.forgetEnvironment(ctx, req.Actor, req.App, req.Env)
}

// forgetEnvironment deletes the record of an environment whose resources
// are all destroyed, once an env.delete (or gc) change has been applied:
// directly, from an approved plan, or resumed by another replica.
func (s *Service) forgetEnvironment(ctx context.Context, actor Actor, app, env string) error {
	err := s.Store.DeleteEnvironment(ctx, app, env)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	s.audit(ctx, actor, "env.delete", app+"/"+env, "", err, nil)
	return err
}

// deletesEnvironment reports whether a change (DeployRequest.Action)
// deletes its environment once applied.
func deletesEnvironment(action string) bool { return action == "env.delete" || action == "gc" }

// GC destroys and deletes every environment whose time to live is over;
// platform engineers and admins only. Each deletion is also judged (and
// audited) as the actor's deletion of that environment.
func (s *Service) GC(ctx context.Context, cfg Config, actor Actor, progress func(DeployRequest) DeployRequest) ([]store.Environment, error) {
	if err := s.allow(ctx, cfg.Platform, actor, identity.CollectGarbage, "", ""); err != nil {
		return nil, err
	}
	expired, err := s.Store.ListExpiredEnvironments(ctx, s.now())
	if err != nil {
		return nil, err
	}
	var done []store.Environment
	var list errs.List
	for _, e := range expired {
		req := DeployRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: e.App, Env: e.Name, Actor: actor, Action: "gc"}
		if progress != nil {
			req = progress(req)
		}
		if res, err := s.DeleteEnvironment(ctx, req); err != nil || res.Pending != nil {
			if err == nil {
				err = errs.New(errs.Forbidden, "needs approval (plan %s)", res.Pending.PlanID)
			}
			list.Add(errs.Prefix("environment "+e.App+"/"+e.Name, err))
			continue
		}
		done = append(done, e)
	}
	return done, list.Err()
}
