package score

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPure keeps the package, and the module packages it imports, free of
// I/O: no files, network, databases or processes.
func TestPure(t *testing.T) {
	forbidden := []string{"os", "os/exec", "os/signal", "net", "database/sql", "io/ioutil", "syscall", "unsafe", "plugin"}
	const module = "github.com/pavedev/pave/"
	seen := map[string]bool{}
	var check func(dir, pkg string)
	check = func(dir, pkg string) {
		if seen[dir] {
			return
		}
		seen[dir] = true
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbidden {
					if path == bad || strings.HasPrefix(path, bad+"/") {
						t.Errorf("%s (package %s) imports %s", f, pkg, path)
					}
				}
				if rest, ok := strings.CutPrefix(path, module+"internal/"); ok {
					check(filepath.Join("..", rest), path)
				}
			}
		}
	}
	check(".", "score")
}
