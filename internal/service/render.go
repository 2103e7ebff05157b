package service

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"strconv"
	"unicode/utf8"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/policy"
	"github.com/pavedev/pave/internal/render/compose"
	"github.com/pavedev/pave/internal/render/kubernetes"
	"github.com/pavedev/pave/internal/score"
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

// renderedFileJSON is the JSON form of a RenderedFile: text content as
// is, other content base64-encoded (as Score's content and binaryContent),
// the mode in octal.
type renderedFileJSON struct {
	Path          string `json:"path"`
	Content       string `json:"content,omitempty"`
	BinaryContent string `json:"binaryContent,omitempty"`
	Mode          string `json:"mode"`
}

// MarshalJSON implements json.Marshaler.
func (f RenderedFile) MarshalJSON() ([]byte, error) {
	j := renderedFileJSON{Path: f.Path, Mode: "0" + strconv.FormatUint(uint64(f.Mode.Perm()), 8)}
	if utf8.Valid(f.Content) {
		j.Content = string(f.Content)
	} else {
		j.BinaryContent = base64.StdEncoding.EncodeToString(f.Content)
	}
	return json.Marshal(j)
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *RenderedFile) UnmarshalJSON(b []byte) error {
	var j renderedFileJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	mode, err := strconv.ParseUint(j.Mode, 8, 32)
	if err != nil {
		return errs.New(errs.Invalid, "file %q: mode %q is not octal", j.Path, j.Mode)
	}
	*f = RenderedFile{Path: j.Path, Content: []byte(j.Content), Mode: fs.FileMode(mode).Perm()}
	if j.BinaryContent != "" {
		if f.Content, err = base64.StdEncoding.DecodeString(j.BinaryContent); err != nil {
			return errs.New(errs.Invalid, "file %q: binaryContent is not base64", j.Path)
		}
	}
	return nil
}

// Rendered is the result of Render.
type Rendered struct {
	Files    []RenderedFile `json:"files"`
	Warnings []string       `json:"warnings"`
}

// RenderRequest asks for the manifests of an app's workloads in one
// environment, in one format.
type RenderRequest struct {
	Platform  *platform.Platform
	Policies  *policy.Engine
	App       string
	Env       string
	Workloads []*score.Workload
	Format    string
	Images    map[string]string
	// Builds are Compose build contexts, by [WORKLOAD.]CONTAINER.
	Builds map[string]string
	Actor  Actor
}

// Render plans the workloads as Plan does (whoever may plan may render),
// resolves the plan without provisioning (pure drivers run in process,
// others must have been deployed) and renders it. Secret values stay out
// of the result, and digests of them are keyed with HashKey.
func (s *Service) Render(ctx context.Context, req RenderRequest) (*Rendered, error) {
	if req.Format != RenderKubernetes && req.Format != RenderCompose {
		return nil, errs.New(errs.Invalid, "unknown render target %q (expected kubernetes or compose)", req.Format)
	}
	plan, err := s.Plan(ctx, PlanRequest{Platform: req.Platform, Policies: req.Policies, App: req.App, Env: req.Env,
		Workloads: req.Workloads, Images: req.Images, Actor: req.Actor})
	if err != nil {
		return nil, err
	}
	d, err := s.engine(req.Platform).Resolve(ctx, plan.Plan, req.Images)
	if err != nil {
		return nil, err
	}
	out := &Rendered{Warnings: []string{}}
	switch req.Format {
	case RenderKubernetes:
		res, err := kubernetes.Render(d, kubernetes.Options{HashKey: s.HashKey})
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
