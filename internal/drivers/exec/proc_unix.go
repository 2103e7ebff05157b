//go:build unix

package exec

import (
	osexec "os/exec"
	"syscall"
)

// ownGroup starts the command in a process group of its own, and makes
// cancelling it kill the whole group: a shell script's children too.
func ownGroup(cmd *osexec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// killGroup kills what is left of the command's group once it has exited:
// a run leaves nothing behind.
func killGroup(cmd *osexec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
