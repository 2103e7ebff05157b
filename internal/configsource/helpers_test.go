package configsource_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pavedev/pave/internal/configsource"
	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers"
	"github.com/pavedev/pave/internal/service"
)

// platformYAML is a valid platform config whose one environment is named
// env, so that a test can tell configs apart.
func platformYAML(env string) string {
	return `apiVersion: pave.dev/v1
kind: EnvironmentType
metadata:
  name: development
---
apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: ` + env + `
spec:
  type: development
  target:
    kind: process
`
}

// badYAML fails to load at line 9: an unknown key.
const badYAML = `apiVersion: pave.dev/v1
kind: EnvironmentType
metadata:
  name: development
---
apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: broken
  colour: red
spec:
  type: development
  target:
    kind: process
`

const goodRego = `package pave.images

deny contains msg if {
	some w in input.plan.workloads
	some c in w.containers
	endswith(c.image, ":latest")
	msg := "pin images"
}
`

// badRego fails to compile at line 4.
const badRego = `package pave.images

deny contains msg if {
	msg := 
}
`

// load is the complete load of a platform config, with pave's drivers.
func load(t testing.TB) configsource.LoadFunc {
	t.Helper()
	d := driver.NewRegistry()
	drivers.Register(d)
	return (&service.Service{Drivers: d}).LoadConfig
}

// envOf returns the name of the one environment of cfg.
func envOf(t testing.TB, cfg *service.Config) string {
	t.Helper()
	envs := cfg.Platform.Environments()
	if len(envs) != 1 {
		t.Fatalf("config %s has %d environments", cfg.Revision, len(envs))
	}
	return envs[0].Name
}

func write(t testing.TB, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// logs collects JSON log lines.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logs) logger() *slog.Logger { return slog.New(slog.NewJSONHandler(l, nil)) }

// lines returns the log lines whose msg starts with prefix, decoded.
func (l *logs) lines(t testing.TB, prefix string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if msg, _ := m["msg"].(string); strings.HasPrefix(msg, prefix) {
			out = append(out, m)
		}
	}
	return out
}

func mustNil(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
