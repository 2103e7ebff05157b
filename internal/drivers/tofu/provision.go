package tofu

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"regexp"
	"strings"

	"github.com/pavedev/pave/internal/driver"
)

// Provision applies the module with the request's variables and returns its
// outputs and the new state.
//
// When apply fails after changing something, Provision returns the error
// AND a Result holding only State, the tool's state as it was left, so that
// the caller can keep it and the next run knows what exists. This is an
// addition to the driver contract: callers that drop the Result on error
// lose track of half-created resources.
func (d *Driver) Provision(ctx context.Context, req *driver.Request) (*driver.Result, error) {
	in, st, err := d.prepare(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, in.Timeout)
	defer cancel()
	s, err := d.open(ctx, req, in, st)
	if err != nil {
		return nil, err
	}
	defer s.close()

	applyErr := s.r.run(ctx, nil, "apply", "-auto-approve", "-input=false", "-no-color")
	next, err := s.newState()
	if err != nil {
		return nil, err
	}
	if applyErr != nil {
		err := s.fail("apply", applyErr)
		if len(next.TFState) > 0 {
			return &driver.Result{State: next.encode()}, err
		}
		return nil, err
	}

	// output -json prints every value, secrets included: its stdout goes
	// to a buffer, never to the log.
	out := &capped{limit: maxOutputBytes}
	if err := s.r.run(ctx, out, "output", "-json", "-no-color"); err != nil {
		return &driver.Result{State: next.encode()}, s.fail("output", err)
	}
	outputs, err := mapOutputs(out.buf.Bytes(), in.Outputs)
	if err != nil {
		return &driver.Result{State: next.encode()}, err
	}
	return &driver.Result{Outputs: outputs, State: next.encode()}, nil
}

// Deprovision destroys what the state records. A state that records
// nothing (never applied, or destroyed already) succeeds without running
// the tool or looking at the inputs.
func (d *Driver) Deprovision(ctx context.Context, req *driver.Request) error {
	st, err := decodeState(req.State)
	if err != nil {
		return err
	}
	if !st.hasResources() {
		return nil
	}
	in, st, err := d.prepare(req)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, in.Timeout)
	defer cancel()
	s, err := d.open(ctx, req, in, st)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.r.run(ctx, nil, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return s.fail("destroy", err)
	}
	return nil
}

// Plan previews what Provision would change, from the stored state. Its
// Summary reads like "2 to add, 0 to change, 0 to destroy" or "no changes";
// Detail is the tool's plan, redacted.
func (d *Driver) Plan(ctx context.Context, req *driver.Request) (*driver.PlanResult, error) {
	in, st, err := d.prepare(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, in.Timeout)
	defer cancel()
	s, err := d.open(ctx, req, in, st)
	if err != nil {
		return nil, err
	}
	defer s.close()
	plan := newTail(4 * s.log.limit)
	err = s.r.run(ctx, io.MultiWriter(plan, s.log), "plan", "-input=false", "-no-color", "-detailed-exitcode", "-lock=false")
	var exit *exec.ExitError
	changes := errors.As(err, &exit) && exit.ExitCode() == 2
	if err != nil && !changes {
		return nil, s.fail("plan", err)
	}
	detail := strings.TrimSpace(s.red.Redact(plan.String()))
	return &driver.PlanResult{Summary: planSummary(detail, changes), Detail: detail}, nil
}

// planLine is the tool's one-line count of a plan's changes.
var planLine = regexp.MustCompile(`(?m)^Plan: (.*\d+ to destroy)\.`)

// planSummary sums a plan up from its text and whether the tool reported
// changes.
func planSummary(text string, changes bool) string {
	if m := planLine.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	if !changes {
		return "no changes"
	}
	if strings.Contains(text, "Changes to Outputs:") {
		return "0 to add, 0 to change, 0 to destroy; outputs change"
	}
	return "changes"
}
