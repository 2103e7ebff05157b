package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
	"github.com/pavedev/pave/internal/target"
)

// noopDriver provisions nothing: it returns its inputs' outputs.
type noopDriver struct{}

func (noopDriver) Provision(_ context.Context, req *driver.Request) (*driver.Result, error) {
	return &driver.Result{Outputs: map[string]any{"host": req.UID}, State: []byte(`{}`)}, nil
}

func (noopDriver) Deprovision(context.Context, *driver.Request) error { return nil }

// noopTarget deploys nothing.
type noopTarget struct{}

func (noopTarget) Deploy(context.Context, target.Config, *target.Deployment, target.Progress) error {
	return nil
}

func (noopTarget) Destroy(context.Context, target.Config, string, string) error { return nil }

const benchPlatform = `apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: development}
---
apiVersion: pave.dev/v1
kind: Environment
metadata: {name: dev}
spec:
  type: development
  target: {kind: process}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: noop-dns}
spec:
  type: dns
  driver: noop
`

// noopSetup returns registries with the noop driver and target, a platform
// that provides dns with it, and n workloads of 4 dns resources each.
func noopSetup(tb testing.TB, n int) (*driver.Registry, *target.Registry, *platform.Platform, []*score.Workload) {
	tb.Helper()
	reg := driver.NewRegistry()
	reg.Register("noop", noopDriver{})
	targets := target.NewRegistry()
	targets.Register("process", noopTarget{})
	p, err := platform.LoadFiles(map[string][]byte{"p.yaml": []byte(benchPlatform)}, platform.DriverOptions(reg, ""))
	if err != nil {
		tb.Fatal(err)
	}
	var ws []*score.Workload
	for i := range n {
		src := fmt.Sprintf("apiVersion: score.dev/v1b1\nmetadata: {name: w%d}\ncontainers:\n  main: {image: x}\nresources:\n"+
			"  r1: {type: dns}\n  r2: {type: dns}\n  r3: {type: dns}\n  r4: {type: dns}\n", i)
		w, err := score.Parse("w.yaml", []byte(src))
		if err != nil {
			tb.Fatal(err)
		}
		ws = append(ws, w)
	}
	return reg, targets, p, ws
}

// BenchmarkApplyNoop measures the engine's own cost: a 1,000-node graph
// (250 workloads of 4 resources) applied with a driver and a target that do
// nothing, every state transition recorded in SQLite.
func BenchmarkApplyNoop(b *testing.B) {
	reg, targets, p, ws := noopSetup(b, 250)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		st := sqlstoretest.SQLite(b)
		st.CreateApp(ctx, &store.App{Name: "bench"})
		st.CreateEnvironment(ctx, &store.Environment{App: "bench", Name: "dev", Type: "development"})
		plan, err := graph.Build(graph.Input{App: "bench", Env: "dev", Workloads: ws, Platform: p})
		if err != nil {
			b.Fatal(err)
		}
		dep := &store.Deployment{App: "bench", Env: "dev", Owner: "bench"}
		if err := st.BeginDeployment(ctx, dep); err != nil {
			b.Fatal(err)
		}
		e := &Engine{Store: st, Drivers: reg, Targets: targets, Platform: p, Owner: "bench"}
		b.StartTimer()
		sum, err := e.Apply(ctx, plan, dep, ApplyOptions{})
		if err != nil || sum.Status != "succeeded" || len(plan.Resources) != 1000 {
			b.Fatalf("%v %v %d", err, sum, len(plan.Resources))
		}
	}
}
