package policy

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
)

// FuzzCompile feeds hostile Rego to Compile and evaluates whatever
// compiles: nothing may panic, and every error is a located errs error.
func FuzzCompile(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join(goldenDir, "*.rego"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "package", "package pave", "package pave.x\n", "package pave.x\ndeny contains 1\n",
		"package pave.x\n\ndeny contains msg if {\n\tsome w in input.plan.workloads\n\tmsg := w.name\n}\n",
		"package pave.x\n\ndeny contains x if x := http.send({})\n",
		"package pave.x\n\nimport rego.v1\n\nwarn contains \"w\" if true\n",
		"package pave.x\n\nf(x) := f(x)\n\ndeny contains y if y := f(1)\n",
		"package pave.x\n\ndeny[x] := y if { x := 1; y := 2 }\n",
		"# METADATA\n# title: [\npackage pave.x\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		e, err := Compile(map[string][]byte{"fuzz.rego": src}, WithTimeout(100*time.Millisecond))
		if err != nil {
			for _, ee := range errs.Errors(err) {
				if ee.Code != errs.Invalid {
					t.Fatalf("error code %s: %v", ee.Code, ee.LogString())
				}
			}
			return
		}
		_, err = e.Eval(t.Context(), shopInput())
		var ee *errs.Error
		var list errs.List
		if err != nil && !errors.As(err, &ee) && !errors.As(err, &list) {
			t.Fatalf("eval error %T is not an errs error: %v", err, err)
		}
	})
}
