package platform

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestPure keeps the package free of I/O: none of its non-test files may
// import a package that reaches the file system, network, processes or
// databases. Loading takes an fs.FS or file contents from the caller.
func TestPure(t *testing.T) {
	forbidden := []string{"os", "os/exec", "net", "net/http", "database/sql", "syscall", "io/ioutil", "path/filepath", "unsafe", "plugin"}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if slices.Contains(forbidden, path) || strings.HasPrefix(path, "net/") {
				t.Errorf("%s imports %s: package platform must do no I/O", name, path)
			}
		}
	}
}
