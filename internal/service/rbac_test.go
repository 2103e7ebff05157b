package service_test

import (
	"fmt"
	"regexp"
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

// TestRBACViewsSecretsGC runs every role against render (plan's rule),
// explain (anyone), logs (reading the app), platform secrets and gc
// (platform engineers and admins), on its own team's app and another's.
// Nobody at all is unauthorized; every refusal is audited.
func TestRBACViewsSecretsGC(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	allowIf := func(ok bool) string { return map[bool]string{true: "allow", false: "deny"}[ok] }
	for _, role := range identity.Roles {
		a := actor("u-"+role, "human", role, "shop")
		global := role == identity.PlatformEngineer || role == identity.Admin
		for _, app := range []string{"shop", "blog"} {
			for _, envName := range []string{"dev", "prod"} {
				own := app == "shop" || global
				name := fmt.Sprintf("%s/%s/%s", role, app, envName)
				_, err := e.svc.Render(ctx, service.RenderRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies, App: app, Env: envName,
					Workloads: e.web, Format: service.RenderKubernetes, Actor: a})
				expect(t, name+"/render", err, allowIf(own && role != identity.Viewer), "")
				_, err = e.svc.Explain(ctx, service.ExplainRequest{Platform: e.cfg.Platform, App: app, Env: envName, Type: "redis", Actor: a})
				expect(t, name+"/explain", err, "allow", "")
				// Nothing runs there: an allowed read finds no logs.
				_, err = e.svc.Logs(ctx, service.LogsRequest{Platform: e.cfg.Platform, App: app, Env: envName, Workload: "web", Actor: a})
				expect(t, name+"/logs", err, allowIf(own), errs.NotFound)
			}
		}
		err := e.svc.PutSecret(ctx, a, "k-"+role, []byte("v4lue"))
		expect(t, role+"/secret put", err, allowIf(global), "")
		list, err := e.svc.ListSecrets(ctx, a)
		expect(t, role+"/secret list", err, allowIf(global), "")
		if global && (len(list) != 1 || list[0].Name != "k-"+role) {
			t.Errorf("%s/secret list = %+v", role, list)
		}
		err = e.svc.DeleteSecret(ctx, a, "k-"+role)
		expect(t, role+"/secret delete", err, allowIf(global), "")
		_, err = e.svc.GC(ctx, *e.cfg, a, nil)
		expect(t, role+"/gc", err, allowIf(global), "")
	}
	nobody := service.Actor{}
	_, err := e.svc.Render(ctx, service.RenderRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies, App: "shop", Env: "dev",
		Workloads: e.web, Format: service.RenderKubernetes, Actor: nobody})
	wantCode(t, err, errs.Unauthorized)
	_, err = e.svc.Explain(ctx, service.ExplainRequest{Platform: e.cfg.Platform, App: "shop", Env: "dev", Type: "redis", Actor: nobody})
	wantCode(t, err, errs.Unauthorized)
	_, err = e.svc.Logs(ctx, service.LogsRequest{Platform: e.cfg.Platform, App: "shop", Env: "dev", Workload: "web", Actor: nobody})
	wantCode(t, err, errs.Unauthorized)
	wantCode(t, e.svc.PutSecret(ctx, nobody, "k", []byte("v")), errs.Unauthorized)
	wantCode(t, e.svc.DeleteSecret(ctx, nobody, "k"), errs.Unauthorized)
	_, err = e.svc.ListSecrets(ctx, nobody)
	wantCode(t, err, errs.Unauthorized)
	_, err = e.svc.GC(ctx, *e.cfg, nobody, nil)
	wantCode(t, err, errs.Unauthorized)

	// Refusals and changes are audited, values never.
	audit, err := e.svc.Audit(ctx, service.LocalAdmin(), store.AuditFilter{})
	ok(t, err)
	seen := map[string]bool{}
	for _, en := range audit {
		seen[en.Action+" "+en.Actor+" "+en.Outcome] = true
		if strings.Contains(string(en.Detail), "v4lue") {
			t.Errorf("audit holds a secret value: %+v", en)
		}
	}
	for _, want := range []string{"secrets.write u-developer denied", "platform.gc u-viewer denied", "plan u-viewer denied",
		"app.read u-developer denied", "secret.put u-admin ok", "secret.delete u-platform-engineer ok"} {
		if !seen[want] {
			t.Errorf("no audit entry %q", want)
		}
	}
}

