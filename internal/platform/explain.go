package platform

import (
	"fmt"
	"strings"
)

// Explanation says how Resolve decides for one request: every criterion of
// every definition of the type and class, whether it matched and why, and
// which definition was selected. Its JSON form is stable.
type Explanation struct {
	Type    string       `json:"type"`
	Class   string       `json:"class"`
	Context MatchContext `json:"context"`
	// Selected is the name of the definition Resolve returns, or nil when it
	// fails.
	Selected *string `json:"selected"`
	// Reason sums the decision up in one sentence.
	Reason string `json:"reason"`
	// Candidates are in the order Resolve tries them: decreasing
	// specificity, then definition name, then the criterion's position.
	Candidates []Candidate `json:"candidates"`
}

// Candidate is one criterion of one definition, and how it fared.
type Candidate struct {
	Definition string `json:"definition"`
	// Criterion is rendered like "env=staging,app=shop", or "*" for one
	// that matches everywhere.
	Criterion   string `json:"criterion"`
	Matched     bool   `json:"matched"`
	Specificity int    `json:"specificity"`
	Reason      string `json:"reason"`
}

// Explain explains Resolve(ctx, typ, class); it selects exactly what Resolve
// returns.
func (p *Platform) Explain(ctx MatchContext, typ, class string) Explanation {
	if class == "" {
		class = DefaultClass
	}
	x := Explanation{Type: typ, Class: class, Context: ctx, Candidates: []Candidate{}}
	es := p.index[typeClass{typ, class}]
	win, tie := choose(es, ctx)
	for i, e := range es {
		c := Candidate{Definition: e.def.Name, Criterion: e.crit.String(), Specificity: e.score, Matched: e.crit.Matches(ctx)}
		switch {
		case !c.Matched:
			c.Reason = strings.Join(e.crit.mismatches(ctx), "; ")
		case tie >= 0 && e.score == es[win].score:
			other := es[win]
			if e.def == other.def {
				other = es[tie]
			}
			c.Reason = fmt.Sprintf("ambiguous: as specific as %s (%s, specificity %d)", other.def.Name, other.crit, other.score)
		case i == win:
			c.Reason = "selected: the most specific matching criterion"
			if next := nextMatch(es, ctx, win); next >= 0 {
				c.Reason += fmt.Sprintf(" (specificity %d beats %d of %s, %s)", e.score, es[next].score, es[next].def.Name, es[next].crit)
			}
		case e.def == es[win].def:
			c.Reason = fmt.Sprintf("matched, but the more specific criterion %s of the same definition applies", es[win].crit)
		default:
			c.Reason = fmt.Sprintf("matched, but less specific than %s (%s, specificity %d)", es[win].def.Name, es[win].crit, es[win].score)
		}
		x.Candidates = append(x.Candidates, c)
	}
	rc := typeClassString(typ, class)
	switch {
	case win >= 0 && tie < 0:
		name := es[win].def.Name
		x.Selected = &name
		x.Reason = fmt.Sprintf("%s selected: criterion %s is the most specific match (specificity %d)", name, es[win].crit, es[win].score)
	case win >= 0:
		x.Reason = fmt.Sprintf("ambiguous: definitions %s and %s match with equal specificity %d", es[win].def.Name, es[tie].def.Name, es[win].score)
	case p.types[typ] == nil:
		x.Reason = fmt.Sprintf("unknown resource type %q", typ)
	case len(es) == 0:
		x.Reason = fmt.Sprintf("no resource definition of %s exists", rc)
	default:
		x.Reason = fmt.Sprintf("no resource definition of %s matches %s", rc, ctx)
	}
	return x
}

// nextMatch returns the index of the first matching entry of another
// definition after win, or -1.
func nextMatch(es []entry, ctx MatchContext, win int) int {
	for j := win + 1; j < len(es); j++ {
		if es[j].def != es[win].def && es[j].crit.Matches(ctx) {
			return j
		}
	}
	return -1
}
