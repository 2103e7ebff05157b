package rendertest

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// AssertPure fails t when a non-test Go file in the current directory
// imports a package that does I/O (os, net, syscall, database/sql, …) or
// one of the extra import path prefixes.
func AssertPure(t *testing.T, extra ...string) {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := append([]string{"os", "net", "syscall", "unsafe", "database/sql", "plugin"}, extra...)
	for _, p := range pkgs {
		for name, f := range p.Files {
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbidden {
					if path == bad || strings.HasPrefix(path, bad+"/") {
						t.Errorf("%s imports %s; the package must stay pure", name, path)
					}
				}
			}
		}
	}
}
