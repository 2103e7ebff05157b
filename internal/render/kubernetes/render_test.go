package kubernetes

import (
	"bytes"
	"encoding/base64"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/render/rendertest"
	"github.com/pavedev/pave/internal/target"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking):\n%s", file, got)
	}
}

func TestGolden(t *testing.T) {
	for _, c := range rendertest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			res, err := Render(c.Deployment, Options{})
			if err != nil {
				t.Fatal(err)
			}
			out, err := res.YAML(false)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.Name+".yaml", out)
			// The Secrets, separately; the values in the samples are fake.
			secrets, err := (&Result{Secrets: res.Secrets}).YAML(true)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.Name+".secrets.yaml", secrets)

			// Every document parses, and rendering again gives the same bytes.
			dec := yaml.NewDecoder(bytes.NewReader(out))
			for {
				var v any
				if err := dec.Decode(&v); err != nil {
					if err.Error() != "EOF" {
						t.Fatalf("output does not parse: %v", err)
					}
					break
				}
			}
			again, _ := Render(c.Deployment, Options{})
			out2, _ := again.YAML(false)
			if !bytes.Equal(out, out2) {
				t.Fatal("rendering twice gives different output")
			}
		})
	}
}

// TestNoSecretInPlainObjects proves that no secret value, in clear or in
// base64, is in a non-Secret object or in the YAML written without secrets,
// and that every one is in a Secret.
func TestNoSecretInPlainObjects(t *testing.T) {
	for _, c := range rendertest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			res, err := Render(c.Deployment, Options{})
			if err != nil {
				t.Fatal(err)
			}
			plainYAML, err := res.YAML(false)
			if err != nil {
				t.Fatal(err)
			}
			objs, err := (&Result{Objects: res.Objects}).YAML(true)
			if err != nil {
				t.Fatal(err)
			}
			secretYAML, err := (&Result{Secrets: res.Secrets}).YAML(true)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range rendertest.SecretTexts(c.Deployment) {
				for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(s)), rendertest.SecretMarker} {
					if bytes.Contains(plainYAML, []byte(form)) || bytes.Contains(objs, []byte(form)) {
						t.Errorf("secret text %q found outside Secrets", form)
					}
				}
				if !bytes.Contains(secretYAML, []byte(base64.StdEncoding.EncodeToString([]byte(s)))) &&
					!bytes.Contains(secretYAML, []byte(s)) {
					t.Errorf("secret value not found in any Secret")
				}
			}
		})
	}
}

// TestJSONShaped checks that objects hold only the types unstructured
// content allows (client-go's DeepCopyJSONValue panics on others).
func TestJSONShaped(t *testing.T) {
	var check func(path string, v any)
	check = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				check(path+"/"+k, e)
			}
		case []any:
			for i, e := range x {
				check(path+"/"+strconv.Itoa(i), e)
			}
		case string, int64, float64, bool, nil:
		default:
			t.Errorf("%s: %T is not JSON-shaped", path, v)
		}
	}
	for _, c := range append(rendertest.Cases(), rendertest.Case{Name: "large", Deployment: rendertest.Large(3)}) {
		res, err := Render(c.Deployment, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.All() {
			check(c.Name, o)
		}
	}
}

// TestNoSharedMaps checks that no two objects share a map, so that a
// caller may change one object without changing another.
func TestNoSharedMaps(t *testing.T) {
	res, err := Render(rendertest.Large(2), Options{})
	if err != nil {
		t.Fatal(err)
	}
	owner := map[uintptr]int{}
	var walk func(i int, v any)
	walk = func(i int, v any) {
		switch x := v.(type) {
		case map[string]any:
			p := reflect.ValueOf(x).Pointer()
			if o, ok := owner[p]; ok && o != i {
				t.Errorf("objects %d and %d share a map: %v", o, i, x)
			}
			owner[p] = i
			for _, e := range x {
				walk(i, e)
			}
		case []any:
			for _, e := range x {
				walk(i, e)
			}
		}
	}
	for i, o := range res.All() {
		walk(i, o)
	}
}

