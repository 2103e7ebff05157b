package platform

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// OutputType is the type of a resource output's value.
type OutputType string

// The output types.
const (
	OutputString  OutputType = "string"
	OutputInteger OutputType = "integer"
	OutputNumber  OutputType = "number"
	OutputBoolean OutputType = "boolean"
)

var outputTypes = []string{string(OutputString), string(OutputInteger), string(OutputNumber), string(OutputBoolean)}

// Output describes one output of a resource type.
type Output struct {
	Type OutputType `json:"type"`
	// Secret outputs are sealed at rest, redacted everywhere, and given to
	// workloads only as secrets.
	Secret      bool   `json:"secret,omitempty"`
	Description string `json:"description,omitempty"`
}

// ResourceType is a typed contract: the params a resource request of this
// type may take and the outputs every definition of it must give. A type is
// built in (postgres, redis, ...) or defined by a ResourceType document; a
// document may not reuse a built-in name.
type ResourceType struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Params is the JSON Schema that a request's params must satisfy, as
	// written; nil when the type accepts any params.
	Params  map[string]any    `json:"params,omitempty"`
	Outputs map[string]Output `json:"outputs"`
	BuiltIn bool              `json:"builtIn"`
	Source  Source            `json:"source"`

	schema *jsonschema.Schema
}

// OutputNames returns the names of the type's outputs in order.
func (t *ResourceType) OutputNames() []string { return yamldoc.SortedKeys(t.Outputs) }

// SecretOutputs returns the names of the type's secret outputs in order.
func (t *ResourceType) SecretOutputs() []string {
	var out []string
	for _, n := range t.OutputNames() {
		if t.Outputs[n].Secret {
			out = append(out, n)
		}
	}
	return out
}

// SecretParams returns, in order, the params the type's params schema marks
// writeOnly (JSON Schema's annotation for a value that is given but never
// shown): policies never see them.
func (t *ResourceType) SecretParams() []string {
	props, _ := t.Params["properties"].(map[string]any)
	var out []string
	for _, name := range yamldoc.SortedKeys(props) {
		if p, ok := props[name].(map[string]any); ok && p["writeOnly"] == true {
			out = append(out, name)
		}
	}
	return out
}

// ValidateParams checks a resource request's params against the type's params
// schema. It returns nil or an errs.List whose paths are JSON pointers
// relative to the params ("/" for params as a whole), with no file: the
// caller locates them in its own document. Nil params are checked as an empty
// object. Call it with placeholders resolved: "${metadata.name}" is not an
// integer.
func (t *ResourceType) ValidateParams(params map[string]any) error {
	if t.schema == nil {
		return nil
	}
	var v any = params
	if params == nil {
		v = map[string]any{}
	}
	return problemsError(validateAgainst(t.schema, v))
}

// CheckOutputs checks what a driver returned against the type: every output
// present with its declared type. A driver may return more (the redis driver
// also reports its db number); pave keeps only the declared outputs, since
// an undeclared value cannot be known to be secret or not. Messages name
// outputs and types, never values, so they are safe to show for secret
// outputs.
func (t *ResourceType) CheckOutputs(outputs map[string]any) error {
	var l errs.List
	for _, name := range t.OutputNames() {
		v, ok := outputs[name]
		if !ok {
			l = append(l, errs.New(errs.Invalid, "resource type %s: output %q missing", t.Name, name))
			continue
		}
		if want := t.Outputs[name].Type; !hasOutputType(v, want) {
			l = append(l, errs.New(errs.Invalid, "resource type %s: output %q must be %s, not %s", t.Name, name, want, outputTypeName(v)))
		}
	}
	return l.Err()
}

func hasOutputType(v any, want OutputType) bool {
	switch want {
	case OutputString:
		_, ok := v.(string)
		return ok
	case OutputBoolean:
		_, ok := v.(bool)
		return ok
	case OutputInteger:
		switch n := v.(type) {
		case int, int32, int64, uint, uint32, uint64:
			return true
		case float64:
			return n == math.Trunc(n) && !math.IsInf(n, 0)
		case json.Number:
			_, err := n.Int64()
			return err == nil
		}
	case OutputNumber:
		switch n := v.(type) {
		case int, int32, int64, uint, uint32, uint64:
			return true
		case float64:
			return !math.IsNaN(n) && !math.IsInf(n, 0)
		case json.Number:
			_, err := n.Float64()
			return err == nil
		}
	}
	return false
}

func outputTypeName(v any) string {
	switch v.(type) {
	case int, int32, int64, uint, uint32, uint64, float64, json.Number:
		return "number"
	}
	return yamldoc.TypeName(v)
}

func listOrNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return fmt.Sprint(items)
}

// decodeResourceType reads the spec of a ResourceType document.
func decodeResourceType(r *yamldoc.Reader, name string, spec map[string]any, src Source) *ResourceType {
	t := &ResourceType{Name: name, Outputs: map[string]Output{}, Source: src}
	r.Known("/spec", spec, "description", "params", "outputs")
	t.Description, _ = r.String("/spec", spec, "description", false)
	if raw, ok := spec["params"]; ok {
		schema, probs := compileParamsSchema(name, raw)
		for _, p := range probs {
			r.Fail("/spec/params"+p.pointer, "%s", p.message)
		}
		if schema != nil {
			t.schema = schema
			t.Params, _ = raw.(map[string]any)
		}
	}
	raw, ok := spec["outputs"]
	if !ok {
		return t
	}
	outs, ok := r.Map("/spec/outputs", raw)
	if !ok {
		return t
	}
	for _, on := range yamldoc.SortedKeys(outs) {
		p := yamldoc.Join("/spec/outputs", on)
		if !outputNameRE.MatchString(on) {
			r.Fail(p, "%s", outputRule)
			continue
		}
		m, ok := r.Map(p, outs[on])
		if !ok {
			continue
		}
		r.Known(p, m, "type", "secret", "description")
		o := Output{Type: OutputString}
		if typ, ok := r.String(p, m, "type", false); ok {
			if slices.Contains(outputTypes, typ) {
				o.Type = OutputType(typ)
			} else {
				r.Fail(yamldoc.Join(p, "type"), "unknown output type %q (expected %s)", typ, orList(outputTypes))
			}
		}
		o.Secret, _ = r.Bool(p, m, "secret")
		o.Description, _ = r.String(p, m, "description", false)
		t.Outputs[on] = o
	}
	return t
}
