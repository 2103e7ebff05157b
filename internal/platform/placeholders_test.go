package platform

import (
	"strings"
	"testing"
)

func TestScanPlaceholders(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"plain", nil, ""},
		{"${a.b}", []string{"a.b"}, ""},
		{"x${a}y${b.c}z", []string{"a", "b.c"}, ""},
		{"$${a} $$ $x $", nil, ""},
		{"$$${a}", []string{"a"}, ""},
		{"{{ $x := .Params }}", nil, ""},
		{"${resources.postgres#shop.db.host}", []string{"resources.postgres#shop.db.host"}, ""},
		{`${secrets.a\.b}`, []string{`secrets.a\.b`}, ""},
		{"${a", nil, `"${" has no closing "}"`},
		{"ok ${}", nil, `"${}" is empty`},
		{"${secrets.a..b}", nil, "has an empty key"},
	}
	for _, tt := range tests {
		got, err := scanPlaceholders(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%q: %q %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParsePlaceholder(t *testing.T) {
	all := []string{"context", "secrets", "resources"}
	tests := []struct {
		expr string
		want placeholder
		err  string
	}{
		{"context.app", placeholder{root: "context", key: "app"}, ""},
		{"context.resId", placeholder{root: "context", key: "resId"}, ""},
		{"context.app.x", placeholder{}, `unknown context key "app.x"`},
		{"context", placeholder{}, `context needs a key after "context."`},
		{"secrets.dev-postgres-admin-url", placeholder{root: "secrets", key: "dev-postgres-admin-url"}, ""},
		{"secrets.a.b_c", placeholder{root: "secrets", key: "a.b_c"}, ""},
		{"secrets.-x", placeholder{}, `secret name "-x"`},
		{"resources.postgres.host", placeholder{root: "resources", ref: ResourceRef{"postgres", "default", ""}, output: "host"}, ""},
		{"resources.postgres.large.host", placeholder{root: "resources", ref: ResourceRef{"postgres", "large", ""}, output: "host"}, ""},
		{"resources.postgres#shop.db.host", placeholder{root: "resources", ref: ResourceRef{"postgres", "default", "shop.db"}, output: "host"}, ""},
		{"resources.postgres.large#shared.port", placeholder{root: "resources", ref: ResourceRef{"postgres", "large", "shared"}, output: "port"}, ""},
		{"resources.postgres.a.b.host", placeholder{}, `invalid class "a.b"`},
		{"resources.postgres#.host", placeholder{}, `invalid resource id ""`},
		{"resources.postgres.", placeholder{}, `invalid output name ""`},
		{"resources.Postgres.host", placeholder{}, `invalid resource type "Postgres"`},
		{"metadata.name", placeholder{}, `unknown root "metadata" (expected context, secrets or resources)`},
		{strings.Repeat("x", 200), placeholder{}, "placeholder ${" + strings.Repeat("x", maxExprLen) + "...}"},
	}
	for _, tt := range tests {
		got, err := parsePlaceholder(tt.expr, all...)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.expr, err, tt.err)
			}
			continue
		}
		got.expr = ""
		if err != nil || got != tt.want {
			t.Errorf("%q: %+v %v, want %+v", tt.expr, got, err, tt.want)
		}
	}
	if _, err := parsePlaceholder("resources.redis.host", "context", "secrets"); err == nil || !strings.Contains(err.Error(), "(expected context or secrets)") {
		t.Errorf("resources outside definitions: %v", err)
	}
}

func FuzzPlaceholders(f *testing.F) {
	for _, s := range []string{"${context.app}", "$${x}", "${resources.a.b#c.d.e}", "${secrets.x}", "${", "$$$", "${}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		exprs, err := scanPlaceholders(s)
		if err != nil {
			return
		}
		for _, e := range exprs {
			if strings.Contains(e, "}") {
				t.Fatalf("expression %q holds a }", e)
			}
			ph, err := parsePlaceholder(e, "context", "secrets", "resources")
			if err == nil && ph.root == "resources" && (ph.ref.Type == "" || ph.ref.Class == "" || ph.output == "") {
				t.Fatalf("%q parsed to incomplete %+v", e, ph)
			}
		}
	})
}
