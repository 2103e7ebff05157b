package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/policy"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
	"github.com/pavedev/pave/internal/target"
)

// tellingDriver provisions nothing real and previews by telling what its
// request held, so that a test sees what a planner is given.
type tellingDriver struct{}

func (tellingDriver) Provision(_ context.Context, req *driver.Request) (*driver.Result, error) {
	outs := map[string]any{}
	if req.Type == "redis" {
		outs = map[string]any{"host": "cache.internal", "port": int64(6379), "username": "app",
			"password": "output-secret-value", "prefix": ""}
	}
	return &driver.Result{Outputs: outs, State: json.RawMessage(fmt.Sprintf(`{"made":%q}`, req.Inputs["name"]))}, nil
}

func (tellingDriver) Deprovision(context.Context, *driver.Request) error { return nil }

func (tellingDriver) Plan(_ context.Context, req *driver.Request) (*driver.PlanResult, error) {
	state := "none"
	if req.State != nil {
		state = string(req.State)
	}
	return &driver.PlanResult{
		Summary: "state " + state,
		Detail:  fmt.Sprintf("dir=%s token=%v password=%v", req.ConfigDir, req.Inputs["token"], req.Outputs["password"]),
	}, nil
}

// nullTarget deploys nothing.
type nullTarget struct{}

func (nullTarget) Deploy(context.Context, target.Config, *target.Deployment, target.Progress) error {
	return nil
}

func (nullTarget) Destroy(context.Context, target.Config, string, string) error { return nil }

const previewPlatform = `apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: development}
---
apiVersion: pave.dev/v1
kind: Environment
metadata: {name: dev}
spec: {type: development, target: {kind: process}}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: telling-redis}
spec:
  type: redis
  driver: telling
  inputs: {name: "${context.resId}", token: "${secrets.telling-token}"}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: telling-route}
spec: {type: route, driver: telling, inputs: {name: route}}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: static-dns}
spec: {type: dns, driver: static, inputs: {outputs: {host: web.example.com}}}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: tofu-volume}
spec: {type: volume, driver: tofu, inputs: {module: ./modules/volume}}
`

const previewWorkload = `apiVersion: score.dev/v1b1
metadata: {name: web}
containers:
  main: {image: "nginx:1"}
resources:
  cache: {type: redis, params: {size: %d}}
  dns: {type: dns}
  route: {type: route, params: {host: "${resources.dns.host}", path: /, port: 80}}
`

// previewService is a service with the telling driver, the real built-in
// ones, and the preview platform read from configDir.
func previewService(t *testing.T, withStore bool, configDir string) (*service.Service, *platform.Platform) {
	t.Helper()
	reg := driver.NewRegistry()
	drivers.Register(reg)
	reg.Register("telling", tellingDriver{})
	tr := target.NewRegistry()
	tr.Register("process", nullTarget{})
	svc := &service.Service{Drivers: reg, Targets: tr, Owner: "test"}
	if withStore {
		svc.Store = sqlstoretest.SQLite(t)
	}
	p, err := platform.LoadFiles(map[string][]byte{"platform.yaml": []byte(previewPlatform)}, platform.DriverOptions(reg, configDir))
	if err != nil {
		t.Fatal(err)
	}
	return svc, p
}

