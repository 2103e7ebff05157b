package target

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/errs"
)

// ConfigReader checks a target's Config key by key and collects every
// problem, so that one deploy reports them all. Each problem is an
// errs.Invalid error with the key as its path and a message starting with
// "<kind> target config: ". Config values may be secrets: the helpers below
// never quote a value that is not a duration, and nor may callers.
type ConfigReader struct {
	kind   string
	inputs []Input
	list   errs.List
}

// NewConfigReader returns a reader for the config of the target kind (as in
// messages: "process", "kubernetes") whose known keys are inputs.
func NewConfigReader(kind string, inputs []Input) *ConfigReader {
	return &ConfigReader{kind: kind, inputs: inputs}
}

// Read calls read with every key of cfg and its value, in key order, and
// reports the error read returns for that key. A key inputs do not name is
// reported as unknown, and read is not called for it.
func (r *ConfigReader) Read(cfg Config, read func(key string, v any) error) {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.ContainsFunc(r.inputs, func(in Input) bool { return in.Name == k }) {
			r.Fail(k, "unknown key; known keys are %s", r.knownKeys())
			continue
		}
		if err := read(k, cfg[k]); err != nil {
			r.Fail(k, "%s", err.Error())
		}
	}
}

// Fail reports a problem with key.
func (r *ConfigReader) Fail(key, format string, args ...any) {
	r.list.Add(&errs.Error{Code: errs.Invalid, Path: "/" + key, Message: r.kind + " target config: " + fmt.Sprintf(format, args...)})
}

// Err returns every problem reported, or nil.
func (r *ConfigReader) Err() error { return r.list.Err() }

func (r *ConfigReader) knownKeys() string {
	names := make([]string, len(r.inputs))
	for i, in := range r.inputs {
		names[i] = in.Name
	}
	return strings.Join(names, ", ")
}

// ConfigString returns v if it is a string.
func ConfigString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("must be a string, not %s", TypeName(v))
	}
	return s, nil
}

// ConfigInt returns v if it is a whole number. YAML and JSON give numbers
// as int, int64 or float64.
func ConfigInt(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), nil
		}
	}
	return 0, fmt.Errorf("must be an integer, not %s", TypeName(v))
}

// ConfigDuration accepts a Go duration string ("90s") or a whole number of
// seconds, from least (when positive; else anything more than 0) to a day.
func ConfigDuration(v any, least time.Duration) (time.Duration, error) {
	outOfRange := fmt.Errorf("must be more than 0 and at most 24h")
	if least > 0 {
		outOfRange = fmt.Errorf("must be at least %s and at most 24h", least)
	}
	var d time.Duration
	switch n := v.(type) {
	case string:
		var err error
		if d, err = time.ParseDuration(n); err != nil {
			return 0, fmt.Errorf("%q is not a duration such as \"90s\"", n)
		}
	case int, int64, float64:
		secs, err := ConfigInt(n)
		if err != nil {
			return 0, fmt.Errorf("must be a duration such as \"90s\" or a whole number of seconds")
		}
		if secs < 0 || secs > 86400 {
			return 0, outOfRange
		}
		d = time.Duration(secs) * time.Second
	default:
		return 0, fmt.Errorf("must be a duration such as \"90s\", not %s", TypeName(v))
	}
	if d <= 0 || d < least || d > 24*time.Hour {
		return 0, outOfRange
	}
	return d, nil
}

// TypeName names the kind of a config value for messages: "a string", "a
// number", "a list"….
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, int64, float64:
		return "a number"
	case []any, []string:
		return "a list"
	case map[string]any, map[string]string:
		return "a map"
	}
	return fmt.Sprintf("%T", v)
}
