package score

import (
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// Placeholder is a reference found in a document, with the JSON pointer of
// the string that holds it.
type Placeholder struct {
	Pointer string
	Reference
}

// FindReferences parses every string in v (maps, slices and strings; map
// keys are not templates) and returns the references found, each with the
// pointer of its string below pointer, in a stable order. Syntax errors are
// all reported, located by Path only.
func FindReferences(v any, pointer string) ([]Placeholder, error) {
	var out []Placeholder
	var list errs.List
	findRefs(v, pointer, &out, &list)
	list.Sort()
	return out, list.Err()
}

func findRefs(v any, pointer string, out *[]Placeholder, list *errs.List) {
	switch x := v.(type) {
	case string:
		if strings.IndexByte(x, '$') < 0 {
			return
		}
		t, err := ParseTemplate(x)
		if err != nil {
			*list = append(*list, atPath(err, pointer))
			return
		}
		for _, r := range t.refs {
			*out = append(*out, Placeholder{Pointer: pointer, Reference: r})
		}
	case map[string]any:
		for _, k := range yamldoc.SortedKeys(x) {
			findRefs(x[k], pointer+"/"+yamldoc.EscapePointer(k), out, list)
		}
	case []any:
		for i, item := range x {
			findRefs(item, pointer+"/"+strconv.Itoa(i), out, list)
		}
	}
}

// Substitute returns a copy of v with the placeholders in every string
// resolved; v itself is not changed. Maps and slices are walked (keys are
// not templates); other values are kept.
//
// A string that is exactly one placeholder and nothing else, such as
// "${resources.db.port}", becomes the resolved value with its type kept (a
// number stays a number, a map a map), so that structured params and inputs
// survive. Any other string is rendered as text (see Template.Render).
//
// secret is true when any resolved value was secret. Errors name the
// pointer (below pointer) of each failing string; all are reported.
func Substitute(v any, pointer string, resolve Resolver) (out any, secret bool, err error) {
	var list errs.List
	out = substitute(v, pointer, resolve, &secret, &list)
	if len(list) > 0 {
		list.Sort()
		return nil, false, list
	}
	return out, secret, nil
}

func substitute(v any, pointer string, resolve Resolver, secret *bool, list *errs.List) any {
	switch x := v.(type) {
	case string:
		if strings.IndexByte(x, '$') < 0 {
			return x
		}
		t, err := ParseTemplate(x)
		if err != nil {
			*list = append(*list, atPath(err, pointer))
			return nil
		}
		if ref, ok := t.Single(); ok {
			val, sec, rerr := resolve(ref)
			if rerr != nil {
				*list = append(*list, atPath(refError(ref, rerr), pointer))
				return nil
			}
			*secret = *secret || sec
			return val
		}
		s, sec, rerr := t.Render(resolve)
		if rerr != nil {
			for _, e := range errs.Errors(rerr) {
				*list = append(*list, atPath(e, pointer))
			}
			return nil
		}
		*secret = *secret || sec
		return s
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, item := range x {
			m[k] = substitute(item, pointer+"/"+yamldoc.EscapePointer(k), resolve, secret, list)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, item := range x {
			s[i] = substitute(item, pointer+"/"+strconv.Itoa(i), resolve, secret, list)
		}
		return s
	default:
		return v
	}
}

// atPath returns err as an *errs.Error with Path set to pointer when it has
// none; err is not changed.
func atPath(err error, pointer string) *errs.Error {
	e := *errs.Errors(err)[0]
	if e.Path == "" {
		if pointer == "" {
			pointer = "/"
		}
		e.Path = pointer
	}
	return &e
}

// Lookup follows keys through nested maps from v, as placeholders do:
// Lookup(metadata, ["annotations", "team"]).
func Lookup(v any, keys []string) (any, bool) {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}
