//go:build unix

package process

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

func testLayout(t *testing.T) layout {
	t.Helper()
	l, err := newLayout("/state", "shop", "dev")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func fakeEnviron(k string) string {
	return map[string]string{"PATH": binDir, "HOME": "/home/dev", "PAVE_DB_PASSWORD": "leak"}[k]
}

func TestBuildSpecEnvironment(t *testing.T) {
	w := server("api", 8080, map[string]target.Value{"A": plain("1"), "TOKEN": secret("s3cret")})
	other := server("web", 8081, map[string]target.Value{"PORT": plain("9999"), "HOME": plain("/srv")})
	spec, err := buildSpec(deployment(w, other), settings{}, testLayout(t), fakeEnviron)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, c := range spec.Containers {
		got[c.Workload] = c.environ()
	}
	want := map[string][]string{
		"api": {"A=1", "HOME=/home/dev", "PATH=" + binDir, "PAVE_FILES_DIR=/state/process/shop/dev/api/main/files", "PORT=8080", "TOKEN=s3cret"},
		"web": {"HOME=/srv", "PATH=" + binDir, "PAVE_FILES_DIR=/state/process/shop/dev/web/main/files", "PORT=9999"},
	}
	for name, env := range want {
		if !slices.Equal(got[name], env) {
			t.Errorf("%s environment:\n got %q\nwant %q", name, got[name], env)
		}
	}
	api := spec.Containers[0]
	if api.Path != filepath.Join(binDir, "testserver") || api.Argv0 != "testserver" || api.Dir != "/state/process/shop/dev/api/main" {
		t.Errorf("api command = %q %q in %q", api.Path, api.Argv0, api.Dir)
	}
	if s := api.secrets(); !slices.Equal(s, []string{"s3cret"}) {
		t.Errorf("secrets = %q", s)
	}
}

func TestBuildSpecErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(d *target.Deployment)
		cfg    settings
		want   string // in the error
		path   string // JSON pointer of the first error
	}{
		{"no command", func(d *target.Deployment) { d.Workloads[0].Containers[0].Command = nil },
			settings{}, `workload "api" container "main": the process target runs the container's command and never its image "example.com/api:1", and there is no command`, "/containers/main/command"},
		{"command not found", func(d *target.Deployment) { d.Workloads[0].Containers[0].Command = []string{"no-such-program-pave"} },
			settings{}, `command "no-such-program-pave" is not found in PATH`, "/containers/main/command/0"},
		{"relative command missing", func(d *target.Deployment) { d.Workloads[0].Containers[0].Command = []string{"./bin/api"} },
			settings{}, `command "./bin/api": not found`, "/containers/main/command/0"},
		{"same port twice", func(d *target.Deployment) {
			d.Workloads = append(d.Workloads, server("web", 8080, nil))
		}, settings{}, `workload "web": port 8080 is also the port of workload "api"`, "/service/ports/web/targetPort"},
		{"bad mode", func(d *target.Deployment) {
			d.Workloads[0].Containers[0].Files = []target.File{{Path: "/a", Mode: "0999"}}
		}, settings{}, `mode "0999" is not an octal file mode`, "/containers/main/files/0/mode"},
		{"root file", func(d *target.Deployment) {
			d.Workloads[0].Containers[0].Files = []target.File{{Path: "/../"}}
		}, settings{}, `file path "/../" is not a file path`, "/containers/main/files/0/target"},
		{"file below file", func(d *target.Deployment) {
			d.Workloads[0].Containers[0].Files = []target.File{{Path: "/etc/a"}, {Path: "/etc/a/b"}}
		}, settings{}, `"/etc/a/b" is below "/etc/a", which is a file`, "/containers/main/files"},
		{"file through volume", func(d *target.Deployment) {
			d.Workloads[0].Containers[0].Files = []target.File{{Path: "/data/x"}}
			d.Workloads[0].Containers[0].Volumes = []target.Volume{{Path: "/data", Source: "/srv/data"}}
		}, settings{}, `"/data/x" is below "/data", which is a volume`, "/containers/main/files"},
		{"relative volume", func(d *target.Deployment) {
			d.Workloads[0].Containers[0].Volumes = []target.Volume{{Path: "/data", Source: "vol-1"}}
		}, settings{}, `"vol-1" is not an absolute path`, "/containers/main/volumes/0/source"},
		{"variable name", func(d *target.Deployment) {
			d.Workloads[0].Containers[0].Variables = []target.Variable{{Name: "A=B", Value: plain("x")}}
		}, settings{}, `variable name "A=B" is not valid`, "/containers/main/variables"},
		{"probe without port", func(d *target.Deployment) {
			d.Workloads[0].Ports = nil
			d.Workloads[0].Containers[0].Readiness.HTTPGet.Port = 0
		}, settings{}, "the probe names no port and the workload has no service port", "/containers/main/readinessProbe/httpGet/port"},
		{"probe with both", func(d *target.Deployment) {
			d.Workloads[0].Containers[0].Liveness = &target.Probe{}
		}, settings{}, "a probe needs exactly one of httpGet and exec", "/containers/main/livenessProbe"},
		{"bad workload name", func(d *target.Deployment) { d.Workloads[0].Name = "../x" },
			settings{}, `workload name "../x" is not a valid name`, ""},
		{"workdir missing", func(d *target.Deployment) {}, settings{workdir: "/no/such/dir/pave"},
			`workdir "/no/such/dir/pave" is not a directory`, "/workdir"},
		{"offset service port too high", func(d *target.Deployment) { d.Workloads[0].Containers[0].Readiness = nil },
			settings{portOffset: 60000}, `workload "api": port 8080 plus the process target's portOffset 60000 is 68080, above 65535`, "/service/ports/web/targetPort"},
		{"offset probe port too high", func(d *target.Deployment) {
			d.Workloads[0].Ports[0].TargetPort = 1000
			d.Workloads[0].Containers[0].Readiness.HTTPGet.Port = 30000
		}, settings{portOffset: 40000}, `port 30000 plus the process target's portOffset 40000 is 70000, above 65535`, "/containers/main/readinessProbe/httpGet/port"},
		{"own PORT of another workload", func(d *target.Deployment) {
			d.Workloads = append(d.Workloads, server("web", 8081, map[string]target.Value{"PORT": plain("8080")}))
		}, settings{}, `workload "web" container "main": PORT 8080 is also the port of workload "api"`, "/containers/main/variables/PORT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deployment(server("api", 8080, nil))
			tt.change(d)
			_, err := buildSpec(d, tt.cfg, testLayout(t), fakeEnviron)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant %q", err, tt.want)
			}
			es := errs.Errors(err)
			if es[0].Code != errs.Invalid || es[0].Path != tt.path {
				t.Errorf("code %s path %q, want invalid %q", es[0].Code, es[0].Path, tt.path)
			}
		})
	}
}

