package policy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/pavedev/pave/internal/errs"
)

// TestStatus is the outcome of one Rego unit test.
type TestStatus string

// The outcomes of a Rego unit test.
const (
	TestPass  TestStatus = "pass"
	TestFail  TestStatus = "fail"
	TestError TestStatus = "error"
	TestSkip  TestStatus = "skip"
)

// TestResult is the outcome of one test_ rule.
type TestResult struct {
	// Package is the test's package without "data.", such as
	// "pave.image_tags_test".
	Package string `json:"package"`
	// Name is the rule's name, such as "test_latest_denied".
	Name     string        `json:"name"`
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Status   TestStatus    `json:"status"`
	Duration time.Duration `json:"duration"`
	// Message says why a test failed ("failed at file:line: expression")
	// or the error it raised; empty when it passed.
	Message string `json:"message,omitempty"`
	// Output is what the test printed with print().
	Output string `json:"output,omitempty"`
}

// TestReport is the outcome of every test of a policies directory.
type TestReport struct {
	// Results are sorted by file, line and name.
	Results []TestResult `json:"results"`
	Passed  int          `json:"passed"`
	Failed  int          `json:"failed"`
	Errored int          `json:"errored"`
	Skipped int          `json:"skipped"`
}

// OK reports whether no test failed or raised an error.
func (r *TestReport) OK() bool { return r.Failed == 0 && r.Errored == 0 }

// Test runs the Rego unit tests (rules named test_*, or todo_test_* to skip)
// of the policy files, test files included, with OPA's tester and the same
// sandbox as Compile. It returns an error only when the files do not compile
// or ctx ends; failing tests are in the report.
func Test(ctx context.Context, files map[string][]byte) (_ *TestReport, err error) {
	defer recoverInto(&err)
	modules, err := parse(files)
	if err != nil {
		return nil, err
	}
	runner := tester.NewRunner().
		SetCompiler(newCompiler(true)).
		SetModules(modules).
		SetTimeout(DefaultTimeout).
		CapturePrintOutput(true).
		EnableTracing(true)
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return nil, fromAST(err)
	}
	report := &TestReport{Results: []TestResult{}}
	for tr := range ch {
		r := testResult(tr)
		switch r.Status {
		case TestPass:
			report.Passed++
		case TestFail:
			report.Failed++
		case TestError:
			report.Errored++
		case TestSkip:
			report.Skipped++
		}
		report.Results = append(report.Results, r)
	}
	if ctx.Err() != nil {
		return nil, errs.Wrap(errs.Transient, ctx.Err(), "policy tests: %v", ctx.Err())
	}
	slices.SortFunc(report.Results, func(a, b TestResult) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Name, b.Name))
	})
	return report, nil
}

func testResult(tr *tester.Result) TestResult {
	r := TestResult{
		Package:  strings.TrimPrefix(tr.Package, "data."),
		Name:     tr.Name,
		Duration: tr.Duration,
		Output:   string(tr.Output),
	}
	if tr.Location != nil {
		r.File, r.Line = tr.Location.File, tr.Location.Row
	}
	switch {
	case tr.Skip:
		r.Status = TestSkip
	case tr.Error != nil:
		r.Status = TestError
		r.Message = testError(tr.Error)
	case tr.Fail:
		r.Status = TestFail
		r.Message = "failed"
		if e := failedAt(tr.Trace, r.File); e != nil {
			r.Message = fmt.Sprintf("failed at %s:%d: %s", e.Location.File, e.Location.Row, source(e))
		}
	default:
		r.Status = TestPass
	}
	return r
}

// testError renders a test's error with its location when OPA gives one.
func testError(err error) string {
	var te *topdown.Error
	if errors.As(err, &te) {
		return located(te.Code, te.Message, te.Location).Error()
	}
	return err.Error()
}

// failedAt is the last expression of the test's own file that failed: the
// test body's expression that did not hold.
func failedAt(trace []*topdown.Event, file string) *ast.Expr {
	for _, ev := range slices.Backward(trace) {
		if ev.Op != topdown.FailOp {
			continue
		}
		e, ok := ev.Node.(*ast.Expr)
		if ok && e.Location != nil && e.Location.File == file {
			return e
		}
	}
	return nil
}

// source is the first line of an expression's text as written.
func source(e *ast.Expr) string {
	text := string(e.Location.Text)
	if text == "" {
		return e.String()
	}
	first, _, more := strings.Cut(text, "\n")
	first = strings.TrimSpace(first)
	if more {
		first += " ..."
	}
	return first
}