func TestConfigHash(t *testing.T) {
	hash := func(d *target.Deployment, opts Options) string {
		t.Helper()
		res, err := Render(d, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Objects {
			if o["kind"] == "Deployment" {
				tmpl := o["spec"].(map[string]any)["template"].(map[string]any)
				return tmpl["metadata"].(map[string]any)["annotations"].(map[string]any)[AnnotationHash].(string)
			}
		}
		t.Fatal("no Deployment")
		return ""
	}
	base := func() *target.Deployment { return rendertest.Large(1) }
	h0 := hash(base(), Options{})
	if h0 != hash(base(), Options{}) {
		t.Fatal("hash is not deterministic")
	}
	d := base()
	d.Workloads[0].Containers[0].Variables[1].Value.Text = "other"
	if hash(d, Options{}) == h0 {
		t.Error("changing a secret variable keeps the hash")
	}
	d = base()
	d.Workloads[0].Containers[0].Files[0].Content = []byte("changed")
	if hash(d, Options{}) == h0 {
		t.Error("changing a file keeps the hash")
	}
	if hash(base(), Options{HashKey: []byte("k")}) == h0 {
		t.Error("a hash key does not change the hash")
	}
}

func TestOptions(t *testing.T) {
	d := rendertest.Large(1)
	d.App, d.Env = "My_Shop", "PR-42"
	res, err := Render(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Namespace != "my-shop-pr-42" {
		t.Errorf("namespace %q", res.Namespace)
	}
	if res.Objects[0]["kind"] != "Namespace" {
		t.Errorf("first object is %v, want the Namespace", res.Objects[0]["kind"])
	}
	for _, o := range res.All() {
		labels := o["metadata"].(map[string]any)["labels"].(map[string]any)
		if labels[LabelApp] != "My_Shop" || labels[LabelInstance] != "My_Shop-PR-42" {
			t.Errorf("%v labels %v", o["kind"], labels)
		}
	}
	res, err = Render(d, Options{Namespace: "team-a", OmitNamespace: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.All() {
		if o["kind"] == "Namespace" || o["metadata"].(map[string]any)["namespace"] != "team-a" {
			t.Errorf("%v in wrong namespace: %v", o["kind"], o["metadata"])
		}
	}
	long := strings.Repeat("a", 70)
	if ns := dnsLabel(long + "-" + long); len(ns) > 63 || !isDNSLabel(ns) || ns == dnsLabel(long+"-b"+long) {
		t.Errorf("long namespace %q", ns)
	}
	if v := labelValue("a b/c"); !isLabelValue(v) {
		t.Errorf("label value %q", v)
	}
}

func TestSharedAndConflictingSecretKeys(t *testing.T) {
	d := rendertest.Cases()[2].Deployment // multi-container
	res, err := Render(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	data := res.Secrets[0]["data"].(map[string]any)
	if _, ok := data["SESSION_KEY"]; !ok {
		t.Errorf("keys %v: want SESSION_KEY", data)
	}
	if _, ok := data["proxy.SESSION_KEY"]; !ok {
		t.Errorf("keys %v: want proxy.SESSION_KEY for the other value", data)
	}
}

func TestErrors(t *testing.T) {
	wl := func(mut func(w *target.Workload)) *target.Deployment {
		d := rendertest.Large(1)
		mut(&d.Workloads[0])
		return d
	}
	withManifest := func(m map[string]any) *target.Deployment {
		d := rendertest.Large(1)
		d.Manifests = []map[string]any{m}
		return d
	}
	tests := []struct {
		name string
		d    *target.Deployment
		opts Options
		want string
	}{
		{"nil", nil, Options{}, "deployment is missing"},
		{"no app", &target.Deployment{Env: "dev"}, Options{}, "needs an app"},
		{"bad namespace", rendertest.Large(1), Options{Namespace: "Bad_NS"}, `namespace "Bad_NS" is not a DNS label`},
		{"bad kind", wl(func(w *target.Workload) { w.Annotations = map[string]string{"pave.dev/kind": "DaemonSet"} }),
			Options{}, `workload "svc-0000": annotation pave.dev/kind is "DaemonSet"; use Deployment or StatefulSet`},
		{"bad workload name", wl(func(w *target.Workload) { w.Name = "9lives" }), Options{}, `workload "9lives": name must be a DNS label`},
		{"no containers", wl(func(w *target.Workload) { w.Containers = nil }), Options{}, `workload "svc-0000" has no containers`},
		{"duplicate container", wl(func(w *target.Workload) { w.Containers = append(w.Containers, w.Containers[0]) }),
			Options{}, `container "main" is listed twice`},
		{"bad container name", wl(func(w *target.Workload) { w.Containers[0].Name = "Main" }), Options{}, `container "Main": name must be a DNS label`},
		{"build image", wl(func(w *target.Workload) { w.Containers[0].Image = "." }), Options{}, `container "main": image "." means`},
		{"no image", wl(func(w *target.Workload) { w.Containers[0].Image = "" }), Options{}, `container "main": image is empty`},
		{"relative file", wl(func(w *target.Workload) { w.Containers[0].Files[0].Path = "etc/x" }), Options{}, `file "etc/x": path must be absolute`},
		{"bad mode", wl(func(w *target.Workload) { w.Containers[0].Files[0].Mode = "rw" }), Options{}, `mode "rw" is not an octal file mode`},
		{"mode too big", wl(func(w *target.Workload) { w.Containers[0].Files[0].Mode = "7777" }), Options{}, `mode "7777"`},
		{"same mount", wl(func(w *target.Workload) { w.Containers[0].Volumes[0].Path = "/etc/app/config.yaml" }), Options{}, `mounted at "/etc/app/config.yaml"`},
		{"no source", wl(func(w *target.Workload) { w.Containers[0].Volumes[0].Source = "" }), Options{}, `volume "/data" has no source`},
		{"bad port", wl(func(w *target.Workload) { w.Ports[0].Port = 70000 }), Options{}, `port "http": port 70000`},
		{"bad protocol", wl(func(w *target.Workload) { w.Ports[0].Protocol = "ICMP" }), Options{}, `protocol "ICMP"`},
		{"port names clash", wl(func(w *target.Workload) {
			w.Ports = append(w.Ports, target.Port{Name: "HTTP", Port: 81, TargetPort: 81})
		}), Options{}, `ports "http" and "HTTP" both get the Service port name "http"`},
		{"empty probe", wl(func(w *target.Workload) { w.Containers[0].Readiness = &target.Probe{} }), Options{}, `readiness probe: set httpGet or exec`},
		{"both probes", wl(func(w *target.Workload) {
			w.Containers[0].Liveness = &target.Probe{HTTPGet: &target.HTTPGet{Port: 1}, Exec: &target.ExecProbe{Command: []string{"x"}}}
		}), Options{}, `liveness probe: set either httpGet or exec, not both`},
		{"bad scheme", wl(func(w *target.Workload) { w.Containers[0].Readiness.HTTPGet.Scheme = "ftp" }), Options{}, `scheme "ftp"`},
		{"bad utf-8", wl(func(w *target.Workload) { w.Containers[0].Args = []string{"ok", "\xff"} }),
			Options{}, `workload "svc-0000": container "main": args "\xff" is not valid UTF-8`},
		{"bad utf-8 value", wl(func(w *target.Workload) { w.Containers[0].Variables[0].Value.Text = "\xff" }),
			Options{}, `workload "svc-0000": container "main": variable "DB_HOST": value is not valid UTF-8`},
		{"bad utf-8 manifest", withManifest(map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "x"}, "data": map[string]any{"a": "\xfe"}}),
			Options{}, "/manifests/0/data/a: text is not valid UTF-8"},
		{"duplicate workload", func() *target.Deployment {
			d := rendertest.Large(1)
			d.Workloads = append(d.Workloads, d.Workloads[0])
			return d
		}(), Options{}, `workload "svc-0000" is listed twice`},
		{"manifest without kind", withManifest(map[string]any{"apiVersion": "v1", "metadata": map[string]any{"name": "x"}}),
			Options{}, "manifest 0: kind must be a non-empty string"},
		{"manifest without name", withManifest(map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{}}),
			Options{}, "manifest 0 (ConfigMap): metadata.name must be a non-empty string"},
		{"manifest without metadata", withManifest(map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}),
			Options{}, "manifest 0 (ConfigMap): metadata must be a map"},
		{"manifest bad value", withManifest(map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "x"}, "data": map[string]any{"a": struct{}{}}}),
			Options{}, "/manifests/0/data/a: a value of type struct {} cannot be part of a manifest"},
		{"manifest collides", withManifest(map[string]any{"apiVersion": "v1", "kind": "Service",
			"metadata": map[string]any{"name": "svc-0000", "namespace": "big-prod"}}),
			Options{}, `two objects are Service "big-prod/svc-0000"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(tt.d, tt.opts)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("code %s, want invalid", errs.CodeOf(err))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q\nwant it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), rendertest.SecretMarker) {
				t.Errorf("error shows a secret: %q", err)
			}
		})
	}
}

// TestPure keeps the package free of I/O imports.
func TestPure(t *testing.T) { rendertest.AssertPure(t) }

func BenchmarkRender1000(b *testing.B) {
	d := rendertest.Large(1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(d, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderYAML1000(b *testing.B) {
	d := rendertest.Large(1000)
	b.ReportAllocs()
	for b.Loop() {
		res, err := Render(d, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := res.YAML(false); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzRender feeds hostile names, values, paths and modes to Render: it
// must never panic, must fail only with errs.Invalid, and when it succeeds
// the YAML must parse and hold no secret value outside Secrets.
func FuzzRender(f *testing.F) {
	f.Add("api", "main", "value $(X)", "/etc/x", "0644", "data", "http", "secret")
	f.Add("9", "Main", "\xff", "x", "9", "", "", "")
	f.Add("a-b", "c", "line\nbreak", "/a/../b", "0777", "../v", "HTTP port", "s\x00")
	f.Fuzz(func(t *testing.T, workload, container, value, path, mode, source, port, secret string) {
		secret = "S3CR3T" + secret
		d := &target.Deployment{App: "app", Env: "env", Workloads: []target.Workload{{
			Name: workload,
			Containers: []target.Container{{
				Name: container, Image: "busybox",
				Variables: []target.Variable{{Name: "PLAIN", Value: target.Value{Text: value}}, {Name: "SECRET", Value: target.Value{Text: secret, Secret: true}}},
				Files:     []target.File{{Path: path, Mode: mode, Content: []byte(value)}, {Path: "/secret/file", Content: []byte(secret), Secret: true}},
				Volumes:   []target.Volume{{Path: "/data", Source: source}},
			}},
			Ports: []target.Port{{Name: port, Port: 80, TargetPort: 8080}},
		}}}
		res, err := Render(d, Options{})
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("code %s: %v", errs.CodeOf(err), err)
			}
			if strings.Contains(err.Error(), "S3CR3T") {
				t.Fatalf("error shows the secret: %v", err)
			}
			return
		}
		out, err := res.YAML(false)
		if err != nil {
			t.Fatalf("rendered objects do not encode: %v", err)
		}
		if bytes.Contains(out, []byte("S3CR3T")) {
			t.Fatalf("secret in YAML:\n%s", out)
		}
		dec := yaml.NewDecoder(bytes.NewReader(out))
		for {
			var v any
			if err := dec.Decode(&v); err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("output does not parse: %v\n%s", err, out)
				}
				break
			}
		}
	})
}
