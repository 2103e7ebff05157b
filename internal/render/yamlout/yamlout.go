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
// JSON pointer of the value.
func Append(b []byte, v any) ([]byte, error) {
	e := encoder{b: b}
	if err := e.node(v, 0); err != nil {
		return b, err
	}
	if n := len(e.b); n == 0 || e.b[n-1] != '\n' {
		e.b = append(e.b, '\n')
	}
	return e.b, nil
}

type encoder struct {
	b []byte
	// keys is a stack of sorted map keys, reused across maps so that
	// encoding allocates little beyond the output.
	keys []string
}

// Error is an encoding error at a JSON pointer into the value.
type Error struct {
	// Path is the JSON pointer of the value at fault; "" is the root.
	Path string
	Msg  string
	// segments are collected innermost first while the stack unwinds, so
	// that paths cost nothing unless there is an error.
	segments []string
}

// Error returns "yaml <path>: <message>".
func (e *Error) Error() string { return "yaml " + pathOrRoot(e.Path) + ": " + e.Msg }

func fail(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// within prepends a path segment to err.
func within(err error, segment string) error {
	if e, ok := err.(*Error); ok {
		e.segments = append(e.segments, escapePointer(segment))
		var b strings.Builder
		for i := len(e.segments) - 1; i >= 0; i-- {
			b.WriteByte('/')
			b.WriteString(e.segments[i])
		}
		e.Path = b.String()
	}
	return err
}

// node writes v, which starts right after its key's ": " (or "- ") for
// scalars and on its own lines, indented by indent, for collections.
func (e *encoder) node(v any, indent int) error {
	switch t := v.(type) {
	case map[string]any:
		return mapping(e, t, indent)
	case map[string]string:
		return mapping(e, t, indent)
	case []any:
		return seq(e, t, indent)
	case []string:
		return seq(e, t, indent)
	case []map[string]any:
		return seq(e, t, indent)
	}
	if err := e.scalar(v, indent); err != nil {
		return err
	}
	e.b = append(e.b, '\n')
	return nil
}

func mapping[V any](e *encoder, m map[string]V, indent int) error {
	if len(m) == 0 {
		e.b = append(e.b, "{}\n"...)
		return nil
	}
	start := len(e.keys)
	for k := range m {
		e.keys = append(e.keys, k)
	}
	keys := e.keys[start:]
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			e.pad(indent)
		}
		if err := e.entry(k, m[k], indent); err != nil {
			return within(err, k)
		}
	}
	e.keys = e.keys[:start]
	return nil
}

func seq[T any](e *encoder, items []T, indent int) error {
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
		if err := e.node(item, indent+2); err != nil {
			return within(err, strconv.Itoa(i))
		}
	}
	return nil
}

// entry writes "key: value" at the current position (indentation written).
func (e *encoder) entry(k string, v any, indent int) error {
	if err := e.str(k, indent, true); err != nil {
		return err
	}
	if isEmptyOrScalar(v) {
		e.b = append(e.b, ": "...)
		return e.node(v, indent+2)
	}
	e.b = append(e.b, ":\n"...)
	e.pad(indent + 2)
	return e.node(v, indent+2)
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

func (e *encoder) scalar(v any, indent int) error {
	switch t := v.(type) {
	case nil:
		e.b = append(e.b, "null"...)
	case string:
		return e.str(t, indent, false)
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
		return fail("unsupported value of type %T", v)
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

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
