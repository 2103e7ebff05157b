package drivertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
)

// HangGuard is how long the suite waits for a call whose context has ended
// before failing: a driver that honours its context returns long before.
// It guards against hangs; it is not a performance assertion.
var HangGuard = 30 * time.Second

// CallTimeout bounds each ordinary driver call the suite makes.
var CallTimeout = 2 * time.Minute

// cancelDelays are the context lifetimes of the interrupted provisions: from
// already over to long enough to get well into the work.
var cancelDelays = []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond,
	10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond}

// Run checks that d conforms to the driver contract, using c to make
// requests and to verify what exists:
//
//   - Describe: the driver documents itself and every input the case uses.
//   - Inputs: unknown inputs and missing required ones are invalid, both
//     when validating and when provisioning.
//   - Lifecycle: provisioning yields the declared outputs and a resource
//     that exists; provisioning again with the returned state (after a JSON
//     round trip of the result and of every request) keeps the same
//     outputs; a changed request updates; deprovisioning twice succeeds and
//     leaves nothing.
//   - DeprovisionAbsent: deprovisioning what was never provisioned succeeds.
//   - LostState: provisioning again without state adopts the resource.
//   - Concurrent: distinct resources provision in parallel.
//   - Cancel: calls whose context is already over fail promptly; calls cut
//     off at any point leave nothing behind that a re-run does not complete
//     or remove.
//
// Every error must be an *errs.Error (or errs.List) and must not contain
// the value of a secret input or output. Run deprovisions everything it
// provisioned when the test ends, whatever the outcome.
func Run(t *testing.T, d driver.Driver, c Case) {
	t.Helper()
	if c.Request == nil {
		t.Fatal("drivertest: Case.Request is nil")
	}
	s := &suite{d: d, c: c, latest: map[string]*driver.Request{}}
	if ds, ok := d.(driver.Describer); ok {
		s.info = ds.Describe()
		s.described = true
	}
	if !s.info.Pure && (c.Verify == nil || c.VerifyGone == nil) {
		t.Fatal("drivertest: Case.Verify and Case.VerifyGone are required for drivers that are not pure")
	}
	t.Run("Describe", s.testDescribe)
	t.Run("Inputs", s.testInputs)
	t.Run("Lifecycle", s.testLifecycle)
	t.Run("DeprovisionAbsent", s.testDeprovisionAbsent)
	t.Run("LostState", s.testLostState)
	t.Run("Concurrent", s.testConcurrent)
	t.Run("Cancel", s.testCancel)
}

type suite struct {
	d         driver.Driver
	c         Case
	info      driver.Info
	described bool

	mu sync.Mutex
	// latest is, per UID, the request to deprovision it with at cleanup.
	latest map[string]*driver.Request
}

// request makes a new request for a new resource and arranges its cleanup.
func (s *suite) request(t *testing.T, what string) *driver.Request {
	t.Helper()
	uid := UID(t, what)
	req := s.c.Request(uid)
	if req == nil {
		t.Fatal("drivertest: Case.Request returned nil")
	}
	req.UID = uid
	if req.Context == (driver.Context{}) {
		req.Context = driver.Context{App: "pavetest", Env: "test", EnvType: "development", ResID: what}
	}
	req = clone(t, req)
	s.mu.Lock()
	s.latest[uid] = clone(t, req)
	s.mu.Unlock()
	t.Cleanup(func() { s.cleanup(t, uid) })
	return req
}

func (s *suite) cleanup(t *testing.T, uid string) {
	s.mu.Lock()
	req, ok := s.latest[uid]
	s.mu.Unlock()
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
	defer cancel()
	if err := s.d.Deprovision(ctx, clone(t, req)); err != nil {
		t.Errorf("cleanup: deprovision %s: %v", uid, err)
	}
}

// provision calls Provision with a JSON round trip of req, as the exec and
// http drivers would see it, checks any error, and returns the result after
// its own JSON round trip, as pave stores it. It may run off the test's
// goroutine, so it reports problems of the suite's own as errors.
func (s *suite) provision(t *testing.T, ctx context.Context, req *driver.Request) (*driver.Result, error) {
	t.Helper()
	in, err := cloneErr(req)
	if err != nil {
		t.Error(err)
		return nil, err
	}
	res, err := s.d.Provision(ctx, in)
	if err != nil {
		s.checkError(t, "provision", err, req)
		return nil, err
	}
	if res == nil {
		err := errors.New("provision returned neither a result nor an error")
		t.Error(err)
		return nil, err
	}
	if res, err = roundTrip(res); err != nil {
		t.Error(err)
		return nil, err
	}
	n, err := cloneErr(req)
	if err != nil {
		return nil, err
	}
	n.State, n.Outputs = res.State, res.Outputs
	s.mu.Lock()
	s.latest[req.UID] = n
	s.mu.Unlock()
	return res, nil
}

