package tofu

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// defaultTimeout bounds one provision, plan or deprovision when the
// definition sets no timeout.
const defaultTimeout = 30 * time.Minute

// inputs are the driver's inputs, checked.
type inputs struct {
	// Module is where the root module comes from: an absolute local
	// directory, or a remote source such as "git::https://…".
	Module string
	// Remote is true when Module is fetched by the tool, not copied.
	Remote bool
	// Variables become the root module's input variables.
	Variables map[string]any
	// Outputs maps a resource output name to the tool's output name. Nil
	// means every tool output under its own name.
	Outputs map[string]string
	Timeout time.Duration
}

// inputFields are the keys a definition may set.
var inputFields = []string{"module", "variables", "outputs", "timeout"}

// parseInputs checks raw driver inputs. base resolves relative module
// paths. With placeholders true, values that still hold "${…}" placeholders
// are accepted where a literal would be checked (load-time validation).
func parseInputs(raw map[string]any, base string, placeholders bool) (*inputs, error) {
	var list errs.List
	fail := func(path, format string, args ...any) {
		e := errs.New(errs.Invalid, format, args...)
		e.Path = path
		list = append(list, e)
	}
	in := &inputs{Timeout: defaultTimeout}
	for _, k := range yamldoc.SortedKeys(raw) {
		known := false
		for _, f := range inputFields {
			known = known || k == f
		}
		if !known {
			fail(yamldoc.Join("", k), "unknown tofu driver input (expected one of: %s)", strings.Join(inputFields, ", "))
		}
	}

	switch m := raw["module"].(type) {
	case nil:
		fail("/module", "tofu driver input is required: a local module directory or a git:: source")
	case string:
		switch {
		case strings.TrimSpace(m) == "":
			fail("/module", "tofu driver input must not be empty")
		case isRemoteSource(m):
			in.Module, in.Remote = m, true
		default:
			if !filepath.IsAbs(m) && base != "" {
				m = filepath.Join(base, m)
			}
			abs, err := filepath.Abs(m)
			if err != nil {
				fail("/module", "tofu driver input: cannot resolve module path: %v", err)
			}
			in.Module = abs
		}
	default:
		fail("/module", "tofu driver input must be a string, not %s", yamldoc.TypeName(m))
	}

	switch v := raw["variables"].(type) {
	case nil:
		in.Variables = map[string]any{}
	case map[string]any:
		in.Variables = v
		for _, name := range yamldoc.SortedKeys(v) {
			if !validIdentifier(name) {
				fail(yamldoc.Join("/variables", name), "not a valid variable name: letters, digits, _ and -, starting with a letter or _")
			}
		}
	default:
		fail("/variables", "tofu driver input must be an object, not %s", yamldoc.TypeName(v))
	}

	switch o := raw["outputs"].(type) {
	case nil:
	case map[string]any:
		in.Outputs = make(map[string]string, len(o))
		for _, name := range yamldoc.SortedKeys(o) {
			s, ok := o[name].(string)
			if !ok || s == "" {
				fail(yamldoc.Join("/outputs", name), "must name a tofu output (a non-empty string), not %s", yamldoc.TypeName(o[name]))
				continue
			}
			in.Outputs[name] = s
		}
	default:
		fail("/outputs", "tofu driver input must be an object mapping output names, not %s", yamldoc.TypeName(o))
	}

	switch t := raw["timeout"].(type) {
	case nil:
	case string:
		if placeholders && strings.Contains(t, "${") {
			break
		}
		d, err := time.ParseDuration(t)
		if err != nil || d <= 0 {
			fail("/timeout", "must be a positive duration such as \"10m\", not %q", t)
			break
		}
		in.Timeout = d
	case int64:
		if t <= 0 {
			fail("/timeout", "must be a positive number of seconds, not %d", t)
			break
		}
		in.Timeout = time.Duration(t) * time.Second
	default:
		fail("/timeout", "must be a duration such as \"10m\", not %s", yamldoc.TypeName(t))
	}
	if err := list.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// isRemoteSource reports whether src is a module source the tool fetches
// itself (git::, https://, s3::, a registry address …) rather than a local
// directory.
func isRemoteSource(src string) bool {
	if strings.Contains(src, "::") || strings.Contains(src, "://") {
		return true
	}
	return strings.HasPrefix(src, "github.com/") || strings.HasPrefix(src, "git@")
}

// validIdentifier is the tool's rule for variable names.
func validIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r == '-' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return true
}
