package compose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

func TestParseConfig(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cfg  target.Config
		want settings
		// errs are substrings of the error, and its JSON pointer.
		err, path string
	}{
		{name: "empty", cfg: nil, want: settings{readyTimeout: DefaultReadyTimeout}},
		{
			name: "everything",
			cfg: target.Config{
				"projectDir": "deploy/compose", "dockerHost": "unix:///tmp/docker.sock",
				"builds":       map[string]any{"api.main": "./src/api", "worker": "/abs/worker"},
				"hostIP":       "0.0.0.0",
				"readyTimeout": "90s",
			},
			want: settings{
				projectDir: filepath.Join(wd, "deploy/compose"), dockerHost: "unix:///tmp/docker.sock",
				builds:       map[string]string{"api.main": filepath.Join(wd, "src/api"), "worker": "/abs/worker"},
				hostIP:       "0.0.0.0",
				readyTimeout: 90 * time.Second,
			},
		},
		{name: "seconds as a number", cfg: target.Config{"readyTimeout": int64(5)}, want: settings{readyTimeout: 5 * time.Second}},
		{name: "seconds as a float", cfg: target.Config{"readyTimeout": float64(5)}, want: settings{readyTimeout: 5 * time.Second}},
		{name: "unknown key", cfg: target.Config{"kubeconfig": "x"}, err: "unknown key; known keys are projectDir, dockerHost, builds, hostIP, readyTimeout", path: "/kubeconfig"},
		{name: "project dir not a string", cfg: target.Config{"projectDir": int64(3)}, err: "must be a string, not a number", path: "/projectDir"},
		{name: "project dir empty", cfg: target.Config{"projectDir": ""}, err: "must be a directory path", path: "/projectDir"},
		{name: "docker host two lines", cfg: target.Config{"dockerHost": "a\nb"}, err: "must be one line", path: "/dockerHost"},
		{name: "builds not a map", cfg: target.Config{"builds": []any{"x"}}, err: "must be a map of container to build directory, not a list", path: "/builds"},
		{name: "builds value not a string", cfg: target.Config{"builds": map[string]any{"main": true}}, err: `"main" must be a directory path, not a boolean`, path: "/builds"},
		{name: "builds bad key", cfg: target.Config{"builds": map[string]any{"a.b.c": "."}}, err: `key "a.b.c" must be`, path: "/builds"},
		{name: "builds empty dir", cfg: target.Config{"builds": map[string]any{"main": ""}}, err: `"main": must be a directory path`, path: "/builds"},
		{name: "host IP", cfg: target.Config{"hostIP": "localhost"}, err: `"localhost" is not an IP address`, path: "/hostIP"},
		{name: "timeout garbage", cfg: target.Config{"readyTimeout": "soon"}, err: `"soon" is not a duration`, path: "/readyTimeout"},
		{name: "timeout too short", cfg: target.Config{"readyTimeout": "500ms"}, err: "at least 1s", path: "/readyTimeout"},
		{name: "timeout negative", cfg: target.Config{"readyTimeout": int64(-1)}, err: "at least 1s", path: "/readyTimeout"},
		{name: "timeout too long", cfg: target.Config{"readyTimeout": "25h"}, err: "at most 24h", path: "/readyTimeout"},
		{name: "timeout fraction", cfg: target.Config{"readyTimeout": 1.5}, err: "whole number of seconds", path: "/readyTimeout"},
		{name: "timeout bool", cfg: target.Config{"readyTimeout": true}, err: "not a boolean", path: "/readyTimeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseConfig(c.cfg)
			if c.err != "" {
				if err == nil {
					t.Fatalf("no error, want %q", c.err)
				}
				if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %q (%s), want invalid containing %q", err, errs.CodeOf(err), c.err)
				}
				if es := errs.Errors(err); len(es) != 1 || es[0].Path != c.path {
					t.Fatalf("error paths %+v, want %q", es, c.path)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.projectDir != c.want.projectDir || got.dockerHost != c.want.dockerHost || got.hostIP != c.want.hostIP ||
				got.readyTimeout != c.want.readyTimeout || len(got.builds) != len(c.want.builds) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
			for k, v := range c.want.builds {
				if got.builds[k] != v {
					t.Errorf("builds[%q] = %q, want %q", k, got.builds[k], v)
				}
			}
		})
	}
}

func TestParseConfigReportsEveryBadKey(t *testing.T) {
	_, err := parseConfig(target.Config{"zzz": 1, "hostIP": "x", "readyTimeout": "0s"})
	es := errs.Errors(err)
	var paths []string
	for _, e := range es {
		paths = append(paths, e.Path)
	}
	if strings.Join(paths, " ") != "/hostIP /readyTimeout /zzz" {
		t.Fatalf("paths %q, want every bad key in order", paths)
	}
}

func TestProjectDir(t *testing.T) {
	state := t.TempDir()
	tg := New(Options{StateDir: state})
	p, err := tg.project(settings{}, "shop", "Dev.1")
	if err != nil {
		t.Fatal(err)
	}
	if p.dir != filepath.Join(state, "compose", "shop", "Dev.1") || p.name != "shop-dev-1" || !p.defaultDir {
		t.Fatalf("project %+v", p)
	}
	p, err = tg.project(settings{projectDir: "/srv/x"}, "shop", "dev")
	if err != nil || p.dir != "/srv/x" || p.defaultDir {
		t.Fatalf("project %+v, %v", p, err)
	}
	for _, bad := range [][2]string{{"", "dev"}, {"shop", ".."}, {"a/b", "dev"}, {"shop", ".hidden"}, {"---", "___"}} {
		if _, err := tg.project(settings{}, bad[0], bad[1]); !errs.Is(err, errs.Invalid) {
			t.Errorf("project(%q, %q): %v, want invalid", bad[0], bad[1], err)
		}
	}
	if _, err := New(Options{}).project(settings{}, "shop", "dev"); !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "no state directory") {
		t.Errorf("no state dir: %v", err)
	}
}

func TestDescribe(t *testing.T) {
	info := New(Options{}).Describe()
	if info.Name != Name || info.Description == "" || len(info.Config) != 5 {
		t.Fatalf("%+v", info)
	}
	for _, in := range info.Config {
		if in.Name == "" || in.Type == "" || in.Description == "" || in.Required {
			t.Errorf("input %+v", in)
		}
	}
}
