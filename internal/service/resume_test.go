package service_test

import (
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
