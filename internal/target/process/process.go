// Package process is pave's process target, the embedded default for
// development: every container of every workload runs as a local process
// of this machine, with no image and no container runtime.
//
// A container's Command (Command[0] looked up in PATH, or a path relative
// to the working directory) runs with its Args. Its image is ignored.
//
// Environment: the container's variables, plus PATH and HOME from pave's
// own environment and nothing else of it, so that no pave secret reaches a
// workload. pave adds, unless the workload sets them itself:
//
//   - PORT: the targetPort of the workload's first service port by name.
//     Processes share this machine's network: a process listens on its
//     targetPort itself (there is no port mapping; the service port is only
//     a name for others), and two workloads of a deployment may not use the
//     same one.
//   - PAVE_FILES_DIR: a process cannot be given /etc/app/config.yaml, so
//     its files are written to
//     <stateDir>/process/<app>/<env>/<workload>/<container>/files/<path>,
//     that is $PAVE_FILES_DIR/etc/app/config.yaml, with their modes (secret
//     files are never readable by group or others, 0600 by default).
//     Volumes are symbolic links there to the volume's source directory
//     (read-only is not enforced).
//
// Working directory: the target config's workdir when set, else the
// container's directory <stateDir>/process/<app>/<env>/<workload>/<container>.
//
// pave's CLI exits once a deployment is done, so processes are run by a
// supervisor: one background process per app and environment, started on
// the first deploy by re-executing pave as `pave __supervise STATE_DIR APP
// ENV` (see SupervisorSubcommand and RunSupervisor), detached from the
// terminal. The target talks to it over a unix socket only its user can
// open; secret values cross that socket and live in the supervisor's
// memory, never in its state file. The supervisor restarts a process that
// exits with exponential backoff (1s doubling to 30s), probes readiness and
// liveness, captures stdout and stderr to a size-capped rotating log with
// secret values redacted, and stops a process with SIGTERM to its whole
// process group, then SIGKILL after the stop timeout. A redeploy leaves
// running the containers whose resolved spec (and executable) did not
// change, restarts the others and stops those no longer deployed; the
// supervisor exits once it has nothing to run. Processes never outlive
// their supervisor: on Linux they are signalled when it dies, and the next
// supervisor kills whatever its predecessor left.
package process

import (
	"context"
	"sync"

	"github.com/pavedev/pave/internal/target"
)

// Name is the target's name in the registry and in environments.
const Name = "process"

// Options configure the process target.
type Options struct {
	// StateDir is pave's state directory; the target keeps everything under
	// StateDir/process.
	StateDir string
	// InProcess runs supervisors as goroutines of this process rather than
	// as background processes: processes then end with this one. For tests
	// and long-running servers.
	InProcess bool
	// SupervisorCommand starts a background supervisor; the target appends
	// STATE_DIR APP ENV. Default: this executable and SupervisorSubcommand.
	SupervisorCommand []string
}

// Target is the process target.
type Target struct {
	opts Options

	mu     sync.Mutex
	inproc map[string]*inprocSupervisor // by layout root
}

// inprocSupervisor is a supervisor run as a goroutine.
type inprocSupervisor struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// New returns a process target.
func New(opts Options) *Target {
	return &Target{opts: opts, inproc: map[string]*inprocSupervisor{}}
}

var (
	_ target.Target         = (*Target)(nil)
	_ target.StatusReporter = (*Target)(nil)
	_ target.LogReader      = (*Target)(nil)
	_ target.Describer      = (*Target)(nil)
)

// Describe documents the target and its config keys.
func (t *Target) Describe() target.Info {
	return target.Info{
		Name: Name,
		Description: "Runs each container's command as a supervised local process of this machine " +
			"(the image is ignored; no Docker). Environment: the workload's variables plus PATH and HOME, " +
			"PORT (the first service port's targetPort, unless set) and PAVE_FILES_DIR (where the container's " +
			"files are written: <stateDir>/process/<app>/<env>/<workload>/<container>/files/<path>). " +
			"Processes are restarted on exit with backoff, survive the pave command in a background " +
			"supervisor per app and environment, and are stopped on redeploy when changed, and on destroy. " +
			"Resource limits are not enforced.",
		Config: configInputs,
	}
}

// Close stops the supervisors this target runs in process, and with them
// their processes. Background supervisors are left running.
func (t *Target) Close() error {
	t.mu.Lock()
	sups := make([]*inprocSupervisor, 0, len(t.inproc))
	for _, s := range t.inproc {
		sups = append(sups, s)
	}
	t.mu.Unlock()
	for _, s := range sups {
		s.cancel()
		<-s.done
	}
	return nil
}
