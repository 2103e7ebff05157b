package score

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// Placeholder roots a Score workload may use.
const (
	RootMetadata  = "metadata"
	RootResources = "resources"
)

// checkPlaceholders parses every templated string of the workload, checks
// each reference against the workload's metadata and resources, and keeps
// them for References.
func checkPlaceholders(c *checker, w *Workload) {
	var refs []Placeholder
	add := func(pointer, s string) {
		if strings.IndexByte(s, '$') < 0 {
			return
		}
		t, err := ParseTemplate(s)
		if err != nil {
			c.fail(pointer, "%s", errMessage(err))
			return
		}
		for _, r := range t.refs {
			refs = append(refs, Placeholder{Pointer: pointer, Reference: r})
		}
	}
	for _, cn := range sortedKeys(w.Containers) {
		ct := w.Containers[cn]
		base := join("/containers", cn)
		for _, k := range sortedKeys(ct.Variables) {
			add(join(base+"/variables", k), ct.Variables[k])
		}
		for _, t := range sortedKeys(ct.Files) {
			if f := ct.Files[t]; f.Content != nil && !f.NoExpand {
				add(f.Pointer+"/content", *f.Content)
			}
		}
		for _, t := range sortedKeys(ct.Volumes) {
			vol := ct.Volumes[t]
			add(vol.Pointer+"/source", vol.Source)
		}
	}
	for _, rn := range sortedKeys(w.Resources) {
		found, err := FindReferences(w.Resources[rn].Params, join("/resources", rn)+"/params")
		for _, e := range errs.Errors(err) {
			c.fail(e.Path, "%s", e.Message)
		}
		refs = append(refs, found...)
	}
	for _, p := range refs {
		checkRef(c, w, p)
	}
	slices.SortStableFunc(refs, func(a, b Placeholder) int {
		return cmp.Or(cmp.Compare(a.Pointer, b.Pointer), cmp.Compare(a.Offset, b.Offset))
	})
	w.refs = refs
}

// checkRef checks one reference of a workload.
func checkRef(c *checker, w *Workload, p Placeholder) {
	switch p.Root() {
	case RootMetadata:
		if len(p.Parts) < 2 {
			c.fail(p.Pointer, "%s: needs a metadata key, as in ${metadata.name}", p.String())
			return
		}
		if w.Metadata == nil {
			return // metadata is missing or invalid, reported already
		}
		if _, ok := Lookup(w.Metadata, p.Parts[1:]); !ok {
			c.fail(p.Pointer, "%s: metadata has no key %q", p.String(), strings.Join(p.Parts[1:], "."))
		}
	case RootResources:
		if len(p.Parts) < 2 {
			c.fail(p.Pointer, "%s: needs a resource name, as in ${resources.db.host}", p.String())
			return
		}
		name := p.Parts[1]
		if _, ok := w.Resources[name]; !ok {
			c.fail(p.Pointer, "%s: no resource named %q in this workload", p.String(), clip(name))
			return
		}
		if strings.HasPrefix(p.Pointer, join("/resources", name)+"/") {
			c.fail(p.Pointer, "%s: a resource's params cannot refer to the resource itself", p.String())
		}
	default:
		c.fail(p.Pointer, "%s: unknown placeholder root %q (expected metadata or resources; write $$ for a literal \"$\")",
			p.String(), clip(p.Root()))
	}
}

// Resolver returns a Resolver for the workload's own placeholders:
// ${metadata.<key>…} from the workload's metadata, and
// ${resources.<name>[.<key>…]} from outputs, which receives the resource
// name and the keys after it (none for ${resources.<name>}, the form a
// volume source uses).
func (w *Workload) Resolver(outputs func(resource string, keys []string) (value any, secret bool, err error)) Resolver {
	return func(ref Reference) (any, bool, error) {
		switch ref.Root() {
		case RootMetadata:
			if len(ref.Parts) < 2 {
				return nil, false, errs.New(errs.Invalid, "needs a metadata key")
			}
			v, ok := Lookup(w.Metadata, ref.Parts[1:])
			if !ok {
				return nil, false, errs.New(errs.Invalid, "metadata has no key %q", strings.Join(ref.Parts[1:], "."))
			}
			return v, false, nil
		case RootResources:
			if len(ref.Parts) < 2 {
				return nil, false, errs.New(errs.Invalid, "needs a resource name")
			}
			if _, ok := w.Resources[ref.Parts[1]]; !ok {
				return nil, false, errs.New(errs.Invalid, "no resource named %q in workload %q", ref.Parts[1], w.Name)
			}
			return outputs(ref.Parts[1], ref.Parts[2:])
		default:
			return nil, false, errs.New(errs.Invalid, "unknown placeholder root %q (write $$ for a literal \"$\")", ref.Root())
		}
	}
}
