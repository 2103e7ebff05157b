package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

func TestCompileErrorsLocated(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		// want are "file:line: substring" of every error, in order.
		want []string
	}{
		{
			name:  "parse error",
			files: map[string]string{"bad.rego": "package pave.bad\n\ndeny contains msg if {\n\tmsg := \n}\n"},
			want:  []string{"bad.rego:5: parse error"},
		},
		{
			name:  "rego v0 syntax",
			files: map[string]string{"old.rego": "package pave.old\n\ndeny[msg] {\n\tmsg := \"x\"\n}\n"},
			want: []string{
				"old.rego:3: parse error: `contains` keyword is required",
				"old.rego:3: parse error: `if` keyword is required",
			},
		},
		{
			name:  "http.send",
			files: map[string]string{"net.rego": "package pave.net\n\ndeny contains msg if {\n\tr := http.send({\"method\": \"get\", \"url\": \"http://example.com\"})\n\tmsg := r.body\n}\n"},
			want:  []string{`net.rego:4: built-in http.send is not allowed in pave policies`},
		},
		{
			name:  "net lookup nested in a comprehension",
			files: map[string]string{"dns.rego": "package pave.dns\n\nips := {ip | some ip in net.lookup_ip_addr(\"example.com\")}\n\ndeny contains \"x\" if count(ips) > 0\n"},
			want:  []string{`dns.rego:3: built-in net.lookup_ip_addr is not allowed`},
		},
		{
			name:  "time.now_ns",
			files: map[string]string{"clock.rego": "package pave.clock\n\nwarn contains \"late\" if time.now_ns() > 0\n"},
			want:  []string{`clock.rego:3: built-in time.now_ns is not allowed`},
		},
		{
			name:  "package outside pave",
			files: map[string]string{"lib.rego": "package lib.k8s\n\nx := 1\n"},
			want:  []string{`lib.rego:1: policy module must be in "package pave.<name>", found "package lib.k8s"`},
		},
		{
			name:  "nested package",
			files: map[string]string{"nested.rego": "package pave.a.b\n\nx := 1\n"},
			want:  []string{`nested.rego:1: policy module must be in "package pave.<name>", found "package pave.a.b"`},
		},
		{
			name:  "deny as a boolean",
			files: map[string]string{"bool.rego": "package pave.boolean\n\ndeny if input.action == \"deploy\"\n"},
			want:  []string{`bool.rego:3: rule "deny" must be a set of messages: write "deny contains msg if { ... }"`},
		},
		{
			name:  "warn as a value and approval as a function",
			files: map[string]string{"shape.rego": "package pave.shape\n\nwarn := {\"a\"}\n\napproval(x) := x\n"},
			want: []string{
				`shape.rego:3: rule "warn" must be a set`,
				`shape.rego:5: rule "approval" must be a set`,
			},
		},
		{
			name:  "deny as an object",
			files: map[string]string{"obj.rego": "package pave.obj\n\ndeny[\"x\"] := \"y\"\n"},
			want:  []string{`obj.rego:3: rule "deny" must be a set`},
		},
		{
			name:  "misspelt input field",
			files: map[string]string{"typo.rego": "package pave.typo\n\ndeny contains \"prod\" if input.enviroment.type == \"production\"\n"},
			want:  []string{`typo.rego:3: type error: undefined ref: input.enviroment.type (want one of "action", "actor", "app", "environment", "plan")`},
		},
		{
			name:  "input field of the wrong type",
			files: map[string]string{"kind.rego": "package pave.kind\n\ndeny contains \"x\" if input.environment.ephemeral == \"yes\"\n"},
			want:  []string{`kind.rego:3: type error: match error`},
		},
		{
			name:  "unsafe variable",
			files: map[string]string{"unsafe.rego": "package pave.unsafe\n\ndeny contains msg if {\n\tx > 1\n\tmsg := \"big\"\n}\n"},
			want:  []string{"unsafe.rego:4: unsafe var error"},
		},
		{
			name:  "type error",
			files: map[string]string{"types.rego": "package pave.types\n\ndeny contains msg if {\n\tmsg := concat(1, 2)\n}\n"},
			want:  []string{"types.rego:4: type error"},
		},
		{
			name:  "empty file",
			files: map[string]string{"empty.rego": "# nothing here\n"},
			want:  []string{`empty.rego: parse error: empty module`},
		},
		{
			name: "errors of several files sorted",
			files: map[string]string{
				"b.rego": "package foo\n",
				"a.rego": "package pave.a\n\ndeny if true\n",
			},
			want: []string{`a.rego:3: rule "deny" must be a set`, `b.rego:1: policy module must be in`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string][]byte{}
			for name, src := range tt.files {
				files[name] = []byte(src)
			}
			_, err := Compile(files)
			if err == nil {
				t.Fatal("Compile succeeded, want an error")
			}
			if code := errs.CodeOf(err); code != errs.Invalid {
				t.Errorf("code = %q, want invalid (%v)", code, err)
			}
			var list errs.List
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an errs.List", err)
			}
			if len(list) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(list), len(tt.want), err)
			}
			for i, want := range tt.want {
				if got := list[i].Error(); !strings.HasPrefix(got, want) && !strings.Contains(got, want) {
					t.Errorf("error %d = %q, want it to start with %q", i, got, want)
				}
				if list[i].File == "" {
					t.Errorf("error %d has no file: %q", i, list[i].Error())
				}
			}
		})
	}
}

func TestCompileLeavesTestFilesOut(t *testing.T) {
	files := map[string][]byte{
		"ok.rego":      []byte("package pave.ok\n\ndeny contains \"no\" if input.action == \"destroy\"\n"),
		"ok_test.rego": []byte("package pave.ok_test\n\ntest_broken if {\n"),
	}
	e, err := Compile(files)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if got := e.Policies(); len(got) != 1 || got[0] != "ok" {
		t.Errorf("Policies() = %v, want [ok]", got)
	}
}

func TestCompileEmpty(t *testing.T) {
	e, err := Compile(nil)
	if err != nil {
		t.Fatalf("Compile(nil): %v", err)
	}
	res, err := e.Eval(t.Context(), Input{Action: ActionDeploy})
	if err != nil {
		t.Fatalf("Eval: %v", err)
	}
	if !res.Allowed() || res.NeedsApproval() || len(res.Warn) != 0 {
		t.Errorf("empty policy set: %+v", res)
	}
}

func TestCapabilitiesLeaveOutNondeterministicBuiltins(t *testing.T) {
	c := capabilities()
	for _, b := range c.Builtins {
		if b.IsNondeterministic() || forbidden[b.Name] {
			t.Errorf("built-in %s is available to policies", b.Name)
		}
	}
	for _, name := range []string{"units.parse", "units.parse_bytes", "regex.match", "sprintf", "time.parse_duration_ns"} {
		if !c.ContainsBuiltin(name) {
			t.Errorf("built-in %s is missing", name)
		}
	}
	if c.AllowNet == nil || len(c.AllowNet) != 0 {
		t.Errorf("AllowNet = %v, want empty", c.AllowNet)
	}
}
