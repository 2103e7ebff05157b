// Package cli is pave's command-line door: cobra commands built by a
// constructor (no package-level command state) that parse flags, call the
// core and print results as text or JSON.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/errs"
)

// app holds what every command shares: streams and global flags.
type app struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// Main runs pave with args and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.newRoot()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil {
		err = classify(err)
		a.printError(err)
	}
	return exitCode(err)
}

// classify keeps pave's own errors and treats anything else as cobra's word
// about the command line (unknown command or flag, wrong argument count).
// Commands return only errs errors or usage errors: runE sees to it.
func classify(err error) error {
	var u *usageError
	var e *errs.Error
	var l errs.List
	if errors.As(err, &u) || errors.As(err, &e) || errors.As(err, &l) {
		return err
	}
	return &usageError{msg: err.Error()}
}

// runE adapts a command body so that a stray non-pave error is reported as
// internal, never mistaken for a usage error.
func runE(f func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := f(cmd, args)
		if err == nil {
			return nil
		}
		var u *usageError
		var e *errs.Error
		var l errs.List
		if errors.As(err, &u) || errors.As(err, &e) || errors.As(err, &l) {
			return err
		}
		return errs.Wrap(errs.Internal, err, "internal error: %s", err.Error())
	}
}

func (a *app) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "pave",
		Short: "pave turns Score workloads into provisioned resources and running deployments",
		Long: `pave is an infrastructure-first Internal Developer Platform.

Developers describe workloads in Score files; platform engineers describe, as
code, how each resource type is provided in each environment. pave validates,
plans, provisions and deploys.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{msg: err.Error()} })
	root.AddCommand(a.commands()...)
	return root
}

// commands lists every subcommand; each is built by its own constructor.
func (a *app) commands() []*cobra.Command {
	return []*cobra.Command{
		a.newValidate(), a.newPlan(), a.newExplain(), a.newRender(),
		a.newDeploy(), a.newDestroy(), a.newPromote(), a.newRollback(),
		a.newEnv(), a.newGC(), a.newResources(), a.newDeployments(),
		a.newDrivers(), a.newTargets(), a.newLogs(), a.newSecrets(), a.newSupervise(),
		a.newApprove(), a.newPolicy(), a.newServer(), a.newLogin(), a.newLogout(), a.newWhoami(), a.newToken(), a.newUser(),
	}
}

// silentError carries an exit code for a failure already reported on
// stdout (as JSON), so nothing more is printed.
type silentError struct{ err error }

func (e *silentError) Error() string { return e.err.Error() }
func (e *silentError) Unwrap() error { return e.err }

func silent(err error) error { return &silentError{err: err} }

// printError writes err for a person: one line per error, prefixed.
func (a *app) printError(err error) {
	var s *silentError
	if errors.As(err, &s) {
		return
	}
	var u *usageError
	if errors.As(err, &u) {
		fmt.Fprintf(a.stderr, "error: %s\nRun 'pave --help' for usage.\n", u.msg)
		return
	}
	for _, e := range errs.Errors(err) {
		fmt.Fprintf(a.stderr, "error: %s\n", e.Error())
	}
}
