package platform

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

const matchBase = `apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: development}
---
apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: staging}
---
apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: production}
`

// defn renders a ResourceDefinition document of a driver whose outputs
// default to the type's.
func defn(name, typ, class string, criteria ...Criterion) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: pave.dev/v1\nkind: ResourceDefinition\nmetadata: {name: %s}\nspec:\n  type: %s\n  driver: tofu\n", name, typ)
	if class != "" {
		fmt.Fprintf(&b, "  class: %s\n", class)
	}
	if criteria != nil {
		b.WriteString("  criteria:\n")
		for _, c := range criteria {
			b.WriteString("    - {")
			var parts []string
			for _, f := range []struct{ k, v string }{{"app", c.App}, {"env", c.Env}, {"envType", c.EnvType}, {"resId", c.ResID}} {
				if f.v != "" {
					parts = append(parts, f.k+": "+f.v)
				}
			}
			b.WriteString(strings.Join(parts, ", "))
			b.WriteString("}\n")
		}
	}
	return b.String()
}

func loadDefs(docs ...string) (*Platform, error) {
	return LoadFiles(map[string][]byte{
		"base.yaml": []byte(matchBase),
		"defs.yaml": []byte(strings.Join(docs, "---\n")),
	}, LoadOptions{KnownDriver: knownTestDriver})
}

func testPlatform(t testing.TB, docs ...string) *Platform {
	t.Helper()
	p, err := loadDefs(docs...)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return p
}

