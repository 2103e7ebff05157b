package process

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/pavedev/pave/internal/errs"
)

// SupervisorSubcommand is the hidden pave subcommand that runs a
// supervisor: `pave __supervise STATE_DIR APP ENV` must call
// RunSupervisor(ctx, STATE_DIR, APP, ENV), with ctx ending on SIGTERM and
// SIGINT, and exit non-zero when it returns an error.
const SupervisorSubcommand = "__supervise"

// lockWait is how long a starting supervisor waits for one that is exiting.
const lockWait = 5 * time.Second

// supervisor runs the processes of one app in one environment.
type supervisor struct {
	l       layout
	hashKey []byte
	logger  *log.Logger

	applyMu sync.Mutex // one apply or shutdown at a time

	mu       sync.Mutex // guards what follows and every child's status
	children map[string]*child
	stopTO   time.Duration
	logMax   int64
	closing  bool

	stateMu sync.Mutex // one state file write at a time

	done     chan struct{}
	doneOnce sync.Once
}

// RunSupervisor supervises the processes of app in env, whose state lives
// under stateDir, until ctx ends or a Destroy or a deploy with no workloads
// leaves it nothing to run. It serves the control socket the process target
// talks to, and on its way out stops every process it started: processes
// never outlive their supervisor (on Linux they are signalled even when
// the supervisor is killed). Only one supervisor runs per app and
// environment; a second one returns a conflict error.
func RunSupervisor(ctx context.Context, stateDir, app, env string) error {
	if !supported {
		return errUnsupportedSystem()
	}
	l, err := newLayout(stateDir, app, env)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(l.root, 0o700); err != nil {
		return errs.Wrap(errs.Internal, err, "process supervisor: create %s", l.root)
	}
	lock, err := os.OpenFile(l.lockPath(), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "process supervisor: open lock file")
	}
	defer lock.Close() // releases the lock, after everything else
	for deadline := time.Now().Add(lockWait); tryLock(lock) != nil; {
		if time.Now().After(deadline) {
			return errs.New(errs.Conflict, "process supervisor: one already runs for app %q in environment %q", app, env)
		}
		if !sleep(ctx, 100*time.Millisecond) {
			return ctx.Err()
		}
	}

	logf, err := os.OpenFile(l.supervisorLog(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "process supervisor: open its log")
	}
	defer logf.Close()
	s := &supervisor{
		l:        l,
		hashKey:  make([]byte, 32),
		logger:   log.New(logf, fmt.Sprintf("supervisor[%d] ", os.Getpid()), log.LstdFlags|log.LUTC),
		children: map[string]*child{},
		stopTO:   DefaultStopTimeout,
		logMax:   DefaultLogMaxBytes,
		done:     make(chan struct{}),
	}
	rand.Read(s.hashKey)
	s.reapLeftovers()

	sock := l.socketPath()
	if err := prepareSocketDir(sock); err != nil {
		return errs.Wrap(errs.Internal, err, "process supervisor: socket directory")
	}
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "process supervisor: listen on %s", sock)
	}
	os.Chmod(sock, 0o600)
	s.saveState()
	s.logger.Printf("started for app %q environment %q", app, env)

	var conns sync.WaitGroup
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() { defer conns.Done(); s.serve(conn) }()
		}
	}()
	select {
	case <-ctx.Done():
		s.logger.Printf("stopping: %v", ctx.Err())
	case <-s.done:
	}
	ln.Close()
	s.shutdown()
	conns.Wait()
	s.saveState()
	os.Remove(sock)
	s.logger.Printf("exited")
	return nil
}

func errUnsupportedSystem() error {
	return errs.New(errs.Invalid, "the process target runs on Linux and other Unix systems only")
}

// prepareSocketDir makes sure the directory of a socket outside the state
// directory is private to this user.
func prepareSocketDir(sock string) error {
	dir := filepath.Dir(sock)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() || st.Mode().Perm()&0o077 != 0 || !ownedByMe(st) {
		return fmt.Errorf("%s must be a directory of this user that only its owner can open", dir)
	}
	return nil
}

