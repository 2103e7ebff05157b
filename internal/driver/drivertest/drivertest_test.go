package drivertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
)

// memDriver keeps resources in memory: a driver that conforms, or, when
// broken names a fault, one that does not.
type memDriver struct {
	broken string
	mu     sync.Mutex
	store  map[string]memResource
	n      int
}

type memResource struct{ Password, Size string }

func newMem(broken string) *memDriver {
	return &memDriver{broken: broken, store: map[string]memResource{}}
}

func (d *memDriver) Describe() driver.Info {
	return driver.Info{Name: "mem", Description: "in memory", Inputs: []driver.Input{
		{Name: "size", Type: "string", Required: true, Description: "size"},
		{Name: "token", Type: "string", Secret: true, Description: "token"},
	}}
}

func (d *memDriver) inputs(in map[string]any) (string, error) {
	for k := range in {
		if k != "size" && k != "token" && d.broken != "acceptsUnknown" {
			return "", errs.New(errs.Invalid, "unknown input %q", k)
		}
	}
	size, _ := in["size"].(string)
	if size == "" {
		return "", errs.New(errs.Invalid, "size is required")
	}
	return size, nil
}

func (d *memDriver) cancelled(ctx context.Context, in map[string]any) error {
	if d.broken == "ignoresCancel" || ctx.Err() == nil {
		return nil
	}
	switch d.broken {
	case "leaky":
		return errs.New(errs.Transient, "cancelled while using token %v", in["token"])
	case "untyped":
		return fmt.Errorf("cancelled: %w", ctx.Err())
	}
	return errs.Wrap(errs.Transient, ctx.Err(), "%v", ctx.Err())
}

func (d *memDriver) Provision(ctx context.Context, req *driver.Request) (*driver.Result, error) {
	if err := d.cancelled(ctx, req.Inputs); err != nil {
		return nil, err
	}
	size, err := d.inputs(req.Inputs)
	if err != nil {
		return nil, err
	}
	var st struct{ Password string }
	if len(req.State) > 0 {
		json.Unmarshal(req.State, &st)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if st.Password == "" || d.broken == "nonIdempotent" {
		d.n++
		st.Password = fmt.Sprintf("password-%d", d.n)
	}
	d.store[req.UID] = memResource{Password: st.Password, Size: size}
	state, _ := json.Marshal(st)
	return &driver.Result{
		Outputs: map[string]any{"id": req.UID, "password": st.Password, "size": size, "port": 1},
		State:   state,
	}, nil
}

func (d *memDriver) Deprovision(ctx context.Context, req *driver.Request) error {
	if err := d.cancelled(ctx, req.Inputs); err != nil {
		return err
	}
	if d.broken == "leaves" {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.store, req.UID)
	return nil
}

func memCase(d *memDriver) Case {
	return Case{
		Request: func(uid string) *driver.Request {
			return &driver.Request{Type: "mem", Inputs: map[string]any{"size": "small", "token": "tok-secret-123"}}
		},
		Update: func(req *driver.Request) { req.Inputs["size"] = "large" },
		VerifyUpdate: func(t *testing.T, _ *driver.Request, outputs map[string]any) {
			if outputs["size"] != "large" {
				t.Errorf("size %v", outputs["size"])
			}
		},
		Outputs: []Output{{Name: "id", Kind: String}, {Name: "port", Kind: Number}, {Name: "size", Kind: String},
			{Name: "password", Kind: String, Secret: true}},
		Verify: func(t *testing.T, outputs map[string]any) {
			d.mu.Lock()
			defer d.mu.Unlock()
			if r, ok := d.store[outputs["id"].(string)]; !ok || r.Password != outputs["password"] {
				t.Errorf("resource %v is missing or differs", outputs["id"])
			}
		},
		VerifyGone: func(t *testing.T, req *driver.Request) {
			d.mu.Lock()
			defer d.mu.Unlock()
			if _, ok := d.store[req.UID]; ok {
				t.Errorf("resource %s is left", req.UID)
			}
		},
	}
}

func TestConformingDriverPasses(t *testing.T) {
	d := newMem("")
	Run(t, d, memCase(d))
	if len(d.store) != 0 {
		t.Errorf("the suite left %d resources", len(d.store))
	}
}

// TestBrokenDriversFail runs the suite on faulty drivers in a child test
// process and checks that it fails them, for the right reason.
func TestBrokenDriversFail(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	tests := []struct{ broken, want string }{
		{"nonIdempotent", "provisioning again changed the outputs"},
		{"ignoresCancel", "provision with a cancelled context succeeded"},
		{"leaky", "error shows the value of input token"},
		{"untyped", "is not an *errs.Error"},
		{"leaves", "is left"},
		{"acceptsUnknown", "provision with an unknown input: got <nil>"},
	}
	for _, tt := range tests {
		t.Run(tt.broken, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenDriverChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "PAVE_DRIVERTEST_BROKEN="+tt.broken)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a driver that is %s:\n%s", tt.broken, out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("the suite failed a driver that is %s without saying %q:\n%s", tt.broken, tt.want, out)
			}
		})
	}
}

func TestBrokenDriverChild(t *testing.T) {
	broken := os.Getenv("PAVE_DRIVERTEST_BROKEN")
	if broken == "" {
		return // only an entry point for the child processes of TestBrokenDriversFail
	}
	d := newMem(broken)
	Run(t, d, memCase(d))
}

func TestUID(t *testing.T) {
	a, b := UID(t, "db"), UID(t, "db")
	if a == b || !strings.HasPrefix(a, "pavetest_") || !strings.HasSuffix(a, "#db") {
		t.Errorf("UID gave %q and %q", a, b)
	}
}
