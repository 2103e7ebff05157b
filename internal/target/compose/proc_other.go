//go:build !unix

package compose

import (
	"os"
	"syscall"
)

// groupAttr has no process groups to set up on this system.
func groupAttr() *syscall.SysProcAttr { return nil }

// signalGroup kills the process pid: this system has no process groups,
// so children of the docker CLI may outlive it.
func signalGroup(pid int, kill bool) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}
