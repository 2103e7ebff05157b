package tofu

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
)

func TestParseInputs(t *testing.T) {
	base := t.TempDir()
	tests := []struct {
		name         string
		raw          map[string]any
		placeholders bool
		want         *inputs
		wantErrs     []string // "path: message fragment"
	}{
		{
			name: "local relative module and defaults",
			raw:  map[string]any{"module": "modules/pg"},
			want: &inputs{Module: filepath.Join(base, "modules/pg"), Variables: map[string]any{}, Timeout: defaultTimeout},
		},
		{
			name: "absolute module, variables, outputs, timeout",
			raw: map[string]any{
				"module":    "/srv/modules/pg",
				"variables": map[string]any{"name": "shop", "port": int64(5432), "tags": []any{"a"}},
				"outputs":   map[string]any{"name": "database_name"},
				"timeout":   "90s",
			},
			want: &inputs{
				Module:    "/srv/modules/pg",
				Variables: map[string]any{"name": "shop", "port": int64(5432), "tags": []any{"a"}},
				Outputs:   map[string]string{"name": "database_name"},
				Timeout:   90 * time.Second,
			},
		},
		{
			name: "git source is remote",
			raw:  map[string]any{"module": "git::https://git.example.com/mods.git//pg?ref=v1", "timeout": int64(60)},
			want: &inputs{Module: "git::https://git.example.com/mods.git//pg?ref=v1", Remote: true, Variables: map[string]any{}, Timeout: time.Minute},
		},
		{
			name:         "placeholder timeout at load time",
			raw:          map[string]any{"module": "m", "timeout": "${context.timeout}"},
			placeholders: true,
			want:         &inputs{Module: filepath.Join(base, "m"), Variables: map[string]any{}, Timeout: defaultTimeout},
		},
		{
			name:     "missing module",
			raw:      map[string]any{},
			wantErrs: []string{"/module: tofu driver input is required"},
		},
		{
			name:     "empty module",
			raw:      map[string]any{"module": "  "},
			wantErrs: []string{"/module: tofu driver input must not be empty"},
		},
		{
			name: "every problem at once",
			raw: map[string]any{
				"module":    int64(3),
				"variables": []any{"x"},
				"outputs":   map[string]any{"a": int64(1), "b": ""},
				"timeout":   "soon",
				"extra/key": true,
			},
			wantErrs: []string{
				"/extra~1key: unknown tofu driver input",
				"/module: tofu driver input must be a string, not number",
				"/variables: tofu driver input must be an object, not array",
				"/outputs/a: must name a tofu output",
				"/outputs/b: must name a tofu output",
				"/timeout: must be a positive duration",
			},
		},
		{
			name:     "bad variable name",
			raw:      map[string]any{"module": "m", "variables": map[string]any{"9lives": "x", "ok_name-2": "y"}},
			wantErrs: []string{"/variables/9lives: not a valid variable name"},
		},
		{
			name:     "negative timeout",
			raw:      map[string]any{"module": "m", "timeout": int64(-1)},
			wantErrs: []string{"/timeout: must be a positive number of seconds"},
		},
		{
			name:     "placeholder timeout at run time",
			raw:      map[string]any{"module": "m", "timeout": "${context.timeout}"},
			wantErrs: []string{"/timeout: must be a positive duration"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseInputs(tt.raw, base, tt.placeholders)
			if len(tt.wantErrs) == 0 {
				if err != nil {
					t.Fatalf("parseInputs: %v", err)
				}
				if a, b := mustJSON(t, got), mustJSON(t, tt.want); a != b {
					t.Fatalf("parseInputs =\n%s\nwant\n%s", a, b)
				}
				return
			}
			if err == nil {
				t.Fatalf("parseInputs succeeded, want errors %q", tt.wantErrs)
			}
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("code = %s, want invalid", errs.CodeOf(err))
			}
			got2 := errs.Errors(err)
			if len(got2) != len(tt.wantErrs) {
				t.Fatalf("got %d errors, want %d:\n%v", len(got2), len(tt.wantErrs), err)
			}
			for _, want := range tt.wantErrs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("errors lack %q:\n%v", want, err)
				}
			}
		})
	}
}

