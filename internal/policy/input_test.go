package policy

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

func TestInputValueMatchesJSON(t *testing.T) {
	in := shopInput()
	in.Environment.TTL = "72h"
	in.Plan.Workloads[1].Ports = []Port{}
	in.Plan.Workloads[1].Annotations = map[string]string{}
	for i := range in.Plan.Resources {
		in.Plan.Resources[i].Params["nested"] = map[string]any{"list": []any{"a", int64(1), 2.5, true, nil}}
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON any
	if err := json.Unmarshal(b, &fromJSON); err != nil {
		t.Fatal(err)
	}
	want, err := ast.InterfaceToValue(fromJSON)
	if err != nil {
		t.Fatal(err)
	}
	got, err := in.value()
	if err != nil {
		t.Fatal(err)
	}
	if got.Compare(want) != 0 {
		t.Errorf("input value differs from its JSON:\n json  %v\n value %v", want, got)
	}
}

// fullInput is shopInput with every optional field set.
func fullInput() Input {
	in := shopInput()
	in.Environment.TTL = "72h"
	in.Environment.Ephemeral = true
	return in
}

// TestInputSchemaMatchesStructs keeps input.schema.json and the Go structs
// in step: every field of the JSON encoding is in the schema, and every
// property of the schema is a field.
func TestInputSchemaMatchesStructs(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(inputSchema, &schema); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(fullInput())
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	defs, _ := schema["definitions"].(map[string]any)
	resolve := func(s map[string]any) map[string]any {
		if ref, ok := s["$ref"].(string); ok {
			s, _ = defs[strings.TrimPrefix(ref, "#/definitions/")].(map[string]any)
		}
		return s
	}
	// inSchema are the paths of every schema property.
	inSchema := map[string]bool{}
	var walkSchema func(path string, s map[string]any)
	walkSchema = func(path string, s map[string]any) {
		s = resolve(s)
		props, _ := s["properties"].(map[string]any)
		for k, p := range props {
			inSchema[path+"."+k] = true
			walkSchema(path+"."+k, p.(map[string]any))
		}
		if items, ok := s["items"].(map[string]any); ok {
			walkSchema(path+"[_]", items)
		}
	}
	walkSchema("input", schema)
	// inInput are the paths of every field of the input that the schema
	// describes (params, inputs and annotations are free-form).
	inInput := map[string]bool{}
	var walk func(path string, s map[string]any, v any)
	walk = func(path string, s map[string]any, v any) {
		s = resolve(s)
		switch v := v.(type) {
		case map[string]any:
			props, _ := s["properties"].(map[string]any)
			if props == nil {
				return
			}
			for k, child := range v {
				inInput[path+"."+k] = true
				if ps, ok := props[k].(map[string]any); ok {
					walk(path+"."+k, ps, child)
				}
			}
		case []any:
			items, _ := s["items"].(map[string]any)
			for _, child := range v {
				walk(path+"[_]", items, child)
			}
		}
	}
	walk("input", schema, doc)
	for _, p := range slices.Sorted(maps.Keys(inInput)) {
		if !inSchema[p] {
			t.Errorf("input field %s is not in the schema", p)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(inSchema)) {
		if !inInput[p] {
			t.Errorf("schema property %s is not a field of the input", p)
		}
	}
}
