package service

import (
	"context"
	"github.com/pavedev/pave/internal/yamldoc"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/store"
)

// Destroy removes every workload and resource of an environment. It
// succeeds when nothing of the environment is left.
func (s *Service) Destroy(ctx context.Context, req DeployRequest) (*DeployResult, error) {
	return s.queued(ctx, req, s.destroy)
}

func (s *Service) destroy(ctx context.Context, req DeployRequest) (*DeployResult, error) {
	req.Workloads = nil
	if req.Action == "" {
		req.Action = "destroy"
	}
	d, err := s.authorize(ctx, req.Platform, req.Actor, changeAction(req.Action), req.App, req.Env)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.GetEnvironment(ctx, req.App, req.Env); errs.Is(err, errs.NotFound) {
		return &DeployResult{}, nil // nothing was ever deployed there
	} else if err != nil {
		return nil, err
	}
	plan, err := s.planFor(ctx, req)
	if err != nil {
		return nil, err
	}
	return s.gate(ctx, req, d, plan)
}

// planFor plans req against the environment's template (for an
// environment to be created, its type's).
func (s *Service) planFor(ctx context.Context, req DeployRequest) (*graph.Plan, error) {
	var tmpl *platform.Environment
	var err error
	if req.newEnv != nil {
		tmpl, err = typeTemplate(req.Platform, req.App, req.Env, req.newEnv.Type)
	} else {
		tmpl, err = s.template(ctx, req.Platform, req.App, req.Env)
	}
	if err != nil {
		return nil, err
	}
	prev, wls, err := s.previous(ctx, req.App, req.Env)
	if err != nil {
		return nil, err
	}
	return graph.Build(graph.Input{App: req.App, Env: req.Env, Workloads: req.Workloads, Platform: req.Platform,
		Previous: prev, PreviousWorkloads: wls, Template: tmpl, SecretFingerprint: s.secretFingerprint(ctx)})
}

// Promote deploys the workloads of the last successful deployment of one
// environment to another, resolved with the target environment's
// definitions.
func (s *Service) Promote(ctx context.Context, from string, req DeployRequest) (*DeployResult, error) {
	if err := s.allow(ctx, req.Platform, req.Actor, identity.ReadApp, req.App, from); err != nil {
		return nil, err
	}
	ws, err := s.currentWorkloads(ctx, req.App, from)
	if err != nil {
		return nil, err
	}
	req.Workloads = ws
	req.Action = "promote"
	return s.Deploy(ctx, req)
}

// Rollback deploys again the workloads of an earlier deployment of the same
// environment.
func (s *Service) Rollback(ctx context.Context, deploymentID string, req DeployRequest) (*DeployResult, error) {
	if err := s.allow(ctx, req.Platform, req.Actor, identity.ReadApp, req.App, req.Env); err != nil {
		return nil, err
	}
	d, err := s.Store.GetDeployment(ctx, deploymentID)
	if err != nil {
		return nil, err
	}
	if d.App != req.App || d.Env != req.Env {
		return nil, errs.New(errs.Invalid, "deployment %s is of %s/%s, not %s/%s", d.ID, d.App, d.Env, req.App, req.Env)
	}
	ws, err := s.workloadsOf(ctx, d)
	if err != nil {
		return nil, err
	}
	req.Workloads = ws
	req.Action = "rollback"
	return s.Deploy(ctx, req)
}

// currentWorkloads returns the workloads of an environment's last
// successful deployment.
func (s *Service) currentWorkloads(ctx context.Context, app, env string) ([]*score.Workload, error) {
	deps, err := s.Store.ListDeployments(ctx, store.DeploymentFilter{App: app, Env: env,
		Statuses: []store.DeploymentStatus{store.DeploymentSucceeded}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(deps) == 0 || len(deps[0].Workloads) == 0 {
		return nil, errs.New(errs.NotFound, "environment %s/%s has no successful deployment with workloads", app, env)
	}
	return s.workloadsOf(ctx, &deps[0])
}

func (s *Service) workloadsOf(ctx context.Context, d *store.Deployment) ([]*score.Workload, error) {
	var out []*score.Workload
	for _, name := range yamldoc.SortedKeys(d.Workloads) {
		v, err := s.Store.GetWorkloadVersion(ctx, d.App, name, d.Workloads[name])
		if err != nil {
			return nil, err
		}
		w, err := score.Parse(name+"@"+d.ID, v.Score)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		return nil, errs.New(errs.NotFound, "deployment %s has no workloads", d.ID)
	}
	return out, nil
}
