//go:build unix && !linux

package process

import "syscall"

// setParentDeathSignal does nothing where the system has no parent-death
// signal; a new supervisor stops the process groups its predecessor left.
func setParentDeathSignal(*syscall.SysProcAttr) {}
