// Package static is the static driver: it provisions nothing and returns the
// outputs and secrets its definition gives, such as the address of a
// database run by another team. It is pure.
package static

import (
	"context"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers/input"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// Driver is the static driver.
type Driver struct{}

// New returns the static driver.
func New() *Driver { return &Driver{} }

// Describe documents the driver and its inputs.
func (*Driver) Describe() driver.Info {
	return driver.Info{
		Name:        "static",
		Description: "Returns fixed outputs and secrets; creates nothing.",
		Pure:        true,
		Inputs: []driver.Input{
			{Name: "outputs", Type: "object", Description: "Outputs returned as given."},
			{Name: "secrets", Type: "object", Secret: true, Description: "Secret outputs returned as given; names must differ from those in outputs."},
		},
	}
}

// ValidateInputs checks the inputs' shape.
func (d *Driver) ValidateInputs(inputs map[string]any) error {
	_, err := d.outputs(inputs, true)
	return err
}

// Provision returns the outputs and secrets merged.
func (d *Driver) Provision(ctx context.Context, req *driver.Request) (*driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Wrap(errs.Transient, err, "%v", err)
	}
	out, err := d.outputs(req.Inputs, false)
	if err != nil {
		return nil, err
	}
	return &driver.Result{Outputs: out}, nil
}

// Deprovision has nothing to remove.
func (*Driver) Deprovision(ctx context.Context, _ *driver.Request) error {
	if err := ctx.Err(); err != nil {
		return errs.Wrap(errs.Transient, err, "%v", err)
	}
	return nil
}

func (d *Driver) outputs(inputs map[string]any, validating bool) (map[string]any, error) {
	r := input.New(inputs, d.Describe(), validating)
	outputs := r.Map("outputs")
	secrets := r.Map("secrets")
	out := make(map[string]any, len(outputs)+len(secrets))
	for k, v := range outputs {
		out[k] = v
	}
	for _, k := range yamldoc.SortedKeys(secrets) {
		if _, dup := outputs[k]; dup {
			r.FailIn("secrets", k, "%q is also in outputs", k)
			continue
		}
		out[k] = secrets[k]
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
