package tofu

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
)

// These tests apply testdata/postgres with the real tool. They need tofu or
// terraform ($PAVE_TOFU_BINARY or PATH) and the random provider without
// network: .ci/deps builds both and writes TF_CLI_CONFIG_FILE, a CLI config
// with a filesystem mirror, into $PAVE_TEST_CACHE/env.sh.

// realDriver returns a driver that can run, or skips the test saying why.
func realDriver(t *testing.T) *Driver {
	t.Helper()
	if testing.Short() {
		t.Skip("applies a module with the real tool: not in -short")
	}
	d := New(Config{Grace: 5 * time.Second, TempDir: t.TempDir()})
	if _, err := d.binary(); err != nil {
		t.Skipf("%v (run .ci/deps and source its env.sh)", err)
	}
	rc := os.Getenv("TF_CLI_CONFIG_FILE")
	if rc == "" {
		t.Skip("TF_CLI_CONFIG_FILE is not set: the tests need a CLI config with a filesystem mirror of hashicorp/random (run .ci/deps and source its env.sh)")
	}
	if _, err := os.Stat(rc); err != nil {
		t.Skipf("TF_CLI_CONFIG_FILE %s: %v: the tests need a filesystem mirror of hashicorp/random (run .ci/deps and source its env.sh)", rc, err)
	}
	return d
}

func module(t *testing.T) string {
	abs, err := filepath.Abs("testdata/postgres")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func request(t *testing.T, vars map[string]any) *driver.Request {
	return &driver.Request{
		UID: "postgres.default#shop.db", Type: "postgres", Class: "default",
		Context: driver.Context{App: "shop", Env: "development", EnvType: "development", ResID: "shop.db"},
		Inputs:  map[string]any{"module": module(t), "variables": vars, "timeout": "5m"},
	}
}

// next carries a result into the following request, as pave does.
func next(req *driver.Request, res *driver.Result) *driver.Request {
	n := *req
	n.State, n.Outputs = res.State, res.Outputs
	return &n
}

func TestProvisionLifecycle(t *testing.T) {
	d := realDriver(t)
	ctx := context.Background()
	req := request(t, map[string]any{"name": "shopdb"})

	plan, err := d.Plan(ctx, req)
	if err != nil {
		t.Fatalf("Plan before provision: %v", err)
	}
	if plan.Summary != "3 to add, 0 to change, 0 to destroy" && plan.Summary != "2 to add, 0 to change, 0 to destroy" {
		t.Errorf("Plan before provision: summary %q", plan.Summary)
	}

	first, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision: %v", err)
	}
	wantPlain := map[string]any{"host": "127.0.0.1", "port": int64(5432), "name": "shopdb", "database": "shopdb", "username": "u_shopdb"}
	for k, v := range wantPlain {
		if first.Outputs[k] != v {
			t.Errorf("output %s = %#v, want %#v", k, first.Outputs[k], v)
		}
	}
	pw, _ := first.Outputs["password"].(string)
	if len(pw) != 24 {
		t.Fatalf("password output %q: want 24 characters", pw)
	}
	st, err := decodeState(first.State)
	if err != nil || !st.hasResources() || !strings.HasPrefix(st.ModuleHash, "sha256:") {
		t.Fatalf("state after provision: %+v, %v", st, err)
	}
	if strings.Contains(string(first.State), pw) {
		t.Errorf("driver state shows the password as plain text")
	}

	// Provisioning again changes nothing.
	req = next(req, first)
	again, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("second Provision: %v", err)
	}
	if a, b := mustJSON(t, again.Outputs), mustJSON(t, first.Outputs); a != b {
		t.Errorf("second Provision changed outputs:\n%s\nwas\n%s", a, b)
	}
	req = next(req, again)
	if plan, err := d.Plan(ctx, req); err != nil || plan.Summary != "no changes" {
		t.Errorf("Plan after provision = %+v, %v; want no changes", plan, err)
	}

	// A changed variable updates the resource; the plan says so first.
	req.Inputs = map[string]any{"module": module(t), "variables": map[string]any{"name": "orders", "port": int64(6543)}}
	plan, err = d.Plan(ctx, req)
	if err != nil || !regexp.MustCompile(`^\d+ to add, \d+ to change, \d+ to destroy$`).MatchString(plan.Summary) {
		t.Fatalf("Plan of an update = %+v, %v", plan, err)
	}
	if strings.Contains(plan.Detail, pw) {
		t.Errorf("plan detail shows the password")
	}
	updated, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision of an update: %v", err)
	}
	if updated.Outputs["name"] != "orders" || updated.Outputs["port"] != int64(6543) {
		t.Errorf("updated outputs: %v", updated.Outputs)
	}
	if updated.Outputs["password"] == pw {
		t.Errorf("renamed database kept its password: the module's keepers say it changes")
	}

	// Deprovision twice: both succeed.
	req = next(req, updated)
	if err := d.Deprovision(ctx, req); err != nil {
		t.Fatalf("Deprovision: %v", err)
	}
	if err := d.Deprovision(ctx, req); err != nil {
		t.Fatalf("second Deprovision with the same state: %v", err)
	}
	if err := d.Deprovision(ctx, &driver.Request{UID: req.UID, Inputs: req.Inputs}); err != nil {
		t.Fatalf("Deprovision without state: %v", err)
	}
	assertNoWorkdirs(t, d)
}

