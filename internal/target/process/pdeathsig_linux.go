package process

import "syscall"

// setParentDeathSignal has Linux send SIGTERM to a child when the
// supervisor dies, so that no process outlives the one that restarts it.
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGTERM }
