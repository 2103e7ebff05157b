package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/pavedev/pave"

// pure packages decide, they do not act: no database, network or processes.
var pure = []string{"internal/score", "internal/platform", "internal/graph", "internal/policy", "internal/identity",
	"internal/render/kubernetes", "internal/render/compose", "internal/yamldoc", "internal/errs"}

// strictlyPure packages may not reach I/O even through their dependencies.
// policy is left out: the OPA library links net/http for builtins pave
// disables at compile time.
var strictlyPure = []string{"internal/score", "internal/platform", "internal/graph",
	"internal/render/kubernetes", "internal/yamldoc", "internal/errs"}

var forbidden = []string{"database/sql", "net/http", "os/exec", "net", "syscall"}

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func list(t *testing.T, paths ...string) []pkg {
	t.Helper()
	args := append([]string{"list", "-e", "-json=ImportPath,Imports,Deps"}, paths...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func existing(t *testing.T, rel []string) []string {
	var paths []string
	for _, r := range rel {
		paths = append(paths, module+"/"+r)
	}
	var found []string
	for _, p := range list(t, paths...) {
		if p.Imports != nil || p.Deps != nil {
			found = append(found, p.ImportPath)
		}
	}
	return found
}

func TestPurePackagesImportNoIO(t *testing.T) {
	for _, p := range list(t, existing(t, pure)...) {
		for _, imp := range p.Imports {
			for _, f := range forbidden {
				if imp == f {
					t.Errorf("%s imports %s: pure packages do no I/O", p.ImportPath, imp)
				}
			}
			if imp == "os" && !strings.HasSuffix(p.ImportPath, "/archtest") {
				t.Errorf("%s imports os: pure packages get their input from callers", p.ImportPath)
			}
		}
	}
}

func TestStrictlyPurePackagesReachNoIO(t *testing.T) {
	for _, p := range list(t, existing(t, strictlyPure)...) {
		for _, dep := range p.Deps {
			for _, f := range []string{"database/sql", "net/http", "os/exec"} {
				if dep == f {
					t.Errorf("%s depends on %s through its imports", p.ImportPath, dep)
				}
			}
		}
	}
}

// TestCoreDoesNotImportDoors keeps dependencies pointing inward.
func TestCoreDoesNotImportDoors(t *testing.T) {
	doors := []string{"/internal/cli", "/internal/api", "/internal/portal", "/internal/mcp"}
	for _, p := range list(t, module+"/internal/...") {
		isDoor := false
		for _, d := range doors {
			if strings.HasPrefix(p.ImportPath, module+d) {
				isDoor = true
			}
		}
		if isDoor {
			continue
		}
		for _, imp := range p.Imports {
			for _, d := range doors {
				if strings.HasPrefix(imp, module+d) && !strings.HasPrefix(p.ImportPath, module+"/internal/client") {
					t.Errorf("%s imports door %s", p.ImportPath, imp)
				}
			}
		}
	}
}
