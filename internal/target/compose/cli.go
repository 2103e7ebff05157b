package compose

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pavedev/pave/internal/errs"
)

// stopGrace is how long a cancelled docker command has between SIGTERM
// and SIGKILL to its process group.
const stopGrace = 10 * time.Second

// maxStdout bounds what is kept of a command's standard output.
const maxStdout = 64 << 20

// stderrTail is how much of a command's standard error is kept for errors.
const stderrTail = 16 << 10

// composeCLI runs Docker Compose v2: the docker CLI plugin (`docker
// compose`) or the standalone `docker-compose` binary.
type composeCLI struct {
	// argv is the command before the Compose arguments.
	argv []string
	// env is the environment of every command.
	env []string
	// version is what `version --short` said.
	version string
}

// dropEnv are variables of pave's environment that would change which
// project, files or output Compose uses; the target sets what it needs.
var dropEnv = []string{
	"COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES", "COMPOSE_ENV_FILES",
	"COMPOSE_PATH_SEPARATOR", "COMPOSE_REMOVE_ORPHANS", "COMPOSE_IGNORE_ORPHANS",
	"COMPOSE_ANSI", "COMPOSE_PROGRESS", "COMPOSE_STATUS_STDOUT", "COMPOSE_MENU",
	"COMPOSE_PARALLEL_LIMIT",
}

// environ is pave's environment for docker commands, with DOCKER_HOST set
// when the config names an engine.
func environ(s settings) []string {
	env := make([]string, 0, len(os.Environ())+2)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case containsString(dropEnv, k):
		case s.dockerHost != "" && (k == "DOCKER_HOST" || k == "DOCKER_CONTEXT"):
		default:
			env = append(env, kv)
		}
	}
	if s.dockerHost != "" {
		env = append(env, "DOCKER_HOST="+s.dockerHost)
	}
	return env
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// findCompose finds Compose v2, preferring the docker CLI plugin. It is
// cached per environment by the Target.
func findCompose(ctx context.Context, env []string) (*composeCLI, error) {
	var tried []string
	candidates := [][]string{{"docker", "compose"}, {"docker-compose"}}
	for _, argv := range candidates {
		bin, err := lookPath(argv[0], env)
		if err != nil {
			tried = append(tried, "`"+strings.Join(argv, " ")+"`: "+argv[0]+" is not in PATH")
			continue
		}
		c := &composeCLI{argv: append([]string{bin}, argv[1:]...), env: env}
		vctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		out, err := c.run(vctx, runOpts{args: []string{"version", "--short"}})
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, errs.Wrap(errs.Transient, ctx.Err(), "compose target: looking for Docker Compose interrupted")
			}
			tried = append(tried, "`"+strings.Join(argv, " ")+" version` failed: "+firstLine(err.Error()))
			continue
		}
		c.version = strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
		if !atLeast(c.version, minVersion) {
			tried = append(tried, "`"+strings.Join(argv, " ")+"` is Compose "+strconv.Quote(c.version)+", older than "+minVersion[0]+"."+minVersion[1]+" (which has `up --wait-timeout`)")
			continue
		}
		return c, nil
	}
	return nil, errs.New(errs.Invalid, "compose target: Docker Compose v2 is not installed (install the docker compose CLI plugin): %s", strings.Join(tried, "; "))
}

// minVersion is the oldest Compose with every flag the target uses.
var minVersion = [2]string{"2", "17"}

// atLeast reports whether version ("2.40.3", "2.17.0-desktop.1") is at
// least min (major, minor).
func atLeast(version string, min [2]string) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	num := func(s string) int {
		end := 0
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
		n, err := strconv.Atoi(s[:end])
		if err != nil {
			return -1
		}
		return n
	}
	major, minor := num(parts[0]), num(parts[1])
	wantMajor, _ := strconv.Atoi(min[0])
	wantMinor, _ := strconv.Atoi(min[1])
	return major > wantMajor || major == wantMajor && minor >= wantMinor
}

// lookPath is exec.LookPath against the PATH of env.
func lookPath(name string, env []string) (string, error) {
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	if strings.ContainsRune(name, os.PathSeparator) {
		return exec.LookPath(name)
	}
	for _, dir := range strings.Split(path, string(os.PathListSeparator)) {
		if dir == "" {
			dir = "."
		}
		p := dir + string(os.PathSeparator) + name
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// runOpts is one Compose command.
type runOpts struct {
	args []string
	// dir is the working directory; empty means a directory holding no
	// compose file, so that Compose works from labels alone.
	dir string
	// onStderr receives each line of standard error as it comes.
	onStderr func(string)
	// env adds to the environment.
	env []string
}

// commandError is a Compose command that failed; its message holds the
// end of standard error, unredacted: callers redact before showing it.
type commandError struct {
	prog   string
	args   []string
	err    error
	stderr string
}

func (e *commandError) Error() string {
	msg := e.prog + " " + strings.Join(e.args, " ") + ": " + e.err.Error()
	if e.stderr != "" {
		msg += ": " + e.stderr
	}
	return msg
}

func (e *commandError) Unwrap() error { return e.err }

// run runs Compose with args and returns its standard output. A cancelled
// ctx stops the command's whole process group (the docker CLI runs Compose
// as a child), with SIGTERM then, after stopGrace, SIGKILL.
func (c *composeCLI) run(ctx context.Context, o runOpts) ([]byte, error) {
	argv := append(append([]string{}, c.argv...), o.args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(append([]string{}, c.env...), o.env...)
	cmd.Dir = o.dir
	if cmd.Dir == "" {
		cmd.Dir = os.TempDir()
	}
	cmd.SysProcAttr = groupAttr()
	var stdout limitedBuffer
	stdout.max = maxStdout
	cmd.Stdout = &stdout
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	tail := &tailBuffer{max: stderrTail}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			tail.add(line)
			if o.onStderr != nil {
				o.onStderr(line)
			}
		}
		io.Copy(io.Discard, pr)
	}()
	if err := cmd.Start(); err != nil {
		pw.Close()
		wg.Wait()
		return nil, &commandError{prog: c.prog(), args: o.args, err: err}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		signalGroup(cmd.Process.Pid, false)
		select {
		case err = <-done:
		case <-time.After(stopGrace):
			signalGroup(cmd.Process.Pid, true)
			err = <-done
		}
	}
	pw.Close()
	wg.Wait()
	if ctx.Err() != nil {
		return nil, &commandError{prog: c.prog(), args: o.args, err: ctx.Err(), stderr: tail.String()}
	}
	if err != nil {
		return stdout.Bytes(), &commandError{prog: c.prog(), args: o.args, err: err, stderr: tail.String()}
	}
	if stdout.over {
		return nil, &commandError{prog: c.prog(), args: o.args, err: fmt.Errorf("output is larger than %d bytes", maxStdout)}
	}
	return stdout.Bytes(), nil
}

// prog names the command in messages: "docker compose", "docker-compose".
func (c *composeCLI) prog() string {
	return strings.Join(append([]string{filepath.Base(c.argv[0])}, c.argv[1:]...), " ")
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.over = true
		b.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// tailBuffer keeps the last lines written to it, at most max bytes.
type tailBuffer struct {
	mu    sync.Mutex
	max   int
	size  int
	lines []string
}

func (t *tailBuffer) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(line) > t.max {
		line = line[len(line)-t.max:]
	}
	t.lines = append(t.lines, line)
	t.size += len(line) + 1
	for t.size > t.max && len(t.lines) > 1 {
		t.size -= len(t.lines[0]) + 1
		t.lines = t.lines[1:]
	}
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
