package gitops

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/pavedev/pave/internal/target"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenRecipient is a fixed age public key, so that SECRETS.md is stable.
const goldenRecipient = "age1vfzmjxlcgq58lnsqdlpw6puka94d0h9ax7pqklg5vvlkl6h92s7st8pplk"

// TestRenderGolden compares the plain files of the test deployment, with
// and without age recipients, with testdata/*.golden (-update rewrites
// them). The encrypted files are random and not part of it; the golden
// files themselves must hold no secret value.
func TestRenderGolden(t *testing.T) {
	cases := []struct {
		name string
		cfg  target.Config
	}{
		{name: "age", cfg: target.Config{"repository": "/r", "ageRecipients": []any{goldenRecipient}}},
		{name: "no-recipients", cfg: target.Config{"repository": "/r"}},
		{name: "namespace", cfg: target.Config{"repository": "/r", "namespace": "shared-apps"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parseConfig(tc.cfg, "shop", "staging")
			if err != nil {
				t.Fatal(err)
			}
			r, err := New(Options{HashKey: testHashKey}).renderDeployment(testDeployment("dep-1", true, dbPassword), s)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			names := make([]string, 0, len(r.files))
			for n := range r.files {
				names = append(names, n)
			}
			slices.Sort(names)
			for _, n := range names {
				got.WriteString("=== " + n + "\n")
				got.Write(r.files[n])
			}
			for _, sf := range r.secrets {
				got.WriteString("=== " + sf.path + " (encrypted)\n")
			}
			if found, ok := containsAny([][]byte{got.Bytes()}, secretNeedles()...); ok {
				t.Fatalf("the plain files hold a secret value %q", found)
			}
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("files differ from %s (run with -update to accept):\n%s", golden, got.String())
			}
		})
	}
}

func TestFileNames(t *testing.T) {
	obj := func(api, kind, ns, name string) map[string]any {
		meta := map[string]any{"name": name}
		if ns != "" {
			meta["namespace"] = ns
		}
		return map[string]any{"apiVersion": api, "kind": kind, "metadata": meta}
	}
	taken := map[string]bool{}
	cases := []struct {
		obj  map[string]any
		want string
	}{
		{obj("apps/v1", "Deployment", "a", "web"), "deployment-web.yaml"},
		{obj("v1", "Service", "a", "web"), "service-web.yaml"},
		{obj("apps/v1", "Deployment", "b", "web"), "deployment-web-"},
		{obj("example.com/v1", "Widget", "", "Strange Name/../x"), "widget-strange-name-..-x.yaml"},
		{obj("example.com/v1", "Widget", "", "strange name/../x"), "widget-strange-name-..-x-"},
		{obj("v1", "ConfigMap", "", ".hidden"), "configmap-.hidden.yaml"},
		{obj("v1", "ConfigMap", "", strings.Repeat("n", 300)), "configmap-" + strings.Repeat("n", maxFileStem-len("configmap-")) + ".yaml"},
	}
	for _, tc := range cases {
		got := uniqueName(taken, objectStem(tc.obj), ".yaml", tc.obj)
		if strings.HasSuffix(tc.want, ".yaml") && got != tc.want || !strings.HasPrefix(got, tc.want) {
			t.Errorf("file name of %v = %q, want %q", tc.obj["metadata"], got, tc.want)
		}
		if strings.Contains(got, "/") || strings.HasPrefix(got, ".") {
			t.Errorf("file name %q is not a plain file name", got)
		}
	}
	if len(taken) != len(cases) {
		t.Errorf("%d names for %d objects: %v", len(taken), len(cases), taken)
	}
}

