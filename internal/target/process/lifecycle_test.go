//go:build unix

package process

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/target"
)

// TestLifecycle deploys two real processes, redeploys with a changed
// variable, crashes one, prunes the other and destroys everything,
// checking the processes themselves at every step.
func TestLifecycle(t *testing.T) {
	t.Setenv("PAVE_TEST_LEAK", "pave-only")
	tg, stateDir := newTarget(t)
	apiPort, workerPort := freePort(t), freePort(t)
	api := func(greeting string) target.Workload {
		return server("api", apiPort, map[string]target.Value{"GREETING": plain(greeting), "SECRET_TOKEN": secret("tok-123456")})
	}
	worker := server("worker", workerPort, nil)
	worker.Containers[0].Readiness = &target.Probe{Exec: &target.ExecProbe{Command: []string{"testserver", "-exit", "0"}}}

	evs := deploy(t, tg, nil, deployment(api("hello"), worker))
	for _, w := range []string{"api", "worker"} {
		if !has(evs, w, "applying") || !has(evs, w, "ready") {
			t.Errorf("events of %s lack applying or ready: %+v", w, evs)
		}
	}
	if body, _ := get(t, apiPort, "/env?name=GREETING"); body != "hello" {
		t.Errorf("GREETING = %q", body)
	}
	if body, _ := get(t, apiPort, "/env?name=PORT"); body != strconv.Itoa(apiPort) {
		t.Errorf("PORT = %q, want %d", body, apiPort)
	}
	if _, code := get(t, apiPort, "/env?name=PAVE_TEST_LEAK"); code != 404 {
		t.Errorf("pave's environment leaked into the process")
	}
	environ, _ := get(t, apiPort, "/environ")
	var names []string
	for _, kv := range strings.Split(strings.TrimSpace(environ), "\n") {
		names = append(names, strings.SplitN(kv, "=", 2)[0])
	}
	if got, want := strings.Join(names, ","), "GREETING,HOME,PATH,PAVE_FILES_DIR,PORT,SECRET_TOKEN"; got != want && got != strings.Replace(want, "HOME,", "", 1) {
		t.Errorf("environment names = %s, want %s", got, want)
	}
	st := statusOf(t, tg, "shop", "dev")
	for _, w := range []string{"api", "worker"} {
		if s := st[w]; s.State != "running" || s.Ready != 1 || s.Desired != 1 {
			t.Errorf("status of %s = %+v", w, s)
		}
	}
	api1, worker1 := pidOf(t, apiPort), pidOf(t, workerPort)

	// A changed variable restarts the api only.
	evs = deploy(t, tg, nil, deployment(api("bonjour"), worker))
	if body, _ := get(t, apiPort, "/env?name=GREETING"); body != "bonjour" {
		t.Errorf("after redeploy GREETING = %q", body)
	}
	api2 := pidOf(t, apiPort)
	if api2 == api1 || processAlive(api1) {
		t.Errorf("api was not restarted: pid %d then %d", api1, api2)
	}
	if w := pidOf(t, workerPort); w != worker1 {
		t.Errorf("unchanged worker was restarted: pid %d then %d", worker1, w)
	}
	if !hasMessage(evs, "api", "main restarted") || !hasMessage(evs, "worker", "main kept") {
		t.Errorf("events do not say what changed: %+v", evs)
	}

	// A crash is restarted.
	syscall.Kill(api2, syscall.SIGKILL)
	eventually(t, 15*time.Second, "the api to be restarted after kill -9", func() bool {
		s := statusOf(t, tg, "shop", "dev")["api"]
		return s.State == "running" && s.Restarts == 1
	})
	if api3 := pidOf(t, apiPort); api3 == api2 {
		t.Errorf("api pid unchanged after crash")
	}
	if logs := logsOf(t, tg, "api"); !strings.Contains(logs, "killed by signal killed; restarting in 1s") {
		t.Errorf("logs do not tell the crash:\n%s", logs)
	}

	// A workload no longer deployed is pruned.
	evs = deploy(t, tg, nil, deployment(api("bonjour")))
	if !has(evs, "worker", "pruned") {
		t.Errorf("no pruned event: %+v", evs)
	}
	if processAlive(worker1) {
		t.Errorf("pruned worker %d still runs", worker1)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "process/shop/dev/worker")); !os.IsNotExist(err) {
		t.Errorf("pruned worker's directory is left: %v", err)
	}
	if st := statusOf(t, tg, "shop", "dev"); len(st) != 1 {
		t.Errorf("status after prune = %+v", st)
	}

	// Destroy leaves nothing running and nothing on disk.
	api4 := pidOf(t, apiPort)
	if err := tg.Destroy(context.Background(), nil, "shop", "dev"); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if processAlive(api4) {
		t.Errorf("api %d still runs after destroy", api4)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "process/shop")); !os.IsNotExist(err) {
		t.Errorf("state directory is left after destroy: %v", err)
	}
	if st := statusOf(t, tg, "shop", "dev"); len(st) != 0 {
		t.Errorf("status after destroy = %+v", st)
	}
	if err := tg.Destroy(context.Background(), nil, "shop", "dev"); err != nil {
		t.Errorf("second destroy: %v", err)
	}
}

