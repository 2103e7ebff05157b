package platform

import (
	"fmt"
	"strings"
)

// MatchContext is where a resource is requested: the app, the environment and
// its type, and the resource's id (the shared id, or "workload.name" for a
// resource private to one workload).
type MatchContext struct {
	App     string `json:"app"`
	Env     string `json:"env"`
	EnvType string `json:"envType"`
	ResID   string `json:"resId"`
}

// String renders the context as "app=shop,env=staging,envType=staging,resId=shop.db",
// leaving out fields that are not set.
func (c MatchContext) String() string {
	var parts []string
	for _, f := range []struct{ k, v string }{{"app", c.App}, {"env", c.Env}, {"envType", c.EnvType}, {"resId", c.ResID}} {
		if f.v != "" {
			parts = append(parts, f.k+"="+f.v)
		}
	}
	if len(parts) == 0 {
		return "(empty context)"
	}
	return strings.Join(parts, ",")
}

// The weight of each criterion field in a specificity. Each field has its own
// bit, and a field outweighs all the lighter fields together.
const (
	SpecificityApp     = 1
	SpecificityEnvType = 2
	SpecificityEnv     = 4
	SpecificityResID   = 8
)

// Criterion says where a definition applies. Every field it sets must equal
// the context's; a field left empty matches anything. A criterion that sets no
// field matches everywhere and renders as "*".
type Criterion struct {
	App     string `json:"app,omitempty"`
	Env     string `json:"env,omitempty"`
	EnvType string `json:"envType,omitempty"`
	ResID   string `json:"resId,omitempty"`
}

// Specificity is pave's one published total order of criteria: the sum of the
// weights of the fields the criterion sets, resId (8) > env (4) > envType (2)
// > app (1), compared as integers. Because every field has its own bit, two
// criteria are equally specific exactly when they set the same fields, and a
// criterion that sets a heavier field beats any that does not, whatever
// lighter fields the other sets:
//
//   - resId names one resource, the narrowest thing there is;
//   - env names one deployment target and implies its environment type, so it
//     is narrower than envType;
//   - envType names a class of environments;
//   - app spans every environment of the app, production included, so an
//     app-wide setting never overrides what the platform says for an
//     environment or environment type.
//
// See docs/matching.md.
func (c Criterion) Specificity() int {
	s := 0
	if c.ResID != "" {
		s |= SpecificityResID
	}
	if c.Env != "" {
		s |= SpecificityEnv
	}
	if c.EnvType != "" {
		s |= SpecificityEnvType
	}
	if c.App != "" {
		s |= SpecificityApp
	}
	return s
}

// Matches reports whether every field c sets equals ctx's.
func (c Criterion) Matches(ctx MatchContext) bool {
	return (c.ResID == "" || c.ResID == ctx.ResID) &&
		(c.Env == "" || c.Env == ctx.Env) &&
		(c.EnvType == "" || c.EnvType == ctx.EnvType) &&
		(c.App == "" || c.App == ctx.App)
}

// String renders c by decreasing weight, like "resId=shop.db,env=staging,app=shop",
// or "*" when it sets no field.
func (c Criterion) String() string {
	var parts []string
	for _, f := range c.fields() {
		if f.want != "" {
			parts = append(parts, f.name+"="+f.want)
		}
	}
	if len(parts) == 0 {
		return "*"
	}
	return strings.Join(parts, ",")
}

// mismatches says, field by field in decreasing weight, why c does not match
// ctx; it is empty when c matches.
func (c Criterion) mismatches(ctx MatchContext) []string {
	var out []string
	for _, f := range c.fields() {
		got := f.get(ctx)
		if f.want == "" || f.want == got {
			continue
		}
		if got == "" {
			out = append(out, fmt.Sprintf("%s is not set, not %s", f.name, f.want))
		} else {
			out = append(out, fmt.Sprintf("%s is %s, not %s", f.name, got, f.want))
		}
	}
	return out
}

type criterionField struct {
	name string
	want string
	get  func(MatchContext) string
}

func (c Criterion) fields() [4]criterionField {
	return [4]criterionField{
		{"resId", c.ResID, func(m MatchContext) string { return m.ResID }},
		{"env", c.Env, func(m MatchContext) string { return m.Env }},
		{"envType", c.EnvType, func(m MatchContext) string { return m.EnvType }},
		{"app", c.App, func(m MatchContext) string { return m.App }},
	}
}