// TestRenderKeepsSecretsOut: a render holds no secret value in either
// format, and its digests of them are keyed with HashKey.
func TestRenderKeepsSecretsOut(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	render := func(format string, key []byte) *service.Rendered {
		t.Helper()
		e.svc.HashKey = key
		out, err := e.svc.Render(ctx, service.RenderRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies, App: "shop", Env: "dev",
			Workloads: e.web, Format: format, Actor: service.LocalAdmin()})
		ok(t, err)
		for _, f := range out.Files {
			if strings.Contains(string(f.Content), "s3cret-value") {
				t.Fatalf("%s render: %s holds the secret", format, f.Path)
			}
		}
		if len(out.Warnings) == 0 {
			t.Errorf("%s render: no warning that secrets are left out", format)
		}
		return out
	}
	render(service.RenderCompose, nil)
	hash := regexp.MustCompile(`pave.dev/config-hash: "?([^"\s]+)`)
	plain := hash.FindSubmatch(render(service.RenderKubernetes, nil).Files[0].Content)
	keyed := hash.FindSubmatch(render(service.RenderKubernetes, []byte("k1")).Files[0].Content)
	other := hash.FindSubmatch(render(service.RenderKubernetes, []byte("k2")).Files[0].Content)
	if plain == nil || keyed == nil || other == nil {
		t.Fatal("no config-hash annotation")
	}
	if string(plain[1]) == string(keyed[1]) || string(keyed[1]) == string(other[1]) {
		t.Errorf("config-hash ignores HashKey: %s %s %s", plain[1], keyed[1], other[1])
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
	// The last character changed, to one it is not (a fixed "A" would
	// sometimes be the token itself).
	last := "A"
	if strings.HasSuffix(tok.Secret, "A") {
		last = "B"
	}
	for _, bad := range []string{"", "nonsense", tok.Secret + "x", tok.Secret[:len(tok.Secret)-1] + last,
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

// TestRBACBindings runs users whose roles come from bindings, each
// authenticated by its own API token, against the use cases: a developer
// of app shop only, a viewer across team blog, a developer of shop in
// development only. Unknown, expired and revoked tokens are refused with
// unauthorized.
func TestRBACBindings(t *testing.T) {
	e := newEnv(t)
	e.seedIdentity(t)
	ctx := t.Context()
	admin := service.LocalAdmin()
	bad := workloads(t, "testdata/workloads/web.score.yaml", []string{"containers.main.image=busybox:forbidden"})
	users := map[string][]store.RoleBinding{
		"cy": {{Role: "developer", App: "shop"}},
		"vi": {{Role: "viewer", Team: "blog"}},
		"ed": {{Role: "developer", App: "shop", EnvTypes: []string{"development"}}},
	}
	actors := map[string]service.Actor{}
	tokens := map[string]string{}
	for name, bs := range users {
		ok(t, e.svc.CreateUser(ctx, admin, &store.User{Name: name, Bindings: bs}))
		tok, err := e.svc.CreateToken(ctx, service.CreateTokenRequest{User: name, Actor: admin})
		ok(t, err)
		a, err := e.svc.Authenticate(ctx, tok.Secret)
		ok(t, err)
		if len(a.Bindings) != 1 || a.Bindings[0].Role != bs[0].Role {
			t.Fatalf("actor %s = %+v, want its binding", name, a)
		}
		actors[name], tokens[name] = a, tok.Secret
	}
	// deploy: "policy" (allowed, or waiting for approval, and then
	// stopped by the policy on the image) or "forbidden"; read and
	// reveal: "ok" or "forbidden".
	type want struct{ deploy, read, reveal string }
	const p, f, o = "policy", "forbidden", "ok"
	tests := map[string]want{
		"cy/shop/dev": {p, o, o}, "cy/shop/prod": {p, o, f}, "cy/blog/dev": {f, f, f}, "cy/blog/prod": {f, f, f},
		"vi/shop/dev": {f, f, f}, "vi/shop/prod": {f, f, f}, "vi/blog/dev": {f, o, f}, "vi/blog/prod": {f, o, f},
		"ed/shop/dev": {p, o, o}, "ed/shop/prod": {f, f, f}, "ed/blog/dev": {f, f, f}, "ed/blog/prod": {f, f, f},
	}
	code := map[string]errs.Code{p: errs.Policy, f: errs.Forbidden, o: ""}
	for name, w := range tests {
		parts := strings.Split(name, "/")
		a, app, envName := actors[parts[0]], parts[1], parts[2]
		_, err := e.svc.Deploy(ctx, e.req(a, app, envName, bad))
		if errs.CodeOf(err) != code[w.deploy] {
			t.Errorf("%s/deploy: %v, want %s", name, err, w.deploy)
		}
		_, err = e.svc.Deployments(ctx, a, app, envName, 0)
		if errs.CodeOf(err) != code[w.read] {
			t.Errorf("%s/read: %v, want %s", name, err, w.read)
		}
		_, err = e.svc.Resources(ctx, e.cfg.Platform, a, app, envName, true)
		if errs.CodeOf(err) != code[w.reveal] {
			t.Errorf("%s/reveal: %v, want %s", name, err, w.reveal)
		}
	}
	// The app list shows what each may read.
	for name, want := range map[string]string{"cy": "shop", "vi": "blog", "ed": "shop"} {
		apps, err := e.svc.ListApps(ctx, actors[name])
		ok(t, err)
		if len(apps) != 1 || apps[0].Name != want {
			t.Errorf("%s's apps = %+v, want %s", name, apps, want)
		}
	}
	// A production environment of shop: cy's waits for approval, ed may
	// not ask.
	_, res, err := e.svc.CreateEnvironment(ctx, service.CreateEnvironmentRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies,
		App: "shop", Env: "cy-prod", Type: "production", Actor: actors["cy"]}, nil)
	ok(t, err)
	if res == nil || res.Pending == nil {
		t.Fatalf("cy's production environment = %+v, want pending", res)
	}
	_, _, err = e.svc.CreateEnvironment(ctx, service.CreateEnvironmentRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies,
		App: "shop", Env: "ed-prod", Type: "production", Actor: actors["ed"]}, nil)
	wantCode(t, err, errs.Forbidden)

	// Bindings are checked when given.
	for _, bs := range [][]store.RoleBinding{
		{{Role: "admin", App: "shop"}},
		{{Role: "king", App: "shop"}},
		{{Role: "viewer", Team: "nope"}},
		{{Role: "viewer", Team: "shop", App: "shop"}},
	} {
		wantCode(t, e.svc.CreateUser(ctx, admin, &store.User{Name: "bad", Bindings: bs}), errs.Invalid)
	}
	// A change of bindings holds from the next authentication.
	ok(t, e.svc.UpdateUser(ctx, admin, &store.User{Name: "vi", Bindings: []store.RoleBinding{{Role: "developer", Team: "blog"}}}))
	vi, err := e.svc.Authenticate(ctx, tokens["vi"])
	ok(t, err)
	_, err = e.svc.Deploy(ctx, e.req(vi, "blog", "dev", bad))
	wantCode(t, err, errs.Policy)

	// Unknown, revoked and expired tokens authenticate nobody.
	_, err = e.svc.Authenticate(ctx, tokens["cy"][:len(tokens["cy"])-2]+"AA")
	wantCode(t, err, errs.Unauthorized)
	_, err = e.svc.Authenticate(ctx, "pave_01UNKNOWN_"+strings.Repeat("A", 43))
	wantCode(t, err, errs.Unauthorized)
	list, err := e.svc.ListTokens(ctx, admin, "ed")
	ok(t, err)
	ok(t, e.svc.RevokeToken(ctx, admin, list[0].ID))
	_, err = e.svc.Authenticate(ctx, tokens["ed"])
	wantCode(t, err, errs.Unauthorized)
	e.svc.Now = func() time.Time { return time.Now().Add(service.DefaultTokenTTL + time.Minute) }
	_, err = e.svc.Authenticate(ctx, tokens["cy"])
	wantCode(t, err, errs.Unauthorized)
	e.svc.Now = nil
}
