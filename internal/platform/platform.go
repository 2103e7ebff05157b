package platform

import (
	"cmp"
	"slices"

	"github.com/pavedev/pave/internal/errs"
)

// Platform is a loaded, checked platform config. It is immutable and safe for
// concurrent use.
type Platform struct {
	types    map[string]*ResourceType
	defs     map[string]*ResourceDefinition
	envs     map[string]*Environment
	envTypes map[string]*EnvironmentType
	// index holds, per type and class, every (definition, criterion) pair
	// ordered by decreasing specificity, then definition name, then the
	// criterion's position, which is the order Resolve tries them in.
	index map[typeClass][]entry
	// dir is LoadOptions.Dir.
	dir string
}

// Dir is the absolute directory the config was read from, which drivers
// resolve relative paths of their inputs against; empty when it was not read
// from a directory.
func (p *Platform) Dir() string { return p.dir }

type typeClass struct{ typ, class string }

type entry struct {
	def   *ResourceDefinition
	crit  Criterion
	pos   int // index in def.Criteria
	score int // crit.Specificity()
}

// Type returns the resource type called name, built in or from config.
func (p *Platform) Type(name string) (*ResourceType, error) {
	if t, ok := p.types[name]; ok {
		return t, nil
	}
	return nil, errs.New(errs.NotFound, "unknown resource type %q", name)
}

// Types returns every resource type, built in and from config, by name.
func (p *Platform) Types() []*ResourceType { return sortedValues(p.types, typeName) }

// Definition returns the resource definition called name.
func (p *Platform) Definition(name string) (*ResourceDefinition, error) {
	if d, ok := p.defs[name]; ok {
		return d, nil
	}
	return nil, errs.New(errs.NotFound, "unknown resource definition %q", name)
}

// Definitions returns every resource definition by name.
func (p *Platform) Definitions() []*ResourceDefinition { return sortedValues(p.defs, defName) }

// Environment returns the environment called name.
func (p *Platform) Environment(name string) (*Environment, error) {
	if e, ok := p.envs[name]; ok {
		return e, nil
	}
	return nil, errs.New(errs.NotFound, "unknown environment %q", name)
}

// Environments returns every environment by name.
func (p *Platform) Environments() []*Environment { return sortedValues(p.envs, envName) }

// EnvironmentType returns the environment type called name.
func (p *Platform) EnvironmentType(name string) (*EnvironmentType, error) {
	if t, ok := p.envTypes[name]; ok {
		return t, nil
	}
	return nil, errs.New(errs.NotFound, "unknown environment type %q", name)
}

// EnvironmentTypes returns every environment type by name.
func (p *Platform) EnvironmentTypes() []*EnvironmentType {
	return sortedValues(p.envTypes, envTypeName)
}

func typeName(t *ResourceType) string       { return t.Name }
func defName(d *ResourceDefinition) string  { return d.Name }
func envName(e *Environment) string         { return e.Name }
func envTypeName(t *EnvironmentType) string { return t.Name }
func sortedValues[V any](m map[string]V, name func(V) string) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b V) int { return cmp.Compare(name(a), name(b)) })
	return out
}

// buildIndex orders every (definition, criterion) pair per type and class.
func (p *Platform) buildIndex() {
	p.index = map[typeClass][]entry{}
	for _, d := range p.Definitions() {
		k := typeClass{d.Type, d.Class}
		for i, c := range d.Criteria {
			p.index[k] = append(p.index[k], entry{def: d, crit: c, pos: i, score: c.Specificity()})
		}
	}
	for _, es := range p.index {
		slices.SortStableFunc(es, func(a, b entry) int {
			return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.def.Name, b.def.Name), cmp.Compare(a.pos, b.pos))
		})
	}
}
