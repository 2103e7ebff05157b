package policy

import (
	"context"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

const greetPolicy = `package pave.greet

deny contains "no app" if not input.app
`

func TestTestReportsEveryOutcome(t *testing.T) {
	report, err := Test(t.Context(), files(
		"greet.rego", greetPolicy,
		"greet_test.rego", `package pave.greet_test

import data.pave.greet.deny

test_denied_without_greeting if {
	count(deny) == 1 with input as {}
}

test_deliberately_wrong if {
	print("checking", count(deny))
	count(deny) == 0 with input as {}
}

todo_test_later if {
	false
}

value := 1 if input.app

value := 2 if input.app

test_conflict if {
	value == 1 with input as {"app": "shop"}
}
`,
	))
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	if report.OK() || report.Passed != 1 || report.Failed != 1 || report.Errored != 1 || report.Skipped != 1 {
		t.Fatalf("report: %+v", report)
	}
	want := []struct {
		name    string
		line    int
		status  TestStatus
		message string
		output  string
	}{
		{"test_denied_without_greeting", 5, TestPass, "", ""},
		{"test_deliberately_wrong", 9, TestFail, "failed at greet_test.rego:11: count(deny) == 0 with input as {}", "checking 1"},
		{"todo_test_later", 14, TestSkip, "", ""},
		{"test_conflict", 22, TestError, "greet_test.rego:20: eval conflict error: rule data.pave.greet_test.value produced conflicting values", ""},
	}
	if len(report.Results) != len(want) {
		t.Fatalf("results: %+v", report.Results)
	}
	for i, w := range want {
		r := report.Results[i]
		if r.Name != w.name || r.File != "greet_test.rego" || r.Line != w.line || r.Status != w.status ||
			r.Package != "pave.greet_test" || !strings.HasPrefix(r.Message, w.message) || !strings.Contains(r.Output, w.output) {
			t.Errorf("result %d = %+v, want %+v", i, r, w)
		}
		if w.message == "" && r.Message != "" {
			t.Errorf("result %d: unexpected message %q", i, r.Message)
		}
	}
}

func TestTestCompileErrorsLocated(t *testing.T) {
	tests := []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{
			name:  "syntax error in a test file",
			files: files("greet.rego", greetPolicy, "greet_test.rego", "package pave.greet_test\n\ntest_x if {\n"),
			want:  "greet_test.rego:4: parse error: unexpected eof",
		},
		{
			name:  "test calls http.send",
			files: files("greet.rego", greetPolicy, "greet_test.rego", "package pave.greet_test\n\ntest_x if {\n\thttp.send({\"method\": \"get\", \"url\": \"http://x\"})\n}\n"),
			want:  "greet_test.rego:4: built-in http.send is not allowed",
		},
		{
			name:  "test refers to an unknown function",
			files: files("greet.rego", greetPolicy, "greet_test.rego", "package pave.greet_test\n\ntest_x if {\n\tdata.pave.greet.nope(1)\n}\n"),
			want:  "greet_test.rego:4: type error: undefined function data.pave.greet.nope",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Test(t.Context(), tt.files)
			if err == nil {
				t.Fatal("Test succeeded, want an error")
			}
			if errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q (%s), want %q", err, errs.CodeOf(err), tt.want)
			}
		})
	}
}

func TestTestNoTests(t *testing.T) {
	report, err := Test(t.Context(), files("greet.rego", greetPolicy))
	if err != nil {
		t.Fatal(err)
	}
	if !report.OK() || len(report.Results) != 0 || report.Results == nil {
		t.Errorf("report: %+v", report)
	}
}

func TestTestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Test(ctx, goldenFiles(t))
	if errs.CodeOf(err) != errs.Transient {
		t.Errorf("error = %v, want transient", err)
	}
}
