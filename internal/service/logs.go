package service

import (
	"context"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/target"
)

// LogsRequest asks for the recent log lines of one workload.
type LogsRequest struct {
	Platform *platform.Platform
	App      string
	Env      string
	Workload string
	// Tail is how many lines, from the end; 0 for all the target keeps.
	Tail  int
	Actor Actor
}

// Logs returns a workload's recent log lines from the target of its
// environment, for whoever may read the app's environment.
func (s *Service) Logs(ctx context.Context, req LogsRequest) ([]string, error) {
	if err := checkName("app", req.App); err != nil {
		return nil, err
	}
	if err := s.allow(ctx, req.Platform, req.Actor, identity.ReadApp, req.App, req.Env); err != nil {
		return nil, err
	}
	if err := checkName("workload", req.Workload); err != nil {
		return nil, err
	}
	if req.Tail < 0 {
		return nil, errs.New(errs.Invalid, "tail %d: want 0 (all) or more", req.Tail)
	}
	var e *platform.Environment
	var err error
	if s.Store != nil {
		e, err = s.template(ctx, req.Platform, req.App, req.Env)
	} else {
		e, err = req.Platform.Environment(req.Env)
	}
	if err != nil {
		return nil, err
	}
	t, ok := s.Targets.Get(e.Target.Kind)
	if !ok {
		return nil, errs.New(errs.Invalid, "environment %q deploys to target %q, which this pave does not have", req.Env, e.Target.Kind)
	}
	lr, ok := t.(target.LogReader)
	if !ok {
		return nil, errs.New(errs.Invalid, "the %s target of environment %q keeps no logs pave can read", e.Target.Kind, req.Env)
	}
	// The target config as written: reading logs needs no secrets.
	return lr.Logs(ctx, target.Config(e.Target.Config), req.App, req.Env, req.Workload, req.Tail)
}
