package platform

import (
	"slices"
	"strings"
	"testing"
)

// allCriteriaShapes is every combination of set fields, one criterion each.
func allCriteriaShapes() []Criterion {
	var out []Criterion
	for bits := range 16 {
		var c Criterion
		if bits&SpecificityApp != 0 {
			c.App = "shop"
		}
		if bits&SpecificityEnvType != 0 {
			c.EnvType = "staging"
		}
		if bits&SpecificityEnv != 0 {
			c.Env = "staging"
		}
		if bits&SpecificityResID != 0 {
			c.ResID = "shop.db"
		}
		out = append(out, c)
	}
	return out
}

func TestSpecificityIsATotalOrderOfShapes(t *testing.T) {
	shapes := allCriteriaShapes()
	seen := map[int]Criterion{}
	for _, c := range shapes {
		s := c.Specificity()
		if other, dup := seen[s]; dup {
			t.Errorf("%s and %s share specificity %d", c, other, s)
		}
		seen[s] = c
	}
	// A heavier field beats any combination of lighter ones.
	for _, tt := range []struct{ heavier, lighter Criterion }{
		{Criterion{ResID: "x"}, Criterion{Env: "e", EnvType: "t", App: "a"}},
		{Criterion{Env: "e"}, Criterion{EnvType: "t", App: "a"}},
		{Criterion{EnvType: "t"}, Criterion{App: "a"}},
		{Criterion{App: "a"}, Criterion{}},
		{Criterion{ResID: "x", App: "a"}, Criterion{ResID: "x"}},
		{Criterion{Env: "e", EnvType: "t"}, Criterion{Env: "e", App: "a"}},
	} {
		if tt.heavier.Specificity() <= tt.lighter.Specificity() {
			t.Errorf("%s (%d) should beat %s (%d)", tt.heavier, tt.heavier.Specificity(), tt.lighter, tt.lighter.Specificity())
		}
	}
}

func TestCriterionSpecificityAndString(t *testing.T) {
	tests := []struct {
		c    Criterion
		spec int
		str  string
	}{
		{Criterion{}, 0, "*"},
		{Criterion{App: "shop"}, 1, "app=shop"},
		{Criterion{EnvType: "staging"}, 2, "envType=staging"},
		{Criterion{App: "shop", EnvType: "staging"}, 3, "envType=staging,app=shop"},
		{Criterion{Env: "staging"}, 4, "env=staging"},
		{Criterion{Env: "staging", App: "shop"}, 5, "env=staging,app=shop"},
		{Criterion{ResID: "shop.db"}, 8, "resId=shop.db"},
		{Criterion{ResID: "shop.db", Env: "staging", EnvType: "staging", App: "shop"}, 15, "resId=shop.db,env=staging,envType=staging,app=shop"},
	}
	for _, tt := range tests {
		if got := tt.c.Specificity(); got != tt.spec {
			t.Errorf("%+v: specificity %d, want %d", tt.c, got, tt.spec)
		}
		if got := tt.c.String(); got != tt.str {
			t.Errorf("%+v: %q, want %q", tt.c, got, tt.str)
		}
	}
}

func TestCriterionMatches(t *testing.T) {
	ctx := MatchContext{App: "shop", Env: "staging", EnvType: "staging", ResID: "shop.db"}
	tests := []struct {
		c       Criterion
		ctx     MatchContext
		matches bool
		why     string
	}{
		{Criterion{}, ctx, true, ""},
		{Criterion{}, MatchContext{}, true, ""},
		{Criterion{App: "shop"}, ctx, true, ""},
		{Criterion{App: "blog"}, ctx, false, "app is shop, not blog"},
		{Criterion{Env: "staging", App: "shop"}, ctx, true, ""},
		{Criterion{Env: "development", App: "blog"}, ctx, false, "env is staging, not development; app is shop, not blog"},
		{Criterion{EnvType: "production"}, ctx, false, "envType is staging, not production"},
		{Criterion{ResID: "shop.db"}, ctx, true, ""},
		{Criterion{ResID: "shop.cache"}, ctx, false, "resId is shop.db, not shop.cache"},
		{Criterion{ResID: "shop.db"}, MatchContext{App: "shop"}, false, "resId is not set, not shop.db"},
	}
	for _, tt := range tests {
		if got := tt.c.Matches(tt.ctx); got != tt.matches {
			t.Errorf("%s on %s: %v, want %v", tt.c, tt.ctx, got, tt.matches)
		}
		if got := strings.Join(tt.c.mismatches(tt.ctx), "; "); got != tt.why {
			t.Errorf("%s on %s: reason %q, want %q", tt.c, tt.ctx, got, tt.why)
		}
	}
}

func TestMatchContextString(t *testing.T) {
	if got := (MatchContext{App: "shop", Env: "pr-1", EnvType: "development", ResID: "db"}).String(); got != "app=shop,env=pr-1,envType=development,resId=db" {
		t.Error(got)
	}
	if got := (MatchContext{Env: "pr-1"}).String(); got != "env=pr-1" {
		t.Error(got)
	}
	if got := (MatchContext{}).String(); got != "(empty context)" {
		t.Error(got)
	}
}

// TestMostSpecificShapeWins checks the order on every pair of shapes: when
// both match, the one of higher specificity is resolved.
func TestMostSpecificShapeWins(t *testing.T) {
	ctx := MatchContext{App: "shop", Env: "staging", EnvType: "staging", ResID: "shop.db"}
	shapes := allCriteriaShapes()
	for _, a := range shapes {
		for _, b := range shapes {
			if a == b {
				continue
			}
			p := testPlatform(t, defn("a", "redis", "", a), defn("b", "redis", "", b))
			got, err := p.Resolve(ctx, "redis", "")
			if err != nil {
				t.Fatalf("%s vs %s: %v", a, b, err)
			}
			want := "a"
			if b.Specificity() > a.Specificity() {
				want = "b"
			}
			if got.Name != want {
				t.Errorf("%s (%d) vs %s (%d): got %s", a, a.Specificity(), b, b.Specificity(), got.Name)
			}
		}
	}
	if !slices.IsSortedFunc(shapes, func(a, b Criterion) int { return a.Specificity() - b.Specificity() }) {
		t.Error("shapes not built in specificity order")
	}
}
