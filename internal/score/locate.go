package score

import (
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// locator finds the file and line of a JSON pointer in a workload document,
// taking into account which values the overrides set.
type locator struct {
	file string
	doc  *yamldoc.Doc
	// overrides is the merged overrides file, nil when there is none.
	overrides *yamldoc.Doc
	// props are the override properties applied, in order.
	props []propOrigin
}

// propOrigin records the pointer an override property set.
type propOrigin struct {
	tokens []string
	path   string
}

// locate returns where the value at pointer came from; via names the
// override property that set it, if one did.
func (l *locator) locate(pointer string) (file string, line int, via string) {
	if len(l.props) == 0 && l.overrides == nil {
		return l.file, l.doc.Line(pointer), ""
	}
	tokens := pointerTokens(pointer)
	for i := len(l.props) - 1; i >= 0; i-- {
		if hasPrefix(tokens, l.props[i].tokens) {
			return l.file, 0, l.props[i].path
		}
	}
	if l.overrides != nil && l.setByOverrides(tokens) {
		return l.overrides.File, l.overrides.Line(pointer), ""
	}
	return l.file, l.doc.Line(pointer), ""
}

// errorf returns an Invalid error located at pointer.
func (l *locator) errorf(pointer, format string, args ...any) *errs.Error {
	file, line, via := l.locate(pointer)
	p := pointer
	if p == "" {
		p = "/"
	}
	e := errs.At(file, line, p, format, args...)
	if via != "" {
		e.Message += " (set by override property " + strconv.Quote(via) + ")"
	}
	return e
}

// setByOverrides reports whether the overrides file set the value at
// tokens: the walk down the overrides reaches a replaced value, or an
// object the workload file did not have.
func (l *locator) setByOverrides(tokens []string) bool {
	ov, ok := walk(l.overrides.Value, tokens)
	if !ok {
		return false
	}
	if _, isMap := ov.(map[string]any); !isMap {
		return true
	}
	orig, ok := walk(l.doc.Value, tokens)
	if !ok {
		return true
	}
	_, origMap := orig.(map[string]any)
	return !origMap
}

// walk follows tokens from v, stopping early (and succeeding) at a value
// that is neither an object nor an array.
func walk(v any, tokens []string) (any, bool) {
	for _, t := range tokens {
		switch n := v.(type) {
		case map[string]any:
			c, ok := n[t]
			if !ok {
				return nil, false
			}
			v = c
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(n) {
				return nil, false
			}
			v = n[i]
		default:
			return v, true
		}
	}
	return v, true
}

// pointerTokens splits a JSON pointer into unescaped tokens.
func pointerTokens(pointer string) []string {
	if pointer == "" || pointer == "/" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for i, p := range parts {
		if strings.IndexByte(p, '~') >= 0 {
			parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
		}
	}
	return parts
}

func hasPrefix(tokens, prefix []string) bool {
	if len(prefix) > len(tokens) {
		return false
	}
	for i, p := range prefix {
		if tokens[i] != p {
			return false
		}
	}
	return true
}
