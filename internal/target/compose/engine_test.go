//go:build unix

package compose

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

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
