//go:build unix

package compose

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
)

// fakeTool writes an executable shell script named name into dir that
// prints version for `version --short`, as `docker compose` and
// `docker-compose` do. These test the search for Compose only; what the
// target does with Compose is tested against a real engine.
func fakeTool(t *testing.T, dir, name, script string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestFindCompose(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh for the fake tools")
	}
	cases := []struct {
		name  string
		tools map[string]string
		argv  string
		err   string
	}{
		{
			name:  "plugin preferred",
			tools: map[string]string{"docker": `[ "$1 $2 $3" = "compose version --short" ] && echo 2.40.3 && exit 0; exit 1`, "docker-compose": "echo 2.30.0"},
			argv:  "docker compose",
		},
		{
			name:  "standalone v2 when the plugin is missing",
			tools: map[string]string{"docker": `echo "docker: unknown command: docker compose" >&2; exit 1`, "docker-compose": "echo v2.20.1"},
			argv:  "docker-compose",
		},
		{
			name:  "v1 refused",
			tools: map[string]string{"docker": "exit 1", "docker-compose": "echo 1.29.2"},
			err:   "`docker-compose` is Compose \"1.29.2\", older than 2.17",
		},
		{
			name:  "nothing",
			tools: map[string]string{},
			err:   "Docker Compose v2 is not installed (install the docker compose CLI plugin): `docker compose`: docker is not in PATH; `docker-compose`: docker-compose is not in PATH",
		},
		{
			name:  "plugin failing",
			tools: map[string]string{"docker": `echo "docker: 'compose' is not a docker command." >&2; exit 1`},
			err:   "`docker compose version` failed: docker compose version --short: exit status 1: docker: 'compose' is not a docker command.",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, script := range c.tools {
				fakeTool(t, dir, name, script)
			}
			env := []string{"PATH=" + dir}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cli, err := findCompose(ctx, env)
			if c.err != "" {
				if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want invalid containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cli.prog(); got != c.argv {
				t.Fatalf("found %q, want %q", got, c.argv)
			}
		})
	}
}

func TestEnvironDropsComposeVariables(t *testing.T) {
	t.Setenv("COMPOSE_FILE", "/elsewhere/compose.yaml")
	t.Setenv("COMPOSE_PROJECT_NAME", "other")
	t.Setenv("DOCKER_HOST", "unix:///old.sock")
	t.Setenv("DOCKER_CONTEXT", "remote")
	t.Setenv("PAVE_TEST_KEEP", "1")
	env := environ(settings{dockerHost: "tcp://10.0.0.1:2376"})
	joined := "\n" + strings.Join(env, "\n") + "\n"
	for _, gone := range []string{"COMPOSE_FILE=", "COMPOSE_PROJECT_NAME=", "DOCKER_CONTEXT=", "DOCKER_HOST=unix:///old.sock"} {
		if strings.Contains(joined, "\n"+gone) {
			t.Errorf("environment keeps %s", gone)
		}
	}
	if !strings.Contains(joined, "\nDOCKER_HOST=tcp://10.0.0.1:2376\n") || !strings.Contains(joined, "\nPAVE_TEST_KEEP=1\n") {
		t.Errorf("environment %q", env)
	}
	if env := environ(settings{}); getenv(env, "DOCKER_HOST") != "unix:///old.sock" || getenv(env, "DOCKER_CONTEXT") != "remote" {
		t.Errorf("without dockerHost the docker CLI's own settings must stay")
	}
}

// TestRunStopsTheProcessGroup checks that cancelling a command stops the
// children it started too, as the docker CLI starts Compose.
func TestRunStopsTheProcessGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "child.pid")
	fakeTool(t, dir, "tool", "sleep 60 & echo $! > "+pidFile+"; echo started >&2; wait")
	c := &composeCLI{argv: []string{filepath.Join(dir, "tool")}, env: []string{"PATH=/usr/bin:/bin"}}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := c.run(ctx, runOpts{onStderr: func(string) { close(started) }})
		done <- err
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the tool did not start")
	}
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Fatalf("error %v", err)
		}
	case <-time.After(stopGrace + 5*time.Second):
		t.Fatal("run did not return after cancel")
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid := strings.TrimSpace(string(b))
	deadline := time.Now().Add(5 * time.Second)
	for {
		// A killed child may linger as a zombie until reaped by init; its
		// state is then Z.
		st, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil || strings.Contains(string(st), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %s of the cancelled command still runs", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRunKeepsTheEndOfStderr(t *testing.T) {
	dir := t.TempDir()
	fakeTool(t, dir, "tool", `i=0; while [ $i -lt 3000 ]; do echo "line $i of noise" >&2; i=$((i+1)); done; echo out; exit 3`)
	c := &composeCLI{argv: []string{filepath.Join(dir, "tool")}, env: []string{"PATH=/usr/bin:/bin"}}
	out, err := c.run(context.Background(), runOpts{args: []string{"up"}})
	ce, ok := err.(*commandError)
	if !ok || !strings.Contains(ce.Error(), "tool up: exit status 3") || !strings.HasSuffix(ce.stderr, "line 2999 of noise") {
		t.Fatalf("%v", err)
	}
	if len(ce.stderr) > stderrTail || string(out) != "out\n" {
		t.Fatalf("stderr tail %d bytes, stdout %q", len(ce.stderr), out)
	}
}
