package service

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// LocalOwner names this process in deployment records as
// "local:<host>:<pid>", so that another local run can tell a deployment
// whose process died at once, without waiting for its heartbeat to age.
func LocalOwner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("local:%s:%d", host, os.Getpid())
}

// ownerDead reports whether owner is a local process of this machine that
// no longer runs.
func ownerDead(owner string) bool {
	rest, ok := strings.CutPrefix(owner, "local:")
	if !ok {
		return false
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return false
	}
	host, _ := os.Hostname()
	if rest[:i] != host {
		return false
	}
	pid, err := strconv.Atoi(rest[i+1:])
	if err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return false
	}
	err = syscall.Kill(pid, 0)
	return err == syscall.ESRCH
}
