package service_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// TestRBACMatrix runs every role against the use cases on its own team's
// app and on another team's, in a development and a production
// environment. Deployments use an image a policy forbids, so that an
// allowed one ends at the policy (errs.Policy) without running anything.
func TestRBACMatrix(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	bad := workloads(t, "testdata/workloads/web.score.yaml", []string{"containers.main.image=busybox:forbidden"})
	const allow, approval, deny = "allow", "approval", "deny"
	n := 0
	for _, role := range identity.Roles {
		a := actor("u-"+role, "human", role, "shop")
		for _, app := range []string{"shop", "blog"} {
			for _, envName := range []string{"dev", "prod"} {
				own := app == "shop" || role == identity.PlatformEngineer || role == identity.Admin
				direct := envName == "dev" || role == identity.PlatformEngineer || role == identity.Admin
				change := deny
				switch {
				case own && role != identity.Viewer && direct:
					change = allow
				case own && role != identity.Viewer:
					change = approval
				}
				read := map[bool]string{true: allow, false: deny}[own]
				reveal := map[bool]string{true: allow, false: deny}[own && role != identity.Viewer && direct]
				name := fmt.Sprintf("%s/%s/%s", role, app, envName)

				_, err := e.svc.Deploy(ctx, e.req(a, app, envName, bad))
				expect(t, name+"/deploy", err, change, errs.Policy)
				_, err = e.svc.Destroy(ctx, e.req(a, app, envName, nil))
				expect(t, name+"/destroy", err, change, "")
				_, err = e.svc.Resources(ctx, e.cfg.Platform, a, app, envName, false)
				expect(t, name+"/resources", err, read, "")
				_, err = e.svc.Resources(ctx, e.cfg.Platform, a, app, envName, true)
				expect(t, name+"/reveal", err, reveal, "")
				_, err = e.svc.Deployments(ctx, a, app, envName, 0)
				expect(t, name+"/deployments", err, read, "")
				pr, err := e.svc.Plan(ctx, service.PlanRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies, App: app, Env: envName, Workloads: e.web, Actor: a})
				expect(t, name+"/plan", err, map[bool]string{true: allow, false: deny}[change != deny], "")
				if err == nil && (len(pr.ApprovalNeeded) > 0) != (change == approval) {
					t.Errorf("%s/plan: approval needed %v, want %v", name, pr.ApprovalNeeded, change == approval)
				}
				n++
				envType := map[string]string{"dev": "development", "prod": "production"}[envName]
				_, _, err = e.svc.CreateEnvironment(ctx, service.CreateEnvironmentRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies,
					App: app, Env: fmt.Sprintf("e%d", n), Type: envType, Actor: a}, nil)
				expect(t, name+"/env create", err, change, "")
			}
		}
		_, err := e.svc.Audit(ctx, a, store.AuditFilter{})
		expect(t, role+"/audit", err, map[bool]string{true: allow, false: deny}[role == identity.PlatformEngineer || role == identity.Admin], "")
		err = e.svc.PutSecret(ctx, a, "k", []byte("v"))
		expect(t, role+"/secret", err, map[bool]string{true: allow, false: deny}[role == identity.PlatformEngineer || role == identity.Admin], "")
		err = e.svc.CreateTeam(ctx, a, &store.Team{Name: "t-" + role})
		expect(t, role+"/team", err, map[bool]string{true: allow, false: deny}[role == identity.Admin], "")
	}
	// Nobody at all is unauthorized, not forbidden.
	_, err := e.svc.Deploy(ctx, e.req(service.Actor{}, "shop", "dev", e.web))
	wantCode(t, err, errs.Unauthorized)
	_, err = e.svc.Resources(ctx, e.cfg.Platform, service.Actor{}, "shop", "dev", false)
	wantCode(t, err, errs.Unauthorized)
}

// expect checks err for a decision: allowed actions, and those that wait
// for an approval, pass or fail with allowedCode.
func expect(t *testing.T, name string, err error, decision string, allowedCode errs.Code) {
	t.Helper()
	switch decision {
	case "deny":
		if errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("%s: got %v, want forbidden", name, err)
		}
	case "approval":
		if c := errs.CodeOf(err); c != allowedCode {
			t.Errorf("%s: got %v, want %q", name, err, allowedCode)
		}
	default:
		if errs.CodeOf(err) != allowedCode {
			t.Errorf("%s: got %v, want %q", name, err, allowedCode)
		}
	}
}

