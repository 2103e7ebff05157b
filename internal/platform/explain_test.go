package platform

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func TestExplain(t *testing.T) {
	p := testPlatform(t,
		defn("everywhere", "redis", ""),
		defn("staging", "redis", "", Criterion{Env: "staging"}, Criterion{EnvType: "staging"}),
		defn("shop", "redis", "", Criterion{App: "shop"}),
		defn("sessions", "redis", "", Criterion{ResID: "sessions", EnvType: "production"}),
	)
	sel := func(s string) *string { return &s }
	tests := []struct {
		name string
		ctx  MatchContext
		typ  string
		want Explanation
	}{
		{"env wins, same definition's weaker criterion and other matches explained",
			MatchContext{App: "shop", Env: "staging", EnvType: "staging", ResID: "shop.cache"}, "redis",
			Explanation{Type: "redis", Class: "default", Selected: sel("staging"),
				Reason: "staging selected: criterion env=staging is the most specific match (specificity 4)",
				Candidates: []Candidate{
					{"sessions", "resId=sessions,envType=production", false, 10, "resId is shop.cache, not sessions; envType is staging, not production"},
					{"staging", "env=staging", true, 4, "selected: the most specific matching criterion (specificity 4 beats 1 of shop, app=shop)"},
					{"staging", "envType=staging", true, 2, "matched, but the more specific criterion env=staging of the same definition applies"},
					{"shop", "app=shop", true, 1, "matched, but less specific than staging (env=staging, specificity 4)"},
					{"everywhere", "*", true, 0, "matched, but less specific than staging (env=staging, specificity 4)"},
				}}},
		{"catch-all wins alone",
			MatchContext{App: "blog", Env: "dev", EnvType: "development", ResID: "sessions"}, "redis",
			Explanation{Type: "redis", Class: "default", Selected: sel("everywhere"),
				Reason: "everywhere selected: criterion * is the most specific match (specificity 0)",
				Candidates: []Candidate{
					{"sessions", "resId=sessions,envType=production", false, 10, "envType is development, not production"},
					{"staging", "env=staging", false, 4, "env is dev, not staging"},
					{"staging", "envType=staging", false, 2, "envType is development, not staging"},
					{"shop", "app=shop", false, 1, "app is blog, not shop"},
					{"everywhere", "*", true, 0, "selected: the most specific matching criterion"},
				}}},
		{"no definition", MatchContext{App: "blog"}, "mysql",
			Explanation{Type: "mysql", Class: "default", Reason: "no resource definition of mysql.default exists", Candidates: []Candidate{}}},
		{"unknown type", MatchContext{App: "blog"}, "nosql",
			Explanation{Type: "nosql", Class: "default", Reason: `unknown resource type "nosql"`, Candidates: []Candidate{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.Context = tt.ctx
			got := p.Explain(tt.ctx, tt.typ, "")
			gj, _ := json.MarshalIndent(got, "", "  ")
			wj, _ := json.MarshalIndent(tt.want, "", "  ")
			if !bytes.Equal(gj, wj) {
				t.Errorf("got %s\nwant %s", gj, wj)
			}
		})
	}
}

func TestExplainNoMatch(t *testing.T) {
	p := testPlatform(t, defn("staging", "redis", "", Criterion{EnvType: "staging"}))
	x := p.Explain(MatchContext{App: "shop", Env: "dev", EnvType: "development"}, "redis", "")
	if x.Selected != nil || x.Reason != "no resource definition of redis.default matches app=shop,env=dev,envType=development" {
		t.Errorf("%+v", x)
	}
	if len(x.Candidates) != 1 || x.Candidates[0].Matched || x.Candidates[0].Reason != "envType is development, not staging" {
		t.Errorf("%+v", x.Candidates)
	}
}

// explainQueries are the decisions of the sample platform kept in a golden file.
var explainQueries = []struct {
	App, Env, ResID, Type, Class string
}{
	{"shop", "development", "shop.db", "postgres", ""},
	{"shop", "pr-123", "shop.db", "postgres", ""},
	{"shop", "staging", "shop.db", "postgres", ""},
	{"shop", "production", "shop.db", "postgres", ""},
	{"blog", "production", "blog.db", "postgres", ""},
	{"blog", "production", "sessions", "redis", ""},
	{"blog", "production", "blog.cache", "redis", ""},
	{"shop", "staging", "shop.web-dns", "dns", ""},
	{"shop", "production", "shop.web-route", "route", ""},
	{"shop", "development", "shop.data", "volume", ""},
	{"shop", "production", "shop.mail", "smtp", ""},
	{"shop", "production", "shop.db", "postgres", "large"},
	{"shop", "development", "shop.queue", "amqp", ""},
}

func TestExplainExamplesGolden(t *testing.T) {
	p := loadExamples(t)
	var out []Explanation
	for _, q := range explainQueries {
		env, err := p.Environment(q.Env)
		if err != nil {
			t.Fatal(err)
		}
		x := p.Explain(env.MatchContext(q.App, q.ResID), q.Type, q.Class)
		d, err := p.Resolve(env.MatchContext(q.App, q.ResID), q.Type, q.Class)
		switch {
		case x.Selected == nil && err == nil:
			t.Errorf("%+v: explain selected nothing, resolve %s", q, d.Name)
		case x.Selected != nil && (err != nil || d.Name != *x.Selected):
			t.Errorf("%+v: explain selected %s, resolve %v %v", q, *x.Selected, d, err)
		}
		out = append(out, x)
	}
	got, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "explain_examples.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("explain output differs from %s (run with -update after checking):\n%s", golden, got)
	}
}
