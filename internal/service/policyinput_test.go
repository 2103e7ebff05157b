package service_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pavedev/pave/internal/service"
)

// policyInputFiles extend the test platform: a type with a writeOnly
// param, definitions whose inputs hold secrets as their driver and type
// mark them, and a policy that echoes every resource of the input.
var policyInputFiles = map[string]string{
	"smtp.yaml": `apiVersion: pave.dev/v1
kind: ResourceType
metadata: {name: smtp}
spec:
  params:
    type: object
    properties:
      from: {type: string}
      apiKey: {type: string, writeOnly: true}
      relay: {type: string}
      passwordHint: {type: string}
  outputs:
    host: {type: string}
    password: {type: string, secret: true}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: static-smtp}
spec:
  type: smtp
  driver: static
  inputs:
    outputs:
      host: ${context.app}.smtp.${context.envType}
      password: literal-smtp-password
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: shared-postgres}
spec:
  type: postgres
  driver: postgres
  inputs:
    adminUrl: postgres://admin:admin-pass@db.internal/postgres
    host: ${context.env}.db.internal
    databaseName: ${context.app}_${context.resId}
`,
	"policies/echo.rego": `package pave.echo

warn contains msg if {
	some r in input.plan.resources
	msg := sprintf("%s %s", [r.type, json.marshal({"params": r.params, "inputs": r.inputs})])
}
`,
}

// TestPolicyInput: policies see params and definition inputs resolved as
// far as the plan allows and without anything the driver, the resource
// type or the param schema marks secret, whatever the keys are called.
func TestPolicyInput(t *testing.T) {
	e := newEnv(t)
	fsys := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS("testdata/platform"), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile("testdata/platform/" + path)
		fsys[path] = &fstest.MapFile{Data: b}
		return err
	})
	ok(t, err)
	for name, text := range policyInputFiles {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	cfg, err := e.svc.LoadConfig(fsys, "")
	ok(t, err)
	ws, err := service.ParseWorkloads(service.WorkloadInput{Files: []service.WorkloadFile{{Name: "mail.score.yaml", Data: []byte(`apiVersion: score.dev/v1b1
metadata: {name: mailer}
containers:
  main: {image: busybox:1.36}
resources:
  db: {type: postgres}
  mail:
    type: smtp
    params:
      from: ${metadata.name}@example.com
      apiKey: literal-api-key
      relay: ${resources.db.host}
      passwordHint: not secret, despite its name
`)}}})
	ok(t, err)
	pr, err := e.svc.Plan(t.Context(), service.PlanRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: "shop", Env: "dev",
		Workloads: ws, Actor: service.LocalAdmin()})
	ok(t, err)
	seen := map[string]map[string]map[string]any{}
	for _, f := range pr.Policy.Warn {
		if f.Policy != "echo" {
			continue
		}
		for _, secret := range []string{"literal-smtp-password", "admin-pass", "literal-api-key"} {
			if strings.Contains(f.Message, secret) {
				t.Errorf("policy input holds a secret: %s", f.Message)
			}
		}
		typ, body, _ := strings.Cut(f.Message, " ")
		var v map[string]map[string]any
		ok(t, json.Unmarshal([]byte(body), &v))
		seen[typ] = v
	}
	smtp, pg := seen["smtp"], seen["postgres"]
	if smtp == nil || pg == nil {
		t.Fatalf("echoed resources = %v", seen)
	}
	wantParams := map[string]any{"from": "mailer@example.com", "relay": "${resources.db.host}", "passwordHint": "not secret, despite its name"}
	if b, _ := json.Marshal(smtp["params"]); string(b) != mustJSON(t, wantParams) {
		t.Errorf("smtp params = %s, want %s", b, mustJSON(t, wantParams))
	}
	wantInputs := map[string]any{"outputs": map[string]any{"host": "shop.smtp.development"}}
	if b, _ := json.Marshal(smtp["inputs"]); string(b) != mustJSON(t, wantInputs) {
		t.Errorf("smtp inputs = %s, want %s", b, mustJSON(t, wantInputs))
	}
	wantInputs = map[string]any{"host": "dev.db.internal", "databaseName": "shop_mailer.db"}
	if b, _ := json.Marshal(pg["inputs"]); string(b) != mustJSON(t, wantInputs) {
		t.Errorf("postgres inputs = %s, want %s", b, mustJSON(t, wantInputs))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	ok(t, err)
	return string(b)
}