// TestRevealIsAudited: secret outputs are masked unless revealed, and
// every reveal is in the audit log.
func TestRevealIsAudited(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	dev := actor("ann", "human", "developer", "shop")
	_, err := e.svc.Deploy(ctx, e.req(dev, "shop", "dev", e.web))
	ok(t, err)
	rs, err := e.svc.Resources(ctx, e.cfg.Platform, dev, "shop", "dev", false)
	ok(t, err)
	if len(rs) != 1 || rs[0].Outputs["password"] != service.Masked || rs[0].Outputs["host"] != "cache.internal" {
		t.Fatalf("masked resources = %+v", rs)
	}
	rs, err = e.svc.Resources(ctx, e.cfg.Platform, dev, "shop", "dev", true)
	ok(t, err)
	if rs[0].Outputs["password"] != "s3cret-value" {
		t.Fatalf("revealed resources = %+v", rs)
	}
	_, err = e.svc.Resources(ctx, e.cfg.Platform, actor("vic", "human", "viewer", "shop"), "shop", "dev", true)
	wantCode(t, err, errs.Forbidden)
	audit, err := e.svc.Audit(ctx, service.LocalAdmin(), store.AuditFilter{Action: "resources.reveal"})
	ok(t, err)
	if len(audit) != 2 || audit[0].Actor != "vic" || audit[0].Outcome != "denied" || audit[1].Actor != "ann" || audit[1].Outcome != "ok" {
		t.Fatalf("reveal audit = %+v", audit)
	}
	for _, a := range audit {
		if strings.Contains(string(a.Detail), "s3cret") {
			t.Fatalf("audit holds the secret: %s", a.Detail)
		}
	}
}

// TestAuthenticate: only a known, matching, unexpired, unrevoked token of
// an enabled user authenticates.
func TestAuthenticate(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	admin := service.LocalAdmin()
	ok(t, e.svc.CreateUser(ctx, admin, &store.User{Name: "ann", Roles: []string{"developer"}, Teams: []string{"shop"}}))
	wantCode(t, e.svc.CreateUser(ctx, admin, &store.User{Name: "bad", Roles: []string{"king"}}), errs.Invalid)
	wantCode(t, e.svc.CreateUser(ctx, admin, &store.User{Name: "bad", Teams: []string{"nope"}}), errs.Invalid)
	tok, err := e.svc.CreateToken(ctx, service.CreateTokenRequest{User: "ann", Kind: "ci", Name: "gha", Actor: admin})
	ok(t, err)
	a, err := e.svc.Authenticate(ctx, tok.Secret)
	ok(t, err)
	if a.ID != "ann" || a.Kind != "ci" || a.Roles[0] != "developer" || a.Teams[0] != "shop" {
		t.Fatalf("actor = %+v", a)
	}
	// Ann may make and list her own tokens, not anyone else's.
	own, err := e.svc.CreateToken(ctx, service.CreateTokenRequest{Actor: a, TTL: time.Hour})
	ok(t, err)
	_, err = e.svc.CreateToken(ctx, service.CreateTokenRequest{User: "bob", Actor: a})
	wantCode(t, err, errs.Forbidden)
	list, err := e.svc.ListTokens(ctx, a, "")
	ok(t, err)
	if len(list) != 2 {
		t.Fatalf("tokens = %+v", list)
	}
	for _, bad := range []string{"", "nonsense", tok.Secret + "x", tok.Secret[:len(tok.Secret)-1] + "A",
		identity.TokenPrefix + "01NOPE_" + tok.Secret[len(tok.Secret)-43:]} {
		_, err := e.svc.Authenticate(ctx, bad)
		wantCode(t, err, errs.Unauthorized)
	}
	// Revoked.
	ok(t, e.svc.RevokeToken(ctx, a, own.ID))
	_, err = e.svc.Authenticate(ctx, own.Secret)
	wantCode(t, err, errs.Unauthorized)
	// Expired.
	e.svc.Now = func() time.Time { return time.Now().Add(service.DefaultTokenTTL + time.Hour) }
	_, err = e.svc.Authenticate(ctx, tok.Secret)
	wantCode(t, err, errs.Unauthorized)
	e.svc.Now = nil
	// Disabled user.
	ok(t, e.svc.UpdateUser(ctx, admin, &store.User{Name: "ann", Roles: []string{"developer"}, Teams: []string{"shop"}, Disabled: true}))
	_, err = e.svc.Authenticate(ctx, tok.Secret)
	wantCode(t, err, errs.Unauthorized)
}
