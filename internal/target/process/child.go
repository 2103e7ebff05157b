package process

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"sync"
	"syscall"
	"time"
)

// Supervision timings.
const (
	minBackoff = time.Second
	maxBackoff = 30 * time.Second
	// resetAfter is how long a process must run for its next crash to
	// restart it without waiting long.
	resetAfter = 10 * time.Second
	// failAfter consecutive exits before becoming ready mark a container
	// failed (it is still restarted).
	failAfter = 3
	// startGrace is how long a process without a readiness probe must stay
	// up to count as ready.
	startGrace = time.Second
	// readyPeriod spaces readiness probes until the first success.
	readyPeriod   = 250 * time.Millisecond
	probeFailures = 3
	// drainTimeout bounds reading a stopped process's output, in case
	// something that left its process group still holds the pipe.
	drainTimeout = 2 * time.Second
)

// probePeriod spaces readiness and liveness probes once a process is
// ready; a variable so that tests need not wait for it.
var probePeriod = 5 * time.Second

// child supervises one container: it runs the process, restarts it with
// exponential backoff when it exits, probes it, and stops it on request.
type child struct {
	sup    *supervisor
	spec   *containerSpec
	hash   string
	redact *redactor
	log    *logFile

	stop     chan struct{} // closed to ask the runner to stop
	stopOnce sync.Once
	done     chan struct{} // closed once the process is gone

	// Guarded by sup.mu.
	st       containerStatus
	failures int // exits since the process was last ready
}

func (c *child) requestStop() { c.stopOnce.Do(func() { close(c.stop) }) }

// update changes the status under the supervisor's lock, and saves state
// when it changed.
func (c *child) update(f func(st *containerStatus)) {
	c.sup.mu.Lock()
	before := c.st
	f(&c.st)
	changed := c.st != before
	c.sup.mu.Unlock()
	if changed {
		c.sup.saveState()
	}
}