// TestBuildSpecPortOffset checks that the offset moves PORT, the ports
// checked and every httpGet probe port, but not a PORT set by the workload
// nor the deployment itself.
func TestBuildSpecPortOffset(t *testing.T) {
	api := server("api", 8080, nil)
	api.Containers[0].Readiness.HTTPGet.Port = 0 // defaults to PORT
	api.Containers[0].Liveness = &target.Probe{HTTPGet: &target.HTTPGet{Path: "/live", Port: 8090}}
	api.Ports = append(api.Ports, target.Port{Name: "admin", Port: 9000, Protocol: "UDP"})
	web := server("web", 8081, map[string]target.Value{"PORT": plain("7000")})
	web.Containers[0].Liveness = &target.Probe{Exec: &target.ExecProbe{Command: []string{"true"}}}
	d := deployment(api, web)
	spec, err := buildSpec(d, settings{portOffset: 1000}, testLayout(t), fakeEnviron)
	if err != nil {
		t.Fatal(err)
	}
	a, w := spec.Containers[0], spec.Containers[1]
	if a.env("PORT") != "10000" || a.Port != 10000 {
		t.Errorf("api PORT = %q, default probe port %d; want 10000 (admin, 9000/udp, comes first by name)", a.env("PORT"), a.Port)
	}
	if a.Readiness.HTTPGet.Port != 0 || a.Liveness.HTTPGet.Port != 9090 {
		t.Errorf("api probe ports = %d, %d; want 0 (the default, 10000) and 9090", a.Readiness.HTTPGet.Port, a.Liveness.HTTPGet.Port)
	}
	wantPorts := []listenPort{
		{Port: 10000, Protocol: "udp", Pointer: "/service/ports/admin/targetPort"},
		{Port: 9080, Protocol: "tcp", Pointer: "/service/ports/web/targetPort"},
	}
	if !slices.Equal(a.Ports, wantPorts) {
		t.Errorf("api ports = %+v\nwant %+v", a.Ports, wantPorts)
	}
	if w.env("PORT") != "7000" || w.Port != 9081 || w.Readiness.HTTPGet.Port != 9081 || w.Liveness.Exec == nil {
		t.Errorf("web PORT %q, default port %d, probe port %d", w.env("PORT"), w.Port, w.Readiness.HTTPGet.Port)
	}
	wantPorts = []listenPort{
		{Port: 9081, Protocol: "tcp", Pointer: "/service/ports/web/targetPort"},
		{Port: 7000, Protocol: "tcp", Pointer: "/containers/main/variables/PORT", Own: true},
	}
	if !slices.Equal(w.Ports, wantPorts) {
		t.Errorf("web ports = %+v\nwant %+v", w.Ports, wantPorts)
	}
	if p := d.Workloads[0].Containers[0].Liveness.HTTPGet.Port; p != 8090 {
		t.Errorf("the deployment's probe was changed to port %d", p)
	}

	// No offset: the ports as given.
	spec, err = buildSpec(deployment(server("api", 8080, nil)), settings{}, testLayout(t), fakeEnviron)
	if err != nil {
		t.Fatal(err)
	}
	if c := spec.Containers[0]; c.env("PORT") != "8080" || c.Readiness.HTTPGet.Port != 8080 || c.Ports[0].Port != 8080 {
		t.Errorf("without an offset: %+v", c)
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		mode   string
		secret bool
		want   uint32
		bad    bool
	}{
		{"", false, 0o644, false},
		{"", true, 0o600, false},
		{"0755", false, 0o755, false},
		{"640", false, 0o640, false},
		{"0644", true, 0o600, false},
		{"0400", true, 0o400, false},
		{"0999", false, 0, true},
		{"01777", false, 0, true},
		{"rw", false, 0, true},
	}
	for _, tt := range tests {
		got, err := parseMode(tt.mode, tt.secret)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("parseMode(%q, %v) = %o, %v", tt.mode, tt.secret, got, err)
		}
	}
}

