package template

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"

	"github.com/pavedev/pave/internal/drivers/credential"
)

// Limits of the functions' numeric arguments.
const (
	MaxRandom = 256
	maxIndent = 64
)

// funcs returns the functions templates may call: a small set with no I/O.
// randAlphaNum draws from rd, keyed by the template's name and the call's
// order in it, so that the same call site gets the same value every run.
func funcs(rd *renderer, name string) template.FuncMap {
	calls := 0
	return template.FuncMap{
		"lower":      strings.ToLower,
		"upper":      strings.ToUpper,
		"trim":       strings.TrimSpace,
		"trimPrefix": func(prefix, s string) string { return strings.TrimPrefix(s, prefix) },
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		"replace":    func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"default":    defaultValue,
		"required":   required,
		"quote":      func(v any) string { return strconv.Quote(text(v)) },
		"toJson":     toJSON,
		"toYaml":     toYAML,
		"indent":     indent,
		"join":       join,
		"hash":       hash,
		"randAlphaNum": func(n int) (string, error) {
			if n < 1 || n > MaxRandom {
				return "", fmt.Errorf("randAlphaNum takes a length from 1 to %d, not %d", MaxRandom, n)
			}
			key := fmt.Sprintf("%s#%d", name, calls)
			calls++
			if rd == nil {
				return "", errors.New("randAlphaNum cannot run here")
			}
			v, ok := rd.prev[key]
			if !ok || len(v) != n {
				v = credential.Password(n)
			}
			rd.next[key] = v
			return v, nil
		},
	}
}

// text renders a value as templates print it, with nil as "".
func text(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// empty reports whether v is nil, false, zero, or an empty string,
// collection or map.
func empty(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
		return rv.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil()
	}
	return rv.IsZero()
}

// defaultValue returns v, or def when v is empty: {{ index .Params "size" | default "1Gi" }}.
func defaultValue(def, v any) any {
	if empty(v) {
		return def
	}
	return v
}

// required returns v, or fails with msg when v is empty.
func required(msg string, v any) (any, error) {
	if empty(v) {
		return nil, errors.New(msg)
	}
	return v, nil
}

func toJSON(v any) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("toJson: %w", err)
	}
	return string(data), nil
}

func toYAML(v any) (string, error) {
	data, err := yaml.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("toYaml: %w", err)
	}
	return strings.TrimSuffix(string(data), "\n"), nil
}

// indent puts n spaces before every line of s.
func indent(n int, s string) (string, error) {
	if n < 0 || n > maxIndent {
		return "", fmt.Errorf("indent takes from 0 to %d spaces, not %d", maxIndent, n)
	}
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad), nil
}

// join joins the items of a list with sep.
func join(sep string, list any) (string, error) {
	switch l := list.(type) {
	case []string:
		return strings.Join(l, sep), nil
	case []any:
		parts := make([]string, len(l))
		for i, v := range l {
			parts[i] = text(v)
		}
		return strings.Join(parts, sep), nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("join takes a list, not %T", list)
}

// hash returns the first n hex digits of the SHA-256 of s.
func hash(n int, s any) (string, error) {
	if n < 1 || n > 64 {
		return "", fmt.Errorf("hash takes from 1 to 64 digits, not %d", n)
	}
	sum := sha256.Sum256([]byte(text(s)))
	return hex.EncodeToString(sum[:])[:n], nil
}
