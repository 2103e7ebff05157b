package drivertest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
)

// InputTypes are the types an input may be documented with.
var InputTypes = []string{"string", "integer", "number", "boolean", "object", "array", "duration", "any"}

func (s *suite) testDescribe(t *testing.T) {
	if !s.described {
		t.Fatal("driver does not implement driver.Describer")
	}
	if s.info.Description == "" {
		t.Error("Info.Description is empty")
	}
	seen := map[string]bool{}
	for _, in := range s.info.Inputs {
		switch {
		case in.Name == "":
			t.Error("an input has no name")
		case seen[in.Name]:
			t.Errorf("input %q is described twice", in.Name)
		}
		seen[in.Name] = true
		if in.Description == "" {
			t.Errorf("input %q has no description", in.Name)
		}
		known := false
		for _, typ := range InputTypes {
			known = known || in.Type == typ
		}
		if !known {
			t.Errorf("input %q has type %q, want one of %v", in.Name, in.Type, InputTypes)
		}
	}
	req := s.c.Request("pavetest_describe")
	for name := range req.Inputs {
		if !seen[name] {
			t.Errorf("the case uses input %q, which Describe does not document", name)
		}
	}
	for _, in := range s.info.Inputs {
		if _, ok := req.Inputs[in.Name]; in.Required && !ok {
			t.Errorf("the case lacks required input %q", in.Name)
		}
	}
}

func (s *suite) testInputs(t *testing.T) {
	if !s.described {
		t.Skip("driver does not describe its inputs")
	}
	base := s.c.Request("pavetest_inputs")
	unknown := func() map[string]any {
		in := clone(t, &driver.Request{Inputs: base.Inputs}).Inputs
		if in == nil {
			in = map[string]any{}
		}
		in["pavetestNoSuchInput"] = true
		return in
	}
	if v, ok := s.d.(driver.InputValidator); ok {
		if err := v.ValidateInputs(clone(t, base).Inputs); err != nil {
			t.Errorf("ValidateInputs rejects the case's inputs: %v", err)
		}
		if err := v.ValidateInputs(unknown()); !errs.Is(err, errs.Invalid) {
			t.Errorf("ValidateInputs with an unknown input: got %v, want an invalid error", err)
		}
		for _, in := range s.info.Inputs {
			if !in.Required {
				continue
			}
			inputs := clone(t, base).Inputs
			delete(inputs, in.Name)
			if err := v.ValidateInputs(inputs); !errs.Is(err, errs.Invalid) {
				t.Errorf("ValidateInputs without required input %q: got %v, want an invalid error", in.Name, err)
			}
		}
	}

	req := s.request(t, "inputs")
	req.Inputs = unknown()
	ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
	defer cancel()
	if _, err := s.provision(t, ctx, req); !errs.Is(err, errs.Invalid) {
		t.Errorf("provision with an unknown input: got %v, want an invalid error", err)
	}
	if s.c.VerifyGone != nil {
		s.c.VerifyGone(t, req)
	}
}

func (s *suite) testLifecycle(t *testing.T) {
	// A long name, so that drivers truncate it to their servers' limits.
	req := s.request(t, "lifecycle-of-a-resource-whose-name-is-longer-than-most-identifier-limits")
	first := s.mustProvision(t, req)

	again := next(t, req, first)
	second := s.mustProvision(t, again)
	if !s.c.OutputsMayChange && !sameOutputs(first.Outputs, second.Outputs) {
		t.Errorf("provisioning again changed the outputs: keys %v, then %v (values not shown: they may be secret)",
			keys(first.Outputs), keys(second.Outputs))
	}
	last, lastRes := again, second

	if s.c.Update != nil {
		updated := next(t, req, second)
		s.c.Update(updated)
		res := s.mustProvision(t, updated)
		if s.c.VerifyUpdate != nil {
			s.c.VerifyUpdate(t, updated, res.Outputs)
		}
		repeat := next(t, updated, res)
		res2 := s.mustProvision(t, repeat)
		if !s.c.OutputsMayChange && !sameOutputs(res.Outputs, res2.Outputs) {
			t.Errorf("provisioning the update again changed the outputs")
		}
		last, lastRes = repeat, res2
	}

	gone := next(t, last, lastRes)
	s.mustDeprovision(t, gone)
	s.mustDeprovision(t, gone)
}

