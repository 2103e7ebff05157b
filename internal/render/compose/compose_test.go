package compose

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
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

// builds gives the samples' "." images a build context.
var builds = map[string]string{"api.main": "./src/api"}

// filesListing describes the project's files for a golden file; contents
// of the samples are fake.
func filesListing(p *Project) []byte {
	var b bytes.Buffer
	for _, f := range p.Files {
		fmt.Fprintf(&b, "== %s %04o secret=%v\n%q\n", f.Path, f.Mode, f.Secret, f.Content)
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for _, c := range rendertest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			p, err := Render(c.Deployment, Options{Builds: builds})
			if err != nil {
				t.Fatal(err)
			}
			out, err := p.YAML()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.Name+".compose.yaml", out)
			golden(t, c.Name+".files.txt", filesListing(p))
			again, _ := Render(c.Deployment, Options{Builds: builds})
			out2, _ := again.YAML()
			if !bytes.Equal(out, out2) {
				t.Fatal("rendering twice gives different output")
			}
		})
	}
}

// load writes the project to a directory the way the compose target does
// and loads it with compose-go, the library `docker compose` itself uses.
func load(t *testing.T, p *Project) *types.Project {
	t.Helper()
	dir := t.TempDir()
	out, err := p.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, f.Content, f.Mode); err != nil {
			t.Fatal(err)
		}
	}
	cp, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, "compose.yaml")}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName(p.Name, true) })
	if err != nil {
		t.Fatalf("compose-go rejects the project: %v\n%s", err, out)
	}
	cp, err = cp.WithServicesEnvironmentResolved(false)
	if err != nil {
		t.Fatalf("env files: %v", err)
	}
	return cp
}

// TestComposeGoLoads validates every sample with compose-go and checks
// that what Compose will run is exactly the resolved workload: every
// variable (plain or from the env file), entrypoint and command, byte for
// byte, even with "$", quotes and line breaks in them.
func TestComposeGoLoads(t *testing.T) {
	cases := append(rendertest.Cases(), rendertest.Case{Name: "large", Deployment: rendertest.Large(3)}, tricky())
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			p, err := Render(c.Deployment, Options{Builds: builds})
			if err != nil {
				t.Fatal(err)
			}
			cp := load(t, p)
			if cp.Name != p.Name {
				t.Errorf("project name %q, want %q", cp.Name, p.Name)
			}
			for _, s := range p.Services {
				got := cp.Services[s.Name]
				var test []string
				if got.HealthCheck != nil {
					test = got.HealthCheck.Test
				}
				if !equalStrings(test, s.Healthcheck) {
					t.Errorf("%s: healthcheck reads back as %q, want %q", s.Name, test, s.Healthcheck)
				}
				if got.Image != s.Image || len(got.Labels) != len(s.Labels) || len(got.Volumes) != len(s.Mounts) {
					t.Errorf("%s: image %q labels %v volumes %v", s.Name, got.Image, got.Labels, got.Volumes)
				}
			}
			for _, w := range c.Deployment.Workloads {
				for _, ctr := range w.Containers {
					name := w.Name
					if len(w.Containers) > 1 {
						name += "-" + ctr.Name
					}
					svc, ok := cp.Services[name]
					if !ok {
						t.Fatalf("service %q missing", name)
					}
					for _, v := range ctr.Variables {
						got := svc.Environment[v.Name]
						if got == nil || *got != v.Value.Text {
							t.Errorf("%s: variable %s reads back as %q", name, v.Name, deref(got))
						}
					}
					if !equalStrings(svc.Entrypoint, ctr.Command) || !equalStrings(svc.Command, ctr.Args) {
						t.Errorf("%s: entrypoint %q command %q, want %q %q", name, svc.Entrypoint, svc.Command, ctr.Command, ctr.Args)
					}
					if svc.Labels[LabelWorkload] != w.Name || svc.Labels[LabelApp] != c.Deployment.App {
						t.Errorf("%s: labels %v", name, svc.Labels)
					}
					if ctr.Readiness != nil && (svc.HealthCheck == nil || len(svc.HealthCheck.Test) < 2) {
						t.Errorf("%s: no healthcheck", name)
					}
				}
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<unset>"
	}
	return *s
}

