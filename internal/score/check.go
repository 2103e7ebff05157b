package score

import (
	"slices"
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// checker reads a decoded document with typed accessors that record every
// problem, located through the locator, instead of stopping at the first.
type checker struct {
	loc  *locator
	errs errs.List
}

func (c *checker) fail(pointer, format string, args ...any) {
	c.errs = append(c.errs, c.loc.errorf(pointer, format, args...))
}

// join appends one raw token to a JSON pointer.
func join(pointer, token string) string {
	return pointer + "/" + yamldoc.EscapePointer(token)
}

// object asserts v is an object.
func (c *checker) object(pointer string, v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(pointer, "must be an object, not %s", yamldoc.TypeName(v))
	}
	return m, ok
}

// known reports every key of m not in allowed as an unknown field.
func (c *checker) known(pointer string, m map[string]any, allowed ...string) {
	var bad []string
	for k := range m {
		if !slices.Contains(allowed, k) {
			bad = append(bad, k)
		}
	}
	if bad == nil {
		return
	}
	slices.Sort(bad)
	for _, k := range bad {
		c.fail(join(pointer, k), "unknown field (expected one of: %s)", strings.Join(allowed, ", "))
	}
}

// str reads m[key] as a string; ok is false when absent or mistyped.
func (c *checker) str(pointer string, m map[string]any, key string, required bool) (string, bool) {
	v, present := m[key]
	if !present {
		if required {
			c.fail(join(pointer, key), "required")
		}
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		c.fail(join(pointer, key), "must be a string, not %s", yamldoc.TypeName(v))
	}
	return s, ok
}

// boolean reads m[key] as a boolean.
func (c *checker) boolean(pointer string, m map[string]any, key string) (bool, bool) {
	v, present := m[key]
	if !present {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		c.fail(join(pointer, key), "must be a boolean, not %s", yamldoc.TypeName(v))
	}
	return b, ok
}

// port reads m[key] as a port number, 1 to 65535.
func (c *checker) port(pointer string, m map[string]any, key string, required bool) (int, bool) {
	v, present := m[key]
	p := join(pointer, key)
	if !present {
		if required {
			c.fail(p, "required")
		}
		return 0, false
	}
	n, ok := yamldoc.AsInt(v)
	if !ok {
		if s, isStr := v.(string); isStr {
			if _, err := strconv.Atoi(s); err == nil {
				c.fail(p, "must be a whole number, not a string (remove the quotes)")
				return 0, false
			}
		}
		c.fail(p, "must be a whole number, not %s", yamldoc.TypeName(v))
		return 0, false
	}
	if n < 1 || n > 65535 {
		c.fail(p, "must be a port number from 1 to 65535, not %d", n)
		return 0, false
	}
	return int(n), true
}

// strList reads m[key] as an array of strings; present is false when absent.
func (c *checker) strList(pointer string, m map[string]any, key string) (out []string, present bool) {
	v, present := m[key]
	if !present {
		return nil, false
	}
	p := join(pointer, key)
	items, ok := v.([]any)
	if !ok {
		c.fail(p, "must be an array of strings, not %s", yamldoc.TypeName(v))
		return nil, true
	}
	out = make([]string, 0, len(items))
	for i, item := range items {
		s, ok := item.(string)
		if !ok {
			c.fail(p+"/"+strconv.Itoa(i), "must be a string, not %s", yamldoc.TypeName(item))
			continue
		}
		out = append(out, s)
	}
	return out, true
}

// stringMap reads v as an object of strings, checking each key with keyOK.
func (c *checker) stringMap(pointer string, v any, keyOK func(string) bool, keyRule string) map[string]string {
	m, ok := c.object(pointer, v)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, item := range m {
		p := join(pointer, k)
		if keyOK != nil && !keyOK(k) {
			c.fail(p, "invalid key %q: %s", clip(k), keyRule)
		}
		s, ok := item.(string)
		if !ok {
			c.fail(p, "must be a string, not %s%s", yamldoc.TypeName(item), quoteHint(item))
			continue
		}
		out[k] = s
	}
	return out
}

// quoteHint suggests quoting a scalar that YAML read as a number or boolean.
func quoteHint(v any) string {
	switch v.(type) {
	case int64, float64, bool:
		return " (quote the value to make it a string)"
	}
	return ""
}

// label checks a key that must be an RFC 1123 label.
func (c *checker) label(pointer, what, name string) {
	if !IsLabel(name) {
		c.fail(pointer, "invalid %s name %q: %s", what, clip(name), labelRule)
	}
}

const (
	labelRule    = "must be 2 to 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit"
	typeRule     = "must be 2 to 63 characters of A-Z, a-z, 0-9 and '-', starting and ending with a letter or digit"
	idRule       = "must be 2 to 63 characters: labels of a-z, 0-9 and '-' separated by '.', each starting and ending with a letter or digit"
	annotateRule = "must be an optional DNS prefix and '/', then 2 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-' starting and ending with a letter or digit"
)

// errMessage is the user-safe message of err.
func errMessage(err error) string { return errs.Errors(err)[0].Message }
