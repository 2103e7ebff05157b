//go:build unix

package compose

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/testenv"
)

// The tests in this file run the target against a real Docker engine:
// DOCKER_HOST, else the engine .ci/start-docker runs on
// $PAVE_TEST_CACHE/docker.sock, with Compose v2 (DOCKER_CONFIG, else the
// plugin .ci/deps builds into $PAVE_TEST_CACHE/docker-config). Images
// cannot be pulled here: every workload runs testdata/server, a static Go
// binary in a FROM scratch image that the deploys build (image "." with
// the builds config key).

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
	testenv.LoadCachedEnv()
	cache := testenv.CacheDir()
	if os.Getenv("DOCKER_HOST") == "" {
		if st, err := os.Stat(filepath.Join(cache, "docker.sock")); err == nil && st.Mode()&fs.ModeSocket != 0 {
			os.Setenv("DOCKER_HOST", "unix://"+filepath.Join(cache, "docker.sock"))
		}
	}
	if os.Getenv("DOCKER_CONFIG") == "" {
		if _, err := os.Stat(filepath.Join(cache, "docker-config", "cli-plugins", "docker-compose")); err == nil {
			os.Setenv("DOCKER_CONFIG", filepath.Join(cache, "docker-config"))
		}
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		return "no docker CLI in PATH: install Docker (Debian: docker.io), or run .ci/deps"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, docker, "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("no Docker engine answers at DOCKER_HOST=%q (%s): start one with .ci/start-docker",
			os.Getenv("DOCKER_HOST"), firstLine(string(out)))
	}
	if _, err := findCompose(ctx, environ(settings{})); err != nil {
		return err.Error() + " (.ci/deps builds the plugin into $PAVE_TEST_CACHE/docker-config; set DOCKER_CONFIG)"
	}
	dir, err := os.MkdirTemp("", "pave-compose-image-")
	if err != nil {
		return "temp dir: " + err.Error()
	}
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "server"), "./testdata/server")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		panic(fmt.Sprintf("build testdata/server: %v\n%s", err, out))
	}
	dockerfile := "FROM scratch\nCOPY server /server\nENTRYPOINT [\"/server\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		panic(err)
	}
	buildContext = dir
	return ""
}

// docker runs the docker CLI for a test's checks.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
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
	filter := "label=com.docker.compose.project=" + project
	if out := docker(t, "ps", "--all", "--quiet", "--filter", filter); out != "" {
		t.Errorf("containers left: %s", out)
	}
	if out := docker(t, "network", "ls", "--quiet", "--filter", filter); out != "" {
		t.Errorf("networks left: %s", out)
	}
	if out := docker(t, "volume", "ls", "--quiet", "--filter", filter); out != "" {
		t.Errorf("volumes left: %s", out)
	}
}