func hasMessage(evs []target.Event, workload, msg string) bool {
	for _, ev := range evs {
		if ev.Workload == workload && strings.Contains(ev.Message, msg) {
			return true
		}
	}
	return false
}

// TestDetachedSupervisor runs the supervisor as a background process, as
// pave does: the processes outlive the target that started them, are
// controlled by a new one, die with their supervisor, and come back with
// the next deploy.
func TestDetachedSupervisor(t *testing.T) {
	stateDir := t.TempDir()
	opts := Options{StateDir: stateDir, SupervisorCommand: []string{filepath.Join(binDir, "supervisor"), SupervisorSubcommand}}
	port := freePort(t)
	d := deployment(server("api", port, map[string]target.Value{"SECRET_TOKEN": secret("detached-secret")}))
	deploy(t, New(opts), nil, d)
	t.Cleanup(func() { New(opts).Destroy(context.Background(), nil, "shop", "dev") })

	l, _ := newLayout(stateDir, "shop", "dev")
	st, err := readState(l.statePath())
	if err != nil || st.PID == 0 || st.PID == os.Getpid() {
		t.Fatalf("state names no background supervisor: %+v, %v", st, err)
	}
	state, _ := os.ReadFile(l.statePath())
	if strings.Contains(string(state), "detached-secret") {
		t.Errorf("state.json holds a secret value")
	}
	app := pidOf(t, port)

	// Another target, as the next pave command would be, sees it running.
	if s := statusOf(t, New(opts), "shop", "dev")["api"]; s.State != "running" {
		t.Errorf("status from a new target = %+v", s)
	}

	// Processes die with their supervisor.
	syscall.Kill(st.PID, syscall.SIGKILL)
	eventually(t, 10*time.Second, "the process to die with its supervisor", func() bool { return !processAlive(app) })
	eventually(t, 10*time.Second, "the supervisor to be gone", func() bool { free, _ := lockFree(l); return free })
	if s := statusOf(t, New(opts), "shop", "dev")["api"]; s.State != "stopped" {
		t.Errorf("status with no supervisor = %+v", s)
	}

	// The next deploy brings them back under a new supervisor.
	deploy(t, New(opts), nil, d)
	app2 := pidOf(t, port)
	grandchild, _ := get(t, port, "/spawn")
	gpid, _ := strconv.Atoi(grandchild)
	st2, _ := readState(l.statePath())
	if st2.PID == st.PID {
		t.Errorf("no new supervisor")
	}

	// SIGTERM stops the supervisor and, gracefully, everything it runs.
	syscall.Kill(st2.PID, syscall.SIGTERM)
	for _, pid := range []int{app2, gpid, st2.PID} {
		eventually(t, 15*time.Second, "pid "+strconv.Itoa(pid)+" to exit", func() bool { return !processAlive(pid) })
	}
	st3, _ := readState(l.statePath())
	if len(st3.Containers) != 1 || st3.Containers[0].State != "stopped" {
		t.Errorf("state after SIGTERM = %+v", st3)
	}

	// Destroy stops a live background supervisor and all it runs.
	deploy(t, New(opts), nil, d)
	app3 := pidOf(t, port)
	st4, _ := readState(l.statePath())
	if err := New(opts).Destroy(context.Background(), nil, "shop", "dev"); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	for _, pid := range []int{app3, st4.PID} {
		eventually(t, 5*time.Second, "pid "+strconv.Itoa(pid)+" to exit", func() bool { return !processAlive(pid) })
	}
	if _, err := os.Stat(l.root); !os.IsNotExist(err) {
		t.Errorf("destroy left %s: %v", l.root, err)
	}
}

