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
//   - PORT: the targetPort of the workload's first service port by name,
//     plus the portOffset (below). Processes share this machine's network:
//     a process listens on its targetPort itself (there is no port mapping;
//     the service port is only a name for others), and two workloads of a
//     deployment may not use the same one.
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
// Ports. Every environment's processes share this machine's ports, so the
// target config key portOffset (an integer from 0 to 50000, default 0) moves
// all the ports of one environment: it is added to
//
//   - every service port's targetPort (the service port when there is no
//     targetPort), and so to the PORT pave sets, which is the first of them;
//   - the port of every httpGet readiness and liveness probe, given or
//     defaulted (the default is PORT's value, offset already).
//
// A PORT variable the workload sets itself is passed unchanged. A platform
// then runs development with offset 0 and staging with offset 1000 on one
// machine: a workload whose service targets 8080 listens on 8080 in the
// one and 9080 in the other, and each is probed on its own port. A port
// above 65535 once offset is an invalid-input error.
//
// Before it starts a container (new, or changed and so restarted), the
// supervisor checks that each port the process will listen on is free on
// 127.0.0.1, by binding it (TCP, or UDP for a UDP service port): the
// targetPorts of the workload's service ports, offset, and the PORT the
// container sets itself, if it does. A port held by a running container
// that this deploy stops or replaces, or by a kept container of the same
// workload, is fine. Any other port in use fails the deploy at once, before
// anything is stopped or started (or, for a port still held once the
// replaced processes stopped, before anything is started), with an
// invalid-input error that names the port, the workload, who holds it when
// another environment's supervisor says so, and portOffset. Without this
// the new process would crash-loop unable to listen while its readiness
// probe was answered by the process already there. Readiness also requires
// the probed process to be alive when its probe succeeds, and a process
// that exits is not ready from that moment.
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
			"Processes listen on their service ports' targetPorts on this machine; portOffset is added to each " +
			"targetPort, to PORT (unless the workload sets PORT itself) and to every httpGet probe port, so that " +
			"several environments run side by side. A deploy fails at once, naming the port and the workload, when " +
			"a port its processes will listen on is already in use on 127.0.0.1 by anything but the processes it replaces. " +
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
