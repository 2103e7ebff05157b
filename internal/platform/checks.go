package platform

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pavedev/pave/internal/yamldoc"
)

// check runs the checks that need more than one document.
func (ld *loader) check() {
	p := ld.p
	for _, e := range p.Environments() {
		if e.Type != "" {
			if _, ok := p.envTypes[e.Type]; !ok {
				ld.errs = append(ld.errs, e.doc.Errorf("/spec/type", "unknown environment type %q (environment types: %s)", e.Type, listOrNone(keys(p.envTypes))))
			}
		}
	}
	for _, d := range p.Definitions() {
		ld.checkDefinition(d)
	}
	ld.checkConflicts()
}

func keys[V any](m map[string]V) []string { return yamldoc.SortedKeys(m) }

func (ld *loader) fail(d *ResourceDefinition, ptr, format string, args ...any) {
	ld.errs = append(ld.errs, d.doc.Errorf(ptr, format, args...))
}

func (ld *loader) checkDefinition(d *ResourceDefinition) {
	p := ld.p
	if d.Driver != "" && ld.opts.KnownDriver != nil && !ld.opts.KnownDriver(d.Driver) {
		ld.fail(d, "/spec/driver", "unknown driver %q", d.Driver)
	} else if d.Driver != "" && ld.opts.ValidateInputs != nil {
		inputs := d.Inputs
		if inputs == nil {
			inputs = map[string]any{}
		}
		if err := ld.opts.ValidateInputs(d.Driver, inputs); err != nil {
			ld.errs = append(ld.errs, inputProblems(d, err)...)
		}
	}
	if t, ok := p.types[d.Type]; d.Type != "" && !ok {
		ld.fail(d, "/spec/type", "unknown resource type %q", d.Type)
	} else if ok {
		ld.checkOutputs(d, t)
	}
	for i, c := range d.Criteria {
		ld.checkCriterion(d, c, d.critPtrs[i])
	}
	for i, ref := range d.Provisions {
		ptr := d.provPtrs[i]
		if _, ok := p.types[ref.Type]; !ok {
			ld.fail(d, yamldoc.Join(ptr, "type"), "unknown resource type %q", ref.Type)
		} else if ref.Type == d.Type && ref.Class == d.Class && ref.ID == "" {
			ld.fail(d, ptr, "definition provisions itself (%s without an id is the resource being provisioned)", ref)
		}
	}
	for _, u := range d.refs {
		ref := u.ph.ref
		t, ok := p.types[ref.Type]
		switch {
		case !ok:
			ld.fail(d, u.pointer, "placeholder ${%s}: unknown resource type %q", u.ph.expr, ref.Type)
		case ref.Type == d.Type && ref.Class == d.Class && ref.ID == "":
			ld.fail(d, u.pointer, "placeholder ${%s}: a definition cannot use its own outputs (%s without an id is the resource being provisioned)", u.ph.expr, ref)
		default:
			if _, ok := t.Outputs[u.ph.output]; !ok {
				ld.fail(d, u.pointer, "placeholder ${%s}: resource type %s has no output %q (outputs: %s)", u.ph.expr, ref.Type, u.ph.output, strings.Join(t.OutputNames(), ", "))
			}
		}
	}
}

// checkOutputs checks that d gives exactly the outputs of its type.
func (ld *loader) checkOutputs(d *ResourceDefinition, t *ResourceType) {
	if !d.outputsGiven {
		d.Outputs = t.OutputNames()
		return
	}
	ptr := d.outputsPtr
	var missing, extra []string
	for _, o := range t.OutputNames() {
		if !slices.Contains(d.Outputs, o) {
			missing = append(missing, o)
		}
	}
	for _, o := range d.Outputs {
		if _, ok := t.Outputs[o]; !ok {
			extra = append(extra, o)
		}
	}
	if len(missing) > 0 {
		ld.fail(d, ptr, "definition %q does not give output(s) %s of resource type %s", d.Name, strings.Join(missing, ", "), t.Name)
	}
	if len(extra) > 0 {
		ld.fail(d, ptr, "definition %q gives output(s) %s that resource type %s does not have (outputs: %s)", d.Name, strings.Join(extra, ", "), t.Name, listOrNone(t.OutputNames()))
	}
}

// checkCriterion rejects criteria that name unknown environment types and
// criteria that can never match a configured environment.
func (ld *loader) checkCriterion(d *ResourceDefinition, c Criterion, ptr string) {
	p := ld.p
	if c.EnvType != "" {
		if _, ok := p.envTypes[c.EnvType]; !ok {
			ld.fail(d, yamldoc.Join(ptr, "envType"), "unknown environment type %q (environment types: %s)", c.EnvType, listOrNone(keys(p.envTypes)))
		}
	}
	e, ok := p.envs[c.Env]
	if c.Env == "" || !ok {
		return // environments may also be created outside config
	}
	if c.EnvType != "" && e.Type != "" && e.Type != c.EnvType {
		ld.fail(d, ptr, "criterion %s can never match: environment %s is of type %s", c, e.Name, e.Type)
	}
	if c.App != "" && !e.Allows(c.App) {
		ld.fail(d, ptr, "criterion %s can never match: environment %s is only for app %s", c, e.Name, e.App)
	}
}

// checkConflicts finds definitions of the same type and class that could be
// equally specific matches of one context. Under the specificity order two
// criteria are equally specific exactly when they set the same fields, and
// then they match a common context exactly when they are equal; so two
// definitions conflict exactly when they share a criterion. Each conflict is
// reported once, at the definition written later.
func (ld *loader) checkConflicts() {
	type owner struct {
		d   *ResourceDefinition
		pos int
	}
	first := map[typeClass]map[Criterion]owner{}
	defs := ld.p.Definitions()
	slices.SortStableFunc(defs, func(a, b *ResourceDefinition) int {
		return cmp.Or(cmp.Compare(a.Source.File, b.Source.File), cmp.Compare(a.Source.Line, b.Source.Line))
	})
	for _, d := range defs {
		if d.Type == "" {
			continue
		}
		k := typeClass{d.Type, d.Class}
		if first[k] == nil {
			first[k] = map[Criterion]owner{}
		}
		for i, c := range d.Criteria {
			if o, dup := first[k][c]; dup {
				ld.fail(d, d.critPtrs[i], "definitions %q and %q (%s) are equally specific matches of %s under criterion %s (specificity %d): neither would win; make one more specific or remove one",
					d.Name, o.d.Name, o.d.Source, typeClassString(d.Type, d.Class), c, c.Specificity())
				continue
			}
			first[k][c] = owner{d, i}
		}
	}
}

func typeClassString(typ, class string) string { return typ + "." + class }
