package tofu

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// maxOutputBytes bounds what `output -json` may print.
const maxOutputBytes = 32 << 20

// toolOutput is one entry of `output -json`.
type toolOutput struct {
	Value     json.RawMessage `json:"value"`
	Sensitive bool            `json:"sensitive"`
}

// mapOutputs turns `output -json` into the resource's outputs. Every tool
// output appears under its own name; mapping (resource name → tool name)
// adds renamed ones, and a tool output renamed away no longer appears under
// its own name. Whether an output is secret is the resource type's call, so
// the tool's sensitive flag is not used.
func mapOutputs(raw []byte, mapping map[string]string) (map[string]any, error) {
	var outs map[string]toolOutput
	if err := json.Unmarshal(raw, &outs); err != nil {
		// The text holds output values: keep it out of the error.
		return nil, errs.New(errs.Internal, "tofu output -json printed something that is not a JSON object of outputs")
	}
	values := make(map[string]any, len(outs))
	for name, o := range outs {
		v, err := plainValue(o.Value)
		if err != nil {
			return nil, errs.New(errs.Internal, "tofu output %q: value is not JSON", name)
		}
		values[name] = v
	}
	if mapping == nil {
		return values, nil
	}
	var missing []string
	result := make(map[string]any, len(values)+len(mapping))
	for name, v := range values {
		result[name] = v
	}
	for _, src := range mapping {
		if _, kept := mapping[src]; !kept {
			delete(result, src)
		}
	}
	for _, name := range yamldoc.SortedKeys(mapping) {
		v, ok := values[mapping[name]]
		if !ok {
			missing = append(missing, name+" <- "+mapping[name])
			continue
		}
		result[name] = v
	}
	if len(missing) > 0 {
		return nil, errs.New(errs.Invalid, "tofu module lacks outputs named in the outputs input (%s); it has: %s",
			strings.Join(missing, ", "), strings.Join(yamldoc.SortedKeys(values), ", "))
	}
	return result, nil
}

// plainValue decodes JSON into pave's plain values: numbers become int64
// when integral, float64 otherwise.
func plainValue(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return plainNumbers(v), nil
}

func plainNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		for k, e := range v {
			v[k] = plainNumbers(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = plainNumbers(e)
		}
		return v
	default:
		return v
	}
}

// capped is a buffer that fails writes past its limit.
type capped struct {
	buf   bytes.Buffer
	limit int
}

// Write appends p or fails when that would pass the limit.
func (c *capped) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.limit {
		return 0, errs.New(errs.Internal, "tofu output is larger than %d MiB", c.limit>>20)
	}
	return c.buf.Write(p)
}
