package service

import (
	"context"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/policy"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/store"
)

// PlanRequest asks for the plan of an app's workloads in one environment.
type PlanRequest struct {
	Platform  *platform.Platform
	Policies  *policy.Engine
	App       string
	Env       string
	Workloads []*score.Workload
	// Images are the images supplied at deploy time, for policies.
	Images map[string]string
	Actor  Actor
	// Preview says whether drivers that can are asked what provisioning
	// each created or updated resource would change (see Plan).
	Preview PreviewMode
}

// PreviewMode says whether a plan carries driver previews.
type PreviewMode string

// The preview modes.
const (
	// PreviewAuto previews when the plan is made against state: there is
	// then a resource instance, its driver state and the platform secrets
	// to preview with. Without state, every resource is new anyway.
	PreviewAuto PreviewMode = ""
	// PreviewOn previews even without state.
	PreviewOn PreviewMode = "on"
	// PreviewOff never previews: previews run the drivers' tools (tofu
	// plan), which takes time.
	PreviewOff PreviewMode = "off"
)

// ParsePreviewMode reads "auto" (or ""), "on" or "off".
func ParsePreviewMode(s string) (PreviewMode, error) {
	switch s {
	case "", "auto":
		return PreviewAuto, nil
	case string(PreviewOn), string(PreviewOff):
		return PreviewMode(s), nil
	}
	return "", errs.New(errs.Invalid, "preview must be auto, on or off, not %q", s)
}

// PlanResult is a plan with what the platform's policies and access rules
// say of it. Its JSON is the plan's, with "policy" and "approvalNeeded"
// added.
type PlanResult struct {
	*graph.Plan
	Policy *policy.Result `json:"policy"`
	// ApprovalNeeded says why deploying the plan would wait for a second
	// person's approval; empty when it would not.
	ApprovalNeeded []string `json:"approvalNeeded,omitempty"`
}

// Plan resolves the workloads against the platform and, when there is
// state, against what the environment has now, and evaluates the
// platform's policies on it. A plan that policies deny is still returned:
// the denial is in Policy.
//
// As req.Preview says, every resource to create or update whose driver can
// preview (driver.Planner, such as tofu) gets the driver's preview of it,
// made with the resource's state (engine.Preview). Previews are shown, not
// planned: they are not in the plan's hash, and one that fails is an error
// on its node, not of the plan.
func (s *Service) Plan(ctx context.Context, req PlanRequest) (*PlanResult, error) {
	if err := checkName("app", req.App); err != nil {
		return nil, err
	}
	d, err := s.authorize(ctx, req.Platform, req.Actor, identity.Plan, req.App, req.Env)
	if err != nil {
		return nil, err
	}
	in := graph.Input{App: req.App, Env: req.Env, Workloads: req.Workloads, Platform: req.Platform}
	if s.Store != nil {
		prev, wls, err := s.previous(ctx, req.App, req.Env)
		if err != nil {
			return nil, err
		}
		in.Previous, in.PreviousWorkloads = prev, wls
		in.SecretFingerprint = s.secretFingerprint(ctx)
		if tmpl, err := s.template(ctx, req.Platform, req.App, req.Env); err == nil {
			in.Template = tmpl
		}
	}
	plan, err := graph.Build(in)
	if err != nil {
		return nil, err
	}
	dr := DeployRequest{Platform: req.Platform, Policies: req.Policies, App: req.App, Env: req.Env, Images: req.Images,
		Actor: req.Actor, Action: policy.ActionPlan}
	pres, err := s.judge(ctx, dr, plan)
	if err != nil {
		return nil, err
	}
	if req.Preview == PreviewOn || req.Preview == PreviewAuto && s.Store != nil {
		previews, err := s.engine(req.Platform).Preview(ctx, plan)
		if err != nil {
			return nil, err
		}
		for i := range plan.Resources {
			plan.Resources[i].Preview = previews[plan.Resources[i].UID]
		}
	}
	// What deploying would need: the access rules for a deployment.
	if dd, err := s.authorizeQuiet(ctx, req.Platform, req.Actor, identity.Deploy, req.App, req.Env); err == nil {
		d = dd
	}
	return &PlanResult{Plan: plan, Policy: pres, ApprovalNeeded: approvalReasons(d, pres)}, nil
}

// previous reads the environment's resources and the workloads of its last
// successful deployment.
func (s *Service) previous(ctx context.Context, app, env string) ([]graph.Previous, map[string]string, error) {
	list, err := s.Store.ListResources(ctx, app, env)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return nil, nil, err
	}
	var prev []graph.Previous
	for _, r := range list {
		prev = append(prev, graph.Previous{UID: r.UID, Type: r.Type, Class: r.Class, ID: r.ID, Definition: r.Definition,
			Driver: r.Driver, InputsHash: r.InputsHash, Ready: r.Status == store.ResourceReady,
			Deleted: r.Status == store.ResourceDeleted, Users: r.Users})
	}
	deps, err := s.Store.ListDeployments(ctx, store.DeploymentFilter{App: app, Env: env,
		Statuses: []store.DeploymentStatus{store.DeploymentSucceeded}, Limit: 1})
	if err != nil && !errs.Is(err, errs.NotFound) {
		return nil, nil, err
	}
	var wls map[string]string
	if len(deps) > 0 {
		wls = deps[0].Workloads
	}
	return prev, wls, nil
}

func checkName(what, v string) error {
	if !score.IsLabel(v) {
		return errs.New(errs.Invalid, "%s %q must be a lower-case RFC 1123 label (a-z, 0-9 and '-', at most 63 characters)", what, v)
	}
	return nil
}
