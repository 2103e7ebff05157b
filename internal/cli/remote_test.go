package cli_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/cli"
	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/targets"
)

// run runs pave with args and stdin, returning exit code, stdout, stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestRemoteCLI drives the CLI against a real API server: login, whoami,
// a production deployment that waits for approval (exit 4), the approval by
// a platform engineer, applying the plan, a policy denial (exit 3) and
// access refusals (exit 3).
func TestRemoteCLI(t *testing.T) {
	d := driver.NewRegistry()
	drivers.Register(d)
	tr := target.NewRegistry()
	targets.Register(tr, targets.Options{StateDir: t.TempDir(), InProcess: true})
	svc := &service.Service{Drivers: d, Targets: tr, Store: sqlstoretest.SQLite(t), Owner: "server:cli-test"}
	cfg, err := svc.LoadConfig(os.DirFS("testdata/platform"), "")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(api.New(api.Options{Service: svc, Config: cfg}))
	defer hs.Close()
	ctx := context.Background()
	admin := service.LocalAdmin()
	t.Cleanup(func() {
		svc.Destroy(ctx, service.DeployRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: "shop", Env: "prod", Actor: admin})
	})
	if err := svc.CreateTeam(ctx, admin, &store.Team{Name: "shop"}); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, u := range []store.User{{Name: "ann", Roles: []string{"developer"}, Teams: []string{"shop"}}, {Name: "pia", Roles: []string{"platform-engineer"}}} {
		if err := svc.CreateUser(ctx, admin, &u); err != nil {
			t.Fatal(err)
		}
		tok, err := svc.CreateToken(ctx, service.CreateTokenRequest{User: u.Name, Actor: admin})
		if err != nil {
			t.Fatal(err)
		}
		tokens[u.Name] = tok.Secret
	}
	cfgDir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfgDir)
	t.Setenv("PAVE_SERVER", "")
	t.Setenv("PAVE_TOKEN", "")
	t.Setenv("PAVE_STATE", "")
	t.Setenv("PAVE_DATABASE_URL", "")
	web := "testdata/workloads/web.score.yaml"

	code, out, errOut := run(t, tokens["ann"]+"\n", "login", "--server", hs.URL, "--token", "-")
	if code != 0 || !strings.Contains(out, "as ann") {
		t.Fatalf("login: %d %s %s", code, out, errOut)
	}
	st, err := os.Stat(filepath.Join(cfgDir, "pave", "credentials.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", st, err)
	}
	if code, out, _ := run(t, "", "whoami"); code != 0 || !strings.Contains(out, "ann (human)") {
		t.Fatalf("whoami: %d %s", code, out)
	}
	code, out, errOut = run(t, "", "plan", "--app", "shop", "--env", "prod", web)
	if code != 0 || !strings.Contains(out, "WARN      limits") || !strings.Contains(out, "approval of a platform engineer") {
		t.Fatalf("plan: %d %s %s", code, out, errOut)
	}
	code, out, errOut = run(t, "", "deploy", "--app", "shop", "--env", "prod", web)
	if code != cli.ExitPending {
		t.Fatalf("deploy to prod: %d %s %s", code, out, errOut)
	}
	id := regexp.MustCompile(`plan (\w+) waits for approval`).FindStringSubmatch(out)[1]
	if code, out, errOut := run(t, "", "approve", id); code != cli.ExitDenied || !strings.Contains(errOut, "may not plan.approve") {
		t.Fatalf("self approval: %d %s %s", code, out, errOut)
	}
	t.Setenv("PAVE_SERVER", hs.URL)
	t.Setenv("PAVE_TOKEN", tokens["pia"])
	if code, out, errOut := run(t, "", "approve", id, "--comment", "ok"); code != 0 || !strings.Contains(out, "by pia") {
		t.Fatalf("approval: %d %s %s", code, out, errOut)
	}
	t.Setenv("PAVE_SERVER", "")
	t.Setenv("PAVE_TOKEN", "")
	code, out, errOut = run(t, "", "deploy", "--plan", id)
	if code != 0 || !strings.Contains(out, "succeeded") || !strings.Contains(out, "ok  deploy   workloads") {
		t.Fatalf("deploy --plan: %d %s %s", code, out, errOut)
	}
	code, out, errOut = run(t, "", "deploy", "--app", "shop", "--env", "prod", "--override-property", "containers.main.image=x:forbidden", web)
	if code != cli.ExitDenied || !strings.Contains(errOut, "denied by policy images") {
		t.Fatalf("denied deploy: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := run(t, "", "resources", "list", "--app", "shop", "--env", "prod", "--reveal"); code != cli.ExitDenied || !strings.Contains(errOut, "may not resources.reveal") {
		t.Fatalf("reveal in prod: %d %s", code, errOut)
	}
	if code, out, _ := run(t, "", "resources", "list", "--app", "shop", "--env", "prod"); code != 0 || !strings.Contains(out, "password=********") {
		t.Fatalf("resources: %d %s", code, out)
	}
	if code, out, _ := run(t, "", "deployments", "list", "--app", "shop", "--env", "prod", "-o", "json"); code != 0 || !strings.Contains(out, `"actor": "ann"`) {
		t.Fatalf("deployments: %d %s", code, out)
	}
	// A new production environment waits for approval (exit 4), uncreated;
	// the approved plan creates it.
	code, out, errOut = run(t, "", "env", "create", "--app", "shop", "--env", "hotfix", "--type", "production")
	if code != cli.ExitPending || strings.Contains(out, "created") {
		t.Fatalf("env create: %d %s %s", code, out, errOut)
	}
	id = regexp.MustCompile(`plan (\w+) waits for approval`).FindStringSubmatch(out)[1]
	if code, out, _ := run(t, "", "env", "list", "--app", "shop"); code != 0 || strings.Contains(out, "hotfix") {
		t.Fatalf("env list before approval: %d %s", code, out)
	}
	t.Setenv("PAVE_SERVER", hs.URL)
	t.Setenv("PAVE_TOKEN", tokens["pia"])
	if code, out, errOut := run(t, "", "approve", id); code != 0 {
		t.Fatalf("approval: %d %s %s", code, out, errOut)
	}
	t.Setenv("PAVE_SERVER", "")
	t.Setenv("PAVE_TOKEN", "")
	code, out, errOut = run(t, "", "deploy", "--plan", id)
	if code != 0 || !strings.Contains(out, "environment shop/hotfix created (type production)") {
		t.Fatalf("deploy --plan of the creation: %d %s %s", code, out, errOut)
	}
	if code, out, _ := run(t, "", "env", "list", "--app", "shop"); code != 0 || !strings.Contains(out, "hotfix") {
		t.Fatalf("env list after approval: %d %s", code, out)
	}
	// Without a valid token, nothing goes.
	t.Setenv("PAVE_SERVER", hs.URL)
	t.Setenv("PAVE_TOKEN", "pave_nope")
	if code, _, errOut := run(t, "", "deployments", "list", "--app", "shop", "--env", "prod"); code != cli.ExitDenied || !strings.Contains(errOut, "invalid API token") {
		t.Fatalf("bad token: %d %s", code, errOut)
	}
	t.Setenv("PAVE_SERVER", "")
	if code, out, _ := run(t, "", "logout"); code != 0 || !strings.Contains(out, "logged out") {
		t.Fatalf("logout: %d %s", code, out)
	}
}

