package service_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// TestResumeStale: a deployment whose owner stopped heartbeating is taken
// over and applied from its stored plan.
func TestResumeStale(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	// A stored plan, as a replica stores one before applying it.
	res, err := e.svc.Deploy(ctx, e.req(actor("bot", "agent", "developer", "shop"), "shop", "dev", e.web))
	ok(t, err)
	if res.Pending == nil {
		t.Fatal("want a pending plan")
	}
	dep := &store.Deployment{App: "shop", Env: "dev", PlanID: res.Pending.PlanID, PlanHash: res.Pending.PlanHash,
		Actor: "bot", Owner: "server:gone:1", Status: store.DeploymentRunning}
	ok(t, e.svc.Store.BeginDeployment(ctx, dep))
	n, err := e.svc.ResumeStale(ctx, *e.cfg, nil)
	ok(t, err)
	if n != 0 {
		t.Fatalf("resumed %d deployments with a fresh heartbeat", n)
	}
	time.Sleep(1100 * time.Millisecond) // StaleAfter is 1s
	n, err = e.svc.ResumeStale(ctx, *e.cfg, nil)
	ok(t, err)
	if n != 1 {
		t.Fatalf("resumed %d deployments, want 1", n)
	}
	d, err := e.svc.Deployment(ctx, service.LocalAdmin(), dep.ID)
	ok(t, err)
	if d.Status != store.DeploymentSucceeded || d.Owner != e.svc.Owner || len(d.Events) == 0 {
		t.Fatalf("resumed deployment = %+v", d.Deployment)
	}
	rs, err := e.svc.Resources(ctx, e.cfg.Platform, service.LocalAdmin(), "shop", "dev", false)
	ok(t, err)
	if len(rs) != 1 || rs[0].Status != "ready" {
		t.Fatalf("resources = %+v", rs)
	}
}

// TestEveryDeploymentHasItsPlan: whatever the use case, a deployment names
// a stored plan whose hash is the deployment's, which is what makes it
// resumable.
func TestEveryDeploymentHasItsPlan(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	admin := service.LocalAdmin()
	first, err := e.svc.Deploy(ctx, e.req(admin, "shop", "dev", e.web))
	ok(t, err)
	_, err = e.svc.Deploy(ctx, e.req(admin, "shop", "dev", workloads(t, "testdata/workloads/web.score.yaml", []string{"containers.main.variables.X=one"})))
	ok(t, err)
	_, err = e.svc.Rollback(ctx, first.Summary.DeploymentID, e.req(admin, "shop", "dev", nil))
	ok(t, err)
	_, err = e.svc.Promote(ctx, "dev", e.req(admin, "shop", "stg", nil))
	ok(t, err)
	_, err = e.svc.Destroy(ctx, e.req(admin, "shop", "stg", nil))
	ok(t, err)
	_, _, err = e.svc.CreateEnvironment(ctx, service.CreateEnvironmentRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies,
		App: "shop", Env: "copy", Type: "development", CloneFrom: "dev", Actor: admin}, nil)
	ok(t, err)
	n := 0
	for _, env := range []string{"dev", "stg", "copy"} {
		deps, err := e.svc.Deployments(ctx, admin, "shop", env, 0)
		ok(t, err)
		for _, d := range deps {
			n++
			p, err := e.svc.GetPlan(ctx, admin, d.PlanID)
			if err != nil || p.Hash != d.PlanHash {
				t.Errorf("deployment %s of %s: plan %q: %v (hash %v, want %s)", d.ID, env, d.PlanID, err, p, d.PlanHash)
			}
		}
	}
	if n != 6 {
		t.Fatalf("%d deployments, want 6", n)
	}
	_, err = e.svc.DeleteEnvironment(ctx, e.req(admin, "shop", "copy", nil))
	ok(t, err)
}

// TestResumeWithoutPlan: a deployment that records no stored plan is
// marked failed, saying why, rather than resumed.
func TestResumeWithoutPlan(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	ok(t, e.svc.Store.CreateEnvironment(ctx, &store.Environment{App: "shop", Name: "dev", Type: "development"}))
	dep := &store.Deployment{App: "shop", Env: "dev", Actor: "bot", Owner: "server:gone:2", Status: store.DeploymentRunning}
	ok(t, e.svc.Store.BeginDeployment(ctx, dep))
	time.Sleep(1100 * time.Millisecond) // StaleAfter is 1s
	n, err := e.svc.ResumeStale(ctx, *e.cfg, nil)
	ok(t, err)
	if n != 1 {
		t.Fatalf("took over %d deployments, want 1", n)
	}
	d, err := e.svc.Deployment(ctx, service.LocalAdmin(), dep.ID)
	ok(t, err)
	if d.Status != store.DeploymentFailed || !strings.Contains(d.Error, "records no stored plan") {
		t.Fatalf("deployment without a plan = %+v", d.Deployment)
	}
}

// TestResumeDeletesEnvironment: a resumed deletion of an environment
// forgets the environment at the end, as the deletion would have.
func TestResumeDeletesEnvironment(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	pe := actor("pia", "human", "platform-engineer")
	_, err := e.svc.Deploy(ctx, e.req(pe, "shop", "prod", e.web))
	ok(t, err)
	res, err := e.svc.DeleteEnvironment(ctx, e.req(actor("ann", "human", "developer", "shop"), "shop", "prod", nil))
	ok(t, err)
	if res.Pending == nil {
		t.Fatalf("delete = %+v, want pending", res)
	}
	// A replica began applying the plan and died.
	dep := &store.Deployment{App: "shop", Env: "prod", PlanID: res.Pending.PlanID, PlanHash: res.Pending.PlanHash,
		Actor: "ann", Owner: "server:gone:3", Status: store.DeploymentRunning}
	ok(t, e.svc.Store.BeginDeployment(ctx, dep))
	time.Sleep(1100 * time.Millisecond) // StaleAfter is 1s
	n, err := e.svc.ResumeStale(ctx, *e.cfg, nil)
	ok(t, err)
	if n != 1 {
		t.Fatalf("resumed %d deployments, want 1", n)
	}
	envs, err := e.svc.ListEnvironments(ctx, pe, "shop")
	ok(t, err)
	for _, x := range envs {
		if x.Name == "prod" {
			t.Fatalf("the environment outlived its resumed deletion: %+v", envs)
		}
	}
}
