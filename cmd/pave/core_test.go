package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const badScore = `apiVersion: score.dev/v1b1
metadata:
  name: Bad_Name
containers:
  api:
    variables:
      A=B: x
service:
  ports:
    web:
      port: 70000
`

func TestValidateContract(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.score.yaml")
	os.WriteFile(bad, []byte(badScore), 0o644)

	ok := mustPave(t, dir, "validate", "-o", "json", examplePath("shop", "api.score.yaml"), examplePath("shop", "worker.score.yaml"))
	var res struct {
		Valid  bool `json:"valid"`
		Errors []struct {
			File, Path, Message string
			Line                int
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(ok.stdout), &res); err != nil || !res.Valid || len(res.Errors) != 0 {
		t.Fatalf("valid files: %v %+v", err, res)
	}

	r := pave(t, dir, "validate", "-o", "json", bad)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1", r.code)
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Valid {
		t.Fatalf("invalid file: %v %s", err, r.stdout)
	}
	want := map[string]int{"/metadata/name": 3, "/containers/api/image": 5, "/containers/api/variables/A=B": 7, "/service/ports/web/port": 11}
	for _, e := range res.Errors {
		if e.File != bad {
			t.Errorf("error names file %q", e.File)
		}
		if line, ok := want[e.Path]; ok && line == e.Line {
			delete(want, e.Path)
		}
	}
	if len(want) > 0 {
		t.Errorf("errors not reported (path: line): %v\nall: %+v", want, res.Errors)
	}

	text := pave(t, dir, "validate", bad)
	if text.code != 1 || !strings.Contains(text.stderr, bad+":5: /containers/api/image: required") {
		t.Errorf("text output: exit %d\n%s", text.code, text.stderr)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"plan", "--app", "shop"},
		{"validate", "--nope"},
		{"nonsense"},
		{"validate", "-o", "xml", "x.yaml"},
		{"explain", "--platform", "p", "--app", "a", "--env", "e"},
	} {
		if r := pave(t, t.TempDir(), args...); r.code != 2 {
			t.Errorf("pave %v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
}

// TestPlanIsDeterministic checks that file order changes nothing, byte for
// byte, and that the JSON contract has its fields.
func TestPlanIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	api, worker := examplePath("shop", "api.score.yaml"), examplePath("shop", "worker.score.yaml")
	base := []string{"plan", "--platform", examplePath("platform"), "--app", "shop", "--env", "staging", "-o", "json"}
	a := mustPave(t, dir, append(base, api, worker)...)
	b := mustPave(t, dir, append(base, worker, api)...)
	if a.stdout != b.stdout {
		t.Fatal("plan differs with file order")
	}
	var plan struct {
		Hash, App, Env, EnvType string
		Resources               []map[string]any
		Workloads               []map[string]any
	}
	if err := json.Unmarshal([]byte(a.stdout), &plan); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(plan.Hash, "sha256:") || plan.EnvType != "staging" || len(plan.Resources) == 0 || len(plan.Workloads) != 2 {
		t.Fatalf("plan: %+v", plan)
	}
	for _, key := range []string{"uid", "type", "class", "definition", "driver", "dependsOn", "action"} {
		if _, ok := plan.Resources[0][key]; !ok {
			t.Errorf("resource lacks %q", key)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".pave")); err == nil {
		t.Error("plan created state")
	}
}

func TestExplainContract(t *testing.T) {
	r := mustPave(t, t.TempDir(), "explain", "--platform", examplePath("platform"), "--app", "shop", "--env", "production", "-o", "json", "redis#sessions")
	var ex struct {
		Selected   *string `json:"selected"`
		Candidates []struct {
			Definition  string `json:"definition"`
			Criterion   string `json:"criterion"`
			Matched     bool   `json:"matched"`
			Specificity int    `json:"specificity"`
			Reason      string `json:"reason"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ex); err != nil {
		t.Fatal(err)
	}
	if ex.Selected == nil || *ex.Selected != "prod-redis-sessions" || len(ex.Candidates) < 2 {
		t.Fatalf("explain: %s", r.stdout)
	}
}

// TestRenderGolden renders the blog with a platform whose definitions are
// all pure and compares with golden files (go test ./cmd/pave -run
// TestRenderGolden -update). No secret value may appear in what is written.
func TestRenderGolden(t *testing.T) {
	for _, kind := range []string{"kubernetes", "compose"} {
		t.Run(kind, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			r := pave(t, t.TempDir(), "render", "--platform", filepath.Join(repo, "cmd", "pave", "testdata", "render-platform"), "--app", "blog", "--env", "preview",
				"--target", kind, "--out", out, examplePath("blog", "web.score.yaml"), examplePath("blog", "feed.score.yaml"))
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			compareTree(t, out, filepath.Join("testdata", "render-"+kind))
			filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
				if b, _ := os.ReadFile(path); err == nil && !d.IsDir() && bytes.Contains(b, []byte("not-a-real-password")) {
					t.Errorf("%s holds a secret value", path)
				}
				return nil
			})
		})
	}
}

// TestPlanGolden compares the plans of the sample apps with golden files
// (go test ./cmd/pave -run TestPlanGolden -update).
func TestPlanGolden(t *testing.T) {
	cases := map[string][]string{
		"shop-staging":    {"--app", "shop", "--env", "staging", examplePath("shop", "api.score.yaml"), examplePath("shop", "worker.score.yaml")},
		"blog-production": {"--app", "blog", "--env", "production", examplePath("blog", "web.score.yaml"), examplePath("blog", "feed.score.yaml")},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			r := mustPave(t, t.TempDir(), append([]string{"plan", "--platform", examplePath("platform"), "-o", "json"}, args...)...)
			// Paths in the plan would differ between machines: none may appear.
			if strings.Contains(r.stdout, repo) {
				t.Fatalf("the plan holds a local path")
			}
			os.WriteFile(filepath.Join(out, "plan.json"), []byte(r.stdout), 0o644)
			compareTree(t, out, filepath.Join("testdata", "plan-"+name))
		})
	}
}
