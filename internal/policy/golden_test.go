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

// TestGoldenPolicyTestsReportFailure adds a deliberately wrong test to the
// golden policies: it fails, located, and the others still pass.
func TestGoldenPolicyTestsReportFailure(t *testing.T) {
	files := goldenFiles(t)
	files["wrong_test.rego"] = []byte(`package pave.wrong_test

import data.pave.image_tags.deny

test_latest_is_fine_in_production if {
	count(deny) == 0 with input as {
		"action": "deploy",
		"environment": {"name": "prod", "type": "production"},
		"plan": {"workloads": [{"name": "web", "containers": [{"name": "main", "image": "web:latest"}]}]},
	}
}
`)
	report, err := Test(context.Background(), files)
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	if report.OK() || report.Failed != 1 || report.Errored != 0 || report.Passed == 0 {
		t.Fatalf("report: %d passed, %d failed, %d errored", report.Passed, report.Failed, report.Errored)
	}
	for _, r := range report.Results {
		if r.Status == TestFail {
			if r.File != "wrong_test.rego" || r.Line != 5 || r.Name != "test_latest_is_fine_in_production" ||
				r.Message != "failed at wrong_test.rego:6: count(deny) == 0 with input as { ..." {
				t.Errorf("failure = %+v", r)
			}
		}
	}
}
