//go:build !unix

package process

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// supported says whether the process target runs on this system.
const supported = false

var errUnsupported = errors.New("the process target runs on Linux and other Unix systems only")

func childAttr() *syscall.SysProcAttr       { return nil }
func detachedAttr() *syscall.SysProcAttr    { return nil }
func signalGroup(pgid int, kill bool) error { return errUnsupported }
func groupAlive(pgid int) bool              { return false }
func processAlive(pid int) bool             { return false }
func ownedByMe(fi os.FileInfo) bool         { return false }
func tryLock(f *os.File) error              { return errUnsupported }
func spawn(cmd *exec.Cmd) error             { return errUnsupported }
