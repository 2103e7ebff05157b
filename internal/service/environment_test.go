package service_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// TestCreateEnvironmentApproval: a developer's new production environment
// is not created at once but stored as a plan waiting for approval; once
// approved, applying it creates exactly that environment (and deploys the
// clone's workloads).
func TestCreateEnvironmentApproval(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	dev := actor("ann", "human", "developer", "shop")
	pe := actor("pia", "human", "platform-engineer")
	create := func(a service.Actor, name, from string) (*store.Environment, *service.DeployResult, error) {
		return e.svc.CreateEnvironment(ctx, service.CreateEnvironmentRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies,
			App: "shop", Env: name, Type: "production", TTL: time.Hour, CloneFrom: from, Actor: a}, nil)
	}
	apply := func(a service.Actor, id string) (*service.DeployResult, error) {
		return e.svc.ApplyPlan(ctx, service.ApplyPlanRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies, PlanID: id, Actor: a})
	}
	exists := func(name string) bool {
		envs, err := e.svc.ListEnvironments(ctx, dev, "shop")
		ok(t, err)
		for _, x := range envs {
			if x.Name == name {
				return true
			}
		}
		return false
	}

	rec, res, err := create(dev, "hotfix", "")
	ok(t, err)
	if rec != nil || res == nil || res.Pending == nil || !strings.Contains(res.Pending.Reasons[0], "env.create in a production environment") {
		t.Fatalf("create = %+v, %+v; want pending", rec, res)
	}
	if exists("hotfix") {
		t.Fatal("the environment was created before the approval")
	}
	id := res.Pending.PlanID
	sp, err := e.svc.GetPlan(ctx, dev, id)
	ok(t, err)
	if sp.Record.Action != "env.create" || sp.Record.Environment == nil || sp.Record.Environment.Type != "production" || sp.Record.Environment.TTL != "1h0m0s" {
		t.Fatalf("stored plan record = %+v", sp.Record)
	}
	// Not applied before approval; a developer may not approve production.
	res, err = apply(dev, id)
	ok(t, err)
	if res.Pending == nil || exists("hotfix") {
		t.Fatalf("applied without approval: %+v", res)
	}
	_, err = e.svc.Approve(ctx, service.ApproveRequest{Platform: e.cfg.Platform, PlanID: id, Actor: actor("dan", "human", "developer", "shop")})
	wantCode(t, err, errs.Forbidden)
	_, err = e.svc.Approve(ctx, service.ApproveRequest{Platform: e.cfg.Platform, PlanID: id, Actor: pe})
	ok(t, err)
	res, err = apply(dev, id)
	ok(t, err)
	if res.Pending != nil || res.Environment == nil || res.Environment.Name != "hotfix" || res.Environment.Type != "production" ||
		res.Environment.ExpiresAt == nil || res.Summary != nil {
		t.Fatalf("apply = %+v", res)
	}
	if !exists("hotfix") {
		t.Fatal("the approved environment was not created")
	}
	_, err = apply(dev, id)
	wantCode(t, err, errs.Conflict)

	// A clone: the plan holds the source's workloads, deployed on apply.
	res, err = e.svc.Deploy(ctx, e.req(dev, "shop", "dev", e.web))
	ok(t, err)
	_, res, err = create(dev, "mirror", "dev")
	ok(t, err)
	if res == nil || res.Pending == nil || len(res.Plan.Workloads) != 1 || res.Plan.EnvType != "production" {
		t.Fatalf("clone = %+v, want a pending plan with the workload", res)
	}
	id = res.Pending.PlanID
	_, err = e.svc.Approve(ctx, service.ApproveRequest{Platform: e.cfg.Platform, PlanID: id, Actor: pe})
	ok(t, err)
	res, err = apply(dev, id)
	ok(t, err)
	if res.Environment == nil || res.Summary == nil || res.Summary.Status != "succeeded" {
		t.Fatalf("apply clone = %+v", res)
	}
	rs, err := e.svc.Resources(ctx, e.cfg.Platform, pe, "shop", "mirror", false)
	ok(t, err)
	if len(rs) != 1 || rs[0].Status != "ready" {
		t.Fatalf("clone resources = %+v", rs)
	}
	d, err := e.svc.Deployment(ctx, dev, res.Summary.DeploymentID)
	ok(t, err)
	if d.PlanID != id {
		t.Fatalf("clone deployment of plan %q, want %s", d.PlanID, id)
	}
	// A platform engineer creates production environments directly.
	rec, res, err = create(pe, "direct", "")
	ok(t, err)
	if rec == nil || res != nil || !exists("direct") {
		t.Fatalf("platform engineer's create = %+v, %+v", rec, res)
	}
	for _, name := range []string{"mirror", "hotfix", "direct"} {
		_, err := e.svc.DeleteEnvironment(ctx, e.req(pe, "shop", name, nil))
		ok(t, err)
	}
}

