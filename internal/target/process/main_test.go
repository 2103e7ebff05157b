//go:build unix

package process

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/target"
)

// binDir holds the test programs, built once: testserver (found in PATH by
// the deployments) and supervisor (a stand-in for `pave __supervise`).
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pave-process-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	for _, prog := range []string{"testserver", "supervisor"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, prog), "./testdata/"+prog)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n", prog, err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	os.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// newTarget returns an in-process target over a fresh state directory,
// closed (its processes stopped) when the test ends.
func newTarget(t *testing.T) (*Target, string) {
	t.Helper()
	dir := t.TempDir()
	tg := New(Options{StateDir: dir, InProcess: true})
	t.Cleanup(func() { tg.Close() })
	return tg, dir
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// server is a workload running testserver on port, ready when /healthz is.
func server(name string, port int, vars map[string]target.Value, args ...string) target.Workload {
	c := target.Container{
		Name: "main", Image: "example.com/" + name + ":1", Command: []string{"testserver"}, Args: args,
		Readiness: &target.Probe{HTTPGet: &target.HTTPGet{Path: "/healthz", Port: port}},
	}
	for k, v := range vars {
		c.Variables = append(c.Variables, target.Variable{Name: k, Value: v})
	}
	return target.Workload{
		Name:       name,
		Containers: []target.Container{c},
		Ports:      []target.Port{{Name: "web", Port: 80, TargetPort: port, Protocol: "TCP"}},
	}
}

func plain(s string) target.Value  { return target.Value{Text: s} }
func secret(s string) target.Value { return target.Value{Text: s, Secret: true} }

func deployment(ws ...target.Workload) *target.Deployment {
	return &target.Deployment{App: "shop", Env: "dev", EnvType: "development", Workloads: ws}
}

// events records progress events.
type events struct {
	ch chan target.Event
}

func newEvents() *events { return &events{ch: make(chan target.Event, 1000)} }

func (e *events) progress(ev target.Event) { e.ch <- ev }

func (e *events) all() []target.Event {
	var out []target.Event
	for {
		select {
		case ev := <-e.ch:
			out = append(out, ev)
		default:
			return out
		}
	}
}

func has(evs []target.Event, workload, phase string) bool {
	for _, ev := range evs {
		if ev.Workload == workload && ev.Phase == phase {
			return true
		}
	}
	return false
}

func deploy(t *testing.T, tg *Target, cfg target.Config, d *target.Deployment) []target.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ev := newEvents()
	if err := tg.Deploy(ctx, cfg, d, ev.progress); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	return ev.all()
}

// get returns the body and status of GET http://127.0.0.1:port/path.
func get(t *testing.T, port int, path string) (string, int) {
	t.Helper()
	resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + path)
	if err != nil {
		t.Fatalf("GET %s on port %d: %v", path, port, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode
}

func pidOf(t *testing.T, port int) int {
	t.Helper()
	body, _ := get(t, port, "/pid")
	pid, err := strconv.Atoi(body)
	if err != nil {
		t.Fatalf("pid %q: %v", body, err)
	}
	return pid
}

// eventually polls cond until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func statusOf(t *testing.T, tg *Target, app, env string) map[string]target.WorkloadStatus {
	t.Helper()
	sts, err := tg.Status(context.Background(), nil, app, env)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	out := map[string]target.WorkloadStatus{}
	for _, s := range sts {
		out[s.Workload] = s
	}
	return out
}

func logsOf(t *testing.T, tg *Target, workload string) string {
	t.Helper()
	lines, err := tg.Logs(context.Background(), nil, "shop", "dev", workload, 0)
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	return strings.Join(lines, "\n")
}
