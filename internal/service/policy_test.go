package service_test

import (
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

func TestPolicyDenyBlocksEveryChange(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	bad := workloads(t, "testdata/workloads/web.score.yaml", []string{"containers.main.image=busybox:forbidden"})
	res, err := e.svc.Deploy(ctx, e.req(service.LocalAdmin(), "shop", "dev", bad))
	wantCode(t, err, errs.Policy)
	if !strings.Contains(err.Error(), `denied by policy images: container "main" uses a forbidden image`) {
		t.Fatalf("error %q does not name the finding", err)
	}
	if res == nil || res.Summary != nil || len(res.Policy.Deny) != 1 {
		t.Fatalf("result = %+v, want the policy result and nothing applied", res)
	}
	deps, err := e.svc.Deployments(ctx, service.LocalAdmin(), "shop", "dev", 0)
	ok(t, err)
	if len(deps) != 0 {
		t.Fatalf("a denied deployment was recorded: %+v", deps)
	}
	audit, err := e.svc.Audit(ctx, service.LocalAdmin(), store.AuditFilter{Outcome: "denied"})
	ok(t, err)
	if len(audit) != 1 || audit[0].Action != "deploy" || audit[0].Target != "shop/dev" {
		t.Fatalf("audit = %+v, want the denial", audit)
	}

	// Plan shows the denial without failing.
	pr, err := e.svc.Plan(ctx, service.PlanRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies, App: "shop", Env: "dev",
		Workloads: bad, Actor: service.LocalAdmin()})
	ok(t, err)
	if len(pr.Policy.Deny) != 1 || len(pr.Policy.Warn) != 1 {
		t.Fatalf("plan policy = %+v", pr.Policy)
	}

	// Without policies loaded, nothing changes.
	req := e.req(service.LocalAdmin(), "shop", "dev", e.web)
	req.Policies = nil
	_, err = e.svc.Deploy(ctx, req)
	wantCode(t, err, errs.Internal)
}

func TestPolicyWarningsComeWithTheResult(t *testing.T) {
	e := newEnv(t)
	res, err := e.svc.Deploy(t.Context(), e.req(service.LocalAdmin(), "shop", "dev", e.web))
	ok(t, err)
	if res.Summary == nil || res.Summary.Status != "succeeded" || len(res.Policy.Warn) != 1 || res.Policy.Warn[0].Policy != "limits" {
		t.Fatalf("result = %+v (policy %+v)", res.Summary, res.Policy)
	}
	d, err := e.svc.Deployment(t.Context(), service.LocalAdmin(), res.Summary.DeploymentID)
	ok(t, err)
	if d.PlanID == "" || d.PlanHash != res.Plan.Hash {
		t.Fatalf("deployment %+v does not name its stored plan", d.Deployment)
	}
}
