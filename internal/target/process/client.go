package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/errs"
)

// startTimeout bounds how long a new supervisor may take to answer.
const startTimeout = 15 * time.Second

// supervisorEnv are the variables a background supervisor gets from pave:
// what it needs to find programs and its socket, and nothing secret.
var supervisorEnv = []string{"PATH", "HOME", "TMPDIR", "GOCOVERDIR"}

// ensureSupervisor makes sure a supervisor of the current protocol answers
// for l, starting one when needed.
func (t *Target) ensureSupervisor(ctx context.Context, l layout) error {
	sock := l.socketPath()
	_, err := call(ctx, sock, &request{Op: opPing})
	if err == nil {
		return nil
	}
	if errors.Is(err, errVersion) {
		// A supervisor of another pave version: replace it. Its processes
		// are restarted by the apply that follows.
		call(ctx, sock, &request{Op: opShutdown})
		if err := waitUnlocked(ctx, l, startTimeout); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(l.root, 0o700); err != nil {
		return errs.Wrap(errs.Internal, err, "process target: create %s", l.root)
	}
	exited, err := t.startSupervisor(l)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(startTimeout)
	for {
		_, err := call(ctx, sock, &request{Op: opPing})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errs.Wrap(errs.Transient, ctx.Err(), "process target: waiting for the supervisor of %s/%s", l.app, l.env)
		case why := <-exited:
			// It may have lost the race to another supervisor, which then answers.
			if _, err := call(ctx, sock, &request{Op: opPing}); err == nil {
				return nil
			}
			return errs.Wrap(errs.Internal, errors.New(why), "process target: the supervisor of %s/%s exited: %s", l.app, l.env, why)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return errs.Wrap(errs.Transient, err, "process target: the supervisor of %s/%s does not answer on %s", l.app, l.env, sock)
		}
	}
}

// startSupervisor starts a supervisor for l, in process or in the
// background; the channel receives why it exited, if it does.
func (t *Target) startSupervisor(l layout) (<-chan string, error) {
	exited := make(chan string, 1)
	if t.opts.InProcess {
		ctx, cancel := context.WithCancel(context.Background())
		s := &inprocSupervisor{cancel: cancel, done: make(chan struct{})}
		t.mu.Lock()
		t.inproc[l.root] = s
		t.mu.Unlock()
		go func() {
			defer close(s.done)
			s.err = RunSupervisor(ctx, l.stateDir, l.app, l.env)
			t.mu.Lock()
			if t.inproc[l.root] == s {
				delete(t.inproc, l.root)
			}
			t.mu.Unlock()
			why := "done"
			if s.err != nil {
				why = s.err.Error()
			}
			exited <- why
		}()
		return exited, nil
	}

	argv := t.opts.SupervisorCommand
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "process target: cannot find pave's own executable to start a supervisor")
		}
		argv = []string{exe, SupervisorSubcommand}
	}
	cmd := exec.Command(argv[0], append(argv[1:len(argv):len(argv)], l.stateDir, l.app, l.env)...)
	cmd.Dir = l.root
	for _, k := range supervisorEnv {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	logf, err := os.OpenFile(l.supervisorLog(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "process target: open the supervisor log")
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = detachedAttr()
	if err := cmd.Start(); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "process target: start the supervisor %q", argv[0])
	}
	go func() {
		err := cmd.Wait() // reaps it when pave lives on (tests, servers)
		why := "exit status 0"
		if err != nil {
			why = err.Error()
		}
		if tail, _ := tailFile(l.supervisorLog(), 3); len(tail) > 0 {
			why += ": " + strings.Join(tail, " / ")
		}
		exited <- why
	}()
	return exited, nil
}

// waitUnlocked waits until no supervisor holds l's lock, that is until the
// last one has exited.
func waitUnlocked(ctx context.Context, l layout, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		free, err := lockFree(l)
		if err != nil || free {
			return err
		}
		if time.Now().After(deadline) {
			return errs.New(errs.Transient, "process target: the supervisor of %s/%s did not exit within %s", l.app, l.env, timeout)
		}
		if !sleep(ctx, 50*time.Millisecond) {
			return errs.Wrap(errs.Transient, ctx.Err(), "process target: waiting for the supervisor of %s/%s to exit", l.app, l.env)
		}
	}
}

// lockFree reports whether no supervisor holds l's lock.
func lockFree(l layout) (bool, error) {
	f, err := os.OpenFile(l.lockPath(), os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, errs.Wrap(errs.Internal, err, "process target: open %s", l.lockPath())
	}
	defer f.Close() // releases the lock if we got it
	return tryLock(f) == nil, nil
}

// status asks the supervisor for live statuses; live is false when none
// answers, and the statuses then come from state.json, marked stopped.
func (t *Target) status(ctx context.Context, l layout) (sts []containerStatus, live bool, err error) {
	resp, err := call(ctx, l.socketPath(), &request{Op: opStatus})
	if err == nil {
		return resp.Containers, true, nil
	}
	st, rerr := readState(l.statePath())
	if rerr != nil {
		return nil, false, errs.Wrap(errs.Internal, rerr, "process target: read %s", l.statePath())
	}
	for i := range st.Containers {
		c := &st.Containers[i]
		if c.State != "stopped" {
			c.State, c.Ready, c.Message = "stopped", false, "its supervisor is not running: deploy again to start it"
		}
	}
	return st.Containers, false, nil
}

func describeCallError(err error) string {
	var re *remoteError
	if errors.As(err, &re) {
		return re.msg
	}
	return fmt.Sprint(err)
}
