package platform

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad loads one hostile YAML file beside the sample environment types:
// it must never panic, and it either loads or fails with located errors.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(examplesDir, "*", "*.yaml"))
	more, _ := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	for _, name := range append(files, more...) {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"",
		"---\n---\n",
		"apiVersion: pave.dev/v1\nkind: ResourceType\nmetadata: {name: x}\nspec: {params: {$ref: '#'}}\n",
		"apiVersion: pave.dev/v1\nkind: ResourceType\nmetadata: {name: x}\nspec: {params: {$ref: 'http://example.com/s.json'}}\n",
		"apiVersion: pave.dev/v1\nkind: ResourceDefinition\nmetadata: {name: x}\nspec: {type: x, driver: static, criteria: [{}, {}], inputs: {a: '${resources.x#y.z}'}}\n",
		"apiVersion: pave.dev/v1\nkind: Environment\nmetadata: {name: x}\nspec: {type: development, target: {kind: process, config: {a: [${secrets.x}]}}}\n",
		"a: &a [*a]\n",
	} {
		f.Add([]byte(s))
	}
	envTypes, err := os.ReadFile(filepath.Join(examplesDir, "environment-types.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := LoadFiles(map[string][]byte{"environment-types.yaml": envTypes, "fuzz.yaml": data}, LoadOptions{KnownDriver: knownTestDriver})
		if (p == nil) == (err == nil) {
			t.Fatalf("platform %v and error %v", p, err)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		for _, d := range p.Definitions() {
			ctx := MatchContext{App: "a", Env: "e", EnvType: "development", ResID: "r"}
			_, _ = p.Resolve(ctx, d.Type, d.Class)
			_ = p.Explain(ctx, d.Type, d.Class)
		}
		for _, typ := range p.Types() {
			_ = typ.ValidateParams(map[string]any{"a": []any{int64(1), "x", nil}})
		}
	})
}