// serve answers one request.
func (s *supervisor) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	var req request
	resp := &response{Version: protocolVersion, PID: os.Getpid()}
	if err := json.NewDecoder(io.LimitReader(conn, maxMessage)).Decode(&req); err != nil {
		resp.Error = "bad request: " + err.Error()
		json.NewEncoder(conn).Encode(resp)
		return
	}
	conn.SetReadDeadline(time.Time{})
	idle := false
	switch {
	case req.Version != protocolVersion && req.Op != opShutdown:
		resp.Error = fmt.Sprintf("protocol version %d is not %d", req.Version, protocolVersion)
	case req.Op == opPing:
	case req.Op == opStatus:
		resp.Containers = s.statuses()
	case req.Op == opApply && req.Apply != nil:
		actions, conflicts, err := s.apply(req.Apply)
		if err != nil {
			resp.Error = err.Error()
		}
		resp.Actions, resp.Conflicts = actions, conflicts
		resp.Containers = s.statuses()
		// Nothing to run, even after a failed apply: nothing to supervise.
		idle = len(resp.Containers) == 0
	case req.Op == opShutdown:
		s.logger.Printf("shutdown requested")
		s.shutdown()
		idle = true
	default:
		resp.Error = fmt.Sprintf("unknown operation %q", req.Op)
	}
	json.NewEncoder(conn).Encode(resp)
	if idle {
		s.finish()
	}
}

func (s *supervisor) finish() { s.doneOnce.Do(func() { close(s.done) }) }

func (s *supervisor) stopGrace() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopTO
}

// apply makes the running containers those of spec: containers whose spec
// hash is unchanged keep running, changed ones are stopped and started
// again, new ones started, and those no longer wanted stopped and their
// directories removed. Before it stops or starts anything, it checks that
// the ports of the containers to start are free (or held by those it
// replaces), and checks again once it stopped those: ports in use are
// returned as conflicts, and nothing is started then.
func (s *supervisor) apply(spec *applySpec) ([]action, []portConflict, error) {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	want := map[string]*containerSpec{}
	hashes := map[string]string{}
	for i := range spec.Containers {
		c := &spec.Containers[i]
		want[c.key()] = c
		hashes[c.key()] = s.hash(c)
	}

	// Only apply and shutdown, which applyMu serializes, change children.
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil, nil, errors.New("the supervisor is shutting down")
	}
	var stopping, kept []*child
	for key, ch := range s.children {
		if _, ok := want[key]; ok && hashes[key] == ch.hash {
			kept = append(kept, ch)
		} else {
			stopping = append(stopping, ch)
		}
	}
	s.mu.Unlock()
	var starting []*containerSpec
	for i := range spec.Containers {
		c := &spec.Containers[i]
		if !slices.ContainsFunc(kept, func(ch *child) bool { return ch.spec.key() == c.key() }) {
			starting = append(starting, c)
		}
	}
	if conflicts := portConflicts(starting, kept, stopping); len(conflicts) > 0 {
		s.logConflicts(conflicts)
		return nil, conflicts, errors.New("ports in use")
	}

	s.mu.Lock()
	if spec.StopTimeout > 0 {
		s.stopTO = spec.StopTimeout
	}
	if spec.LogMaxBytes > 0 {
		s.logMax = spec.LogMaxBytes
	}
	changed := map[string]bool{}
	for _, ch := range stopping {
		key := ch.spec.key()
		delete(s.children, key)
		if _, ok := want[key]; ok {
			changed[key] = true
		}
	}
	s.mu.Unlock()

	stopAll(stopping)
	actions := s.sweep(want)
	// What was stopped released its ports; whatever still holds one is
	// something else, started since the first check or escaped from the
	// process group of a stopped process.
	if conflicts := portConflicts(starting, kept, nil); len(conflicts) > 0 {
		s.logConflicts(conflicts)
		s.saveState()
		return actions, conflicts, errors.New("ports in use")
	}

	for _, c := range starting {
		key := c.key()
		did := "started"
		if changed[key] {
			did = "restarted"
		}
		if err := s.start(c, hashes[key]); err != nil {
			s.saveState()
			return actions, nil, fmt.Errorf("container %s: %v", key, err)
		}
		s.logger.Printf("%s %s", did, key)
		actions = append(actions, action{Workload: c.Workload, Container: c.Container, Did: did})
	}
	for _, ch := range kept {
		actions = append(actions, action{Workload: ch.spec.Workload, Container: ch.spec.Container, Did: "kept"})
	}
	slices.SortFunc(actions, func(a, b action) int {
		return cmp.Or(cmp.Compare(a.Workload, b.Workload), cmp.Compare(a.Container, b.Container))
	})
	s.saveState()
	return actions, nil, nil
}