// TestDeleteEnvironmentApproval: an approved deletion destroys the
// environment's resources and deletes its record too.
func TestDeleteEnvironmentApproval(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	dev := actor("ann", "human", "developer", "shop")
	pe := actor("pia", "human", "platform-engineer")
	res, err := e.svc.Deploy(ctx, e.req(pe, "shop", "prod", e.web))
	ok(t, err)
	if res.Summary == nil || res.Summary.Status != "succeeded" {
		t.Fatalf("deploy = %+v", res)
	}
	res, err = e.svc.DeleteEnvironment(ctx, e.req(dev, "shop", "prod", nil))
	ok(t, err)
	if res.Pending == nil {
		t.Fatalf("delete = %+v, want pending", res)
	}
	_, err = e.svc.Approve(ctx, service.ApproveRequest{Platform: e.cfg.Platform, PlanID: res.Pending.PlanID, Actor: pe})
	ok(t, err)
	res, err = e.svc.ApplyPlan(ctx, service.ApplyPlanRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies, PlanID: res.Pending.PlanID, Actor: dev})
	ok(t, err)
	if res.Summary == nil || res.Summary.Status != "succeeded" {
		t.Fatalf("apply = %+v", res)
	}
	envs, err := e.svc.ListEnvironments(ctx, dev, "shop")
	ok(t, err)
	for _, x := range envs {
		if x.Name == "prod" {
			t.Fatalf("the deleted environment is still recorded: %+v", envs)
		}
	}
	audit, err := e.svc.Audit(ctx, pe, store.AuditFilter{Action: "env.delete", Outcome: "ok"})
	ok(t, err)
	if len(audit) == 0 || audit[0].Actor != "ann" {
		t.Fatalf("audit of the deletion = %+v", audit)
	}
}

// templatesPlatform has a type with an environment for every app, one with
// an environment reserved for blog, and one with no environment at all.
var templatesPlatform = fstest.MapFS{
	"platform.yaml": {Data: []byte(`apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: development}
---
apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: staging}
---
apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: preview}
---
apiVersion: pave.dev/v1
kind: Environment
metadata: {name: dev}
spec:
  type: development
  target: {kind: process}
---
apiVersion: pave.dev/v1
kind: Environment
metadata: {name: blog-stg}
spec:
  type: staging
  app: blog
  target: {kind: process}
`)},
}

// TestCreateEnvironmentNeedsATemplate: an environment is created only when
// the platform config has an environment of its type, allowed to its app,
// to take the target from; otherwise nothing is recorded.
func TestCreateEnvironmentNeedsATemplate(t *testing.T) {
	e := newEnv(t)
	cfg, err := e.svc.LoadConfig(templatesPlatform, "")
	ok(t, err)
	ctx := t.Context()
	create := func(app, env, typ string) error {
		_, _, err := e.svc.CreateEnvironment(ctx, service.CreateEnvironmentRequest{Platform: cfg.Platform, Policies: cfg.Policies,
			App: app, Env: env, Type: typ, Actor: service.LocalAdmin()}, nil)
		return err
	}
	for _, c := range []struct{ app, env, typ, wantErr string }{
		{"shop", "pr-1", "development", ""},
		{"blog", "pr-2", "staging", ""},
		{"shop", "pr-3", "staging", `environment type "staging" has no environment in the platform config that app "shop" may use`},
		{"docs", "pr-4", "preview", `environment type "preview" has no environment in the platform config that app "docs" may use`},
	} {
		err := create(c.app, c.env, c.typ)
		if c.wantErr == "" {
			ok(t, err)
			continue
		}
		wantCode(t, err, errs.Invalid)
		if !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s/%s: error %q, want it to say %q", c.app, c.env, err, c.wantErr)
		}
		if _, err := e.svc.Store.GetEnvironment(ctx, c.app, c.env); !errs.Is(err, errs.NotFound) {
			t.Errorf("%s/%s: refused environment was recorded (%v)", c.app, c.env, err)
		}
	}
	// Nothing half-written: the refused app docs was not created either.
	if _, err := e.svc.Store.GetApp(ctx, "docs"); !errs.Is(err, errs.NotFound) {
		t.Errorf("app docs was created for a refused environment (%v)", err)
	}
}
