package service

import (
	"context"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/score"
)

// ExplainRequest asks how a resource of an app would be matched in an
// environment of the platform config.
type ExplainRequest struct {
	Platform *platform.Platform
	App      string
	Env      string
	// Type, Class (default "default") and ID (optional) name the resource.
	Type  string
	Class string
	ID    string
	Actor Actor
}

// Explain shows how a resource would be matched in an environment. It
// reads only the platform config, which every authenticated actor may
// read.
func (s *Service) Explain(ctx context.Context, req ExplainRequest) (platform.Explanation, error) {
	if err := s.allow(ctx, nil, req.Actor, identity.ReadPlatform, "", ""); err != nil {
		return platform.Explanation{}, err
	}
	if req.Type == "" {
		return platform.Explanation{}, errs.New(errs.Invalid, "no resource type given")
	}
	e, err := req.Platform.Environment(req.Env)
	if err != nil {
		return platform.Explanation{}, err
	}
	class := req.Class
	if class == "" {
		class = score.DefaultClass
	}
	if _, err := req.Platform.Type(req.Type); err != nil {
		return platform.Explanation{}, errs.New(errs.Invalid, "unknown resource type %q", req.Type)
	}
	return req.Platform.Explain(e.MatchContext(req.App, req.ID), req.Type, class), nil
}