func TestProvisionOutputMapping(t *testing.T) {
	d := realDriver(t)
	ctx := context.Background()
	req := request(t, map[string]any{"name": "mapped"})
	req.Inputs["outputs"] = map[string]any{"db": "database", "user": "username"}
	res, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Deprovision(ctx, next(req, res)); err != nil {
			t.Errorf("Deprovision: %v", err)
		}
	})
	if res.Outputs["db"] != "mapped" || res.Outputs["user"] != "u_mapped" {
		t.Errorf("mapped outputs: %v", res.Outputs)
	}
	if _, ok := res.Outputs["database"]; ok {
		t.Errorf("renamed output still under its own name: %v", res.Outputs)
	}

	req = next(req, res)
	req.Inputs["outputs"] = map[string]any{"db": "no_such_output"}
	if _, err := d.Provision(ctx, req); err == nil || !strings.Contains(err.Error(), "db <- no_such_output") {
		t.Errorf("Provision with a missing output = %v", err)
	}
}

func TestProvisionFailureRedactsAndKeepsState(t *testing.T) {
	d := realDriver(t)
	ctx := context.Background()
	const secret = "hunter2-very-secret"
	req := request(t, map[string]any{"name": "faildb", "fail_with": secret})
	res, err := d.Provision(ctx, req)
	if err == nil {
		t.Fatal("Provision of a failing module succeeded")
	}
	msg := err.Error()
	t.Logf("the failure as a user sees it:\n%s", msg)
	if strings.Contains(msg, secret) {
		t.Fatalf("error shows a variable value:\n%s", msg)
	}
	for _, want := range []string{"tofu apply: exit status 1", "failing on purpose with " + redactedMark} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	// The password was created before the failure: the state says so, so
	// that pave keeps it and can destroy it.
	if res == nil || res.State == nil {
		t.Fatalf("failed Provision returned no state")
	}
	st, err := decodeState(res.State)
	if err != nil || !st.hasResources() {
		t.Fatalf("state after failure: %v, resources %v", err, st != nil && st.hasResources())
	}
	req = next(req, res)
	req.Inputs["variables"] = map[string]any{"name": "faildb"}
	if err := d.Deprovision(ctx, req); err != nil {
		t.Fatalf("Deprovision after a failure: %v", err)
	}
	assertNoWorkdirs(t, d)
}

func TestProvisionCancel(t *testing.T) {
	d := realDriver(t)
	req := request(t, map[string]any{"name": "slowdb", "sleep": int64(417)})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel once the module's provisioner sleeps: the tool is then deep in
	// apply, with a grandchild process to stop.
	go func() {
		for ctx.Err() == nil {
			if len(processesRunning("sleep 417")) > 0 {
				cancel()
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	res, err := d.Provision(ctx, req)
	if err == nil {
		t.Fatal("Provision outlived its context")
	}
	t.Logf("the stop as a user sees it (state returned: %v):\n%s", res != nil && res.State != nil, err)
	if !errs.Is(err, errs.Transient) || !strings.Contains(err.Error(), "tofu apply: stopped: context canceled") {
		t.Errorf("error = %v (code %s)", err, errs.CodeOf(err))
	}
	if sleepers := processesRunning("sleep 417"); len(sleepers) > 0 {
		t.Errorf("the provisioner's sleep survived the stop: pids %v", sleepers)
	}
	// The tool stopped gracefully and wrote what it had made: the password.
	if res == nil || res.State == nil {
		t.Fatal("a stopped Provision returned no state")
	}
	if st, err := decodeState(res.State); err != nil || !st.hasResources() {
		t.Errorf("state after the stop: %v, %+v", err, st)
	}
	req = next(req, res)
	req.Inputs["variables"] = map[string]any{"name": "slowdb"}
	if err := d.Deprovision(context.Background(), req); err != nil {
		t.Errorf("Deprovision after a stop: %v", err)
	}
	assertNoWorkdirs(t, d)
}

func TestProvisionTimeout(t *testing.T) {
	d := realDriver(t)
	req := request(t, map[string]any{"name": "slowdb"})
	req.Inputs["timeout"] = "1ms"
	_, err := d.Provision(context.Background(), req)
	if !errs.Is(err, errs.Transient) || !strings.Contains(err.Error(), "context deadline exceeded") {
		t.Errorf("error = %v (code %s)", err, errs.CodeOf(err))
	}
	assertNoWorkdirs(t, d)
}

func TestCheckRealBinary(t *testing.T) {
	d := realDriver(t)
	if err := d.Check(context.Background()); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

// assertNoWorkdirs checks every private working directory was removed.
func assertNoWorkdirs(t *testing.T, d *Driver) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(d.cfg.TempDir, "pave-tofu-*"))
	if len(left) > 0 {
		t.Errorf("working directories left behind: %v", left)
	}
}

// processesRunning lists pids whose command line is cmdline (arguments
// joined by spaces), zombies excluded.
func processesRunning(cmdline string) []string {
	var pids []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil || strings.Join(strings.Split(strings.TrimRight(string(b), "\x00"), "\x00"), " ") != cmdline {
			continue
		}
		pids = append(pids, filepath.Base(dir))
	}
	return pids
}
