package score

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/yamldoc"
)

// Parse decodes and validates one Score file. file names it in errors. All
// problems are reported together as a sorted errs.List, each
// "file:line: /pointer: message".
func Parse(file string, data []byte) (*Workload, error) {
	return ParseWithOverrides(file, data, "", nil, nil)
}

// ParseWithOverrides is Parse with score-compose style overrides applied to
// the document before validation: first overridesData (a YAML or JSON
// object merged by MergeOverrides; ignored when empty), then each of props
// in order (see ApplyOverrideProperty). Problems in values the overrides set
// are located in the overrides file, or named by the override property.
func ParseWithOverrides(file string, data []byte, overridesFile string, overridesData []byte, props []string) (*Workload, error) {
	if file == "" {
		file = "score.yaml"
	}
	doc, err := yamldoc.DecodeOne(file, data)
	if err != nil {
		return nil, err
	}
	loc := &locator{file: file, doc: doc}
	tree, ok := doc.Value.(map[string]any)
	if !ok {
		return nil, loc.errorf("", "a Score workload must be an object, not %s", yamldoc.TypeName(doc.Value))
	}
	var list errs.List
	if len(overridesData) > 0 {
		if overridesFile == "" {
			overridesFile = "overrides.yaml"
		}
		ov, err := decodeOverrides(overridesFile, overridesData)
		if err != nil {
			return nil, err
		}
		if ov != nil {
			loc.overrides = ov
			tree = MergeOverrides(tree, ov.Value.(map[string]any))
		}
	}
	for _, prop := range props {
		next, tokens, err := applyOverrideProperty(tree, prop)
		if err != nil {
			for _, e := range errs.Errors(err) {
				c := *e
				c.File = file
				list = append(list, &c)
			}
			continue
		}
		tree = next
		loc.props = append(loc.props, propOrigin{tokens: tokens, path: propPath(prop)})
	}
	w, err := decodeWorkload(tree, loc)
	list.Add(err)
	if len(list) > 0 {
		list.Sort()
		return nil, list
	}
	return w, nil
}

// propPath is the path part of an override property, for messages.
func propPath(prop string) string {
	for i := 0; i < len(prop); i++ {
		if prop[i] == '=' {
			return prop[:i]
		}
	}
	return prop
}

// decodeOverrides reads an overrides file: one object, or nothing.
func decodeOverrides(file string, data []byte) (*yamldoc.Doc, error) {
	docs, err := yamldoc.Decode(file, data)
	if err != nil {
		return nil, err
	}
	switch len(docs) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, errs.At(file, docs[1].Start, "", "expected one document, found %d", len(docs))
	}
	d := docs[0]
	if d.Value == nil {
		return nil, nil
	}
	if _, ok := d.Value.(map[string]any); !ok {
		return nil, d.Errorf("", "overrides must be an object, not %s", yamldoc.TypeName(d.Value))
	}
	return d, nil
}

// ParseFiles parses several Score files (file name to content) and returns
// the workloads sorted by name. Problems in every file are reported
// together, as is a workload name defined by more than one file; the
// workloads that parsed cleanly are returned alongside the error.
func ParseFiles(files map[string][]byte) ([]*Workload, error) {
	names := yamldoc.SortedKeys(files)
	out := make([]*Workload, 0, len(files))
	var list errs.List
	for _, name := range names {
		w, err := Parse(name, files[name])
		if err != nil {
			list.Add(err)
			continue
		}
		out = append(out, w)
	}
	out, err := CheckNames(out)
	list.Add(err)
	list.Sort()
	return out, list.Err()
}

// CheckNames sorts workloads by name (then file name) in place and reports
// every name defined more than once, located at the later definition; the
// later duplicates are dropped from the result. Use it after parsing files
// one by one, for instance with ParseWithOverrides.
func CheckNames(ws []*Workload) ([]*Workload, error) {
	slices.SortStableFunc(ws, func(a, b *Workload) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.File, b.File))
	})
	var list errs.List
	out := ws[:0]
	for _, w := range ws {
		if len(out) > 0 && out[len(out)-1].Name == w.Name {
			first := out[len(out)-1]
			f, l := first.Locate("/metadata/name")
			list = append(list, w.Errorf("/metadata/name", "workload %q is already defined in %s", w.Name, location(f, l)))
			continue
		}
		out = append(out, w)
	}
	list.Sort()
	return out, list.Err()
}

func location(file string, line int) string {
	if line > 0 {
		return file + ":" + strconv.Itoa(line)
	}
	return file
}
