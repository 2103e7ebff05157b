package platform

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
)

// checkedDriver is a driver that requires the input "addr".
type checkedDriver struct{}

func (checkedDriver) Provision(context.Context, *driver.Request) (*driver.Result, error) {
	return nil, errs.New(errs.Internal, "not for provisioning")
}

func (checkedDriver) Deprovision(context.Context, *driver.Request) error { return nil }

func (checkedDriver) ValidateInputs(inputs map[string]any) error {
	if _, ok := inputs["addr"]; !ok {
		return errs.List{{Code: errs.Invalid, Path: "/addr", Message: "required"}}
	}
	return nil
}

func TestDriverOptions(t *testing.T) {
	reg := driver.NewRegistry()
	reg.Register("redis", checkedDriver{})
	// A driver without ValidateInputs: its inputs are not checked.
	reg.Register("tofu", struct{ driver.Driver }{checkedDriver{}})
	opts := DriverOptions(reg, "")
	_, err := loadCase(t, `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: a}
spec: {type: redis, driver: redis, criteria: [{env: staging}]}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: b}
spec: {type: redis, driver: redis, inputs: {addr: "127.0.0.1:6379"}}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: c}
spec: {type: redis, driver: tofu, criteria: [{app: shop}]}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec: {type: redis, driver: exec, criteria: [{app: blog}]}
`, opts)
	want := []string{
		"case.yaml:4: /spec/inputs/addr: driver redis: required",
		`case.yaml:19: /spec/driver: unknown driver "exec"`,
	}
	if got := errLines(err); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// dirDriver checks its inputs against the config's directory.
type dirDriver struct{ checkedDriver }

func (dirDriver) ValidateInputsIn(dir string, inputs map[string]any) error {
	if inputs["module"] != dir+"/m" {
		return errs.List{{Code: errs.Invalid, Path: "/module", Message: "not in " + dir}}
	}
	return nil
}

func TestDriverOptionsDir(t *testing.T) {
	reg := driver.NewRegistry()
	reg.Register("tofu", dirDriver{})
	p, err := loadCase(t, `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: a}
spec: {type: redis, driver: tofu, inputs: {module: /cfg/m}}
`, DriverOptions(reg, "/cfg"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Dir() != "/cfg" {
		t.Errorf("Dir = %q", p.Dir())
	}
	// DirInputValidator is used instead of InputValidator (which would
	// want an addr).
	_, err = loadCase(t, `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: a}
spec: {type: redis, driver: tofu, inputs: {module: /elsewhere/m}}
`, DriverOptions(reg, "/cfg"))
	if want := "case.yaml:4: /spec/inputs/module: driver tofu: not in /cfg"; strings.Join(errLines(err), "\n") != want {
		t.Errorf("got %v, want %s", errLines(err), want)
	}
}

// TestConflictShadowedIsStillRejected documents that the load rule is
// conservative: a shared criterion is rejected even when a third definition
// always outranks it in the configured environments.
func TestConflictShadowedIsStillRejected(t *testing.T) {
	_, err := loadCase(t, `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: a}
spec: {type: redis, driver: tofu, criteria: [{env: staging}]}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: b}
spec: {type: redis, driver: tofu, criteria: [{env: staging}]}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: c}
spec: {type: redis, driver: tofu, criteria: [{env: staging, envType: staging}]}
`, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), `definitions "b" and "a"`) {
		t.Errorf("error %v", err)
	}
}

func TestDefinitionJSONLeavesInputsOut(t *testing.T) {
	p, err := loadCase(t, `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec:
  type: redis
  driver: static
  inputs:
    outputs: {host: h, port: 1, prefix: p}
    secrets: {username: u, password: hunter2-literal}
`, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := p.Definition("d")
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "hunter2") || !strings.Contains(string(data), `"outputs":["host","password","port","prefix","username"]`) {
		t.Errorf("json: %s", data)
	}
}
