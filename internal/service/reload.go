package service

import (
	"context"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/identity"
)

// ConfigRefusal is a change of the platform config that was not put in
// force: it did not load, or its source could not be read. The config in
// force stays.
type ConfigRefusal struct {
	// Revision is the refused content; empty when the source could not be
	// read.
	Revision string    `json:"revision,omitempty"`
	At       time.Time `json:"at"`
	// Errors are every problem found, located where known ("file:line").
	Errors []ConfigProblem `json:"errors"`
}

// ConfigProblem is one problem of a refused platform config change.
type ConfigProblem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// Problems turns an error into the problems of a refusal; messages are
// the user-safe ones, never internal causes.
func Problems(err error) []ConfigProblem {
	list := errs.Errors(err)
	out := make([]ConfigProblem, len(list))
	for i, e := range list {
		out[i] = ConfigProblem{File: e.File, Line: e.Line, Path: e.Path, Message: e.Message}
	}
	return out
}

// PlatformReloader reloads the platform config in force: it reads its
// source now and, when the content changed and loads, puts it in force. A
// change that does not load is refused with its errors (an errs.List) and
// the config in force stays; changed says whether a new config is in
// force.
type PlatformReloader interface {
	Reload(ctx context.Context) (cfg *Config, changed bool, err error)
}

// PlatformReload is the result of a reload asked for.
type PlatformReload struct {
	Source   string    `json:"source"`
	Revision string    `json:"revision"`
	LoadedAt time.Time `json:"loadedAt"`
	// Changed is false when the source held the config in force already.
	Changed bool `json:"changed"`
}

// ReloadPlatform reloads the platform config now, for a platform
// engineer, and audits it. A change that does not load is refused with its
// errors; the config in force stays.
func (s *Service) ReloadPlatform(ctx context.Context, actor Actor, r PlatformReloader) (*PlatformReload, error) {
	if err := s.allow(ctx, nil, actor, identity.ManagePlatform, "", ""); err != nil {
		return nil, err
	}
	cfg, changed, err := r.Reload(ctx)
	if cfg == nil {
		cfg = &Config{}
	}
	res := &PlatformReload{Source: cfg.Source, Revision: cfg.Revision, LoadedAt: cfg.LoadedAt, Changed: changed}
	if s.Store != nil {
		s.audit(ctx, actor, "platform.reload", "platform", "", err, map[string]any{"revision": cfg.Revision, "changed": changed})
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}
