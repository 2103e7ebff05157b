package service_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/targets"
)

// env is a service on a fresh SQLite store with the test platform, its
// process target running supervisors in this process.
type env struct {
	svc *service.Service
	cfg *service.Config
	web []*score.Workload
}

func newEnv(t *testing.T) *env {
	t.Helper()
	state := t.TempDir()
	d := driver.NewRegistry()
	drivers.Register(d)
	tr := target.NewRegistry()
	targets.Register(tr, targets.Options{StateDir: state, InProcess: true})
	svc := &service.Service{Drivers: d, Targets: tr, Store: sqlstoretest.SQLite(t), Owner: "test:" + t.Name(), StaleAfter: time.Second}
	cfg, err := svc.LoadConfig(os.DirFS("testdata/platform"), "")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{svc: svc, cfg: cfg, web: workloads(t, "testdata/workloads/web.score.yaml", nil)}
	t.Cleanup(func() {
		ctx := context.Background()
		for _, envName := range []string{"dev", "stg", "prod"} {
			for _, app := range []string{"shop", "blog"} {
				svc.Destroy(ctx, e.req(service.LocalAdmin(), app, envName, nil))
			}
		}
	})
	return e
}

// configWith loads the test platform with each file's text passed through
// edit first.
func (e *env) configWith(t *testing.T, edit func(name, text string) string) *service.Config {
	t.Helper()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS("testdata/platform"), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(filepath.Join("testdata/platform", path))
		fsys[path] = &fstest.MapFile{Data: []byte(edit(path, string(b)))}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := e.svc.LoadConfig(fsys, "")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// workloads parses a Score file, with properties overridden.
func workloads(t *testing.T, file string, props []string) []*score.Workload {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := service.ParseWorkloads(service.WorkloadInput{Files: []service.WorkloadFile{{Name: file, Data: data}}, Properties: props})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func (e *env) req(a service.Actor, app, envName string, ws []*score.Workload) service.DeployRequest {
	return service.DeployRequest{Platform: e.cfg.Platform, Policies: e.cfg.Policies, App: app, Env: envName, Workloads: ws, Actor: a}
}

// seedIdentity creates teams shop and blog and returns actors of each role
// in team shop.
func (e *env) seedIdentity(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	for _, team := range []string{"shop", "blog"} {
		ok(t, e.svc.Store.CreateTeam(ctx, &store.Team{Name: team}))
		ok(t, e.svc.Store.CreateApp(ctx, &store.App{Name: team, Team: team}))
	}
}

func actor(id, kind, role string, teams ...string) service.Actor {
	return service.Actor{ID: id, Kind: kind, Roles: []string{role}, Teams: teams}
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		var e *errs.Error
		if x, isE := err.(*errs.Error); isE {
			e = x
			t.Fatalf("unexpected error: %s", e.LogString())
		}
		t.Fatalf("unexpected error: %v", err)
	}
}

func wantCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	if got := errs.CodeOf(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}
