package tofu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
)

// These tests run the runner on /bin/sh, standing in for the tool: what
// they check (process groups, signals, output routing) is the runner's.

func shRunner(t *testing.T, grace time.Duration) (*runner, *tail) {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH: ", err)
	}
	log := newTail(4 << 10)
	return &runner{bin: sh, dir: t.TempDir(), env: toolEnv(os.Environ(), nil), grace: grace, log: log}, log
}

func TestRunOutputRouting(t *testing.T) {
	r, log := shRunner(t, time.Second)
	var out bytes.Buffer
	if err := r.run(context.Background(), &out, "-c", "echo to-stdout; echo to-stderr >&2"); err != nil {
		t.Fatal(err)
	}
	if out.String() != "to-stdout\n" {
		t.Errorf("stdout = %q", out.String())
	}
	if got := log.String(); !strings.Contains(got, "\nto-stderr\n") || strings.Contains(got, "\nto-stdout\n") {
		t.Errorf("log = %q: want stderr only", got)
	}
	err := r.run(context.Background(), nil, "-c", "exit 3")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("exit 3: err = %v", err)
	}
}

func TestRunEnvironment(t *testing.T) {
	t.Setenv("TF_CLI_ARGS_apply", "-destroy")
	t.Setenv("TF_CLI_CONFIG_FILE", "/some/tf.rc")
	r, _ := shRunner(t, time.Second)
	r.env = toolEnv(os.Environ(), []string{"EXTRA=1"})
	var out bytes.Buffer
	if err := r.run(context.Background(), &out, "-c", `echo "$TF_CLI_ARGS_apply|$TF_CLI_CONFIG_FILE|$TF_IN_AUTOMATION|$TF_INPUT|$EXTRA"`); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(out.String()), "|/some/tf.rc|1|0|1"; got != want {
		t.Errorf("environment seen = %q, want %q", got, want)
	}
}

func TestRunCancel(t *testing.T) {
	tests := []struct {
		name string
		// script leaves a child in its group; it writes the child's pid
		// to pidfile.
		script string
	}{
		{name: "stops on SIGINT", script: `sleep 300 & echo $! > pidfile; wait`},
		{name: "killed after the grace period", script: `trap '' INT; sleep 300 & echo $! > pidfile; while :; do wait; done`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := shRunner(t, 300*time.Millisecond)
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() { errc <- r.run(ctx, nil, "-c", tt.script) }()
			pidfile := filepath.Join(r.dir, "pidfile")
			var pid int
			for pid == 0 {
				select {
				case err := <-errc:
					t.Fatalf("script ended early: %v", err)
				case <-time.After(20 * time.Millisecond):
				}
				if b, err := os.ReadFile(pidfile); err == nil && strings.HasSuffix(string(b), "\n") {
					pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
				}
			}
			cancel()
			err := <-errc
			if !errors.Is(err, errInterrupted) || !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want interrupted and canceled", err)
			}
			// The child in the group is gone too (a zombie at most, until
			// init reaps it).
			if alive(pid) {
				t.Errorf("child %d of the tool's group survived", pid)
			}
		})
	}
}

// alive reports whether pid is a running (not zombie) process, waiting a
// little for the kernel to deliver the kill.
func alive(pid int) bool {
	for range 50 {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return syscall.Kill(pid, 0) == nil
		}
		if f := strings.Fields(string(b)); len(f) > 2 && f[2] == "Z" {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

func TestRunCancelledBeforeStart(t *testing.T) {
	r, log := shRunner(t, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := r.run(ctx, nil, "-c", "echo ran")
	if !errors.Is(err, errInterrupted) || strings.Contains(log.String(), "ran") {
		t.Fatalf("err = %v, log = %q", err, log.String())
	}
	if got := toolError("apply", err, ""); !errs.Is(got, errs.Transient) {
		t.Errorf("code = %s, want transient", errs.CodeOf(got))
	}
}

func TestNoBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv(EnvBinary, "")
	d := New(Config{})
	err := d.Check(context.Background())
	if err == nil || err.Error() != errNoBinary {
		t.Fatalf("Check = %v, want %q", err, errNoBinary)
	}
	module := t.TempDir()
	_, err = d.Provision(context.Background(), &driver.Request{UID: "x", Inputs: map[string]any{"module": module}})
	if err == nil || err.Error() != errNoBinary {
		t.Fatalf("Provision = %v, want %q", err, errNoBinary)
	}
	t.Setenv(EnvBinary, filepath.Join(module, "missing-tofu"))
	if err := d.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "missing-tofu") {
		t.Fatalf("Check with a bad %s = %v", EnvBinary, err)
	}
}

func TestDeprovisionNothing(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no tool is needed to remove nothing
	t.Setenv(EnvBinary, "")
	d := New(Config{})
	empty := (&state{Version: stateVersion, TFState: []byte(`{"version":4,"resources":[]}`)}).encode()
	for _, st := range []json.RawMessage{nil, empty} {
		if err := d.Deprovision(context.Background(), &driver.Request{UID: "x", Inputs: map[string]any{"module": "/nowhere"}, State: st}); err != nil {
			t.Errorf("Deprovision(state %s) = %v", st, err)
		}
	}
}