// mustProvision provisions req, checks the outputs and verifies the
// resource exists.
func (s *suite) mustProvision(t *testing.T, req *driver.Request) *driver.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
	defer cancel()
	res, err := s.provision(t, ctx, req)
	if err != nil {
		t.Fatalf("provision %s: %v", req.UID, err)
	}
	s.checkOutputs(t, res.Outputs)
	if s.c.Verify != nil {
		s.c.Verify(t, res.Outputs)
	}
	return res
}

func (s *suite) deprovision(t *testing.T, ctx context.Context, req *driver.Request) error {
	t.Helper()
	in, err := cloneErr(req)
	if err != nil {
		t.Error(err)
		return err
	}
	if err := s.d.Deprovision(ctx, in); err != nil {
		s.checkError(t, "deprovision", err, req)
		return err
	}
	s.mu.Lock()
	delete(s.latest, req.UID)
	s.mu.Unlock()
	return nil
}

func (s *suite) mustDeprovision(t *testing.T, req *driver.Request) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
	defer cancel()
	if err := s.deprovision(t, ctx, req); err != nil {
		t.Fatalf("deprovision %s: %v", req.UID, err)
	}
	if s.c.VerifyGone != nil {
		s.c.VerifyGone(t, req)
	}
}

// checkOutputs checks every declared output is present with its kind.
func (s *suite) checkOutputs(t *testing.T, outputs map[string]any) {
	t.Helper()
	for _, o := range s.c.Outputs {
		v, ok := outputs[o.Name]
		if !ok || v == nil {
			t.Errorf("output %q is missing (got %s)", o.Name, strings.Join(keys(outputs), ", "))
			continue
		}
		if got := kindOf(v); o.Kind != Any && got != o.Kind {
			t.Errorf("output %q is a %s, want a %s", o.Name, got, o.Kind)
		}
	}
}

// checkError checks err is pave's error type and names no secret.
func (s *suite) checkError(t *testing.T, call string, err error, req *driver.Request) {
	t.Helper()
	var e *errs.Error
	var l errs.List
	if !errors.As(err, &e) && !errors.As(err, &l) {
		t.Errorf("%s: error %q is not an *errs.Error: drivers return pave's error type", call, err)
	}
	texts := []string{err.Error()}
	for _, item := range errs.Errors(err) {
		texts = append(texts, item.LogString())
	}
	for _, sec := range s.secrets(req) {
		for _, text := range texts {
			if strings.Contains(text, sec.value) {
				t.Errorf("%s: error shows the value of %s: %s", call, sec.name, strings.ReplaceAll(text, sec.value, "<"+sec.name+">"))
				break
			}
		}
	}
}

type secret struct{ name, value string }

// secrets lists the values errors must never show: every string in a
// secret input and every secret output already returned.
func (s *suite) secrets(req *driver.Request) []secret {
	var out []secret
	for _, in := range s.info.Inputs {
		if in.Secret {
			walkStrings(req.Inputs[in.Name], func(v string) {
				out = append(out, secret{"input " + in.Name, v})
			})
		}
	}
	s.mu.Lock()
	latest := s.latest[req.UID]
	s.mu.Unlock()
	for _, r := range []*driver.Request{req, latest} {
		if r == nil {
			continue
		}
		for _, o := range s.c.Outputs {
			if o.Secret {
				walkStrings(r.Outputs[o.Name], func(v string) {
					out = append(out, secret{"output " + o.Name, v})
				})
			}
		}
	}
	return slices.DeleteFunc(out, func(sec secret) bool { return len(sec.value) < 4 })
}

func walkStrings(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case map[string]any:
		for _, x := range v {
			walkStrings(x, f)
		}
	case []any:
		for _, x := range v {
			walkStrings(x, f)
		}
	}
}

// clone returns req after a JSON round trip.
func clone(t *testing.T, req *driver.Request) *driver.Request {
	t.Helper()
	out, err := cloneErr(req)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func cloneErr(req *driver.Request) (*driver.Request, error) {
	data, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("request does not marshal to JSON: %w", err)
	}
	var out driver.Request
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("request does not unmarshal from JSON: %w", err)
	}
	return &out, nil
}

// roundTrip returns res after a JSON round trip, or why pave could not
// store it.
func roundTrip(res *driver.Result) (*driver.Result, error) {
	if len(res.State) > 0 && !json.Valid(res.State) {
		return nil, errors.New("result state is not valid JSON")
	}
	data, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("result does not marshal to JSON: %w", err)
	}
	var out driver.Result
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("result does not unmarshal from JSON: %w", err)
	}
	return &out, nil
}

// next is the request pave makes after res: the same, with res's state and
// outputs handed back.
func next(t *testing.T, req *driver.Request, res *driver.Result) *driver.Request {
	t.Helper()
	n := clone(t, req)
	n.State = res.State
	n.Outputs = res.Outputs
	return n
}

func kindOf(v any) Kind {
	switch v.(type) {
	case string:
		return String
	case float64:
		return Number
	case bool:
		return Bool
	case map[string]any:
		return Object
	case []any:
		return Array
	}
	return Kind(fmt.Sprintf("%T", v))
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sameOutputs(a, b map[string]any) bool { return reflect.DeepEqual(a, b) }