func (s *supervisor) logConflicts(conflicts []portConflict) {
	for _, c := range conflicts {
		s.logger.Printf("not starting %s/%s: port %s is in use", c.Workload, c.Container, c.key())
	}
}

// sweep removes the directories (files, logs, working directory) of the
// containers not wanted, including those a previous supervisor ran, and
// reports those no one had stopped yet as removed.
func (s *supervisor) sweep(want map[string]*containerSpec) []action {
	var removed []action
	workloads, _ := os.ReadDir(s.l.root)
	for _, w := range workloads {
		if !w.IsDir() || checkName("workload", w.Name()) != nil {
			continue
		}
		containers, _ := os.ReadDir(filepath.Join(s.l.root, w.Name()))
		for _, c := range containers {
			key := w.Name() + "/" + c.Name()
			if _, ok := want[key]; ok {
				continue
			}
			s.logger.Printf("pruned %s", key)
			os.RemoveAll(s.l.containerDir(w.Name(), c.Name()))
			removed = append(removed, action{Workload: w.Name(), Container: c.Name(), Did: "removed"})
		}
		os.Remove(filepath.Join(s.l.root, w.Name())) // only if now empty
	}
	return removed
}

func (s *supervisor) start(c *containerSpec, hash string) error {
	s.mu.Lock()
	logMax := s.logMax
	s.mu.Unlock()
	red := newRedactor(c.secrets())
	lf, err := openLog(c.LogPath, c.Container, logMax, red)
	if err != nil {
		return err
	}
	ch := &child{
		sup: s, spec: c, hash: hash, redact: red, log: lf,
		stop: make(chan struct{}), done: make(chan struct{}),
		st: containerStatus{Workload: c.Workload, Container: c.Container, State: "starting", SpecHash: hash},
	}
	s.mu.Lock()
	s.children[c.key()] = ch
	s.mu.Unlock()
	go ch.run()
	return nil
}

// shutdown stops every container and refuses further applies.
func (s *supervisor) shutdown() {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	s.mu.Lock()
	s.closing = true
	all := make([]*child, 0, len(s.children))
	for _, ch := range s.children {
		all = append(all, ch)
	}
	s.mu.Unlock()
	stopAll(all)
}

// stopAll stops children in parallel and waits for them.
func stopAll(children []*child) {
	for _, ch := range children {
		ch.requestStop()
	}
	for _, ch := range children {
		<-ch.done
	}
}

// hash is a keyed hash of a container's resolved spec: equal specs give
// equal hashes within one supervisor, and the hash reveals nothing about
// the secrets it covers.
func (s *supervisor) hash(c *containerSpec) string {
	m := hmac.New(sha256.New, s.hashKey)
	json.NewEncoder(m).Encode(c)
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// statuses returns every container's status, sorted.
func (s *supervisor) statuses() []containerStatus {
	s.mu.Lock()
	out := make([]containerStatus, 0, len(s.children))
	for _, ch := range s.children {
		out = append(out, ch.st)
	}
	s.mu.Unlock()
	sortStatuses(out)
	return out
}

func sortStatuses(sts []containerStatus) {
	slices.SortFunc(sts, func(a, b containerStatus) int {
		return cmp.Or(cmp.Compare(a.Workload, b.Workload), cmp.Compare(a.Container, b.Container))
	})
}
