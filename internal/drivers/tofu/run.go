package tofu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// runner runs the tool in one working directory, each command in its own
// process group so that a cancelled context stops the tool and the provider
// plugins it started: SIGINT first, so the tool can write its state, then
// SIGKILL after the grace period.
type runner struct {
	bin   string
	dir   string
	env   []string
	grace time.Duration
	// log receives the command line and the stdout and stderr of the last
	// command, except stdout sent elsewhere (output -json, which holds
	// secrets). It is emptied when a command starts, so that an error
	// carries the output of the command that failed.
	log *tail
}

// errInterrupted marks a command stopped because its context ended.
var errInterrupted = errors.New("interrupted")

// run executes the tool with args. stdout, when not nil, receives the
// command's standard output instead of the log. A non-zero exit is returned
// as an *exec.ExitError; a command stopped by ctx returns an error wrapping
// both errInterrupted and ctx.Err().
func (r *runner) run(ctx context.Context, stdout io.Writer, args ...string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w before start: %w", errInterrupted, err)
	}
	r.log.reset()
	fmt.Fprintf(r.log, "$ %s %s\n", commandName(r.bin), strings.Join(args, " "))
	cmd := exec.Command(r.bin, args...)
	cmd.Dir = r.dir
	cmd.Env = r.env
	cmd.Stdin = nil // the null device: the tool must never prompt
	cmd.Stdout = r.log
	if stdout != nil {
		cmd.Stdout = stdout
	}
	cmd.Stderr = r.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A provider left behind holding the output pipes must not hang Wait.
	cmd.WaitDelay = r.grace + 5*time.Second
	if err := cmd.Start(); err != nil {
		return err
	}
	pgid := cmd.Process.Pid
	done := make(chan struct{})
	stopped := make(chan bool, 1)
	go func() {
		select {
		case <-done:
			stopped <- false
			return
		case <-ctx.Done():
		}
		_ = syscall.Kill(-pgid, syscall.SIGINT)
		t := time.NewTimer(r.grace)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		}
		stopped <- true
	}()
	err := cmd.Wait()
	close(done)
	if <-stopped {
		// Whatever of the group still lives goes too.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		fmt.Fprintf(r.log, "[stopped: %v]\n", ctx.Err())
		return fmt.Errorf("%w: %w", errInterrupted, ctx.Err())
	}
	return err
}

// commandName is the tool's file name, for logs.
func commandName(bin string) string {
	if i := strings.LastIndexByte(bin, os.PathSeparator); i >= 0 {
		return bin[i+1:]
	}
	return bin
}

// toolEnv is the tool's environment: the process's, less variables that
// would change what the driver's commands mean, plus the automation
// settings and extra (later entries win).
func toolEnv(base, extra []string) []string {
	env := make([]string, 0, len(base)+len(extra)+3)
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "TF_CLI_ARGS"), name == "TF_DATA_DIR", name == "TF_WORKSPACE",
			name == "TF_IN_AUTOMATION", name == "TF_INPUT", name == "CHECKPOINT_DISABLE":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1")
	return append(env, extra...)
}
