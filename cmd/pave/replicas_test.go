package main_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/client"
	"github.com/pavedev/pave/internal/engine"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
)

// replica is one pave server process.
type replica struct {
	cmd *exec.Cmd
	url string
}

// startReplica starts pave server on a free port of the loopback.
func startReplica(t *testing.T, bin string, env []string, args ...string) *replica {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"server", "--listen", "127.0.0.1:0", "--log-format", "text"}, args...)...)
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(t.TempDir(), "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		}
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("log of %s:\n%s", cmd.Args, b)
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("server did not start: %v", err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "pave server listening on ")
	if !ok {
		t.Fatalf("server said %q", line)
	}
	return &replica{cmd: cmd, url: url}
}

// pave runs the binary to completion.
func pave(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pave %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestTwoReplicas runs two pave server processes on one PostgreSQL
// database: one active deployment per environment holds across them, and
// a replica killed in the middle of a deployment has its deployment taken
// over by the other.
func TestTwoReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the pave binary and runs two servers")
	}
	dbURL := sqlstoretest.PostgresDatabase(t)
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "pave")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	state := filepath.Join(tmp, "state") // the secret key both replicas share
	env := append(os.Environ(), "PAVE_SECRET_KEY=", "PAVE_DATABASE_URL="+dbURL, "PAVE_STATE="+state, "PAVE_SERVER=", "PAVE_TOKEN=")
	pave(t, bin, env, "user", "team", "shop")
	pave(t, bin, env, "user", "create", "ann", "--role", "developer", "--team", "shop")
	token := pave(t, bin, env, "token", "create", "--user", "ann")
	platform, _ := filepath.Abs("testdata/replicas/platform")
	score, err := os.ReadFile("testdata/replicas/web.score.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Heartbeats come every 2s: stale after 8s keeps a slow but live
	// replica (a loaded CI machine) from being taken for dead.
	args := []string{"--platform", platform, "--stale-after", "8s", "--resume-every", "300ms"}
	a := startReplica(t, bin, env, args...)
	b := startReplica(t, bin, env, args...)
	ca, _ := client.New(a.url, token)
	cb, _ := client.New(b.url, token)
	ctx := context.Background()
	body := api.ChangeBody{Workloads: []api.WorkloadFile{{Name: "web.score.yaml", Content: string(score)}}}
	t.Cleanup(func() {
		for _, e := range []string{"dev", "dev2"} {
			cb.Destroy(ctx, "shop", e, "", nil)
		}
	})

	// One active deployment per environment, whichever replica is asked.
	var wg sync.WaitGroup
	errsOf := make([]error, 2)
	for i, c := range []*client.Client{ca, cb} {
		wg.Go(func() { _, errsOf[i] = c.Deploy(ctx, "shop", "dev2", body, nil) })
	}
	wg.Wait()
	if (errsOf[0] == nil) == (errsOf[1] == nil) {
		t.Fatalf("two concurrent deployments to one environment: %v, %v; want one to succeed and one refused", errsOf[0], errsOf[1])
	}
	for _, err := range errsOf {
		if err != nil && (!errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), "active deployment")) {
			t.Fatalf("refused deployment: %v, want a conflict naming the active deployment", err)
		}
	}

	// Kill replica a while it provisions; b takes the deployment over.
	started := make(chan string, 1)
	go ca.Deploy(ctx, "shop", "dev", body, func(ev engine.Event) {
		if ev.Phase == "started" && ev.Kind == "resource" {
			select {
			case started <- ev.DeploymentID:
			default:
			}
		}
	})
	var id string
	select {
	case id = <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the deployment never started")
	}
	before, err := cb.Deployment(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	a.cmd.Wait()
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, err := cb.Deployment(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status.Finished() {
			if d.Status != store.DeploymentSucceeded || !strings.HasPrefix(d.Owner, "server:") || d.Owner == before.Owner {
				t.Fatalf("taken-over deployment ended %s (owner %s): %s", d.Status, d.Owner, d.Error)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deployment %s was not taken over: %s, owner %s", id, d.Status, d.Owner)
		}
		time.Sleep(200 * time.Millisecond)
	}
	rs, err := cb.Resources(ctx, "shop", "dev", false)
	if err != nil || len(rs) != 1 || rs[0].Status != "ready" || rs[0].Outputs["host"] != "web.local" {
		t.Fatalf("resources after take-over: %+v %v", rs, err)
	}
	deps, err := cb.Deployments(ctx, "shop", "dev", 0)
	if err != nil || len(deps) != 1 {
		t.Fatalf("deployments of dev: %+v %v", deps, err)
	}
}