// remoteServer is an API server on a fresh store with the test platform,
// teams shop and blog each owning its app, and users, each with a token.
func remoteServer(t *testing.T, users ...store.User) (*httptest.Server, map[string]string) {
	t.Helper()
	d := driver.NewRegistry()
	drivers.Register(d)
	tr := target.NewRegistry()
	targets.Register(tr, targets.Options{StateDir: t.TempDir(), InProcess: true})
	svc := &service.Service{Drivers: d, Targets: tr, Store: sqlstoretest.SQLite(t), Owner: "server:cli-test"}
	cfg, err := svc.LoadConfig(os.DirFS("testdata/platform"), "testdata/platform")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(api.New(api.Options{Service: svc, Config: cfg}))
	t.Cleanup(hs.Close)
	ctx := context.Background()
	admin := service.LocalAdmin()
	t.Cleanup(func() {
		for _, env := range []string{"dev", "stg", "prod"} {
			svc.Destroy(ctx, service.DeployRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: "shop", Env: env, Actor: admin})
		}
	})
	for _, team := range []string{"shop", "blog"} {
		if err := svc.CreateTeam(ctx, admin, &store.Team{Name: team}); err != nil {
			t.Fatal(err)
		}
		if err := svc.CreateApp(ctx, admin, &store.App{Name: team, Team: team}); err != nil {
			t.Fatal(err)
		}
	}
	tokens := map[string]string{}
	for _, u := range users {
		if err := svc.CreateUser(ctx, admin, &u); err != nil {
			t.Fatal(err)
		}
		tok, err := svc.CreateToken(ctx, service.CreateTokenRequest{User: u.Name, Actor: admin})
		if err != nil {
			t.Fatal(err)
		}
		tokens[u.Name] = tok.Secret
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("PAVE_STATE", "")
	t.Setenv("PAVE_DATABASE_URL", "")
	t.Setenv("PAVE_SECRET_KEY", "")
	return hs, tokens
}

