package cli_test

import (
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/cli"
)

// TestUserGrants: pave user create, update and list on local state, with
// role bindings given as --grant ROLE@team/NAME or ROLE@app/NAME[:TYPES].
func TestUserGrants(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // not logged in
	t.Setenv("PAVE_SERVER", "")
	t.Setenv("PAVE_TOKEN", "")
	state := "--state=" + t.TempDir()
	if code, out, errOut := run(t, "", "user", "team", "blog", state); code != 0 {
		t.Fatalf("team: %d %s %s", code, out, errOut)
	}
	code, out, errOut := run(t, "", "user", "create", "cy", "--grant", "developer@app/shop:staging,development", "--grant", "viewer@team/blog", state)
	if code != 0 || !strings.Contains(out, "grants developer@app/shop:development,staging, viewer@team/blog") {
		t.Fatalf("create: %d %s %s", code, out, errOut)
	}
	for _, bad := range []struct {
		grant string
		code  int
	}{{"developer@shop", cli.ExitUsage}, {"admin@app/shop", 1}, {"viewer@team/nope", 1}} {
		if code, out, errOut := run(t, "", "user", "create", "bad", "--grant", bad.grant, state); code != bad.code {
			t.Errorf("grant %q: %d %s %s, want exit %d", bad.grant, code, out, errOut, bad.code)
		}
	}
	code, out, errOut = run(t, "", "user", "update", "cy", "--role", "viewer", "--team", "blog", state)
	if code != 0 || !strings.Contains(out, "user cy updated (roles viewer; teams blog; grants none)") {
		t.Fatalf("update: %d %s %s", code, out, errOut)
	}
	code, out, errOut = run(t, "", "user", "list", state)
	if code != 0 || !strings.Contains(out, "cy    viewer  blog   -") {
		t.Fatalf("list: %d %s %s", code, out, errOut)
	}
}
