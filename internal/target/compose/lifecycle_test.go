//go:build unix

package compose

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/target"
)

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