// TestRemoteViewsSecretsGC drives render, explain, logs, secrets and gc
// through a server: the same output as locally, the server's access
// rules (exit 3), no secret value anywhere, and rotate-key refused.
func TestRemoteViewsSecretsGC(t *testing.T) {
	hs, tokens := remoteServer(t,
		store.User{Name: "ann", Roles: []string{"developer"}, Teams: []string{"shop"}},
		store.User{Name: "vic", Roles: []string{"viewer"}, Teams: []string{"shop"}},
		store.User{Name: "bob", Roles: []string{"developer"}, Teams: []string{"blog"}},
		store.User{Name: "pia", Roles: []string{"platform-engineer"}})
	as := func(user string) {
		t.Setenv("PAVE_SERVER", hs.URL)
		t.Setenv("PAVE_TOKEN", tokens[user])
	}
	web := "testdata/workloads/web.score.yaml"
	local := []string{"--platform", "testdata/platform", "--state", t.TempDir()}

	// Render: the server's answer is the local one, byte for byte.
	as("ann")
	render := []string{"render", "--app", "shop", "--env", "dev", "--target", "kubernetes", web}
	code, remoteOut, errOut := run(t, "", render...)
	if code != 0 || !strings.Contains(remoteOut, "cache.internal") || strings.Contains(remoteOut+errOut, "s3cret-value") ||
		!strings.Contains(errOut, "warning: Secrets are not written") {
		t.Fatalf("remote render: %d %s %s", code, remoteOut, errOut)
	}
	code, localOut, errOut := run(t, "", append(render, local...)...)
	if code != 0 || localOut != remoteOut {
		t.Fatalf("local render differs: %d %s\n---\n%s", code, errOut, localOut)
	}
	outDir := t.TempDir()
	if code, _, errOut := run(t, "", "render", "--app", "shop", "--env", "dev", "--target", "compose", "--out", outDir, web); code != 0 {
		t.Fatalf("remote render --out: %d %s", code, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(outDir, "compose.yaml")); err != nil || !strings.Contains(string(b), "cache.internal") {
		t.Fatalf("compose.yaml: %v %s", err, b)
	}
	if _, err := os.Stat(filepath.Join(outDir, "secrets", "web.env")); err == nil {
		t.Fatal("render wrote the secret env file")
	}
	as("vic")
	if code, _, errOut := run(t, "", render...); code != cli.ExitDenied || !strings.Contains(errOut, "may not plan") {
		t.Fatalf("viewer render: %d %s", code, errOut)
	}

	// Explain: the same JSON as locally, for a viewer too.
	explain := []string{"explain", "--app", "shop", "--env", "dev", "-o", "json", "redis"}
	code, remoteOut, errOut = run(t, "", explain...)
	if code != 0 || !strings.Contains(remoteOut, `"selected": "static-redis"`) {
		t.Fatalf("remote explain: %d %s %s", code, remoteOut, errOut)
	}
	if code, localOut, _ := run(t, "", append(explain, local...)...); code != 0 || localOut != remoteOut {
		t.Fatalf("local explain differs: %d\n%s\n---\n%s", code, localOut, remoteOut)
	}

	// Logs: the server's, for who may read the app.
	if code, _, errOut := run(t, "", "logs", "--app", "shop", "--env", "dev", "web"); code != cli.ExitFailed || !strings.Contains(errOut, "has no logs") {
		t.Fatalf("logs before deploy: %d %s", code, errOut)
	}
	as("bob")
	if code, _, errOut := run(t, "", "logs", "--app", "shop", "--env", "dev", "web"); code != cli.ExitDenied || !strings.Contains(errOut, "may not app.read") {
		t.Fatalf("other team's logs: %d %s", code, errOut)
	}
	as("ann")
	if code, out, errOut := run(t, "", "deploy", "--app", "shop", "--env", "dev", web); code != 0 {
		t.Fatalf("deploy: %d %s %s", code, out, errOut)
	}
	as("vic")
	if code, _, errOut := run(t, "", "logs", "--app", "shop", "--env", "dev", "--tail", "5", "web"); code != 0 {
		t.Fatalf("logs after deploy: %d %s", code, errOut)
	}

	// Secrets: platform engineers only, values never shown.
	as("ann")
	if code, _, errOut := run(t, "hunter2\n", "secrets", "set", "db-url"); code != cli.ExitDenied || !strings.Contains(errOut, "may not secrets.write") {
		t.Fatalf("developer sets a secret: %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "", "secrets", "rotate-key"); code != cli.ExitFailed || !strings.Contains(errOut, "local state only") {
		t.Fatalf("rotate-key through a server: %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "", "gc"); code != cli.ExitDenied || !strings.Contains(errOut, "may not platform.gc") {
		t.Fatalf("developer gc: %d %s", code, errOut)
	}
	as("pia")
	if code, out, errOut := run(t, "hunter2\n", "secrets", "set", "db-url"); code != 0 || out != "secret \"db-url\" set\n" {
		t.Fatalf("secrets set: %d %s %s", code, out, errOut)
	}
	if code, out, _ := run(t, "", "secrets", "list"); code != 0 || out != "db-url\n" {
		t.Fatalf("secrets list: %d %q", code, out)
	}
	if code, out, _ := run(t, "", "secrets", "list", "-o", "json"); code != 0 || !strings.Contains(out, `"name": "db-url"`) || strings.Contains(out, "hunter2") {
		t.Fatalf("secrets list -o json: %d %s", code, out)
	}
	if code, out, errOut := run(t, "", "secrets", "delete", "db-url"); code != 0 || !strings.Contains(out, "deleted") {
		t.Fatalf("secrets delete: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := run(t, "", "secrets", "delete", "db-url"); code != cli.ExitFailed || !strings.Contains(errOut, "db-url") {
		t.Fatalf("secrets delete again: %d %s", code, errOut)
	}
	if code, out, errOut := run(t, "", "gc"); code != 0 || out != "no expired environment\n" {
		t.Fatalf("gc: %d %s %s", code, out, errOut)
	}
}

func TestPolicyTestCommand(t *testing.T) {
	code, out, errOut := run(t, "", "policy", "test", "--platform", "testdata/platform")
	if code != 0 || !strings.Contains(out, "PASS  pave.agents_test.test_agent_needs_approval") || !strings.Contains(out, "1 passed") {
		t.Fatalf("policy test: %d %s %s", code, out, errOut)
	}
}
