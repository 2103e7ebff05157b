package policy

import (
	"context"
	"os"
	"testing"
)

// goldenDir is the example platform's policies directory.
const goldenDir = "../../examples/platform/policies"

func goldenFiles(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := ReadFS(os.DirFS(goldenDir))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestGoldenPolicyTests(t *testing.T) {
	report, err := Test(context.Background(), goldenFiles(t))
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	for _, r := range report.Results {
		if r.Status != TestPass {
			t.Errorf("%s:%d %s.%s: %s %s %s", r.File, r.Line, r.Package, r.Name, r.Status, r.Message, r.Output)
		}
	}
	if !report.OK() || report.Passed == 0 {
		t.Errorf("report: %d passed, %d failed, %d errored", report.Passed, report.Failed, report.Errored)
	}
}
