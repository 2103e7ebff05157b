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

func TestPolicyTestCommand(t *testing.T) {
	code, out, errOut := run(t, "", "policy", "test", "--platform", "testdata/platform")
	if code != 0 || !strings.Contains(out, "PASS  pave.agents_test.test_agent_needs_approval") || !strings.Contains(out, "1 passed") {
		t.Fatalf("policy test: %d %s %s", code, out, errOut)
	}
}
