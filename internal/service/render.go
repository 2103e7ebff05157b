package service

import (
	"context"
	"io/fs"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/render/compose"
	"github.com/pavedev/pave/internal/render/kubernetes"
)

// Render formats.
const (
	RenderKubernetes = "kubernetes"
	RenderCompose    = "compose"
)

// RenderedFile is one file of a render. Renders never hold secret values:
// Kubernetes Secrets are named in a comment and left out, Compose secret env
// files are left unwritten; deploying creates them where they belong.
type RenderedFile struct {
	Path    string
	Content []byte
	Mode    fs.FileMode
}

// Rendered is the result of Render.
type Rendered struct {
	Files    []RenderedFile
	Warnings []string
}

// RenderRequest asks for a plan's manifests in one format.
type RenderRequest struct {
	Platform *platform.Platform
	Plan     *graph.Plan
	Format   string
	Images   map[string]string
	Builds   map[string]string
}

// Render resolves a plan without provisioning (pure drivers run in process,
// others must have been deployed) and renders it.
func (s *Service) Render(ctx context.Context, req RenderRequest) (*Rendered, error) {
	if req.Format != RenderKubernetes && req.Format != RenderCompose {
		return nil, errs.New(errs.Invalid, "unknown render target %q (expected kubernetes or compose)", req.Format)
	}
	d, err := s.engine(req.Platform).Resolve(ctx, req.Plan, req.Images)
	if err != nil {
		return nil, err
	}
	out := &Rendered{}
	switch req.Format {
	case RenderKubernetes:
		res, err := kubernetes.Render(d, kubernetes.Options{})
		if err != nil {
			return nil, err
		}
		y, err := res.YAML(false)
		if err != nil {
			return nil, err
		}
		out.Files = append(out.Files, RenderedFile{Path: "manifests.yaml", Content: y, Mode: 0o644})
		if len(res.Secrets) > 0 {
			out.Warnings = append(out.Warnings, "Secrets are not written; see the comment at the top of manifests.yaml")
		}
	case RenderCompose:
		p, err := compose.Render(d, compose.Options{Builds: req.Builds})
		if err != nil {
			return nil, err
		}
		y, err := p.YAML()
		if err != nil {
			return nil, err
		}
		out.Files = append(out.Files, RenderedFile{Path: "compose.yaml", Content: y, Mode: 0o644})
		for _, f := range p.Files {
			if f.Secret {
				out.Warnings = append(out.Warnings, "secret file "+f.Path+" is not written: pave deploy writes it with mode 0600")
				continue
			}
			out.Files = append(out.Files, RenderedFile{Path: f.Path, Content: f.Content, Mode: f.Mode})
		}
		out.Warnings = append(out.Warnings, p.Warnings...)
	}
	return out, nil
}
