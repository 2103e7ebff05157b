package platform

import (
	"github.com/pavedev/pave/internal/errs"
)

// Resolve returns the definition that provides a resource of type typ and
// class (empty means "default") in ctx. A definition applies where any of its
// criteria matches ctx; among the matching (definition, criterion) pairs the
// one of highest Criterion.Specificity wins. Classes never fall back: a
// request for class "large" needs a definition of class "large".
//
// It fails with an errs.Invalid error for an unknown type, errs.NotFound when
// no definition matches, and errs.Conflict when two definitions match with
// equal top specificity (Load rejects such config, so this is a safety net,
// never a silent pick). Resolve does not allocate unless it fails.
func (p *Platform) Resolve(ctx MatchContext, typ, class string) (*ResourceDefinition, error) {
	if class == "" {
		class = DefaultClass
	}
	es := p.index[typeClass{typ, class}]
	win, tie := choose(es, ctx)
	switch {
	case win >= 0 && tie < 0:
		return es[win].def, nil
	case win >= 0:
		return nil, errs.New(errs.Conflict, "resource %s in %s: definitions %q and %q match with equal specificity %d (criteria %s and %s)",
			typeClassString(typ, class), ctx, es[win].def.Name, es[tie].def.Name, es[win].score, es[win].crit, es[tie].crit)
	}
	if _, ok := p.types[typ]; !ok {
		return nil, errs.New(errs.Invalid, "unknown resource type %q", typ)
	}
	if len(es) == 0 {
		return nil, errs.New(errs.NotFound, "resource %s in %s: no resource definition of type %s and class %s exists",
			typeClassString(typ, class), ctx, typ, class)
	}
	return nil, errs.New(errs.NotFound, "resource %s in %s: none of the %d definition(s) of type %s and class %s matches (see pave explain)",
		typeClassString(typ, class), ctx, countDefs(es), typ, class)
}

// choose returns the index in es of the winning entry, or -1 when none
// matches, and the index of an entry of another definition that matches with
// the same specificity, or -1. es is ordered by decreasing specificity.
func choose(es []entry, ctx MatchContext) (win, tie int) {
	for i := range es {
		if !es[i].crit.Matches(ctx) {
			continue
		}
		for j := i + 1; j < len(es) && es[j].score == es[i].score; j++ {
			if es[j].def != es[i].def && es[j].crit.Matches(ctx) {
				return i, j
			}
		}
		return i, -1
	}
	return -1, -1
}

func countDefs(es []entry) int {
	seen := map[*ResourceDefinition]bool{}
	for _, e := range es {
		seen[e.def] = true
	}
	return len(seen)
}