// TestTwoContainersAndLiveness runs a workload of two containers, one of
// which fails its liveness probe and is restarted; its logs merge both.
func TestTwoContainersAndLiveness(t *testing.T) {
	old := probePeriod
	probePeriod = 100 * time.Millisecond
	t.Cleanup(func() { probePeriod = old })
	tg, _ := newTarget(t)
	mainPort, sidePort := freePort(t), freePort(t)
	w := server("api", mainPort, nil)
	w.Containers = append(w.Containers, target.Container{
		Name: "side", Image: "x", Command: []string{"testserver"},
		Variables: []target.Variable{{Name: "PORT", Value: plain(strconv.Itoa(sidePort))}},
		Readiness: &target.Probe{HTTPGet: &target.HTTPGet{Path: "/healthz", Port: sidePort}},
		Liveness:  &target.Probe{HTTPGet: &target.HTTPGet{Path: "/missing", Port: sidePort}},
	})
	deploy(t, tg, target.Config{"stopTimeout": "2s"}, deployment(w))
	if s := statusOf(t, tg, "shop", "dev")["api"]; s.Desired != 2 {
		t.Errorf("status = %+v", s)
	}
	eventually(t, 20*time.Second, "the side container to be restarted for failing liveness", func() bool {
		return statusOf(t, tg, "shop", "dev")["api"].Restarts >= 1
	})
	logs := logsOf(t, tg, "api")
	for _, want := range []string{" main out listening on 127.0.0.1:" + strconv.Itoa(mainPort), " side out listening on 127.0.0.1:" + strconv.Itoa(sidePort),
		" side pave liveness probe failed: GET http://127.0.0.1:" + strconv.Itoa(sidePort) + "/missing: status 404"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	tg.Destroy(context.Background(), nil, "shop", "dev")
}

// TestRebuiltBinaryRestarts redeploys an unchanged spec whose executable
// was rebuilt: the process is restarted.
func TestRebuiltBinaryRestarts(t *testing.T) {
	tg, _ := newTarget(t)
	exe := filepath.Join(t.TempDir(), "server")
	data, err := os.ReadFile(filepath.Join(binDir, "testserver"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(exe, data, 0o755)
	port := freePort(t)
	w := server("api", port, nil)
	w.Containers[0].Command = []string{exe}
	deploy(t, tg, nil, deployment(w))
	pid := pidOf(t, port)
	deploy(t, tg, nil, deployment(w))
	if pidOf(t, port) != pid {
		t.Fatalf("an unchanged deploy restarted the process")
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(exe, later, later)
	deploy(t, tg, nil, deployment(w))
	if pidOf(t, port) == pid {
		t.Errorf("a rebuilt executable did not restart the process")
	}
	tg.Destroy(context.Background(), nil, "shop", "dev")
}

// TestPruneAfterSupervisorRestart removes what a previous supervisor ran
// and the new deployment no longer has.
func TestPruneAfterSupervisorRestart(t *testing.T) {
	stateDir := t.TempDir()
	first := New(Options{StateDir: stateDir, InProcess: true})
	api, worker := server("api", freePort(t), nil), server("worker", freePort(t), nil)
	worker.Containers[0].Files = []target.File{{Path: "/secret", Content: []byte("x"), Secret: true}}
	deploy(t, first, nil, deployment(api, worker))
	first.Close() // its supervisor stops everything and exits

	second := New(Options{StateDir: stateDir, InProcess: true})
	defer second.Close()
	if s := statusOf(t, second, "shop", "dev"); s["worker"].State != "stopped" {
		t.Errorf("status with no supervisor = %+v", s)
	}
	evs := deploy(t, second, nil, deployment(api))
	if !has(evs, "worker", "pruned") {
		t.Errorf("no pruned event: %+v", evs)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "process/shop/dev/worker")); !os.IsNotExist(err) {
		t.Errorf("the worker's directory is left: %v", err)
	}
	if s := statusOf(t, second, "shop", "dev"); len(s) != 1 || s["api"].State != "running" {
		t.Errorf("status = %+v", s)
	}
	second.Destroy(context.Background(), nil, "shop", "dev")
}