func (s *suite) testDeprovisionAbsent(t *testing.T) {
	req := s.request(t, "absent")
	s.mustDeprovision(t, req)
}

func (s *suite) testLostState(t *testing.T) {
	req := s.request(t, "lost-state")
	first := s.mustProvision(t, req)
	// The state and outputs were lost (a crash before pave stored them):
	// the driver must adopt what exists rather than fail or duplicate it.
	res := s.mustProvision(t, req)
	if !s.c.OutputsMayChange && len(first.State) == 0 && !sameOutputs(first.Outputs, res.Outputs) {
		t.Errorf("a driver without state gave different outputs for the same request")
	}
	s.mustDeprovision(t, next(t, req, res))
}

func (s *suite) testConcurrent(t *testing.T) {
	const n = 4
	reqs := make([]*driver.Request, n)
	for i := range reqs {
		reqs[i] = s.request(t, "concurrent")
	}
	ress := make([]*driver.Result, n)
	errList := make([]error, n)
	ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Go(func() { ress[i], errList[i] = s.provision(t, ctx, reqs[i]) })
	}
	wg.Wait()
	for i := range reqs {
		if errList[i] != nil {
			t.Fatalf("concurrent provision %d: %v", i, errList[i])
		}
		s.checkOutputs(t, ress[i].Outputs)
		if s.c.Verify != nil {
			s.c.Verify(t, ress[i].Outputs)
		}
	}
	for i := range reqs {
		gone := next(t, reqs[i], ress[i])
		wg.Go(func() { errList[i] = s.deprovision(t, ctx, gone) })
	}
	wg.Wait()
	for i := range reqs {
		if errList[i] != nil {
			t.Fatalf("concurrent deprovision %d: %v", i, errList[i])
		}
		if s.c.VerifyGone != nil {
			s.c.VerifyGone(t, next(t, reqs[i], ress[i]))
		}
	}
}

func (s *suite) testCancel(t *testing.T) {
	req := s.request(t, "cancel")

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := guard(t, "provision", func() (*driver.Result, error) { return s.provision(t, cancelled, req) }); err == nil {
		t.Error("provision with a cancelled context succeeded, want an error")
	} else if !errors.Is(err, context.Canceled) {
		t.Logf("note: provision with a cancelled context: the error does not wrap context.Canceled: %v", err)
	}

	// Cut provisions off at various points, keeping the state of any that
	// finished, as the engine would; then a full run must complete.
	cur := req
	for _, d := range cancelDelays {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		res, err := guard(t, "provision", func() (*driver.Result, error) { return s.provision(t, ctx, cur) })
		cancel()
		if err == nil {
			cur = next(t, req, res)
		}
	}
	res := s.mustProvision(t, cur)
	cur = next(t, req, res)

	if err := guardErr(t, "deprovision", func() error { return s.deprovision(t, cancelled, cur) }); err == nil {
		t.Error("deprovision with a cancelled context succeeded, want an error")
	}
	for _, d := range cancelDelays {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		err := guardErr(t, "deprovision", func() error { return s.deprovision(t, ctx, cur) })
		cancel()
		if err == nil {
			// Gone already: put the resource back to cut off the next one.
			res := s.mustProvision(t, req)
			cur = next(t, req, res)
		}
	}
	s.mustDeprovision(t, cur)
}

// guard runs call, which was given a context that is over or ends soon,
// and fails the test if it does not return within HangGuard of that.
func guard(t *testing.T, what string, call func() (*driver.Result, error)) (*driver.Result, error) {
	t.Helper()
	type out struct {
		res *driver.Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := call()
		done <- out{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-time.After(HangGuard):
		t.Fatalf("%s did not return within %s of its context ending", what, HangGuard)
		return nil, nil
	}
}

func guardErr(t *testing.T, what string, call func() error) error {
	t.Helper()
	_, err := guard(t, what, func() (*driver.Result, error) { return nil, call() })
	return err
}
