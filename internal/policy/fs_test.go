package policy

import (
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/pavedev/pave/internal/errs"
)

func TestReadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"a.rego":              {Data: []byte("package pave.a\n")},
		"a_test.rego":         {Data: []byte("package pave.a_test\n")},
		"README.md":           {Data: []byte("# policies\n")},
		"team/b.rego":         {Data: []byte("package pave.b\n")},
		".git/config.rego":    {Data: []byte("not a policy")},
		".hidden.rego":        {Data: []byte("not a policy")},
		"data/input.json":     {Data: []byte("{}")},
		"team/.cache/c.rego":  {Data: []byte("not a policy")},
		"team/nested/d.rego":  {Data: []byte("package pave.d\n")},
		"team/nested/e.yaml":  {Data: []byte("x: 1\n")},
		"team/nested/f.regox": {Data: []byte("x")},
	}
	files, err := ReadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a.rego", "a_test.rego", "team/b.rego", "team/nested/d.rego"}
	if got := slices.Sorted(maps.Keys(files)); !reflect.DeepEqual(got, want) {
		t.Errorf("files = %v, want %v", got, want)
	}
	if string(files["team/b.rego"]) != "package pave.b\n" {
		t.Errorf("team/b.rego = %q", files["team/b.rego"])
	}
}

func TestReadFSTooLarge(t *testing.T) {
	_, err := ReadFS(fstest.MapFS{"big.rego": {Data: make([]byte, MaxFileSize+1)}})
	if errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), "big.rego") {
		t.Errorf("error = %v", err)
	}
}

// TestGoldenPoliciesFormatted keeps the examples in opa fmt's style.
func TestGoldenPoliciesFormatted(t *testing.T) {
	for name, src := range goldenFiles(t) {
		got, err := format.SourceWithOpts(name, src, format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(got) != string(src) {
			t.Errorf("%s is not formatted (opa fmt); formatted:\n%s", name, got)
		}
	}
}

// TestPure keeps the package free of I/O: no file system, network,
// database or process access of its own.
func TestPure(t *testing.T) {
	banned := []string{"os", "os/exec", "net", "net/http", "database/sql", "io/ioutil", "syscall"}
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if slices.Contains(banned, p) {
				t.Errorf("%s imports %s", path, p)
			}
		}
	}
	if _, err := os.Stat("doc.go"); err != nil {
		t.Errorf("doc.go: %v", err)
	}
}
