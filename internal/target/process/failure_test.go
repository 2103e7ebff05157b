//go:build unix

package process

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

const token = "tok-very-secret-42"

// TestCrashLoopFailsWithRedactedLogs deploys a process that prints its
// secret and exits: the deploy fails with its last log lines, the secret
// redacted there, in the log file and in Logs.
func TestCrashLoopFailsWithRedactedLogs(t *testing.T) {
	tg, stateDir := newTarget(t)
	w := server("api", freePort(t), map[string]target.Value{"SECRET_TOKEN": secret(token), "PRINT_SECRET": plain("1")}, "-exit", "3")
	ev := newEvents()
	err := tg.Deploy(context.Background(), target.Config{"readyTimeout": "60s"}, deployment(w), ev.progress)
	if err == nil {
		t.Fatal("deploy of a crashing process succeeded")
	}
	msg := err.Error()
	for _, want := range []string{`workload "api" failed`, "exited with status 3", "fatal: exiting on purpose", "the token is " + Redacted, "token=" + Redacted} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, token) {
		t.Errorf("error shows the secret:\n%s", msg)
	}
	if errs.CodeOf(err) != errs.Transient {
		t.Errorf("code = %s", errs.CodeOf(err))
	}
	if !has(ev.all(), "api", "failed") {
		t.Errorf("no failed event")
	}
	data, _ := os.ReadFile(filepath.Join(stateDir, "process/shop/dev/api/main/logs/output.log"))
	if !strings.Contains(string(data), "the token is "+Redacted) || strings.Contains(string(data), token) {
		t.Errorf("log file is not redacted:\n%s", data)
	}
	if s := statusOf(t, tg, "shop", "dev")["api"]; s.State != "failed" || s.Restarts < 2 {
		t.Errorf("status = %+v", s)
	}
	if err := tg.Destroy(context.Background(), nil, "shop", "dev"); err != nil {
		t.Fatal(err)
	}
}

// TestReadyTimeout deploys a process whose readiness probe keeps failing.
func TestReadyTimeout(t *testing.T) {
	tg, _ := newTarget(t)
	w := server("api", freePort(t), map[string]target.Value{"UNHEALTHY": plain("1")})
	err := tg.Deploy(context.Background(), target.Config{"readyTimeout": "1500ms"}, deployment(w), nil)
	if err == nil {
		t.Fatal("deploy of a process never ready succeeded")
	}
	for _, want := range []string{`workload "api" is not ready after 1.5s`, "status 500", "listening on"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if s := statusOf(t, tg, "shop", "dev")["api"]; s.State != "starting" || s.Ready != 0 {
		t.Errorf("status = %+v", s)
	}
	tg.Destroy(context.Background(), nil, "shop", "dev")
}

// TestStopKillsGroupAfterGrace stops a process that ignores SIGTERM and
// has a child of its own: both are gone after the stop timeout.
func TestStopKillsGroupAfterGrace(t *testing.T) {
	tg, _ := newTarget(t)
	port := freePort(t)
	cfg := target.Config{"stopTimeout": 1}
	deploy(t, tg, cfg, deployment(server("api", port, nil, "-ignore-term")))
	pid := pidOf(t, port)
	body, _ := get(t, port, "/spawn")
	grandchild, _ := strconv.Atoi(body)
	start := time.Now()
	if err := tg.Destroy(context.Background(), cfg, "shop", "dev"); err != nil {
		t.Fatal(err)
	}
	t.Logf("destroy took %s", time.Since(start))
	if time.Since(start) < time.Second {
		t.Errorf("destroy did not wait for the grace period")
	}
	for _, p := range []int{pid, grandchild} {
		eventually(t, 5*time.Second, "pid "+strconv.Itoa(p)+" to exit", func() bool { return !processAlive(p) })
	}
}

// TestFilesAndWorkdir checks where files land, their modes, and the
// working directory.
func TestFilesAndWorkdir(t *testing.T) {
	tg, stateDir := newTarget(t)
	port := freePort(t)
	w := server("api", port, nil)
	w.Containers[0].Files = []target.File{
		{Path: "/etc/app/config.yaml", Content: []byte("a: 1\n"), Mode: "0640"},
		{Path: "/etc/app/token", Content: []byte(token), Secret: true},
		{Path: "/etc/app/loose", Content: []byte("x"), Mode: "0644", Secret: true},
	}
	volume := t.TempDir()
	os.WriteFile(filepath.Join(volume, "data.txt"), []byte("from the volume"), 0o644)
	w.Containers[0].Volumes = []target.Volume{{Path: "/var/data", Source: volume}}
	deploy(t, tg, nil, deployment(w))

	files := filepath.Join(stateDir, "process/shop/dev/api/main/files")
	if got, _ := get(t, port, "/env?name=PAVE_FILES_DIR"); got != files {
		t.Errorf("PAVE_FILES_DIR = %q, want %q", got, files)
	}
	if got, _ := get(t, port, "/file?path=etc/app/config.yaml"); got != "a: 1\n" {
		t.Errorf("config.yaml = %q", got)
	}
	if got, _ := get(t, port, "/file?path=var/data/data.txt"); got != "from the volume" {
		t.Errorf("volume file = %q", got)
	}
	for rel, want := range map[string]os.FileMode{"etc/app/config.yaml": 0o640, "etc/app/token": 0o600, "etc/app/loose": 0o600} {
		st, err := os.Stat(filepath.Join(files, rel))
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v (%v)", rel, st.Mode().Perm(), want, err)
		}
	}
	if got, _ := get(t, port, "/cwd"); got != filepath.Join(stateDir, "process/shop/dev/api/main") {
		t.Errorf("default working directory = %q", got)
	}

	work := t.TempDir()
	deploy(t, tg, target.Config{"workdir": work}, deployment(w))
	if got, _ := get(t, port, "/cwd"); got != work {
		t.Errorf("working directory = %q, want %q", got, work)
	}
	tg.Destroy(context.Background(), nil, "shop", "dev")
}

// TestDeployNothing deploys an app with no workloads: nothing starts.
func TestDeployNothing(t *testing.T) {
	tg, stateDir := newTarget(t)
	if err := tg.Deploy(context.Background(), nil, deployment(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "process")); !os.IsNotExist(err) {
		t.Errorf("an empty deployment created state: %v", err)
	}
}

// TestLogsTail reads the last lines of a workload's log.
func TestLogsTail(t *testing.T) {
	tg, _ := newTarget(t)
	port := freePort(t)
	deploy(t, tg, nil, deployment(server("api", port, nil)))
	get(t, port, "/log?n=50&text=hello")
	var lines []string
	eventually(t, 5*time.Second, "the log lines", func() bool {
		var err error
		lines, err = tg.Logs(context.Background(), nil, "shop", "dev", "api", 3)
		return err == nil && len(lines) == 3 && strings.HasSuffix(lines[2], "main out line 49 hello")
	})
	if !strings.HasSuffix(lines[0], "main out line 47 hello") {
		t.Errorf("tail = %q", lines)
	}
	if _, err := tg.Logs(context.Background(), nil, "shop", "dev", "nope", 3); !errs.Is(err, errs.NotFound) {
		t.Errorf("logs of an unknown workload: %v", err)
	}
	tg.Destroy(context.Background(), nil, "shop", "dev")
}
