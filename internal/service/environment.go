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
	if e := templateOfType(p, rec.Type, app); e != nil {
		return e, nil
	}
	return nil, errs.New(errs.Invalid, "environment %q has type %q, and the platform config has no environment of that type to take a target from", env, rec.Type)
}

// templateOfType returns the first platform environment (by name) of type
// typ that allows app, or nil.
func templateOfType(p *platform.Platform, typ, app string) *platform.Environment {
	for _, e := range p.Environments() {
		if e.Type == typ && e.Allows(app) {
			return e
		}
	}
	return nil
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

// CreateEnvironment records a new environment and, when cloning, deploys
// the source environment's current workloads to it.
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
	// The new environment takes its target from a config environment of
	// its type; without one it could be recorded but never deployed to.
	if templateOfType(req.Platform, req.Type, req.App) == nil {
		return nil, nil, errs.New(errs.Invalid, "environment type %q has no environment in the platform config that app %q may use, "+
			"so environment %q would have no target: add an Environment of type %q to the platform config", req.Type, req.App, req.Env, req.Type)
	}
	if err := s.checkCreateEnvironment(ctx, req); err != nil {
		return nil, nil, err
	}
	if _, err := s.Store.GetApp(ctx, req.App); errs.Is(err, errs.NotFound) {
		if err := s.Store.CreateApp(ctx, &store.App{Name: req.App, Team: defaultTeam(req.Actor)}); err != nil && !errs.Is(err, errs.Conflict) {
			return nil, nil, err
		}
	}
	rec := &store.Environment{App: req.App, Name: req.Env, Type: req.Type, ClonedFrom: req.CloneFrom}
	if req.TTL > 0 {
		t := s.now().Add(req.TTL)
		rec.ExpiresAt = &t
	}
	if err := s.Store.CreateEnvironment(ctx, rec); err != nil {
		return nil, nil, err
	}
	s.audit(ctx, req.Actor, "env.create", req.App+"/"+req.Env, "", nil, map[string]any{"type": req.Type, "ttl": req.TTL.String()})
	if req.CloneFrom == "" {
		return rec, nil, nil
	}
	ws, err := s.currentWorkloads(ctx, req.App, req.CloneFrom)
	if err != nil {
		return rec, nil, err
	}
	dr := DeployRequest{Platform: req.Platform, Policies: req.Policies, App: req.App, Env: req.Env, Workloads: ws, Actor: req.Actor, Action: "env.clone"}
	if deploy != nil {
		dr = deploy(dr)
	}
	res, err := s.Deploy(ctx, dr)
	return rec, res, err
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
	if err := s.Store.DeleteEnvironment(ctx, req.App, req.Env); err != nil && !errs.Is(err, errs.NotFound) {
		return res, err
	}
	s.audit(ctx, req.Actor, "env.delete", req.App+"/"+req.Env, "", nil, nil)
	return res, nil
}

// GC destroys and deletes every environment whose time to live is over.
func (s *Service) GC(ctx context.Context, cfg Config, actor Actor, progress func(DeployRequest) DeployRequest) ([]store.Environment, error) {
	if err := s.allow(ctx, cfg.Platform, actor, identity.ManagePlatform, "", ""); err != nil {
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