// TestSplice checks that replacing and removing a path keeps every other
// entry, and that directories left empty disappear.
func TestSplice(t *testing.T) {
	st := memory.NewStorage()
	root, err := buildTree(st, map[string][]byte{
		"README.md":          []byte("hi\n"),
		"apps/a/x.yaml":      []byte("a\n"),
		"apps/b/y.yaml":      []byte("b\n"),
		"apps/b/sub/z.yaml":  []byte("z\n"),
		"apps-other/w.yaml":  []byte("w\n"),
		"apps.txt":           []byte("t\n"),
		"deep/one/two/f.txt": []byte("f\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := buildTree(st, map[string][]byte{"new.yaml": []byte("n\n")})
	if err != nil {
		t.Fatal(err)
	}
	list := func(h plumbing.Hash) []string {
		tree, err := object.GetTree(st, h)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		tree.Files().ForEach(func(f *object.File) error { out = append(out, f.Name); return nil })
		slices.Sort(out)
		return out
	}
	replaced, err := splice(st, root, []string{"apps", "b"}, sub)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"README.md", "apps-other/w.yaml", "apps.txt", "apps/a/x.yaml", "apps/b/new.yaml", "deep/one/two/f.txt"}
	if got := list(replaced); !slices.Equal(got, want) {
		t.Errorf("replace: %v, want %v", got, want)
	}
	removed, err := splice(st, root, []string{"deep", "one", "two"}, plumbing.ZeroHash)
	if err != nil {
		t.Fatal(err)
	}
	if got := list(removed); slices.Contains(got, "deep/one/two/f.txt") || len(got) != 6 {
		t.Errorf("remove: %v", got)
	}
	tree, _ := object.GetTree(st, removed)
	if _, err := tree.FindEntry("deep"); err == nil {
		t.Error("the emptied directory deep/ is still there")
	}
	added, err := splice(st, plumbing.ZeroHash, []string{"x", "y"}, sub)
	if err != nil {
		t.Fatal(err)
	}
	if got := list(added); !slices.Equal(got, []string{"x/y/new.yaml"}) {
		t.Errorf("into an empty tree: %v", got)
	}
	if _, err := splice(st, root, []string{"README.md", "x"}, sub); err == nil {
		t.Error("a file in the way of the path is no error")
	}
	same, err := splice(st, root, []string{"apps", "a"}, mustTreeHash(t, st, root, "apps/a"))
	if err != nil || same != root {
		t.Errorf("putting back the same subtree changed the root: %v", err)
	}
}

func mustTreeHash(t *testing.T, st *memory.Storage, root plumbing.Hash, p string) plumbing.Hash {
	tree, err := object.GetTree(st, root)
	if err != nil {
		t.Fatal(err)
	}
	e, err := tree.FindEntry(p)
	if err != nil {
		t.Fatal(err)
	}
	return e.Hash
}

func BenchmarkRenderDeployment(b *testing.B) {
	s, err := parseConfig(target.Config{"repository": "/r", "ageRecipients": []any{goldenRecipient}}, "shop", "staging")
	if err != nil {
		b.Fatal(err)
	}
	tgt := New(Options{HashKey: testHashKey})
	d := testDeployment("d", true, dbPassword)
	for b.Loop() {
		r, err := tgt.renderDeployment(d, s)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tgt.secretFiles(r, s, func(string) ([]byte, bool) { return nil, false }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildTree(b *testing.B) {
	files := map[string][]byte{}
	for i := range 200 {
		files["obj-"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+".yaml"] = bytes.Repeat([]byte("k: v\n"), 40)
	}
	for b.Loop() {
		if _, err := buildTree(memory.NewStorage(), files); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSetNamespace(t *testing.T) {
	cases := []struct {
		api, kind, ns, want string
	}{
		{"v1", "ConfigMap", "", "shop-staging"},
		{"v1", "ConfigMap", "other", "other"},
		{"v1", "Namespace", "", ""},
		{"rbac.authorization.k8s.io/v1", "ClusterRole", "", ""},
		{"rbac.authorization.k8s.io/v1", "Role", "", "shop-staging"},
		{"cert-manager.io/v1", "ClusterIssuer", "", ""},
		{"cert-manager.io/v1", "Certificate", "", "shop-staging"},
		{"storage.k8s.io/v1", "StorageClass", "", ""},
		{"example.com/v1", "StorageClass", "", "shop-staging"},
	}
	for _, tc := range cases {
		meta := map[string]any{"name": "x"}
		if tc.ns != "" {
			meta["namespace"] = tc.ns
		}
		o := map[string]any{"apiVersion": tc.api, "kind": tc.kind, "metadata": meta}
		setNamespace(o, "shop-staging")
		if got, _ := meta["namespace"].(string); got != tc.want {
			t.Errorf("%s %s in %q: namespace %q, want %q", tc.api, tc.kind, tc.ns, got, tc.want)
		}
	}
}