// run supervises until asked to stop.
func (c *child) run() {
	defer close(c.done)
	defer c.log.close()
	backoff := minBackoff
	for first := true; ; first = false {
		started := time.Now()
		exit, stopped := c.runOnce(first)
		if stopped {
			c.update(func(st *containerStatus) { st.State, st.Ready, st.Message = "stopped", false, "" })
			return
		}
		if time.Since(started) >= resetAfter {
			backoff = minBackoff
		}
		msg := c.redact.String(fmt.Sprintf("%s; restarting in %s", exit, backoff))
		c.log.note(msg)
		c.update(func(st *containerStatus) {
			c.failures++
			st.Ready, st.Message = false, msg
			if c.failures >= failAfter {
				st.State = "failed"
			} else {
				st.State = "starting"
			}
		})
		select {
		case <-c.stop:
			c.update(func(st *containerStatus) { st.State, st.Message = "stopped", "" })
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// runOnce starts the process and waits for it to exit, for its liveness
// probe to fail, or for a stop request. It reports how the process ended,
// or stopped=true when it was asked to stop.
func (c *child) runOnce(first bool) (exit string, stopped bool) {
	s := c.spec
	if err := c.prepare(); err != nil {
		return "cannot prepare the container: " + err.Error(), false
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return "cannot create a pipe: " + err.Error(), false
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return "cannot create a pipe: " + err.Error(), false
	}
	cmd := &exec.Cmd{
		Path:        s.Path,
		Args:        append([]string{s.Argv0}, s.Args...),
		Env:         s.environ(),
		Dir:         s.Dir,
		Stdout:      outW,
		Stderr:      errW,
		SysProcAttr: childAttr(),
	}
	err = spawn(cmd)
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return "cannot start " + s.Argv0 + ": " + startError(err), false
	}
	pid := cmd.Process.Pid
	var copies sync.WaitGroup
	copies.Add(2)
	go func() { defer copies.Done(); c.log.copyFrom("out", outR) }()
	go func() { defer copies.Done(); c.log.copyFrom("err", errR) }()
	c.log.note(fmt.Sprintf("started %s as pid %d", s.Argv0, pid))
	c.update(func(st *containerStatus) {
		st.PID, st.Ready, st.Started = pid, false, time.Now().UTC()
		if !first {
			st.Restarts++
		}
		if c.failures < failAfter {
			st.State = "starting"
		}
	})

	exited := make(chan error, 1)
	// gone is closed as soon as the process has exited, under the lock
	// that guards its status, which is no longer ready from then on.
	gone := make(chan struct{})
	go func() {
		err := cmd.Wait()
		c.sup.mu.Lock()
		close(gone)
		c.st.Ready = false
		c.sup.mu.Unlock()
		exited <- err
	}()
	ctx, cancel := context.WithCancel(context.Background())
	unhealthy := make(chan string, 1)
	watching := make(chan struct{})
	go func() { defer close(watching); c.watch(ctx, gone, unhealthy) }()

	select {
	case err := <-exited:
		exit = exitString(err)
	case reason := <-unhealthy:
		c.log.note(reason + "; stopping pid " + fmt.Sprint(pid))
		c.terminate(pid, exited)
		exit = reason
	case <-c.stop:
		c.log.note(fmt.Sprintf("stopping pid %d", pid))
		c.terminate(pid, exited)
		stopped = true
	}
	cancel()
	<-watching             // so that no probe result lands after the process is gone
	signalGroup(pid, true) // whatever the process left in its group
	drained := make(chan struct{})
	go func() { copies.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(drainTimeout):
		outR.Close()
		errR.Close()
		<-drained
	}
	outR.Close()
	errR.Close()
	if stopped {
		c.log.note(fmt.Sprintf("stopped pid %d", pid))
	}
	return exit, stopped
}

// terminate sends SIGTERM to the process group, and SIGKILL after the grace
// period if the process has not exited by then.
func (c *child) terminate(pid int, exited <-chan error) {
	signalGroup(pid, false)
	select {
	case <-exited:
	case <-time.After(c.sup.stopGrace()):
		c.log.note(fmt.Sprintf("pid %d ignored SIGTERM for %s; killing it", pid, c.sup.stopGrace()))
		signalGroup(pid, true)
		<-exited
	}
}

// watch probes the running process: readiness until the first success
// (or, without a readiness probe, until it has stayed up for startGrace),
// then readiness and liveness periodically. Repeated liveness failures are
// reported on unhealthy. gone is closed once the process has exited: a
// probe that succeeds after that was answered by something else (another
// process holding the port, say), so readiness requires the process to be
// still alive when its probe succeeds, and watch then returns.
func (c *child) watch(ctx context.Context, gone <-chan struct{}, unhealthy chan<- string) {
	s := c.spec
	if s.Readiness == nil {
		if !sleep(ctx, startGrace) || exited(gone) {
			return
		}
	} else {
		for {
			err := probe(ctx, s.Readiness, s)
			if ctx.Err() != nil || exited(gone) {
				return
			}
			if err == nil {
				break
			}
			msg := c.redact.String("not ready: " + err.Error())
			c.update(func(st *containerStatus) { st.Message = msg })
			if !sleep(ctx, readyPeriod) {
				return
			}
		}
	}
	if !c.becomeReady(gone) {
		return
	}
	c.log.note("ready")
	readyFails, liveFails := 0, 0
	for sleep(ctx, probePeriod) {
		if s.Readiness != nil {
			err := probe(ctx, s.Readiness, s)
			if ctx.Err() != nil || exited(gone) {
				return
			}
			switch {
			case err == nil && readyFails >= probeFailures:
				c.update(func(st *containerStatus) {
					if !exited(gone) {
						st.Ready, st.Message = true, ""
					}
				})
				readyFails = 0
			case err == nil:
				readyFails = 0
			default:
				readyFails++
				if readyFails == probeFailures {
					msg := c.redact.String("not ready: " + err.Error())
					c.update(func(st *containerStatus) { st.Ready, st.Message = false, msg })
				}
			}
		}
		if s.Liveness != nil {
			err := probe(ctx, s.Liveness, s)
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				liveFails = 0
				continue
			}
			if liveFails++; liveFails >= probeFailures {
				unhealthy <- c.redact.String("liveness probe failed: " + err.Error())
				return
			}
		}
	}
}

// prepare creates the container's directories and writes its files anew,
// through an os.Root so that nothing lands outside the files directory.
func (c *child) prepare() error {
	s := c.spec
	if err := os.MkdirAll(c.sup.l.containerDir(s.Workload, s.Container), 0o700); err != nil {
		return err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return err
	}
	if err := os.RemoveAll(s.FilesDir); err != nil {
		return err
	}
	if err := os.MkdirAll(s.FilesDir, 0o700); err != nil {
		return err
	}
	root, err := os.OpenRoot(s.FilesDir)
	if err != nil {
		return err
	}
	defer root.Close()
	for _, f := range s.Files {
		if dir := path.Dir(f.Rel); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("file /%s: %w", f.Rel, pathless(err))
			}
		}
		if err := root.WriteFile(f.Rel, f.Content, fs.FileMode(f.Mode)); err != nil {
			return fmt.Errorf("file /%s: %w", f.Rel, pathless(err))
		}
		if err := root.Chmod(f.Rel, fs.FileMode(f.Mode)); err != nil { // past the umask
			return fmt.Errorf("file /%s: %w", f.Rel, pathless(err))
		}
	}
	for _, v := range s.Links {
		if dir := path.Dir(v.Rel); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("volume /%s: %w", v.Rel, pathless(err))
			}
		}
		if err := root.Symlink(v.Target, v.Rel); err != nil {
			return fmt.Errorf("volume /%s: %w", v.Rel, pathless(err))
		}
	}
	return nil
}

// pathless drops the path from a file error, which the message names already.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func exitString(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by signal " + ws.Signal().String()
		}
		return fmt.Sprintf("exited with status %d", ee.ExitCode())
	}
	if err == nil {
		return "exited with status 0"
	}
	return "exited: " + err.Error()
}

func startError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// becomeReady marks the container ready and running, unless its process
// has exited (gone is closed): checked under the status lock, under which
// the process's exit is recorded too, so the container is never ready
// after its process is gone.
func (c *child) becomeReady(gone <-chan struct{}) bool {
	ok := false
	c.update(func(st *containerStatus) {
		if exited(gone) {
			return
		}
		ok = true
		c.failures = 0
		st.State, st.Ready, st.Message = "running", true, ""
	})
	return ok
}

// exited reports whether gone is closed, that is whether the process has
// exited.
func exited(gone <-chan struct{}) bool {
	select {
	case <-gone:
		return true
	default:
		return false
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