func previewWorkloads(t *testing.T, size int, volume bool) []*score.Workload {
	t.Helper()
	src := fmt.Sprintf(previewWorkload, size)
	if volume {
		src += "  data: {type: volume}\n"
	}
	w, err := score.Parse("web.score.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return []*score.Workload{w}
}

func previewPlan(t *testing.T, svc *service.Service, p *platform.Platform, ws []*score.Workload, mode service.PreviewMode) *service.PlanResult {
	t.Helper()
	res, err := svc.Plan(context.Background(), service.PlanRequest{Platform: p, Policies: emptyPolicies(t), App: "shop", Env: "dev",
		Workloads: ws, Actor: service.LocalAdmin(), Preview: mode})
	ok(t, err)
	return res
}

func previews(res *service.PlanResult) map[string]*graph.Preview {
	out := map[string]*graph.Preview{}
	for _, r := range res.Resources {
		if r.Preview != nil {
			out[r.Type] = r.Preview
		}
	}
	return out
}

func TestPlanPreviews(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ok(t, os.MkdirAll(filepath.Join(dir, "modules", "volume"), 0o755))
	svc, p := previewService(t, true, dir)
	ok(t, svc.PutSecret(ctx, service.LocalAdmin(), "telling-token", []byte("platform-secret-token")))

	// Against state (auto): the redis and the route have a planner; the
	// route uses the dns's outputs, which do not exist before deploying.
	first := previewPlan(t, svc, p, previewWorkloads(t, 1, false), service.PreviewAuto)
	pv := previews(first)
	if len(pv) != 2 || pv["dns"] != nil {
		t.Fatalf("previews of %v, want redis and route only", pv)
	}
	if got := pv["redis"]; got.Summary != "state none" || got.Detail != "dir="+dir+" token=*** password=<nil>" || got.Error != "" {
		t.Errorf("redis preview before deploying: %+v", got)
	}
	if got := pv["route"]; got.Summary != "" || !strings.Contains(got.Error, "it uses the outputs of dns.default#shop.web.dns, known once applying the plan provisions them") {
		t.Errorf("route preview before deploying: %+v", got)
	}
	off := previewPlan(t, svc, p, previewWorkloads(t, 1, false), service.PreviewOff)
	if len(previews(off)) != 0 {
		t.Errorf("previews with PreviewOff: %v", previews(off))
	}
	if off.Hash != first.Hash {
		t.Errorf("previews changed the plan's hash: %s with, %s without", first.Hash, off.Hash)
	}

	// Deployed, the same workloads keep everything: nothing to preview.
	dr := service.DeployRequest{Platform: p, Policies: emptyPolicies(t), App: "shop", Env: "dev",
		Workloads: previewWorkloads(t, 1, false), Actor: service.LocalAdmin()}
	res, err := svc.Deploy(ctx, dr)
	ok(t, err)
	if res.Summary.Status != "succeeded" {
		t.Fatalf("deploy: %+v", res.Summary)
	}
	if again := previewPlan(t, svc, p, previewWorkloads(t, 1, false), service.PreviewAuto); len(previews(again)) != 0 {
		t.Errorf("previews of kept resources: %v", previews(again))
	}

	// An update is previewed with the instance's state and last outputs,
	// the secret ones redacted.
	upd := previewPlan(t, svc, p, previewWorkloads(t, 2, false), service.PreviewAuto)
	pv = previews(upd)
	if got := pv["redis"]; got == nil || got.Summary != `state {"made":"web.cache"}` ||
		got.Detail != "dir="+dir+" token=*** password=***" {
		t.Errorf("redis preview of an update: %+v", got)
	}
	if len(pv) != 1 {
		t.Errorf("previews of an update: %v, want the redis's only", pv)
	}
	data, err := json.Marshal(upd)
	ok(t, err)
	if strings.Contains(string(data), "platform-secret-token") || strings.Contains(string(data), "output-secret-value") ||
		!strings.Contains(string(data), `"preview":{"summary":"state {\"made\":`) {
		t.Errorf("plan JSON: %s", data)
	}
}

func TestPlanPreviewModes(t *testing.T) {
	// Without state, auto makes no previews, and on does: with no state to
	// read the platform secret from, the redis's says so.
	svc, p := previewService(t, false, "")
	ws := previewWorkloads(t, 1, false)
	if got := previews(previewPlan(t, svc, p, ws, service.PreviewAuto)); len(got) != 0 {
		t.Errorf("previews without state: %v", got)
	}
	got := previews(previewPlan(t, svc, p, ws, service.PreviewOn))
	if got["redis"] == nil || !strings.Contains(got["redis"].Error, `platform secret "telling-token" is needed, and there is no state to read it from`) {
		t.Errorf("redis preview without state: %+v", got["redis"])
	}
	for _, s := range []string{"", "auto", "on", "off"} {
		if _, err := service.ParsePreviewMode(s); err != nil {
			t.Errorf("ParsePreviewMode(%q): %v", s, err)
		}
	}
	if _, err := service.ParsePreviewMode("yes"); err == nil {
		t.Error("ParsePreviewMode accepted yes")
	}
}

// TestPlanPreviewWithoutTofu: a tofu resource previewed where no tofu is
// installed has a preview error saying so, and the plan stands.
func TestPlanPreviewWithoutTofu(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("PAVE_TOFU_BINARY", "")
	svc, p := previewService(t, false, "")
	res := previewPlan(t, svc, p, previewWorkloads(t, 1, true), service.PreviewOn)
	got := previews(res)["volume"]
	if got == nil || got.Error != "no tofu or terraform binary found: set PAVE_TOFU_BINARY or install OpenTofu" {
		t.Fatalf("volume preview without tofu: %+v", got)
	}
	if !strings.HasPrefix(res.Hash, "sha256:") || res.Policy == nil {
		t.Errorf("plan: %+v", res)
	}
}

func emptyPolicies(t *testing.T) *policy.Engine {
	t.Helper()
	e, err := policy.Compile(nil)
	ok(t, err)
	return e
}
