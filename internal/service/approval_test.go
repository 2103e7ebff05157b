package service_test

import (
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// TestApprovalFlow: a developer's production deployment waits for a
// platform engineer's approval, and applies exactly the approved plan.
func TestApprovalFlow(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	dev := actor("ann", "human", "developer", "shop")
	dev2 := actor("dan", "human", "developer", "shop")
	pe := actor("pia", "human", "platform-engineer")
	cfgApply := func(a service.Actor, id string) service.ApplyPlanRequest {
		return service.ApplyPlanRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies, PlanID: id, Actor: a}
	}

	res, err := e.svc.Deploy(ctx, e.req(dev, "shop", "prod", e.web))
	ok(t, err)
	if res.Pending == nil || res.Summary != nil || !strings.Contains(res.Pending.Reasons[0], "approval of a platform engineer") {
		t.Fatalf("result = %+v, want pending", res)
	}
	id := res.Pending.PlanID

	// Applying before approval still waits.
	res, err = e.svc.ApplyPlan(ctx, cfgApply(dev, id))
	ok(t, err)
	if res.Pending == nil {
		t.Fatalf("applied without approval: %+v", res)
	}
	// The author may not approve; another developer may not approve
	// production; a viewer may not either.
	_, err = e.svc.Approve(ctx, service.ApproveRequest{Platform: e.cfg.Platform, PlanID: id, Actor: dev})
	wantCode(t, err, errs.Forbidden)
	_, err = e.svc.Approve(ctx, service.ApproveRequest{Platform: e.cfg.Platform, PlanID: id, Actor: dev2})
	wantCode(t, err, errs.Forbidden)
	_, err = e.svc.Approve(ctx, service.ApproveRequest{Platform: e.cfg.Platform, PlanID: id, Actor: actor("vic", "human", "viewer", "shop")})
	wantCode(t, err, errs.Forbidden)
	sp, err := e.svc.Approve(ctx, service.ApproveRequest{Platform: e.cfg.Platform, PlanID: id, Actor: pe, Comment: "ok"})
	ok(t, err)
	if len(sp.Approvals) != 1 || sp.Approvals[0].Actor != "pia" {
		t.Fatalf("approvals = %+v", sp.Approvals)
	}
	_, err = e.svc.Approve(ctx, service.ApproveRequest{Platform: e.cfg.Platform, PlanID: id, Actor: pe})
	wantCode(t, err, errs.Conflict)

	// Someone of another team cannot apply it.
	_, err = e.svc.ApplyPlan(ctx, cfgApply(actor("bo", "human", "developer", "blog"), id))
	wantCode(t, err, errs.Forbidden)

	res, err = e.svc.ApplyPlan(ctx, cfgApply(dev, id))
	ok(t, err)
	if res.Pending != nil || res.Summary == nil || res.Summary.Status != "succeeded" || res.Plan.Hash != sp.Hash {
		t.Fatalf("apply = %+v", res)
	}
	d, err := e.svc.Deployment(ctx, dev, res.Summary.DeploymentID)
	ok(t, err)
	if d.PlanID != id || d.Actor != "ann" {
		t.Fatalf("deployment = %+v, want plan %s by ann", d.Deployment, id)
	}

	// A plan made before the environment changed is refused.
	res, err = e.svc.Deploy(ctx, e.req(dev, "shop", "prod", workloads(t, "testdata/workloads/web.score.yaml", []string{"containers.main.variables.X=one"})))
	ok(t, err)
	stale := res.Pending.PlanID
	_, err = e.svc.Approve(ctx, service.ApproveRequest{Platform: e.cfg.Platform, PlanID: stale, Actor: pe})
	ok(t, err)
	res, err = e.svc.Deploy(ctx, e.req(pe, "shop", "prod", workloads(t, "testdata/workloads/web.score.yaml", []string{"containers.main.variables.Y=two"})))
	ok(t, err)
	if res.Summary == nil || res.Summary.Status != "succeeded" {
		t.Fatalf("platform engineer's deploy = %+v", res)
	}
	_, err = e.svc.ApplyPlan(ctx, cfgApply(dev, stale))
	wantCode(t, err, errs.Conflict)
	if !strings.Contains(err.Error(), "is out of date") {
		t.Fatalf("error %q does not say why", err)
	}

	audit, err := e.svc.Audit(ctx, pe, store.AuditFilter{Action: "plan.approve"})
	ok(t, err)
	if len(audit) != 6 {
		t.Fatalf("audit of approvals = %d entries, want 6 (3 refused, 2 given, 1 twice): %+v", len(audit), audit)
	}
}

// TestPolicyApproval: a policy's approval applies to anyone, here an agent
// in staging, and a developer of the team may give it.
func TestPolicyApproval(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	agent := actor("bot", "agent", "developer", "shop")
	res, err := e.svc.Deploy(ctx, e.req(agent, "shop", "stg", e.web))
	ok(t, err)
	if res.Pending == nil || res.Pending.Reasons[0] != `policy agents: agent "bot" needs a person's approval` {
		t.Fatalf("result = %+v", res.Pending)
	}
	_, err = e.svc.Approve(ctx, service.ApproveRequest{Platform: e.cfg.Platform, PlanID: res.Pending.PlanID, Actor: actor("ann", "human", "developer", "shop")})
	ok(t, err)
	res, err = e.svc.ApplyPlan(ctx, service.ApplyPlanRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies, PlanID: res.Pending.PlanID, Actor: agent})
	ok(t, err)
	if res.Summary == nil || res.Summary.Status != "succeeded" {
		t.Fatalf("apply = %+v", res)
	}
}

// TestEnvironmentTypeApproval: which environments a developer changes
// without an approval is the platform config's choice, per environment
// type, not a fixed list of names.
func TestEnvironmentTypeApproval(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	// Swap the test platform's choices: staging guarded, production open.
	e.cfg = e.configWith(t, func(name, text string) string {
		if name != "environments.yaml" {
			return text
		}
		text = strings.Replace(text, "name: staging\nspec:\n  approval: none", "name: staging\nspec:\n  approval: required", 1)
		return strings.Replace(text, "kind: EnvironmentType\nmetadata:\n  name: production\n", "kind: EnvironmentType\nmetadata:\n  name: production\nspec: {approval: none}\n", 1)
	})
	dev := actor("ann", "human", "developer", "shop")
	res, err := e.svc.Deploy(ctx, e.req(dev, "shop", "prod", e.web))
	ok(t, err)
	if res.Pending != nil || res.Summary == nil || res.Summary.Status != "succeeded" {
		t.Fatalf("production deploy = %+v, want applied directly", res)
	}
	res, err = e.svc.Deploy(ctx, e.req(dev, "shop", "stg", e.web))
	ok(t, err)
	if res.Pending == nil || !strings.Contains(res.Pending.Reasons[0], "in a staging environment only with the approval") {
		t.Fatalf("staging deploy = %+v, want pending", res)
	}
	// Revealing follows the same choice.
	_, err = e.svc.Resources(ctx, e.cfg.Platform, dev, "shop", "prod", true)
	ok(t, err)
	_, err = e.svc.Resources(ctx, e.cfg.Platform, dev, "shop", "stg", true)
	wantCode(t, err, errs.Forbidden)
	// Without the platform config the service cannot tell, and guards.
	_, err = e.svc.Resources(ctx, nil, dev, "shop", "prod", true)
	wantCode(t, err, errs.Forbidden)
}
