package score

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// Overrides work as in score-compose: an overrides file is merged into the
// workload document, then each override property sets or removes one path.
// Both apply to the decoded document before it is validated, so mistakes
// they introduce are reported like any other, at their JSON pointer.

// MergeOverrides returns tree with patch merged in by JSON merge patch rules
// (RFC 7396): objects merge key by key, null removes a key, anything else
// (arrays included) replaces. Neither argument is changed; unchanged
// subtrees are shared.
func MergeOverrides(tree, patch map[string]any) map[string]any {
	out := maps.Clone(tree)
	if out == nil {
		out = make(map[string]any, len(patch))
	}
	for k, pv := range patch {
		if pv == nil {
			delete(out, k)
			continue
		}
		pm, ok := pv.(map[string]any)
		if !ok {
			out[k] = pv
			continue
		}
		tm, _ := out[k].(map[string]any)
		out[k] = MergeOverrides(tm, pm)
	}
	return out
}

// ApplyOverrideProperty returns tree with one override property applied.
// prop is "path=value": path is dot-separated keys, where "\." is a dot
// within a key and "\\" a backslash, and a key of an array is an index (-1
// appends). value is parsed as YAML; an empty value or null removes the
// key. Missing objects along the path are created. tree is not changed.
func ApplyOverrideProperty(tree map[string]any, prop string) (map[string]any, error) {
	out, _, err := applyOverrideProperty(tree, prop)
	return out, err
}

// applyOverrideProperty also returns the pointer tokens it set, with -1
// resolved to the appended index.
func applyOverrideProperty(tree map[string]any, prop string) (map[string]any, []string, error) {
	if !utf8.ValidString(prop) {
		return nil, nil, errs.New(errs.Invalid, "override property is not valid UTF-8")
	}
	path, value, ok := strings.Cut(prop, "=")
	if !ok {
		return nil, nil, errs.New(errs.Invalid, "override property %q must be path=value", clip(prop))
	}
	if path == "" {
		return nil, nil, errs.New(errs.Invalid, "override property %q has an empty path", clip(prop))
	}
	keys := SplitOverridePath(path)
	if len(keys) > yamldoc.MaxDepth {
		return nil, nil, errs.New(errs.Invalid, "override property %q is deeper than %d keys", clip(path), yamldoc.MaxDepth)
	}
	var v any
	if strings.TrimSpace(value) != "" {
		docs, err := yamldoc.Decode("override property", []byte(value))
		if err != nil {
			msg := "invalid YAML"
			if e, ok := err.(*errs.Error); ok {
				msg = e.Message
			}
			return nil, nil, errs.Wrap(errs.Invalid, err, "override property %q: value is not valid YAML: %s", path, msg)
		}
		if len(docs) > 1 {
			return nil, nil, errs.New(errs.Invalid, "override property %q: value holds more than one YAML document", path)
		}
		if len(docs) == 1 {
			v = docs[0].Value
		}
	}
	tokens := make([]string, 0, len(keys))
	out, err := setPath(tree, keys, v, &tokens)
	if err != nil {
		return nil, nil, errs.Prefix("override property "+strconv.Quote(path), err)
	}
	return out.(map[string]any), tokens, nil
}

// SplitOverridePath splits an override path on dots, honouring "\." and
// "\\".
func SplitOverridePath(path string) []string {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c == '\\' && i+1 < len(path) && (path[i+1] == '.' || path[i+1] == '\\') {
			b.WriteByte(path[i+1])
			i++
			continue
		}
		if c == '.' {
			parts = append(parts, b.String())
			b.Reset()
			continue
		}
		b.WriteByte(c)
	}
	return append(parts, b.String())
}

// setPath sets (or, when v is nil, removes) the value at keys below node,
// copying each container it changes.
func setPath(node any, keys []string, v any, tokens *[]string) (any, error) {
	key := keys[0]
	last := len(keys) == 1
	switch n := node.(type) {
	case map[string]any:
		out := maps.Clone(n)
		if out == nil {
			out = map[string]any{}
		}
		*tokens = append(*tokens, key)
		if last {
			if v == nil {
				delete(out, key)
			} else {
				out[key] = v
			}
			return out, nil
		}
		child, ok := out[key]
		if !ok || child == nil {
			if v == nil {
				return out, nil // removing below a missing key: nothing to do
			}
			child = map[string]any{}
		}
		c, err := setPath(child, keys[1:], v, tokens)
		if err != nil {
			return nil, err
		}
		out[key] = c
		return out, nil
	case []any:
		idx, err := strconv.Atoi(key)
		if err != nil {
			return nil, errs.New(errs.Invalid, "%q is not an array index", key)
		}
		out := slices.Clone(n)
		if last && idx == -1 && v != nil {
			*tokens = append(*tokens, strconv.Itoa(len(out)))
			return append(out, v), nil
		}
		if idx < 0 || idx >= len(out) {
			return nil, errs.New(errs.Invalid, "index %d is out of range (the array has %d items)", idx, len(out))
		}
		*tokens = append(*tokens, key)
		if last {
			if v == nil {
				return slices.Delete(out, idx, idx+1), nil
			}
			out[idx] = v
			return out, nil
		}
		c, err := setPath(out[idx], keys[1:], v, tokens)
		if err != nil {
			return nil, err
		}
		out[idx] = c
		return out, nil
	default:
		return nil, errs.New(errs.Invalid, "cannot set %q inside a %s", key, yamldoc.TypeName(node))
	}
}
