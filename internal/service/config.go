package service

import (
	"errors"
	"io/fs"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/policy"
)

// PoliciesDir is the directory of a platform config that holds its Rego
// policies.
const PoliciesDir = "policies"

// Config is the platform as the core enforces it: the loaded platform
// config and its compiled policies. A platform without a policies directory
// has an empty set of policies, never a nil one.
type Config struct {
	Platform *platform.Platform
	Policies *policy.Engine
	// Source, Revision and LoadedAt say where the config was read from (a
	// directory, or a Git repository with its ref and path), which content
	// it is (a Git commit, or a hash of the directory's files) and when it
	// was loaded; empty for a config loaded once by a command.
	Source   string
	Revision string
	LoadedAt time.Time
}

// LoadConfig loads and checks a platform config against this binary's
// drivers and compiles the policies of its policies/ directory. dir is as
// for LoadPlatform.
func (s *Service) LoadConfig(fsys fs.FS, dir string) (*Config, error) {
	p, err := s.LoadPlatform(fsys, dir)
	if err != nil {
		return nil, err
	}
	pol, err := LoadPolicies(fsys)
	if err != nil {
		return nil, err
	}
	return &Config{Platform: p, Policies: pol}, nil
}

// LoadPolicies compiles the policies of the policies/ directory of a
// platform config; with no such directory, the set is empty.
func LoadPolicies(fsys fs.FS) (*policy.Engine, error) {
	files, err := PolicyFiles(fsys)
	if err != nil {
		return nil, err
	}
	return policy.Compile(files)
}

// PolicyFiles reads the .rego files of the policies/ directory of a
// platform config, keyed by their path in the config ("policies/x.rego"),
// tests included; none when there is no such directory.
func PolicyFiles(fsys fs.FS) (map[string][]byte, error) {
	if _, err := fs.Stat(fsys, PoliciesDir); errors.Is(err, fs.ErrNotExist) {
		return map[string][]byte{}, nil
	}
	sub, err := fs.Sub(fsys, PoliciesDir)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "policies: cannot read %s", PoliciesDir)
	}
	files, err := policy.ReadFS(sub)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(files))
	for name, b := range files {
		out[PoliciesDir+"/"+name] = b
	}
	return out, nil
}
