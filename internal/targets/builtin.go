// Package targets registers pave's built-in targets, all in this one file.
package targets

import (
	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/target/compose"
	"github.com/pavedev/pave/internal/target/gitops"
	"github.com/pavedev/pave/internal/target/kubernetes"
	"github.com/pavedev/pave/internal/target/process"
)

// Options configure the built-in targets.
type Options struct {
	// StateDir is pave's local state directory.
	StateDir string
	// InProcess runs the process target's supervisors inside this process
	// (servers, tests) instead of in the background.
	InProcess bool
	// HashKey is a stable platform secret key for digests that targets
	// write where others can read them (the gitops target's
	// pave.dev/config-hash annotations and Secret fingerprints), so that
	// they are no oracle for guessing secret values.
	HashKey []byte
}

// Register adds every built-in target to r; a duplicate name panics.
func Register(r *target.Registry, opts Options) {
	r.Register(compose.Name, compose.New(compose.Options{StateDir: opts.StateDir}))
	r.Register(kubernetes.Name, kubernetes.New(kubernetes.Options{}))
	r.Register(process.Name, process.New(process.Options{StateDir: opts.StateDir, InProcess: opts.InProcess}))
	r.Register(gitops.Name, gitops.New(gitops.Options{HashKey: opts.HashKey}))
}
