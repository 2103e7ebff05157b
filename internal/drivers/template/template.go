// Package template is the template driver: it renders outputs, secrets and
// extra manifests from Go text/template templates over the resource's
// request, such as a Kubernetes Secret and a name derived from the
// resource's id. It is pure: it creates nothing outside pave. Random values
// it generates (randAlphaNum) are kept in its state, so that they are
// stable across runs.
package template

import (
	"context"
	"encoding/json"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers/input"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// Driver is the template driver.
type Driver struct{}

// New returns the template driver.
func New() *Driver { return &Driver{} }

// Describe documents the driver and its inputs.
func (*Driver) Describe() driver.Info {
	return driver.Info{
		Name: "template",
		Description: "Renders outputs, secrets and manifests from Go templates over the request " +
			"(.Uid .Type .Class .Id .Context.App .Context.Env .Context.EnvType .Context.ResId " +
			".Params .State .Outputs .Inputs) with the functions lower, upper, trim, trimPrefix, " +
			"trimSuffix, replace, default, required, quote, toJson, toYaml, indent, join, " +
			"hash N, and randAlphaNum N (random, generated once and kept in state).",
		Pure: true,
		Inputs: []driver.Input{
			{Name: "outputs", Type: "any", Description: "An object whose string values are templates (other values are returned as they are), or one template rendering a YAML object."},
			{Name: "secrets", Type: "any", Description: "Like outputs, for secret outputs; names must differ from those in outputs."},
			{Name: "manifests", Type: "string", Description: "A template rendering a YAML array of objects to deploy with the workload."},
			{Name: "values", Type: "any", Description: "Free data for the templates, as .Inputs.values."},
		},
	}
}

// state is what the driver keeps between runs.
type state struct {
	// Random holds every randAlphaNum value by call site.
	Random map[string]string `json:"random,omitempty"`
}

// ValidateInputs checks the inputs' shape and parses every template.
func (d *Driver) ValidateInputs(inputs map[string]any) error {
	r := input.New(inputs, d.Describe(), true)
	spec := readSpec(r)
	if err := r.Err(); err != nil {
		return err
	}
	return spec.parse()
}

// Provision renders the templates.
func (d *Driver) Provision(ctx context.Context, req *driver.Request) (*driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Wrap(errs.Transient, err, "%v", err)
	}
	r := input.New(req.Inputs, d.Describe(), false)
	spec := readSpec(r)
	if err := r.Err(); err != nil {
		return nil, err
	}
	var prev state
	var prevAny map[string]any
	if len(req.State) > 0 {
		if err := json.Unmarshal(req.State, &prev); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "the template driver's state does not decode")
		}
		_ = json.Unmarshal(req.State, &prevAny)
	}
	rd := &renderer{ctx: ctx, data: newData(req, prevAny), prev: prev.Random, next: map[string]string{}}
	out, err := spec.render(rd)
	if err != nil {
		return nil, err
	}
	if len(rd.next) > 0 {
		data, err := json.Marshal(state{Random: rd.next})
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "encode the template driver's state")
		}
		out.State = data
	}
	return out, nil
}

// Deprovision has nothing to remove: what the driver made lives in pave.
func (*Driver) Deprovision(ctx context.Context, _ *driver.Request) error {
	if err := ctx.Err(); err != nil {
		return errs.Wrap(errs.Transient, err, "%v", err)
	}
	return nil
}

// data is what templates see.
type data struct {
	Uid     string //nolint:revive // the template name is .Uid
	Type    string
	Class   string
	Id      string //nolint:revive // the template name is .Id
	Context contextData
	Params  map[string]any
	State   map[string]any
	Outputs map[string]any
	Inputs  map[string]any
}

type contextData struct {
	App, Env, EnvType, ResId string //nolint:revive // the template name is .Context.ResId
}

func newData(req *driver.Request, prevState map[string]any) *data {
	orEmpty := func(m map[string]any) map[string]any {
		if m == nil {
			return map[string]any{}
		}
		return m
	}
	return &data{
		Uid: req.UID, Type: req.Type, Class: req.Class, Id: req.ID,
		Context: contextData{App: req.Context.App, Env: req.Context.Env, EnvType: req.Context.EnvType, ResId: req.Context.ResID},
		Params:  orEmpty(req.Params), State: orEmpty(prevState), Outputs: orEmpty(req.Outputs), Inputs: orEmpty(req.Inputs),
	}
}

// spec is the templates of one request.
type spec struct {
	// outputs and secrets hold either a map (by key) or one YAML template.
	outputs, secrets field
	manifests        string
	hasManifests     bool
}

type field struct {
	name string
	// one is the template rendering a YAML object, when the input is a string.
	one    string
	isOne  bool
	values map[string]any
}

func readSpec(r *input.Reader) *spec {
	s := &spec{outputs: readField(r, "outputs"), secrets: readField(r, "secrets")}
	if r.Has("manifests") {
		s.manifests = r.String("manifests", "")
		s.hasManifests = true
	}
	if !s.outputs.isOne && !s.secrets.isOne {
		for _, k := range yamldoc.SortedKeys(s.secrets.values) {
			if _, dup := s.outputs.values[k]; dup {
				r.FailIn("secrets", k, "%q is also in outputs", k)
			}
		}
	}
	return s
}

func readField(r *input.Reader, name string) field {
	f := field{name: name}
	if !r.Has(name) {
		return f
	}
	if s, ok := r.Raw(name).(string); ok {
		f.one, f.isOne = s, true
		return f
	}
	f.values = r.Map(name)
	return f
}