func equalStrings(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || slices.Equal(a, b))
}

// tricky has values that Compose would mangle without escaping.
func tricky() rendertest.Case {
	values := []string{
		"$HOME", "${HOME}", "$$", "a$", `back\slash`, `\n literal`, `quote " and ' both`, "line\nbreak\n",
		"tab\there", "cr\rhere", "esc\x1bhere", "trailing\\", `\"`, "#not comment", " lead and trail ", "=", "",
		"ünïcödé 日本", "$(cmd)", "`cmd`", "${A:-b}", "%s",
	}
	var vars []target.Variable
	for i, v := range values {
		vars = append(vars,
			target.Variable{Name: fmt.Sprintf("PLAIN_%02d", i), Value: target.Value{Text: v}},
			target.Variable{Name: fmt.Sprintf("SECRET_%02d", i), Value: target.Value{Text: v, Secret: true}})
	}
	slices.SortFunc(vars, func(a, b target.Variable) int { return strings.Compare(a.Name, b.Name) })
	return rendertest.Case{Name: "tricky", Deployment: &target.Deployment{App: "Tricky App", Env: "PR_1", Workloads: []target.Workload{{
		Name: "t",
		Containers: []target.Container{{
			Name: "main", Image: "busybox:1.36",
			Command:   []string{"/bin/sh", "-c"},
			Args:      values,
			Variables: vars,
			Readiness: &target.Probe{HTTPGet: &target.HTTPGet{Path: "/it's?a=$b", Port: 80,
				HTTPHeaders: []target.HTTPHeader{{Name: "X-A", Value: "o'k $x"}}}},
		}},
	}}}}
}

// TestNoSecretOutsideSecretFiles proves that no secret value is in
// compose.yaml or in a file not marked Secret, that secret files are under
// secrets/ and readable by their owner only, and that secrets/ ignores
// itself for Git.
func TestNoSecretOutsideSecretFiles(t *testing.T) {
	for _, c := range append(rendertest.Cases(), tricky()) {
		t.Run(c.Name, func(t *testing.T) {
			p, err := Render(c.Deployment, Options{Builds: builds})
			if err != nil {
				t.Fatal(err)
			}
			out, err := p.YAML()
			if err != nil {
				t.Fatal(err)
			}
			secrets := rendertest.SecretTexts(c.Deployment)
			if c.Name != "tricky" { // tricky shares its values with plain variables
				for _, s := range secrets {
					if bytes.Contains(out, []byte(s)) || bytes.Contains(out, []byte(rendertest.SecretMarker)) {
						t.Errorf("secret text in compose.yaml")
					}
					for _, f := range p.Files {
						if !f.Secret && bytes.Contains(f.Content, []byte(s)) {
							t.Errorf("secret text in %s, which is not marked secret", f.Path)
						}
					}
				}
			}
			hasSecret := false
			for _, f := range p.Files {
				if !f.Secret {
					continue
				}
				hasSecret = true
				if !strings.HasPrefix(f.Path, "secrets/") || f.Mode&0o077 != 0 {
					t.Errorf("secret file %s mode %o", f.Path, f.Mode)
				}
			}
			if hasSecret && !slices.ContainsFunc(p.Files, func(f File) bool {
				return f.Path == "secrets/.gitignore" && string(f.Content) != "" && strings.Contains(string(f.Content), "\n*\n")
			}) {
				t.Error("no secrets/.gitignore")
			}
		})
	}
}

