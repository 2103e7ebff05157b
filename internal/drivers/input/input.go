// Package input reads a driver's inputs: typed accessors that collect every
// problem with the input's JSON pointer (/inputs/<name>), reject unknown
// inputs, tolerate the number forms YAML, JSON and Go code produce, and,
// while validating a definition before anything runs, accept values that
// still hold unresolved ${...} placeholders.
package input

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// Root is the JSON pointer of the inputs object in errors.
const Root = "/inputs"

// Reader reads one inputs object.
type Reader struct {
	m          map[string]any
	validating bool
	y          *yamldoc.Reader
}

// New returns a Reader over inputs that reports every key not described by
// info as an unknown input. validating says the inputs come from a
// definition being loaded, so placeholders may remain unresolved.
func New(inputs map[string]any, info driver.Info, validating bool) *Reader {
	r := &Reader{m: inputs, validating: validating, y: yamldoc.NewReader(&yamldoc.Doc{})}
	if r.m == nil {
		r.m = map[string]any{}
	}
	names := make([]string, len(info.Inputs))
	for i, in := range info.Inputs {
		names[i] = in.Name
	}
	r.y.Known(Root, r.m, names...)
	for _, in := range info.Inputs {
		if in.Required {
			if v, ok := r.m[in.Name]; !ok || v == nil {
				r.Fail(in.Name, "required")
			}
		}
	}
	return r
}

// Validating reports whether placeholders may remain unresolved.
func (r *Reader) Validating() bool { return r.validating }

// Has reports whether the input is present and not null.
func (r *Reader) Has(name string) bool {
	v, ok := r.m[name]
	return ok && v != nil
}

// Raw returns the input as given.
func (r *Reader) Raw(name string) any { return r.m[name] }

// Fail records a problem with the input called name.
func (r *Reader) Fail(name, format string, args ...any) {
	r.y.Fail(yamldoc.Join(Root, name), format, args...)
}

// FailIn records a problem with the entry key of the input called name.
func (r *Reader) FailIn(name string, key any, format string, args ...any) {
	r.y.Fail(yamldoc.Join(Root, name, key), format, args...)
}

// Err returns every recorded problem, sorted, or nil.
func (r *Reader) Err() error { return r.y.Err() }

// Placeholder reports whether s still holds an unresolved ${...} placeholder.
func Placeholder(s string) bool { return strings.Contains(s, "${") }

// deferred reports whether v is a placeholder string that validation lets
// through whatever type the input has.
func (r *Reader) deferred(v any) bool {
	s, ok := v.(string)
	return ok && r.validating && Placeholder(s)
}

// String reads a string input; absent gives def.
func (r *Reader) String(name, def string) string {
	v, ok := r.m[name]
	if !ok || v == nil {
		return def
	}
	s, ok := v.(string)
	if !ok {
		r.Fail(name, "must be a string, not %s", typeName(v))
		return def
	}
	return s
}

// Int reads a whole number input, given as a number or a numeric string,
// between lo and hi; absent gives def.
func (r *Reader) Int(name string, def, lo, hi int64) int64 {
	v, ok := r.m[name]
	if !ok || v == nil || r.deferred(v) {
		return def
	}
	n, ok := AsInt(v)
	if !ok {
		r.Fail(name, "must be a whole number, not %s", typeName(v))
		return def
	}
	if n < lo || n > hi {
		r.Fail(name, "must be between %d and %d, not %d", lo, hi, n)
		return def
	}
	return n
}

// AsInt converts the number forms decoders and Go code produce, and numeric
// strings, to int64.
func AsInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		return i, err == nil
	}
	return 0, false
}

// Bool reads a boolean input; absent gives def.
func (r *Reader) Bool(name string, def bool) bool {
	v, ok := r.m[name]
	if !ok || v == nil || r.deferred(v) {
		return def
	}
	b, ok := v.(bool)
	if !ok {
		r.Fail(name, "must be a boolean, not %s", typeName(v))
		return def
	}
	return b
}

// Duration reads a duration input given as a Go duration ("90s", "5m") or a
// number of seconds, between lo and hi; absent gives def.
func (r *Reader) Duration(name string, def, lo, hi time.Duration) time.Duration {
	v, ok := r.m[name]
	if !ok || v == nil || r.deferred(v) {
		return def
	}
	var d time.Duration
	if s, isStr := v.(string); isStr {
		parsed, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			r.Fail(name, "must be a duration such as \"30s\" or \"5m\"")
			return def
		}
		d = parsed
	} else if n, isNum := AsInt(v); isNum && n >= 0 && n <= math.MaxInt64/int64(time.Second) {
		d = time.Duration(n) * time.Second
	} else {
		r.Fail(name, "must be a duration such as \"30s\" or a number of seconds, not %s", typeName(v))
		return def
	}
	if d < lo || d > hi {
		r.Fail(name, "must be between %s and %s, not %s", lo, hi, d)
		return def
	}
	return d
}

// StringList reads an array of strings.
func (r *Reader) StringList(name string) []string {
	v, ok := r.m[name]
	if !ok || v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		if ss, isStrings := v.([]string); isStrings {
			return append([]string(nil), ss...)
		}
		r.Fail(name, "must be an array of strings, not %s", typeName(v))
		return nil
	}
	out := make([]string, 0, len(list))
	for i, item := range list {
		s, ok := item.(string)
		if !ok {
			r.y.Fail(yamldoc.Join(Root, name, i), "must be a string, not %s", typeName(item))
			continue
		}
		out = append(out, s)
	}
	return out
}

// StringMap reads an object whose values are strings. Numbers and booleans
// are taken in their plain text form, as an environment or a header would.
func (r *Reader) StringMap(name string) map[string]string {
	obj := r.Map(name)
	if obj == nil {
		return nil
	}
	out := make(map[string]string, len(obj))
	for _, k := range yamldoc.SortedKeys(obj) {
		switch v := obj[k].(type) {
		case string:
			out[k] = v
		case bool:
			out[k] = strconv.FormatBool(v)
		default:
			if n, ok := AsInt(v); ok {
				out[k] = strconv.FormatInt(n, 10)
				continue
			}
			if f, ok := v.(float64); ok {
				out[k] = strconv.FormatFloat(f, 'g', -1, 64)
				continue
			}
			r.y.Fail(yamldoc.Join(Root, name, k), "must be a string, not %s", typeName(v))
		}
	}
	return out
}

// Map reads an object input.
func (r *Reader) Map(name string) map[string]any {
	v, ok := r.m[name]
	if !ok || v == nil {
		return nil
	}
	switch m := v.(type) {
	case map[string]any:
		return m
	case map[string]string:
		out := make(map[string]any, len(m))
		for k, s := range m {
			out[k] = s
		}
		return out
	}
	r.Fail(name, "must be an object, not %s", typeName(v))
	return nil
}

func typeName(v any) string {
	switch v.(type) {
	case int, int32, int64, uint16, uint32, json.Number:
		return "number"
	case []string:
		return "array"
	case map[string]string:
		return "object"
	}
	return yamldoc.TypeName(v)
}

// Error returns an Invalid error about the input called name, for problems
// found after reading (such as a URL that does not parse). The message must
// not quote the value: inputs may be secret.
func Error(name, format string, args ...any) *errs.Error {
	e := errs.New(errs.Invalid, format, args...)
	e.Path = yamldoc.Join(Root, name)
	return e
}
