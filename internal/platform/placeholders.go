package platform

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pavedev/pave/internal/score"
)

// Placeholders in platform config use Score's syntax ("${...}" substitutes,
// "$$" is a literal "$") and are scanned by Score's template parser, the one
// the engine resolves the same strings with, so that what loads resolves.
// Only the expressions differ: platform config has its own roots, and a
// resource id after "#" may hold dots, so parsePlaceholder reads each
// expression as written (Reference.Raw), not Score's dot-split parts.

// maxExprLen bounds the length of a placeholder expression echoed in errors.
const maxExprLen = 80

// contextKeys are the keys of ${context.<key>}.
var contextKeys = []string{"app", "env", "envType", "resId"}

var secretNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// scanPlaceholders returns the expressions of the placeholders in s, as
// written between "${" and "}", in order. It fails where Score's parser
// does: on a "${" without "}", an empty "${}" and an empty part ("${a..b}").
func scanPlaceholders(s string) ([]string, error) {
	t, err := score.ParseTemplate(s)
	if err != nil {
		return nil, err
	}
	refs := t.References()
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.Raw
	}
	return out, nil
}

// placeholder is one parsed placeholder expression.
type placeholder struct {
	expr string // as written, shortened for messages
	root string // "context", "secrets" or "resources"
	// key is the context key or the secret name.
	key string
	// ref and output are set for the resources root.
	ref    ResourceRef
	output string
}

// parsePlaceholder parses a placeholder expression of one of roots:
//
//	context.<app|env|envType|resId>
//	secrets.<name>
//	resources.<type>[.<class>][#<id>].<output>
//
// A resource reference without class means class "default"; without id, it
// leaves ResourceRef.ID empty (see ResourceRef).
func parsePlaceholder(expr string, roots ...string) (placeholder, error) {
	shown := expr
	if len(shown) > maxExprLen {
		shown = shown[:maxExprLen] + "..."
	}
	fail := func(format string, args ...any) (placeholder, error) {
		return placeholder{}, fmt.Errorf("placeholder ${%s}: %s", shown, fmt.Sprintf(format, args...))
	}
	root, rest, _ := strings.Cut(expr, ".")
	known := false
	for _, r := range roots {
		known = known || r == root
	}
	if !known {
		return fail("unknown root %q (expected %s)", root, orList(roots))
	}
	if rest == "" {
		return fail("%s needs a key after %q", root, root+".")
	}
	switch root {
	case "context":
		for _, k := range contextKeys {
			if rest == k {
				return placeholder{expr: shown, root: root, key: rest}, nil
			}
		}
		return fail("unknown context key %q (expected %s)", rest, orList(contextKeys))
	case "secrets":
		if !secretNameRE.MatchString(rest) {
			return fail("secret name %q must be letters, digits, '_', '.' and '-'", rest)
		}
		return placeholder{expr: shown, root: root, key: rest}, nil
	default: // resources
		ref, output, err := parseResourceRef(rest)
		if err != nil {
			return fail("%s", err)
		}
		return placeholder{expr: shown, root: root, ref: ref, output: output}, nil
	}
}

// parseResourceRef parses "<type>[.<class>][#<id>].<output>". The id may hold
// dots, so the output is always the last dot-separated segment.
func parseResourceRef(s string) (ResourceRef, string, error) {
	const want = "expected resources.<type>[.<class>][#<id>].<output>"
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return ResourceRef{}, "", fmt.Errorf("missing output: %s", want)
	}
	head, output := s[:i], s[i+1:]
	if !outputNameRE.MatchString(output) {
		return ResourceRef{}, "", fmt.Errorf("invalid output name %q: %s", output, want)
	}
	head, id, hasID := strings.Cut(head, "#")
	if hasID && !resIDRE.MatchString(id) {
		return ResourceRef{}, "", fmt.Errorf("invalid resource id %q: %s", id, want)
	}
	typ, class, hasClass := strings.Cut(head, ".")
	if !hasClass {
		class = DefaultClass
	}
	if !nameRE.MatchString(typ) {
		return ResourceRef{}, "", fmt.Errorf("invalid resource type %q: %s", typ, want)
	}
	if !nameRE.MatchString(class) {
		return ResourceRef{}, "", fmt.Errorf("invalid class %q: %s", class, want)
	}
	return ResourceRef{Type: typ, Class: class, ID: id}, output, nil
}

func orList(items []string) string {
	switch len(items) {
	case 0:
		return "nothing"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
