package service_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/service"
)

// secretsPlatform provides redis with the platform secret cache-password,
// postgres with db-password, and dns with no secret at all.
var secretsPlatform = fstest.MapFS{
	"platform.yaml": {Data: []byte(`apiVersion: pave.dev/v1
kind: EnvironmentType
metadata:
  name: development
---
apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: dev
spec:
  type: development
  target:
    kind: process
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata:
  name: cache
spec:
  type: redis
  driver: static
  inputs:
    outputs: {host: cache.internal, port: 6379, prefix: ""}
    secrets: {username: app, password: "${secrets.cache-password}"}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata:
  name: db
spec:
  type: postgres
  driver: static
  inputs:
    outputs: {host: db.internal, port: 5432, name: shop, database: shop}
    secrets: {username: shop, password: "${secrets.db-password}"}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata:
  name: dns
spec:
  type: dns
  driver: static
  inputs:
    outputs: {host: shop.example.com}
`)},
}

const secretsWorkload = `apiVersion: score.dev/v1b1
metadata:
  name: web
containers:
  main:
    image: busybox:1.36
    command: ["sleep", "600"]
    variables:
      CACHE_PASSWORD: ${resources.cache.password}
      DB_PASSWORD: ${resources.db.password}
      HOST: ${resources.dns.host}
resources:
  cache:
    type: redis
  db:
    type: postgres
  dns:
    type: dns
`

// TestSecretChangeUpdatesItsUsers: a new value of a platform secret updates
// the resources whose definitions reference it, and only those; the plan
// never holds the value.
func TestSecretChangeUpdatesItsUsers(t *testing.T) {
	e := newEnv(t)
	cfg, err := e.svc.LoadConfig(secretsPlatform, "")
	ok(t, err)
	ws, err := service.ParseWorkloads(service.WorkloadInput{Files: []service.WorkloadFile{{Name: "web.score.yaml", Data: []byte(secretsWorkload)}}})
	ok(t, err)
	ctx := t.Context()
	admin := service.LocalAdmin()
	req := service.DeployRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: "shop", Env: "dev", Workloads: ws, Actor: admin}
	t.Cleanup(func() { e.svc.Destroy(context.Background(), req) })
	values := []string{"first-cache-password", "first-db-password", "second-cache-password"}
	ok(t, e.svc.PutSecret(ctx, admin, "cache-password", []byte(values[0])))
	ok(t, e.svc.PutSecret(ctx, admin, "db-password", []byte(values[1])))
	res, err := e.svc.Deploy(ctx, req)
	ok(t, err)
	if res.Summary == nil || res.Summary.Status != "succeeded" {
		t.Fatalf("deploy = %+v", res.Summary)
	}

	plan := func(want map[string]graph.Action) *service.PlanResult {
		t.Helper()
		pr, err := e.svc.Plan(ctx, service.PlanRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: "shop", Env: "dev",
			Workloads: ws, Actor: admin})
		ok(t, err)
		got := map[string]graph.Action{}
		for _, r := range pr.Resources {
			got[r.Type] = r.Action
		}
		for typ, act := range want {
			if got[typ] != act {
				t.Errorf("%s: action %q, want %q (plan %v)", typ, got[typ], act, got)
			}
		}
		b, err := json.Marshal(pr)
		ok(t, err)
		for _, v := range values {
			if strings.Contains(string(b), v) {
				t.Errorf("plan holds the secret value %q", v)
			}
		}
		return pr
	}
	keep := map[string]graph.Action{"redis": graph.Keep, "postgres": graph.Keep, "dns": graph.Keep}
	before := plan(keep)
	// Setting the same value again changes nothing, and the plan is the same.
	ok(t, e.svc.PutSecret(ctx, admin, "cache-password", []byte(values[0])))
	if again := plan(keep); again.Hash != before.Hash {
		t.Errorf("plan hash changed from %s to %s with the same secrets", before.Hash, again.Hash)
	}

	ok(t, e.svc.PutSecret(ctx, admin, "cache-password", []byte(values[2])))
	changed := plan(map[string]graph.Action{"redis": graph.Update, "postgres": graph.Keep, "dns": graph.Keep})
	if again := plan(nil); again.Hash != changed.Hash {
		t.Errorf("plan is not deterministic: %s, then %s", changed.Hash, again.Hash)
	}
	res, err = e.svc.Deploy(ctx, req)
	ok(t, err)
	if res.Summary == nil || res.Summary.Status != "succeeded" {
		t.Fatalf("deploy = %+v", res.Summary)
	}
	plan(keep)

	// An unset secret is a change too: the next deployment reports it.
	ok(t, e.svc.DeleteSecret(ctx, admin, "db-password"))
	plan(map[string]graph.Action{"redis": graph.Keep, "postgres": graph.Update, "dns": graph.Keep})
}
