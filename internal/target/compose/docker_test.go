//go:build unix

package compose

import (
	"bytes"
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

	"github.com/pavedev/pave/internal/errs"
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

// Secret values of the lifecycle test.
const (
	dockerSecret     = "tok-9f8e7d6c5b4a"
	dockerSecretFile = "secret file line 7a6b5c4d3e2f\n"
)

// TestLifecycle drives the whole path on a real engine: deploy (healthy,
// HTTP answers on the published port), a changed variable and a changed
// file (recreated, new value; the untouched workload is not), a removed
// workload (its containers and files removed), secrets (in the container,
// nowhere on disk but the 0600 files under secrets/, masked in logs,
// events and errors), status, logs and destroy (nothing left).
func TestLifecycle(t *testing.T) {
	app := testApp(t)
	tg, cfg := newDockerTarget(t, app, nil)
	project := app + "-dev"
	port := freePort(t)
	mk := func(greeting, config string, withWorker bool) *target.Deployment {
		web := server("main", 8080, plain("GREETING", greeting), secret("TOKEN", dockerSecret), plain("LOG_VAR", "TOKEN"))
		web.Files = []target.File{
			{Path: "/etc/web/config.txt", Content: []byte(config)},
			{Path: "/etc/web/key.txt", Content: []byte(dockerSecretFile), Secret: true},
		}
		d := &target.Deployment{App: app, Env: "dev", Workloads: []target.Workload{{
			Name: "web", Containers: []target.Container{web},
			Ports: []target.Port{{Name: "http", Port: port, TargetPort: 8080, Protocol: "TCP"}},
		}}}
		if withWorker {
			d.Workloads = append(d.Workloads, target.Workload{Name: "worker", Containers: []target.Container{
				server("main", 8080, plain("ROLE", "worker")),
				server("side", 8081, plain("ROLE", "side")),
			}})
		}
		return d
	}

	// Deploy.
	ev := deploy(t, tg, cfg, mk("hello", "config v1", true))
	for _, w := range []string{"web", "worker"} {
		if !ev.has(w, "applying") || !ev.has(w, "ready") {
			t.Errorf("no applying and ready events for %s:\n%s", w, ev)
		}
	}
	if strings.Contains(ev.String(), dockerSecret) {
		t.Errorf("events hold the secret:\n%s", ev)
	}
	if got := httpGet(t, port, "/env/GREETING"); got != "hello" {
		t.Errorf("GREETING = %q", got)
	}
	if got := httpGet(t, port, "/env/TOKEN"); got != dockerSecret {
		t.Errorf("the secret variable is not in the container: %q", got)
	}
	if got := httpGet(t, port, "/file?path=/etc/web/key.txt"); got != dockerSecretFile {
		t.Errorf("secret file = %q", got)
	}
	if got := httpGet(t, port, "/file?path=/etc/web/config.txt"); got != "config v1" {
		t.Errorf("config file = %q", got)
	}
	if h := docker(t, "inspect", "--format", "{{.State.Health.Status}} {{.HostConfig.RestartPolicy.Name}}", project+"-web-1"); h != "healthy unless-stopped" {
		t.Errorf("web container: %q", h)
	}
	if got := docker(t, "port", project+"-web-1", "8080/tcp"); got != fmt.Sprintf("127.0.0.1:%d", port) {
		t.Errorf("web is published at %q, want 127.0.0.1:%d only", got, port)
	}
	sts := status(t, tg, cfg, app)
	if s := sts["web"]; s.State != "running" || s.Ready != 1 || s.Desired != 1 {
		t.Errorf("web status %+v", s)
	}
	if s := sts["worker"]; s.State != "running" || s.Ready != 2 || s.Desired != 2 {
		t.Errorf("worker status %+v", s)
	}
	dir := filepath.Join(tg.opts.StateDir, "compose", app, "dev")
	checkSecretsOnDisk(t, dir)

	// Logs: the server printed the secret at start; Logs masks it.
	lines, err := tg.Logs(context.Background(), cfg, app, "dev", "web", 10)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(lines, "\n")
	if strings.Contains(joined, dockerSecret) || !strings.Contains(joined, " main starting with TOKEN=***") || !strings.Contains(joined, " main listening on :8080") {
		t.Errorf("web logs:\n%s", joined)
	}
	if lines, err := tg.Logs(context.Background(), cfg, app, "dev", "worker", 1); err != nil || len(lines) != 1 {
		t.Errorf("worker logs, tail 1: %q, %v", lines, err)
	}
	if _, err := tg.Logs(context.Background(), cfg, app, "dev", "nobody", 10); err == nil || !strings.Contains(err.Error(), `workload "nobody" is not deployed`) {
		t.Errorf("logs of an unknown workload: %v", err)
	}

	// The same deployment again changes nothing.
	before := containerIDs(t, project)
	deploy(t, tg, cfg, mk("hello", "config v1", true))
	if after := containerIDs(t, project); !sameIDs(before, after) {
		t.Errorf("an unchanged redeploy recreated containers: %v -> %v", before, after)
	}

	// A changed variable recreates web only.
	deploy(t, tg, cfg, mk("bonjour", "config v1", true))
	after := containerIDs(t, project)
	if after["web"] == before["web"] || after["worker-main"] != before["worker-main"] || after["worker-side"] != before["worker-side"] {
		t.Errorf("changing web's variable: containers %v -> %v", before, after)
	}
	if got := httpGet(t, port, "/env/GREETING"); got != "bonjour" {
		t.Errorf("GREETING = %q after redeploy", got)
	}

	// A changed file recreates web too: Compose itself would not notice.
	before = after
	deploy(t, tg, cfg, mk("bonjour", "config v2", true))
	if after := containerIDs(t, project); after["web"] == before["web"] {
		t.Errorf("changing web's file did not recreate it")
	}
	if got := httpGet(t, port, "/file?path=/etc/web/config.txt"); got != "config v2" {
		t.Errorf("config file = %q after redeploy", got)
	}

	// Removing a workload removes its containers and files.
	ev = deploy(t, tg, cfg, mk("bonjour", "config v2", false))
	if !ev.has("worker", "pruned") {
		t.Errorf("no pruned event for worker:\n%s", ev)
	}
	ids := containerIDs(t, project)
	if _, ok := ids["worker-main"]; ok || len(ids) != 1 {
		t.Errorf("containers after removing worker: %v", ids)
	}
	if _, ok := status(t, tg, cfg, app)["worker"]; ok {
		t.Errorf("status still reports worker")
	}

	// Destroy leaves nothing.
	ctx := context.Background()
	if err := tg.Destroy(ctx, cfg, app, "dev"); err != nil {
		t.Fatal(err)
	}
	checkNothingLeft(t, project)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("project directory is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(tg.opts.StateDir, "compose")); !os.IsNotExist(err) {
		t.Errorf("empty state directories are left: %v", err)
	}
	if sts, err := tg.Status(ctx, cfg, app, "dev"); err != nil || len(sts) != 0 {
		t.Errorf("status after destroy: %v, %v", sts, err)
	}
	if err := tg.Destroy(ctx, cfg, app, "dev"); err != nil {
		t.Errorf("destroying nothing: %v", err)
	}
}

func sameIDs(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// checkSecretsOnDisk checks that the secret values are in no file of the
// project directory but the 0600 files under secrets/.
func checkSecretsOnDisk(t *testing.T, dir string) {
	t.Helper()
	found := 0
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.Contains(b, []byte(dockerSecret)) && !bytes.Contains(b, []byte("7a6b5c4d3e2f")) {
			return nil
		}
		found++
		rel, _ := filepath.Rel(dir, p)
		st, _ := os.Stat(p)
		if !strings.HasPrefix(filepath.ToSlash(rel), "secrets/") || st.Mode().Perm() != 0o600 {
			t.Errorf("%s (mode %04o) holds a secret value", rel, st.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found != 2 {
		t.Errorf("secret values are in %d files, want the env file and the secret file", found)
	}
	y, err := os.ReadFile(filepath.Join(dir, composeFile))
	if err != nil || !bytes.Contains(y, []byte("env_file")) {
		t.Errorf("compose.yaml: %v\n%s", err, y)
	}
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

// TestFailedDeploy checks that a workload that never gets healthy fails
// the deploy within readyTimeout, with the containers' state and the end
// of their logs in the error, secrets masked.
func TestFailedDeploy(t *testing.T) {
	app := testApp(t)
	tg, cfg := newDockerTarget(t, app, target.Config{"readyTimeout": "8s"})
	web := server("main", 8080, plain("UNHEALTHY", "1"), secret("TOKEN", dockerSecret), plain("LOG_VAR", "TOKEN"))
	d := &target.Deployment{App: app, Env: "dev", Workloads: []target.Workload{{Name: "web", Containers: []target.Container{web}}}}
	ev := &events{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	err := tg.Deploy(ctx, cfg, d, ev.add)
	if err == nil {
		t.Fatalf("deploy of an unhealthy workload succeeded:\n%s", ev)
	}
	msg := err.Error()
	t.Logf("the error:\n%s\nevents:\n%s", msg, ev)
	for _, want := range []string{"deployment of " + app + "/dev failed", "containers:", "web: Up", `last 2 log lines of service "web"`, "starting with TOKEN=***"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, dockerSecret) || strings.Contains(ev.String(), dockerSecret) {
		t.Errorf("the secret leaks:\n%s\n%s", msg, ev)
	}
	if !ev.has("web", "failed") {
		t.Errorf("no failed event:\n%s", ev)
	}
	if s := status(t, tg, cfg, app)["web"]; s.State != "failed" && s.State != "starting" || s.Ready != 0 {
		t.Errorf("status %+v", s)
	}
}

// TestVolumesAndEmptyDeployment checks that a deployment with no
// workloads removes the containers and keeps the volumes, and that
// destroy removes the volume Compose created but not one made by someone
// else. It also uses the projectDir and dockerHost config keys.
func TestVolumesAndEmptyDeployment(t *testing.T) {
	app := testApp(t)
	projectDir := filepath.Join(t.TempDir(), "deploy")
	tg, cfg := newDockerTarget(t, app, target.Config{"projectDir": projectDir, "dockerHost": os.Getenv("DOCKER_HOST")})
	project := app + "-dev"
	own, foreign := project+"-data", app+"-foreign"
	docker(t, "volume", "create", foreign)
	t.Cleanup(func() { exec.Command("docker", "volume", "rm", "--force", own, foreign).Run() })
	web := server("main", 8080)
	web.Volumes = []target.Volume{{Path: "/data", Source: own}, {Path: "/shared", Source: foreign, ReadOnly: true}}
	d := &target.Deployment{App: app, Env: "dev", Workloads: []target.Workload{{Name: "web", Containers: []target.Container{web}}}}
	deploy(t, tg, cfg, d)
	if _, err := os.Stat(filepath.Join(projectDir, composeFile)); err != nil {
		t.Fatalf("compose.yaml is not in the configured project dir: %v", err)
	}
	if got := docker(t, "volume", "ls", "--quiet", "--filter", "name=^"+app); strings.Count(got, "\n") != 1 {
		t.Errorf("volumes: %q", got)
	}

	ev := deploy(t, tg, cfg, &target.Deployment{App: app, Env: "dev"})
	if !ev.has("web", "pruned") {
		t.Errorf("no pruned event:\n%s", ev)
	}
	if ids := containerIDs(t, project); len(ids) != 0 {
		t.Errorf("containers left by an empty deployment: %v", ids)
	}
	if got := docker(t, "volume", "inspect", "--format", "{{.Name}}", own, foreign); got != own+"\n"+foreign {
		t.Errorf("volumes after an empty deployment: %q", got)
	}
	if sts := status(t, tg, cfg, app); len(sts) != 0 {
		t.Errorf("status after an empty deployment: %v", sts)
	}

	deploy(t, tg, cfg, d)
	if err := tg.Destroy(context.Background(), cfg, app, "dev"); err != nil {
		t.Fatal(err)
	}
	checkNothingLeft(t, project)
	if out, err := exec.Command("docker", "volume", "inspect", own).CombinedOutput(); err == nil {
		t.Errorf("destroy kept the volume Compose created: %s", out)
	}
	docker(t, "volume", "inspect", foreign)
	if _, err := os.Stat(projectDir); !os.IsNotExist(err) {
		t.Errorf("project dir left: %v", err)
	}
}

// TestNoEngine checks what a deploy, status and destroy say when the
// configured engine does not answer, and that a deploy then writes nothing.
func TestNoEngine(t *testing.T) {
	requireDocker(t)
	state := t.TempDir()
	tg := New(Options{StateDir: state})
	cfg := target.Config{"dockerHost": "unix://" + filepath.Join(state, "nothing.sock")}
	d := &target.Deployment{App: "shop", Env: "dev", Workloads: []target.Workload{{Name: "web", Containers: []target.Container{{Name: "main", Image: "example.com/web:1"}}}}}
	err := tg.Deploy(context.Background(), cfg, d, nil)
	if !errs.Is(err, errs.Transient) || !strings.Contains(err.Error(), `list the containers of project "shop-dev"`) || !strings.Contains(err.Error(), "nothing.sock") {
		t.Errorf("deploy: %v", err)
	}
	if _, err := os.Stat(filepath.Join(state, "compose")); !os.IsNotExist(err) {
		t.Errorf("a deploy that could not reach the engine wrote the project: %v", err)
	}
	if _, err := tg.Status(context.Background(), cfg, "shop", "dev"); !errs.Is(err, errs.Transient) {
		t.Errorf("status: %v", err)
	}
	if err := tg.Destroy(context.Background(), cfg, "shop", "dev"); !errs.Is(err, errs.Transient) {
		t.Errorf("destroy: %v", err)
	}
}