func TestResolve(t *testing.T) {
	p := testPlatform(t,
		defn("pg-everywhere", "postgres", ""),
		defn("pg-dev", "postgres", "", Criterion{EnvType: "development"}),
		defn("pg-staging-or-shop", "postgres", "", Criterion{Env: "staging"}, Criterion{App: "shop"}),
		defn("pg-shop-prod", "postgres", "", Criterion{App: "shop", EnvType: "production"}),
		defn("pg-prod", "postgres", "", Criterion{EnvType: "production"}),
		defn("pg-orders", "postgres", "", Criterion{ResID: "orders"}),
		defn("pg-orders-prod", "postgres", "", Criterion{ResID: "orders", EnvType: "production"}),
		defn("pg-large-prod", "postgres", "large", Criterion{EnvType: "production"}),
		defn("redis-staging", "redis", "", Criterion{Env: "staging"}),
	)
	ctx := func(app, env, envType, resID string) MatchContext {
		return MatchContext{App: app, Env: env, EnvType: envType, ResID: resID}
	}
	tests := []struct {
		name        string
		ctx         MatchContext
		typ, class  string
		want        string
		code        errs.Code
		errContains string
	}{
		{"only the catch-all matches", ctx("blog", "qa", "qa", "blog.db"), "postgres", "", "pg-everywhere", "", ""},
		{"envType beats catch-all", ctx("blog", "dev", "development", "blog.db"), "postgres", "default", "pg-dev", "", ""},
		{"env beats envType", ctx("blog", "staging", "staging", "blog.db"), "postgres", "", "pg-staging-or-shop", "", ""},
		{"app beats catch-all", ctx("shop", "qa", "qa", "shop.db"), "postgres", "", "pg-staging-or-shop", "", ""},
		{"envType beats app", ctx("shop", "dev", "development", "shop.db"), "postgres", "", "pg-dev", "", ""},
		{"app+envType beats envType", ctx("shop", "prod", "production", "shop.db"), "postgres", "", "pg-shop-prod", "", ""},
		{"envType alone in production", ctx("blog", "prod", "production", "blog.db"), "postgres", "", "pg-prod", "", ""},
		{"resId beats everything", ctx("shop", "staging", "staging", "orders"), "postgres", "", "pg-orders", "", ""},
		{"resId+envType beats resId", ctx("shop", "prod", "production", "orders"), "postgres", "", "pg-orders-prod", "", ""},
		{"class is exact", ctx("shop", "prod", "production", "x"), "postgres", "large", "pg-large-prod", "", ""},
		{"class never falls back", ctx("shop", "staging", "staging", "x"), "postgres", "large", "", errs.NotFound,
			"resource postgres.large in app=shop,env=staging,envType=staging,resId=x: none of the 1 definition(s) of type postgres and class large matches"},
		{"no match", ctx("shop", "dev", "development", "x"), "redis", "", "", errs.NotFound,
			"resource redis.default in app=shop,env=dev,envType=development,resId=x: none of the 1 definition(s) of type redis and class default matches"},
		{"no definition of the type", ctx("shop", "dev", "development", "x"), "mysql", "", "", errs.NotFound,
			"resource mysql.default in app=shop,env=dev,envType=development,resId=x: no resource definition of type mysql and class default exists"},
		{"unknown type", ctx("shop", "dev", "development", "x"), "postgress", "", "", errs.Invalid, `unknown resource type "postgress"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := p.Resolve(tt.ctx, tt.typ, tt.class)
			if tt.code != "" {
				if err == nil {
					t.Fatalf("resolved %s, want %s error", d.Name, tt.code)
				}
				if errs.CodeOf(err) != tt.code || !strings.Contains(err.Error(), tt.errContains) {
					t.Fatalf("error %s %q, want %s containing %q", errs.CodeOf(err), err, tt.code, tt.errContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Name != tt.want {
				t.Errorf("resolved %s, want %s", d.Name, tt.want)
			}
			x := p.Explain(tt.ctx, tt.typ, tt.class)
			if x.Selected == nil || *x.Selected != d.Name {
				t.Errorf("explain selected %v, resolve %s", x.Selected, d.Name)
			}
		})
	}
}

// TestResolveAmbiguitySafetyNet builds an index Load would reject and checks
// Resolve refuses to pick.
func TestResolveAmbiguitySafetyNet(t *testing.T) {
	a := &ResourceDefinition{Name: "a", Type: "redis", Class: "default", Criteria: []Criterion{{Env: "staging"}}}
	b := &ResourceDefinition{Name: "b", Type: "redis", Class: "default", Criteria: []Criterion{{Env: "staging"}, {App: "shop"}}}
	p := &Platform{types: BuiltinTypes(), defs: map[string]*ResourceDefinition{"a": a, "b": b}}
	p.buildIndex()
	_, err := p.Resolve(MatchContext{App: "shop", Env: "staging", EnvType: "staging"}, "redis", "")
	want := `resource redis.default in app=shop,env=staging,envType=staging: definitions "a" and "b" match with equal specificity 4 (criteria env=staging and env=staging)`
	if !errs.Is(err, errs.Conflict) || err.Error() != want {
		t.Fatalf("error %v\nwant %s", err, want)
	}
	x := p.Explain(MatchContext{App: "shop", Env: "staging", EnvType: "staging"}, "redis", "")
	if x.Selected != nil || x.Reason != "ambiguous: definitions a and b match with equal specificity 4" {
		t.Errorf("explain: %+v", x)
	}
	if d, err := p.Resolve(MatchContext{App: "shop", Env: "dev"}, "redis", ""); err != nil || d.Name != "b" {
		t.Errorf("unambiguous context: %v, %v", d, err)
	}
}

// TestLoadConflictRuleIsExact generates random configs over a small domain
// and compares the load-time conflict rule with brute force over every
// context, including values no criterion names (new apps, environments, ids
// and environment types appear all the time): Load accepts a config exactly
// when no context is ambiguous, and then Resolve picks what brute force picks.
func TestLoadConflictRuleIsExact(t *testing.T) {
	values := struct{ app, env, envType, resID []string }{
		[]string{"shop", "blog"}, []string{"e1", "e2"}, []string{"development", "staging"}, []string{"a", "b"},
	}
	pick := func(r *rand.Rand, vs []string) string {
		if r.IntN(3) == 0 {
			return vs[r.IntN(len(vs))]
		}
		return ""
	}
	var contexts []MatchContext
	other := func(vs []string) []string { return append(vs[:len(vs):len(vs)], "other") }
	for _, app := range other(values.app) {
		for _, env := range other(values.env) {
			for _, et := range other(values.envType) {
				for _, id := range other(values.resID) {
					contexts = append(contexts, MatchContext{app, env, et, id})
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	accepted, rejected := 0, 0
	for iter := range 400 {
		type def struct {
			name string
			crit []Criterion
		}
		var defs []def
		var docs []string
		for i := range 1 + r.IntN(4) {
			d := def{name: fmt.Sprintf("d%d", i)}
			for range 1 + r.IntN(3) {
				c := Criterion{pick(r, values.app), pick(r, values.env), pick(r, values.envType), pick(r, values.resID)}
				if !containsCriterion(d.crit, c) {
					d.crit = append(d.crit, c)
				}
			}
			defs = append(defs, d)
			docs = append(docs, defn(d.name, "redis", "", d.crit...))
		}
		// brute force
		ambiguous := false
		winners := map[MatchContext]string{}
		for _, ctx := range contexts {
			best, bestDefs := -1, map[string]bool{}
			for _, d := range defs {
				for _, c := range d.crit {
					if !c.Matches(ctx) {
						continue
					}
					switch s := c.Specificity(); {
					case s > best:
						best, bestDefs = s, map[string]bool{d.name: true}
					case s == best:
						bestDefs[d.name] = true
					}
				}
			}
			if len(bestDefs) > 1 {
				ambiguous = true
			}
			for n := range bestDefs {
				winners[ctx] = n
			}
		}
		p, err := loadDefs(docs...)
		if ambiguous != (err != nil) {
			t.Fatalf("iteration %d: brute force ambiguous=%v, load error %v\n%s", iter, ambiguous, err, strings.Join(docs, "---\n"))
		}
		if err != nil {
			rejected++
			for _, e := range errs.Errors(err) {
				if !strings.Contains(e.Message, "equally specific") {
					t.Fatalf("iteration %d: unexpected error %v", iter, e)
				}
			}
			continue
		}
		accepted++
		for _, ctx := range contexts {
			d, err := p.Resolve(ctx, "redis", "")
			want, ok := winners[ctx]
			switch {
			case !ok && err == nil:
				t.Fatalf("iteration %d: %s resolved %s, brute force none", iter, ctx, d.Name)
			case ok && (err != nil || d.Name != want):
				t.Fatalf("iteration %d: %s resolved %v %v, brute force %s", iter, ctx, d, err, want)
			}
		}
	}
	if accepted < 50 || rejected < 50 {
		t.Errorf("weak sample: %d accepted, %d rejected", accepted, rejected)
	}
}

func containsCriterion(cs []Criterion, c Criterion) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

func BenchmarkResolve(b *testing.B) {
	// A platform of 3 environment types x 12 types x 4 definitions each.
	var docs []string
	types := []string{"postgres", "mysql", "redis", "amqp", "s3", "dns", "route", "volume", "service-port", "mongodb", "kafka-topic", "elasticsearch"}
	for _, typ := range types {
		for _, et := range []string{"development", "staging", "production"} {
			docs = append(docs,
				defn(typ+"-"+et, typ, "", Criterion{EnvType: et}),
				defn(typ+"-"+et+"-shop", typ, "", Criterion{EnvType: et, App: "shop"}),
				defn(typ+"-"+et+"-orders", typ, "", Criterion{EnvType: et, ResID: "orders"}),
			)
		}
		docs = append(docs, defn(typ+"-everywhere", typ, ""))
	}
	p := testPlatform(b, docs...)
	ctxs := []MatchContext{
		{App: "shop", Env: "production", EnvType: "production", ResID: "shop.db"},
		{App: "blog", Env: "staging", EnvType: "staging", ResID: "orders"},
		{App: "blog", Env: "pr-9", EnvType: "qa", ResID: "blog.db"},
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ctx := ctxs[i%len(ctxs)]
		if _, err := p.Resolve(ctx, types[i%len(types)], ""); err != nil {
			b.Fatal(err)
		}
	}
}
