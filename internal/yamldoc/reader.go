package yamldoc

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// Reader walks a decoded document with typed accessors that record every
// problem, located, instead of stopping at the first.
type Reader struct {
	Doc  *Doc
	Errs errs.List
}

// NewReader returns a Reader over d.
func NewReader(d *Doc) *Reader { return &Reader{Doc: d} }

// Fail records a problem at pointer.
func (r *Reader) Fail(pointer, format string, args ...any) {
	r.Errs = append(r.Errs, r.Doc.Errorf(pointer, format, args...))
}

// Err returns the recorded problems, sorted, or nil.
func (r *Reader) Err() error {
	r.Errs.Sort()
	return r.Errs.Err()
}

// TypeName names the kind of a decoded value for messages.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case int64, float64:
		return "number"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// Map asserts v is an object.
func (r *Reader) Map(pointer string, v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		r.Fail(pointer, "must be an object, not %s", TypeName(v))
	}
	return m, ok
}

// List asserts v is an array.
func (r *Reader) List(pointer string, v any) ([]any, bool) {
	s, ok := v.([]any)
	if !ok {
		r.Fail(pointer, "must be an array, not %s", TypeName(v))
	}
	return s, ok
}

// Known reports every key of m that is not in allowed as an unknown field.
func (r *Reader) Known(pointer string, m map[string]any, allowed ...string) {
	for _, k := range SortedKeys(m) {
		if !slices.Contains(allowed, k) {
			r.Fail(Join(pointer, k), "unknown field (expected one of: %s)", strings.Join(allowed, ", "))
		}
	}
}

// Required records a problem when key is missing from m.
func (r *Reader) Required(pointer string, m map[string]any, key string) bool {
	if _, ok := m[key]; !ok {
		r.Fail(Join(pointer, key), "required")
		return false
	}
	return true
}

// String reads m[key] as a string. ok is false when absent or mistyped.
func (r *Reader) String(pointer string, m map[string]any, key string, required bool) (string, bool) {
	v, present := m[key]
	if !present {
		if required {
			r.Fail(Join(pointer, key), "required")
		}
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		r.Fail(Join(pointer, key), "must be a string, not %s", TypeName(v))
	}
	return s, ok
}

// Bool reads m[key] as a boolean.
func (r *Reader) Bool(pointer string, m map[string]any, key string) (bool, bool) {
	v, present := m[key]
	if !present {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		r.Fail(Join(pointer, key), "must be a boolean, not %s", TypeName(v))
	}
	return b, ok
}

// Int reads m[key] as a whole number.
func (r *Reader) Int(pointer string, m map[string]any, key string, required bool) (int64, bool) {
	v, present := m[key]
	if !present {
		if required {
			r.Fail(Join(pointer, key), "required")
		}
		return 0, false
	}
	n, ok := AsInt(v)
	if !ok {
		r.Fail(Join(pointer, key), "must be a whole number, not %s", TypeName(v))
	}
	return n, ok
}

// AsInt converts a decoded number without fraction to int64.
func AsInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	}
	return 0, false
}

// StringList reads m[key] as an array of strings.
func (r *Reader) StringList(pointer string, m map[string]any, key string) ([]string, bool) {
	v, present := m[key]
	if !present {
		return nil, false
	}
	p := Join(pointer, key)
	s, ok := r.List(p, v)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(s))
	good := true
	for i, item := range s {
		str, ok := item.(string)
		if !ok {
			r.Fail(Join(p, i), "must be a string, not %s", TypeName(item))
			good = false
			continue
		}
		out = append(out, str)
	}
	return out, good
}

// StringMap reads m[key] as an object of strings.
func (r *Reader) StringMap(pointer string, m map[string]any, key string) (map[string]string, bool) {
	v, present := m[key]
	if !present {
		return nil, false
	}
	p := Join(pointer, key)
	obj, ok := r.Map(p, v)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(obj))
	good := true
	for _, k := range SortedKeys(obj) {
		s, ok := obj[k].(string)
		if !ok {
			r.Fail(Join(p, k), "must be a string, not %s", TypeName(obj[k]))
			good = false
			continue
		}
		out[k] = s
	}
	return out, good
}

// SortedKeys returns the keys of m in order, for deterministic walks.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
