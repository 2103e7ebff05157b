package store

import (
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

func TestParseRoleBinding(t *testing.T) {
	for _, s := range []string{"viewer@team/blog", "developer@app/shop", "developer@app/shop:development,staging"} {
		b, err := ParseRoleBinding(s)
		if err != nil || b.String() != s {
			t.Errorf("ParseRoleBinding(%q) = %+v, %v", s, b, err)
		}
	}
	b, err := ParseRoleBinding("developer@team/shop:production")
	if err != nil || b.Role != "developer" || b.Team != "shop" || b.App != "" || len(b.EnvTypes) != 1 || b.EnvTypes[0] != "production" {
		t.Errorf("parsed %+v, %v", b, err)
	}
	for _, bad := range []string{"", "viewer", "@team/x", "viewer@", "viewer@team", "viewer@team/", "viewer@org/x", "viewer@app/x:", "viewer@app/x:a,,b", "viewer@app/a b"} {
		if _, err := ParseRoleBinding(bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("ParseRoleBinding(%q) = %v, want invalid", bad, err)
		}
	}
}