func TestValidIdentifier(t *testing.T) {
	for s, want := range map[string]bool{
		"name": true, "_x": true, "a-b_9": true, "A": true,
		"": false, "9a": false, "-a": false, "a b": false, "a.b": false, "é": false,
	} {
		if got := validIdentifier(s); got != want {
			t.Errorf("validIdentifier(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestIsRemoteSource(t *testing.T) {
	for s, want := range map[string]bool{
		"git::https://h/r.git": true, "https://h/m.zip": true, "github.com/o/r": true,
		"git@github.com:o/r.git": true, "./modules/pg": false, "/abs/pg": false, "pg": false,
	} {
		if got := isRemoteSource(s); got != want {
			t.Errorf("isRemoteSource(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzParseInputs feeds arbitrary JSON objects as inputs: parsing must never
// panic, and must either fail with invalid or give a module.
func FuzzParseInputs(f *testing.F) {
	f.Add(`{"module":"m","variables":{"a":"b"},"outputs":{"x":"y"},"timeout":"5m"}`)
	f.Add(`{"module":"git::https://h/r.git","timeout":3}`)
	f.Add(`{"module":7,"variables":[],"outputs":{"a":null},"timeout":{}}`)
	f.Fuzz(func(t *testing.T, s string) {
		var raw map[string]any
		if json.Unmarshal([]byte(s), &raw) != nil {
			return
		}
		in, err := parseInputs(normalizeNumbers(raw).(map[string]any), "/base", false)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("code %s: %v", errs.CodeOf(err), err)
			}
			return
		}
		if in.Module == "" || in.Timeout <= 0 {
			t.Fatalf("accepted inputs without module or timeout: %+v", in)
		}
	})
}

// normalizeNumbers turns encoding/json's float64 into the int64 pave's
// decoder gives for integers.
func normalizeNumbers(v any) any {
	switch v := v.(type) {
	case float64:
		if v == float64(int64(v)) {
			return int64(v)
		}
		return v
	case map[string]any:
		for k, e := range v {
			v[k] = normalizeNumbers(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = normalizeNumbers(e)
		}
		return v
	}
	return v
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSourceCredentials(t *testing.T) {
	got := sourceCredentials("git::https://bot:ghp_s3cret@git.example.com/mods.git//pg")
	if len(got) != 2 || got[0] != "bot:ghp_s3cret" || got[1] != "ghp_s3cret" {
		t.Errorf("sourceCredentials = %q", got)
	}
	if got := sourceCredentials("git::https://git.example.com/mods.git"); got != nil {
		t.Errorf("sourceCredentials without any = %q", got)
	}
	r := newRedactor(sourceCredentials("git::https://bot:ghp_s3cret@h/r.git"))
	if got := r.Redact("$ tofu init -from-module=git::https://bot:ghp_s3cret@h/r.git"); strings.Contains(got, "s3cret") {
		t.Errorf("credentials left in %q", got)
	}
}

func TestDescribeMatchesInputs(t *testing.T) {
	d := New(Config{})
	info := d.Describe()
	var names []string
	for _, in := range info.Inputs {
		names = append(names, in.Name)
	}
	if strings.Join(names, ",") != strings.Join(inputFields, ",") {
		t.Errorf("Describe inputs %v, parsed inputs %v", names, inputFields)
	}
	if err := d.ValidateInputs(map[string]any{"module": "m", "timeout": "${context.timeout}"}); err != nil {
		t.Errorf("ValidateInputs with a placeholder: %v", err)
	}
	if err := d.ValidateInputs(map[string]any{"modul": "m"}); err == nil {
		t.Error("ValidateInputs accepted a misspelt input")
	}
}

func TestModulePathsResolveAgainstConfigDir(t *testing.T) {
	cfgDir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cfgDir, "modules", "pg"), 0o755); err != nil {
		t.Fatal(err)
	}
	d := New(Config{ModuleDir: "/fallback"})
	tests := []struct {
		name, configDir, module, want string
	}{
		{"relative, config dir", cfgDir, "./modules/pg", filepath.Join(cfgDir, "modules", "pg")},
		{"relative with dot-dot, config dir", cfgDir, "modules/../modules/pg", filepath.Join(cfgDir, "modules", "pg")},
		{"absolute ignores the config dir", cfgDir, "/srv/pg", "/srv/pg"},
		{"no config dir: ModuleDir", "", "modules/pg", "/fallback/modules/pg"},
		{"remote as written", cfgDir, "git::https://h/r.git//pg", "git::https://h/r.git//pg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, _, err := d.prepare(&driver.Request{UID: "x", ConfigDir: tt.configDir, Inputs: map[string]any{"module": tt.module}})
			if err != nil {
				t.Fatal(err)
			}
			if in.Module != tt.want {
				t.Errorf("module = %q, want %q", in.Module, tt.want)
			}
		})
	}
	// Without either, the working directory, as before.
	wd, _ := os.Getwd()
	in, _, err := New(Config{}).prepare(&driver.Request{UID: "x", Inputs: map[string]any{"module": "m"}})
	if err != nil || in.Module != filepath.Join(wd, "m") {
		t.Errorf("module without any base = %v, %v", in, err)
	}
}

func TestValidateInputsIn(t *testing.T) {
	cfgDir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cfgDir, "modules", "pg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "file.tf"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	d := New(Config{})
	for _, module := range []string{"./modules/pg", filepath.Join(cfgDir, "modules", "pg"), "git::https://h/r.git//pg", "./modules/${context.envType}"} {
		if err := d.ValidateInputsIn(cfgDir, map[string]any{"module": module}); err != nil {
			t.Errorf("ValidateInputsIn(%q): %v", module, err)
		}
	}
	// Not read from a directory: nothing to look at.
	if err := d.ValidateInputsIn("", map[string]any{"module": "./modules/none"}); err != nil {
		t.Errorf("ValidateInputsIn without a dir: %v", err)
	}
	for _, module := range []string{"./modules/none", "./file.tf"} {
		err := d.ValidateInputsIn(cfgDir, map[string]any{"module": module})
		want := `/module: tofu module "` + module + `" is not a directory (relative paths are relative to the platform config directory)`
		if err == nil || err.Error() != want || !errs.Is(err, errs.Invalid) {
			t.Errorf("ValidateInputsIn(%q) = %v, want %s", module, err, want)
		}
	}
	// Syntax problems come first, as ValidateInputs reports them.
	if err := d.ValidateInputsIn(cfgDir, map[string]any{"modul": "m"}); err == nil || !strings.Contains(err.Error(), "unknown tofu driver input") {
		t.Errorf("ValidateInputsIn with a misspelt input: %v", err)
	}
}
