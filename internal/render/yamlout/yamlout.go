// Package yamlout writes plain Go values (maps, slices, strings, numbers,
// booleans, nil) as block-style YAML with sorted map keys, so that rendered
// manifests are byte-for-byte deterministic. It is a small hand-written
// emitter rather than a reflective encoder because renderers call it for
// thousands of objects per plan; every string it writes reads back as the
// same string under YAML 1.1 and 1.2 resolvers (the fuzz test checks this
// against gopkg.in/yaml.v3).
package yamlout

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Marshal returns v as one YAML document (without a leading "---").
func Marshal(v any) ([]byte, error) {
	return Append(nil, v)
}

// Append appends v as one YAML document (without a leading "---") to b.
// Supported values: map[string]any, map[string]string, []any, []string,
// []map[string]any, string, bool, every integer and float type, and nil.
// A string that is not valid UTF-8 or any other type is an error naming the
// path of the value.
func Append(b []byte, v any) ([]byte, error) {
	e := encoder{b: b}
	if err := e.node(v, 0, ""); err != nil {
		return b, err
	}
	if n := len(e.b); n == 0 || e.b[n-1] != '\n' {
		e.b = append(e.b, '\n')
	}
	return e.b, nil
}

type encoder struct {
	b []byte
}

// node writes v, which starts right after its key's ": " (or "- ") for
// scalars and on its own lines, indented by indent, for collections.
// Callers that write a key have already checked whether v is an empty
// collection or a scalar (written inline) with inline.
func (e *encoder) node(v any, indent int, path string) error {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			e.b = append(e.b, "{}\n"...)
			return nil
		}
		keys := sortedKeys(t)
		for i, k := range keys {
			if i > 0 {
				e.pad(indent)
			}
			if err := e.entry(k, t[k], indent, path); err != nil {
				return err
			}
		}
		return nil
	case map[string]string:
		if len(t) == 0 {
			e.b = append(e.b, "{}\n"...)
			return nil
		}
		keys := sortedKeys(t)
		for i, k := range keys {
			if i > 0 {
				e.pad(indent)
			}
			if err := e.entry(k, t[k], indent, path); err != nil {
				return err
			}
		}
		return nil
	case []any:
		return seq(e, t, indent, path)
	case []string:
		return seq(e, t, indent, path)
	case []map[string]any:
		return seq(e, t, indent, path)
	}
	if err := e.scalar(v, indent, path); err != nil {
		return err
	}
	e.b = append(e.b, '\n')
	return nil
}

func seq[T any](e *encoder, items []T, indent int, path string) error {
	if len(items) == 0 {
		e.b = append(e.b, "[]\n"...)
		return nil
	}
	for i, item := range items {
		if i > 0 {
			e.pad(indent)
		}
		e.b = append(e.b, "- "...)
		// A map's first key and a nested list's first dash go on the dash's
		// line; the rest align with them.
		if err := e.node(item, indent+2, path+"/"+strconv.Itoa(i)); err != nil {
			return err
		}
	}
	return nil
}

// entry writes "key: value" at the current position (indentation written).
func (e *encoder) entry(k string, v any, indent int, path string) error {
	p := path + "/" + escapePointer(k)
	if err := e.str(k, indent, p, true); err != nil {
		return err
	}
	if isEmptyOrScalar(v) {
		e.b = append(e.b, ": "...)
		return e.node(v, indent+2, p)
	}
	e.b = append(e.b, ":\n"...)
	e.pad(indent + 2)
	return e.node(v, indent+2, p)
}

func (e *encoder) pad(n int) {
	for range n {
		e.b = append(e.b, ' ')
	}
}

// isEmptyOrScalar reports whether v is written on its key's line.
func isEmptyOrScalar(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return len(t) == 0
	case map[string]string:
		return len(t) == 0
	case []any:
		return len(t) == 0
	case []string:
		return len(t) == 0
	case []map[string]any:
		return len(t) == 0
	}
	return true
}

func (e *encoder) scalar(v any, indent int, path string) error {
	switch t := v.(type) {
	case nil:
		e.b = append(e.b, "null"...)
	case string:
		return e.str(t, indent, path, false)
	case bool:
		e.b = strconv.AppendBool(e.b, t)
	case int:
		e.b = strconv.AppendInt(e.b, int64(t), 10)
	case int8:
		e.b = strconv.AppendInt(e.b, int64(t), 10)
	case int16:
		e.b = strconv.AppendInt(e.b, int64(t), 10)
	case int32:
		e.b = strconv.AppendInt(e.b, int64(t), 10)
	case int64:
		e.b = strconv.AppendInt(e.b, t, 10)
	case uint:
		e.b = strconv.AppendUint(e.b, uint64(t), 10)
	case uint8:
		e.b = strconv.AppendUint(e.b, uint64(t), 10)
	case uint16:
		e.b = strconv.AppendUint(e.b, uint64(t), 10)
	case uint32:
		e.b = strconv.AppendUint(e.b, uint64(t), 10)
	case uint64:
		e.b = strconv.AppendUint(e.b, t, 10)
	case float32:
		e.float(float64(t), 32)
	case float64:
		e.float(t, 64)
	default:
		return fmt.Errorf("yaml %s: unsupported value of type %T", pathOrRoot(path), v)
	}
	return nil
}

func (e *encoder) float(f float64, bits int) {
	switch {
	case math.IsNaN(f):
		e.b = append(e.b, ".nan"...)
	case math.IsInf(f, 1):
		e.b = append(e.b, ".inf"...)
	case math.IsInf(f, -1):
		e.b = append(e.b, "-.inf"...)
	default:
		s := strconv.FormatFloat(f, 'g', -1, bits)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0" // keep it a float when read back
		}
		e.b = append(e.b, s...)
	}
}

func pathOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
