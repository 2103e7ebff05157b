// Package service holds the use cases every door (CLI, API, portal, MCP)
// calls: validate, plan, explain, render, deploy, destroy, promote, roll back,
// environments and resources. Decisions that must hold whatever the door
// (locking an environment, recording history, policy) are made here.
package service

import (
	"io/fs"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/engine"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/target"
)

// Service is pave's core. Store is nil for commands that keep no state
// (validate, plan and render without history).
type Service struct {
	Drivers *driver.Registry
	Targets *target.Registry
	Store   store.Store
	// Owner identifies this process in deployment records; see LocalOwner.
	Owner string
	// Parallelism bounds concurrent driver calls of one deployment.
	Parallelism int
	// StaleAfter is how long a deployment's heartbeat may be silent before
	// another process takes it for dead.
	StaleAfter time.Duration
	Now        func() time.Time
	// HashKey keys the digests of secret values that Render writes (the
	// Kubernetes pave.dev/config-hash annotation), so that rendered output
	// is no offline guessing oracle for them; plain SHA-256 when nil. Set
	// it to a stable key derived from the sealing key.
	HashKey []byte
}

// Actor is who asks: a person, a CI job, an AI agent, or the local user.
type Actor struct {
	ID    string   `json:"id"`
	Kind  string   `json:"kind"` // human, ci, agent, local
	Roles []string `json:"roles,omitempty"`
	Teams []string `json:"teams,omitempty"`
	// Bindings are the roles the actor holds on one team's apps or one
	// app (see identity.Binding).
	Bindings []identity.Binding `json:"bindings,omitempty"`
}

// LoadPlatform loads and checks a platform config against this binary's
// drivers. dir is the absolute directory fsys reads, against which drivers
// resolve relative paths of their inputs (a tofu module); empty when fsys is
// not a directory on disk.
func (s *Service) LoadPlatform(fsys fs.FS, dir string) (*platform.Platform, error) {
	return platform.Load(fsys, platform.DriverOptions(s.Drivers, dir))
}

func (s *Service) engine(p *platform.Platform) *engine.Engine {
	e := &engine.Engine{Drivers: s.Drivers, Targets: s.Targets, Platform: p, Parallelism: s.Parallelism, Owner: s.Owner}
	if s.Store != nil {
		e.Store = s.Store
	}
	return e
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