func TestPortsAndNetworks(t *testing.T) {
	d := rendertest.Large(2)
	d.Workloads[1].Ports[0].Protocol = "UDP"
	d.Workloads = append(d.Workloads, target.Workload{
		Name: "svc-9999",
		Containers: []target.Container{
			{Name: "a", Image: "busybox"},
			{Name: "b", Image: "busybox"},
		},
		Ports: []target.Port{{Name: "http", Port: 80, TargetPort: 8080}},
	})
	p, err := Render(d, Options{HostIP: "0.0.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Service{}
	for _, s := range p.Services {
		byName[s.Name] = s
	}
	if got := byName["svc-0000"].Ports; len(got) != 1 || got[0].Published != 80 || got[0].HostIP != "0.0.0.0" {
		t.Errorf("svc-0000 ports %+v", got)
	}
	if got := byName["svc-0001"].Ports; got[0].Published != 80 || got[0].Protocol != "udp" {
		t.Errorf("udp port should not clash with tcp: %+v", got)
	}
	if got := byName["svc-9999-a"]; got.Ports[0].Published != 0 || !slices.Equal(got.Aliases, []string{"svc-9999"}) {
		t.Errorf("svc-9999-a: %+v", got)
	}
	if got := byName["svc-9999-b"]; got.NetworkMode != "service:svc-9999-a" || len(got.Ports) != 0 {
		t.Errorf("svc-9999-b: %+v", got)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], `service "svc-9999-a": host port 80/tcp is already published by "svc-0000"`) {
		t.Errorf("warnings %q", p.Warnings)
	}
	load(t, p)
}

func TestErrors(t *testing.T) {
	wl := func(mut func(w *target.Workload)) *target.Deployment {
		d := rendertest.Large(1)
		mut(&d.Workloads[0])
		return d
	}
	tests := []struct {
		name string
		d    *target.Deployment
		opts Options
		want string
	}{
		{"nil", nil, Options{}, "deployment is missing"},
		{"no env", &target.Deployment{App: "a"}, Options{}, "needs an app and an environment"},
		{"bad project name", &target.Deployment{App: "---", Env: "!!"}, Options{}, "no usable Compose project name"},
		{"unbuilt image", wl(func(w *target.Workload) { w.Containers[0].Image = "." }), Options{},
			`workload "svc-0000": container "main": image "." needs a build context; pass one for "svc-0000.main"`},
		{"empty build", wl(func(w *target.Workload) {}), Options{Builds: map[string]string{"main": ""}}, `container "main": build context is empty`},
		{"no image", wl(func(w *target.Workload) { w.Containers[0].Image = "" }), Options{}, `container "main": image is empty`},
		{"bad workload name", wl(func(w *target.Workload) { w.Name = "-x" }), Options{}, `workload "-x": name must be`},
		{"bad container name", wl(func(w *target.Workload) { w.Containers[0].Name = "a/b" }), Options{}, `container "a/b": name must be`},
		{"no containers", wl(func(w *target.Workload) { w.Containers = nil }), Options{}, `workload "svc-0000" has no containers`},
		{"duplicate container", wl(func(w *target.Workload) { w.Containers = append(w.Containers, w.Containers[0]) }),
			Options{}, `container "main" is listed twice`},
		{"service name clash", func() *target.Deployment {
			d := rendertest.Large(1)
			d.Workloads[0].Containers = append(d.Workloads[0].Containers, target.Container{Name: "x", Image: "busybox"})
			d.Workloads = append(d.Workloads, target.Workload{Name: "svc-0000-main", Containers: []target.Container{{Name: "c", Image: "busybox"}}})
			return d
		}(), Options{}, `both become Compose service "svc-0000-main"`},
		{"secret variable name", wl(func(w *target.Workload) { w.Containers[0].Variables[1].Name = "DB PASSWORD" }), Options{},
			`container "main": variable "DB PASSWORD": an env file name must be`},
		{"relative file", wl(func(w *target.Workload) { w.Containers[0].Files[0].Path = "x" }), Options{}, `file "x": path must be absolute`},
		{"root file", wl(func(w *target.Workload) { w.Containers[0].Files[0].Path = "/.." }), Options{}, `file "/..": path must not be the root`},
		{"bad mode", wl(func(w *target.Workload) { w.Containers[0].Files[0].Mode = "0999" }), Options{}, `mode "0999"`},
		{"same mount", wl(func(w *target.Workload) { w.Containers[0].Volumes[0].Path = "/etc/app/config.yaml" }), Options{}, `mounted at "/etc/app/config.yaml"`},
		{"bad volume", wl(func(w *target.Workload) { w.Containers[0].Volumes[0].Source = "a b" }), Options{}, `volume "/data": source "a b" is neither`},
		{"empty volume", wl(func(w *target.Workload) { w.Containers[0].Volumes[0].Source = "" }), Options{}, `volume "/data": source is empty`},
		{"escaping sub path", wl(func(w *target.Workload) { w.Containers[0].Volumes[0].SubPath = "a/../../b" }), Options{}, `sub path "a/../../b" must stay inside`},
		{"bad port", wl(func(w *target.Workload) { w.Ports[0].TargetPort = -1 }), Options{}, `port "http": target port -1`},
		{"bad protocol", wl(func(w *target.Workload) { w.Ports[0].Protocol = "SCTP" }), Options{}, `protocol "SCTP" is not TCP or UDP`},
		{"empty probe", wl(func(w *target.Workload) { w.Containers[0].Readiness = &target.Probe{} }), Options{}, `readiness probe: set httpGet or exec`},
		{"empty exec", wl(func(w *target.Workload) { w.Containers[0].Readiness = &target.Probe{Exec: &target.ExecProbe{}} }), Options{}, `readiness probe: exec command is empty`},
		{"bad header", wl(func(w *target.Workload) {
			w.Containers[0].Readiness.HTTPGet.HTTPHeaders = []target.HTTPHeader{{Name: "X", Value: "a\nb"}}
		}), Options{}, `header "X" is not a valid HTTP header`},
		{"bad scheme", wl(func(w *target.Workload) { w.Containers[0].Readiness.HTTPGet.Scheme = "gopher" }), Options{}, `scheme "gopher"`},
		{"bad utf-8", wl(func(w *target.Workload) { w.Containers[0].Variables[0].Value.Text = "\xff" }),
			Options{}, `workload "svc-0000": container "main": variable "DB_HOST": value is not valid UTF-8`},
		{"bad utf-8 build", wl(func(w *target.Workload) {}), Options{Builds: map[string]string{"main": "\xff"}}, `build context "\xff" is not valid UTF-8`},
		{"bad utf-8 secret", wl(func(w *target.Workload) { w.Containers[0].Variables[1].Value.Text = "\xff" }),
			Options{}, `variable "DB_PASSWORD": value is not valid UTF-8`},
		{"duplicate workload", func() *target.Deployment {
			d := rendertest.Large(1)
			d.Workloads = append(d.Workloads, d.Workloads[0])
			return d
		}(), Options{}, `workload "svc-0000" is listed twice`},
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

func TestBuilds(t *testing.T) {
	d := rendertest.Large(2)
	d.Workloads[0].Containers[0].Image = "."
	p, err := Render(d, Options{Builds: map[string]string{"main": "./all", "svc-0000.main": "./one"}})
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Services[0]; s.Build != "./one" || s.Image != "" {
		t.Errorf("svc-0000: build %q image %q", s.Build, s.Image)
	}
	if s := p.Services[1]; s.Build != "./all" || s.Image != "ghcr.io/acme/svc-0001:1.0.0" {
		t.Errorf("svc-0001: build %q image %q", s.Build, s.Image)
	}
	cp := load(t, p)
	if got := cp.Services["svc-0000"].Build; got == nil || !strings.HasSuffix(got.Context, "one") {
		t.Errorf("compose-go reads build %+v", got)
	}
}

// TestRestartAndHealthInterval checks the two settings Render leaves to
// its caller (the compose target) as compose-go reads them.
func TestRestartAndHealthInterval(t *testing.T) {
	d := rendertest.Large(1)
	d.Workloads[0].Containers[0].Readiness = &target.Probe{Exec: &target.ExecProbe{Command: []string{"true"}}}
	p, err := Render(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Services[0]; s.Restart != "" || s.HealthInterval != "" {
		t.Fatalf("Render sets restart %q, health interval %q", s.Restart, s.HealthInterval)
	}
	p.Services[0].Restart = "unless-stopped"
	p.Services[0].HealthInterval = "5s"
	got := load(t, p).Services["svc-0000"]
	if got.Restart != "unless-stopped" || got.HealthCheck == nil || got.HealthCheck.Interval == nil || got.HealthCheck.Interval.String() != "5s" {
		t.Fatalf("compose-go reads restart %q, healthcheck %+v", got.Restart, got.HealthCheck)
	}
}

// TestPure keeps the package free of I/O imports.
func TestPure(t *testing.T) { rendertest.AssertPure(t, "github.com/compose-spec") }

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
		p, err := Render(d, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.YAML(); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzEnvFile checks that any value written to an env file reads back
// exactly with compose-go's env file parser.
func FuzzEnvFile(f *testing.F) {
	for _, v := range []string{"", "a", "$HOME", `\"`, "a\nb", "\x00\x01\x7f", "trailing\\", "'", "${A:-b}", "\\$", "\\0123"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, value string) {
		content, err := envFile("svc", []target.Variable{{Name: "K", Value: target.Value{Text: value, Secret: true}}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := dotenv.ParseWithLookup(bytes.NewReader(content), func(string) (string, bool) { return "", false })
		if err != nil {
			t.Fatalf("%q: %v", content, err)
		}
		if got["K"] != value {
			t.Fatalf("value %q reads back as %q from %q", value, got["K"], content)
		}
	})
}

// FuzzRender feeds hostile names, values, paths and modes to Render: it
// must never panic, must fail only with errs.Invalid, and when it succeeds
// compose.yaml must encode and hold no secret value, and every file path
// must stay inside the project directory.
func FuzzRender(f *testing.F) {
	f.Add("api", "main", "value ${X}", "/etc/x", "0644", "data", "secret")
	f.Add("9", "Main", "\xff", "x", "9", "", "")
	f.Add("a-b", "c", "line\nbreak", "/a/../../b", "0777", "../v", "s\x00")
	f.Fuzz(func(t *testing.T, workload, container, value, path, mode, source, secret string) {
		secret = "S3CR3T" + secret
		d := &target.Deployment{App: "app", Env: "env", Workloads: []target.Workload{{
			Name: workload,
			Containers: []target.Container{{
				Name: container, Image: "busybox", Args: []string{value},
				Variables: []target.Variable{{Name: "PLAIN", Value: target.Value{Text: value}}, {Name: "SECRET", Value: target.Value{Text: secret, Secret: true}}},
				Files:     []target.File{{Path: path, Mode: mode, Content: []byte(value)}, {Path: "/secret/file", Content: []byte(secret), Secret: true}},
				Volumes:   []target.Volume{{Path: "/data", Source: source}},
			}},
		}}}
		p, err := Render(d, Options{})
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("code %s: %v", errs.CodeOf(err), err)
			}
			if strings.Contains(err.Error(), "S3CR3T") {
				t.Fatalf("error shows the secret: %v", err)
			}
			return
		}
		out, err := p.YAML()
		if err != nil {
			t.Fatalf("rendered project does not encode: %v", err)
		}
		if bytes.Contains(out, []byte("S3CR3T")) {
			t.Fatalf("secret in compose.yaml:\n%s", out)
		}
		var v any
		if err := yaml.Unmarshal(out, &v); err != nil {
			t.Fatalf("compose.yaml does not parse: %v\n%s", err, out)
		}
		for _, f := range p.Files {
			if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
				t.Fatalf("file %q leaves the project directory", f.Path)
			}
		}
	})
}
