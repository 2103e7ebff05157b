//go:build unix

package compose

import "syscall"

// groupAttr puts a docker command in a process group of its own, so that
// stopping it reaches the Compose plugin the docker CLI runs as a child.
func groupAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// signalGroup sends SIGTERM, or SIGKILL when kill is set, to the process
// group led by pid.
func signalGroup(pid int, kill bool) {
	if pid <= 1 {
		return
	}
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-pid, sig) // ESRCH: the group is gone already
}
