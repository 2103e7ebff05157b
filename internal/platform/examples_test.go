package platform

import (
	"os"
	"testing"
)

// examplesDir is the sample platform shipped with pave.
const examplesDir = "../../examples/platform"

func loadExamples(t testing.TB) *Platform {
	t.Helper()
	p, err := Load(os.DirFS(examplesDir), LoadOptions{KnownDriver: knownTestDriver})
	if err != nil {
		t.Fatalf("load examples: %v", err)
	}
	return p
}

// knownTestDriver knows the built-in drivers the examples use.
func knownTestDriver(name string) bool {
	switch name {
	case "postgres", "redis", "static", "template", "mysql", "exec", "http", "tofu":
		return true
	}
	return false
}

func TestExamplesLoad(t *testing.T) {
	p := loadExamples(t)
	if got := len(p.Definitions()); got < 10 {
		t.Errorf("got %d definitions", got)
	}
}
