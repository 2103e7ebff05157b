package cli

import (
	"errors"

	"github.com/pavedev/pave/internal/errs"
)

// Exit codes, the contract scripts rely on. This is the one place errors map
// to them.
const (
	ExitOK      = 0
	ExitFailed  = 1 // invalid input, or the operation failed
	ExitUsage   = 2 // the command line itself is wrong
	ExitDenied  = 3 // refused by policy or access control
	ExitPending = 4 // waiting on an approval
)

// usageError marks a command-line mistake (unknown flag, missing argument).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: sprintf(format, args...)}
}

// exitCode maps an error to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var u *usageError
	if errors.As(err, &u) {
		return ExitUsage
	}
	if isPending(err) {
		return ExitPending
	}
	switch errs.CodeOf(err) {
	case errs.Policy, errs.Forbidden, errs.Unauthorized:
		return ExitDenied
	default:
		return ExitFailed
	}
}