func TestCleanRel(t *testing.T) {
	tests := map[string]string{
		"/etc/app/x.yaml":   "etc/app/x.yaml",
		"etc/../etc/x":      "etc/x",
		"/../../etc/passwd": "etc/passwd",
		`\windows\x`:        "windows/x",
		"/a//b/./c/":        "a/b/c",
		"/":                 "",
		"":                  "",
		"..":                "",
		"/a/\x00":           "",
	}
	for in, want := range tests {
		got, ok := cleanRel(in)
		if got != want || ok != (want != "") {
			t.Errorf("cleanRel(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// FuzzCleanRel checks that no path climbs out of the files directory.
func FuzzCleanRel(f *testing.F) {
	for _, s := range []string{"/etc/x", "../../x", "a/../../b", `..\..\x`, "/", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		rel, ok := cleanRel(p)
		if !ok {
			return
		}
		full := filepath.Join("/files", filepath.FromSlash(rel))
		if !strings.HasPrefix(full, "/files/") || strings.HasPrefix(rel, "/") {
			t.Fatalf("cleanRel(%q) = %q escapes: %s", p, rel, full)
		}
		for _, el := range strings.Split(rel, "/") {
			if el == ".." || el == "." || el == "" {
				t.Fatalf("cleanRel(%q) = %q has element %q", p, rel, el)
			}
		}
	})
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  target.Config
		want settings
		err  string
	}{
		{"defaults", nil, settings{readyTimeout: DefaultReadyTimeout, stopTimeout: DefaultStopTimeout, logMaxBytes: DefaultLogMaxBytes}, ""},
		{"all", target.Config{"workdir": "/srv", "readyTimeout": "90s", "stopTimeout": int64(3), "logMaxBytes": float64(1 << 20)},
			settings{workdir: "/srv", readyTimeout: 90e9, stopTimeout: 3e9, logMaxBytes: 1 << 20}, ""},
		{"unknown", target.Config{"wordkir": "/x"}, settings{}, "/wordkir: process target config: unknown key"},
		{"bad duration", target.Config{"readyTimeout": "soon"}, settings{}, `/readyTimeout: process target config: "soon" is not a duration`},
		{"negative", target.Config{"stopTimeout": "-1s"}, settings{}, "must be more than 0"},
		{"small log", target.Config{"logMaxBytes": 10}, settings{}, "/logMaxBytes: process target config: must be at least 4096"},
		{"workdir type", target.Config{"workdir": true}, settings{}, "/workdir: process target config: must be a string, not a boolean"},
		{"fraction", target.Config{"logMaxBytes": 5000.5}, settings{}, "must be an integer"},
		{"port offset", target.Config{"portOffset": int64(1000)},
			settings{readyTimeout: DefaultReadyTimeout, stopTimeout: DefaultStopTimeout, logMaxBytes: DefaultLogMaxBytes, portOffset: 1000}, ""},
		{"port offset zero", target.Config{"portOffset": 0},
			settings{readyTimeout: DefaultReadyTimeout, stopTimeout: DefaultStopTimeout, logMaxBytes: DefaultLogMaxBytes}, ""},
		{"port offset max from JSON", target.Config{"portOffset": float64(50000)},
			settings{readyTimeout: DefaultReadyTimeout, stopTimeout: DefaultStopTimeout, logMaxBytes: DefaultLogMaxBytes, portOffset: 50000}, ""},
		{"port offset negative", target.Config{"portOffset": -1}, settings{}, "/portOffset: process target config: -1 is out of range: it must be from 0 to 50000"},
		{"port offset too big", target.Config{"portOffset": int64(50001)}, settings{}, "/portOffset: process target config: 50001 is out of range"},
		{"port offset string", target.Config{"portOffset": "1000"}, settings{}, "/portOffset: process target config: must be an integer, not a string"},
		{"port offset boolean", target.Config{"portOffset": true}, settings{}, "/portOffset: process target config: must be an integer, not a boolean"},
		{"port offset fraction", target.Config{"portOffset": 10.5}, settings{}, "/portOffset: process target config: must be an integer, not a number"},
		{"port offset huge", target.Config{"portOffset": 1e300}, settings{}, "/portOffset: process target config: must be an integer"},
		{"port offset map", target.Config{"portOffset": map[string]any{}}, settings{}, "/portOffset: process target config: must be an integer, not a map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.cfg)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errs.Is(err, errs.Invalid) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseConfig = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestSocketPath(t *testing.T) {
	short, _ := newLayout("/s", "shop", "dev")
	if got := short.socketPath(); got != "/s/process/shop/dev/supervisor.sock" {
		t.Errorf("short socket path = %s", got)
	}
	long, _ := newLayout("/"+strings.Repeat("x", 120), "shop", "dev")
	got := long.socketPath()
	if len(got) > maxSocketPath || !strings.HasSuffix(got, ".sock") || got != long.socketPath() {
		t.Errorf("long socket path = %s", got)
	}
}
