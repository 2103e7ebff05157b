//go:build unix

package compose

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/testenv/dockertest"
)

// The tests in this file run the target against a real Docker engine with
// Compose v2 (see dockertest). Images cannot be pulled here: every
// workload runs testdata/server, a static Go binary in a FROM scratch image
// that the deploys build (image "." with the builds config key).

var (
	dockerOnce   sync.Once
	dockerSkip   string
	buildContext string
)

// requireDocker skips t unless a Docker engine answers and Compose v2 is
// installed, and returns the build context of the test server's image.
func requireDocker(t *testing.T) string {
	t.Helper()
	dockerOnce.Do(func() { dockerSkip = setUpDocker() })
	if dockerSkip != "" {
		t.Skip(dockerSkip)
	}
	return buildContext
}

func setUpDocker() string {
	if why := dockertest.Engine(); why != "" {
		return why
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := findCompose(ctx, environ(settings{})); err != nil {
		return err.Error() + " (.ci/deps builds the plugin into $PAVE_TEST_CACHE/docker-config; set DOCKER_CONFIG)"
	}
	dir, err := os.MkdirTemp("", "pave-compose-image-")
	if err != nil {
		return "temp dir: " + err.Error()
	}
	if buildContext, err = dockertest.ScratchContext(dir, "testdata/server", "/server"); err != nil {
		panic(err)
	}
	return ""
}

// docker runs the docker CLI for a test's checks.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	return dockertest.Docker(t, args...)
}

// testApp is a fresh app name, so that runs never meet.
func testApp(t *testing.T) string {
	b := make([]byte, 4)
	rand.Read(b)
	return "pt" + hex.EncodeToString(b)
}

// newDockerTarget returns a target over a fresh state directory, the
// config that builds the test server, and removes everything of app at
// the end (containers, networks, volumes, built images).
func newDockerTarget(t *testing.T, app string, extra target.Config) (*Target, target.Config) {
	t.Helper()
	ctxDir := requireDocker(t)
	tg := New(Options{StateDir: t.TempDir()})
	cfg := target.Config{"builds": map[string]any{"main": ctxDir, "side": ctxDir}, "readyTimeout": "90s"}
	for k, v := range extra {
		cfg[k] = v
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := tg.Destroy(ctx, cfg, app, "dev"); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		if ids := docker(t, "image", "ls", "--quiet", "--filter", "reference="+app+"-dev-*"); ids != "" {
			exec.Command("docker", append([]string{"image", "rm", "--force"}, strings.Fields(ids)...)...).Run()
		}
	})
	return tg, cfg
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

// server is a container running the test server on port (in the
// container), ready when its /healthz answers.
func server(name string, port int, vars ...target.Variable) target.Container {
	if port != 8080 {
		vars = append(vars, target.Variable{Name: "PORT", Value: target.Value{Text: fmt.Sprint(port)}})
	}
	return target.Container{
		Name: name, Image: ".", Variables: vars,
		Readiness: &target.Probe{Exec: &target.ExecProbe{Command: []string{"/server", "check", fmt.Sprintf("http://127.0.0.1:%d/healthz", port)}}},
	}
}

func plain(name, value string) target.Variable {
	return target.Variable{Name: name, Value: target.Value{Text: value}}
}

func secret(name, value string) target.Variable {
	return target.Variable{Name: name, Value: target.Value{Text: value, Secret: true}}
}

// events records progress events.
type events struct {
	mu  sync.Mutex
	all []target.Event
}

func (e *events) add(ev target.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) has(workload, phase string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.all {
		if ev.Workload == workload && ev.Phase == phase {
			return true
		}
	}
	return false
}

func (e *events) String() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var b strings.Builder
	for _, ev := range e.all {
		fmt.Fprintf(&b, "%s %s %s\n", ev.Workload, ev.Phase, ev.Message)
	}
	return b.String()
}

func httpGet(t *testing.T, port int, path string) string {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", path, resp.Status, b)
	}
	return string(b)
}

// containerIDs maps the services of project to their container IDs.
func containerIDs(t *testing.T, project string) map[string]string {
	t.Helper()
	out := docker(t, "ps", "--all", "--filter", "label=com.docker.compose.project="+project,
		"--format", `{{.Label "com.docker.compose.service"}} {{.ID}}`)
	ids := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if svc, id, ok := strings.Cut(line, " "); ok {
			ids[svc] = id
		}
	}
	return ids
}

func deploy(t *testing.T, tg *Target, cfg target.Config, d *target.Deployment) *events {
	t.Helper()
	ev := &events{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := tg.Deploy(ctx, cfg, d, ev.add); err != nil {
		t.Fatalf("deploy: %v\nevents:\n%s", err, ev)
	}
	return ev
}

func status(t *testing.T, tg *Target, cfg target.Config, app string) map[string]target.WorkloadStatus {
	t.Helper()
	sts, err := tg.Status(context.Background(), cfg, app, "dev")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]target.WorkloadStatus{}
	for _, s := range sts {
		m[s.Workload] = s
	}
	return m
}

// checkNothingLeft checks that the project has no container, network or
// volume left.
func checkNothingLeft(t *testing.T, project string) {
	t.Helper()
	dockertest.AssertNothingLabelled(t, "com.docker.compose.project="+project)
}
