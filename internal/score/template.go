package score

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// Placeholder syntax, as Score defines it:
//
//   - ${a.b.c} is a reference; its text runs to the first "}" and is split
//     on "." into parts, where "\." stands for a literal dot in a part
//     (${metadata.annotations.example\.com/team}).
//   - $$ is a literal "$", so $${a} renders as the text "${a}".
//   - A "$" followed by anything else is kept as it is ("$HOME").
//   - "${" without a closing "}" is an error, as are an empty reference and
//     an empty part ("${a..b}").

// Reference is one ${...} placeholder in a template.
type Reference struct {
	// Parts are the dot-separated keys with "\." unescaped, such as
	// ["resources", "db", "host"].
	Parts []string
	// Raw is the text between "${" and "}" as written.
	Raw string
	// Offset and End are the byte offsets of the "$" and just past the "}"
	// in the template source.
	Offset, End int
}

// Root is the first part: "metadata", "resources", "context", ….
func (r Reference) Root() string { return r.Parts[0] }

// String returns the placeholder as written, "${...}".
func (r Reference) String() string { return "${" + r.Raw + "}" }

// Template is a string parsed once into literal text and references.
// The zero Template is the empty string.
type Template struct {
	segs []segment
	refs []Reference
}

// segment is literal text (ref < 0) or a reference by index.
type segment struct {
	lit string
	ref int
}

// Resolver returns the value of a reference and whether it is secret. It
// should return *errs.Error values; other errors are reported as internal.
type Resolver func(ref Reference) (value any, secret bool, err error)

// ParseTemplate parses s. Errors are Invalid and carry no location; callers
// add the file, line and pointer of s.
func ParseTemplate(s string) (Template, error) {
	i := strings.IndexByte(s, '$')
	if i < 0 {
		if s == "" {
			return Template{}, nil
		}
		return Template{segs: []segment{{lit: s, ref: -1}}}, nil
	}
	var t Template
	var lit strings.Builder
	lit.WriteString(s[:i])
	for i < len(s) {
		j := strings.IndexByte(s[i:], '$')
		if j < 0 {
			lit.WriteString(s[i:])
			break
		}
		lit.WriteString(s[i : i+j])
		i += j
		if i+1 >= len(s) {
			lit.WriteByte('$')
			i++
			break
		}
		switch s[i+1] {
		case '$':
			lit.WriteByte('$')
			i += 2
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				// The text is not echoed: it may be a literal secret.
				return Template{}, errs.New(errs.Invalid, "placeholder at offset %d: \"${\" has no closing \"}\" (write $$ for a literal \"$\")", i)
			}
			raw := s[i+2 : i+2+end]
			parts, err := splitRef(raw, i)
			if err != nil {
				return Template{}, err
			}
			if lit.Len() > 0 {
				t.segs = append(t.segs, segment{lit: lit.String(), ref: -1})
				lit.Reset()
			}
			t.segs = append(t.segs, segment{ref: len(t.refs)})
			t.refs = append(t.refs, Reference{Parts: parts, Raw: raw, Offset: i, End: i + 3 + end})
			i += 3 + end
		default:
			lit.WriteByte('$')
			i++
		}
	}
	if lit.Len() > 0 {
		t.segs = append(t.segs, segment{lit: lit.String(), ref: -1})
	}
	return t, nil
}

// splitRef splits a reference on unescaped dots.
func splitRef(raw string, offset int) ([]string, error) {
	if raw == "" {
		return nil, errs.New(errs.Invalid, "placeholder at offset %d: \"${}\" is empty (write $$ for a literal \"$\")", offset)
	}
	n := 1
	for k := 0; k < len(raw); k++ {
		if raw[k] == '.' && (k == 0 || raw[k-1] != '\\') {
			n++
		}
	}
	parts := make([]string, 0, n)
	start := 0
	escaped := false
	for k := 0; k <= len(raw); k++ {
		if k < len(raw) && (raw[k] != '.' || (k > 0 && raw[k-1] == '\\')) {
			if raw[k] == '.' {
				escaped = true
			}
			continue
		}
		part := raw[start:k]
		if escaped {
			part = strings.ReplaceAll(part, `\.`, ".")
			escaped = false
		}
		if part == "" {
			return nil, errs.New(errs.Invalid, "placeholder at offset %d: %q has an empty key", offset, "${"+raw+"}")
		}
		parts = append(parts, part)
		start = k + 1
	}
	return parts, nil
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// References returns the template's placeholders in order.
func (t Template) References() []Reference { return t.refs }

// Single returns the reference when the template is exactly one
// placeholder with no text around it.
func (t Template) Single() (Reference, bool) {
	if len(t.segs) == 1 && t.segs[0].ref >= 0 {
		return t.refs[0], true
	}
	return Reference{}, false
}

// Literal returns the text of a template that has no placeholders.
func (t Template) Literal() (string, bool) {
	if len(t.refs) > 0 {
		return "", false
	}
	if len(t.segs) == 0 {
		return "", true
	}
	return t.segs[0].lit, true
}

// Render substitutes every reference with the value resolve gives it. A
// string value is inserted as it is; any other value is JSON-encoded (a
// number as 5432, a map as {"a":1}). secret is true when any substituted
// value was secret. All failing references are reported, not only the first.
// resolve is not called, and may be nil, when the template has no references.
func (t Template) Render(resolve Resolver) (text string, secret bool, err error) {
	if len(t.refs) == 0 {
		s, _ := t.Literal()
		return s, false, nil
	}
	var b strings.Builder
	var list errs.List
	for _, seg := range t.segs {
		if seg.ref < 0 {
			b.WriteString(seg.lit)
			continue
		}
		ref := t.refs[seg.ref]
		v, sec, rerr := resolve(ref)
		if rerr != nil {
			list = append(list, refError(ref, rerr))
			continue
		}
		s, serr := Stringify(v)
		if serr != nil {
			list = append(list, refError(ref, serr))
			continue
		}
		secret = secret || sec
		b.WriteString(s)
	}
	if len(list) > 0 {
		if len(list) == 1 {
			return "", false, list[0]
		}
		return "", false, list
	}
	return b.String(), secret, nil
}

// refError names ref in a resolver's error, keeping its code and location.
func refError(ref Reference, err error) *errs.Error {
	items := errs.Errors(err)
	e := *items[0]
	if len(items) > 1 {
		msgs := make([]string, len(items))
		for i, it := range items {
			msgs[i] = it.Message
		}
		e.Message = strings.Join(msgs, "; ")
	}
	e.Message = ref.String() + ": " + e.Message
	return &e
}

// Stringify renders a resolved value as placeholder text: strings as they
// are, anything else JSON-encoded.
func Stringify(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case nil:
		return "null", nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", errs.Wrap(errs.Internal, err, "value of type %T cannot be written as text", v)
	}
	return string(b), nil
}

// Escape returns s with every "$" doubled, so that ParseTemplate(Escape(s))
// renders s and holds no references.
func Escape(s string) string {
	if strings.IndexByte(s, '$') < 0 {
		return s
	}
	return strings.ReplaceAll(s, "$", "$$")
}
