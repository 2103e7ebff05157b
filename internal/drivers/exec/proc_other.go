//go:build !unix

package exec

import osexec "os/exec"

// ownGroup leaves the default: cancelling kills the command only.
func ownGroup(*osexec.Cmd) {}

// killGroup has no group to kill.
func killGroup(*osexec.Cmd) {}
