package service

import (
	"context"
	"maps"

	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/store"
)

// Masked is what a secret output shows unless revealed.
const Masked = "********"

// ResourceView is a resource instance as doors show it.
type ResourceView struct {
	UID        string         `json:"uid"`
	Type       string         `json:"type"`
	Class      string         `json:"class"`
	ID         string         `json:"id,omitempty"`
	Definition string         `json:"definition"`
	Driver     string         `json:"driver"`
	Status     string         `json:"status"`
	Message    string         `json:"message,omitempty"`
	Users      []string       `json:"users,omitempty"`
	Outputs    map[string]any `json:"outputs"`
}

// Resources lists an environment's resources with secret outputs masked,
// or revealed when reveal is set; every reveal is audited. p, the platform
// config, tells whether developers may reveal in the environment's type
// (those whose changes need no approval); without it, only platform
// engineers and admins may.
func (s *Service) Resources(ctx context.Context, p *platform.Platform, actor Actor, app, env string, reveal bool) ([]ResourceView, error) {
	action := identity.ReadApp
	if reveal {
		action = identity.RevealSecrets
	}
	if err := s.allow(ctx, p, actor, action, app, env); err != nil {
		return nil, err
	}
	list, err := s.Store.ListResources(ctx, app, env)
	if err != nil {
		return nil, err
	}
	out := make([]ResourceView, 0, len(list))
	var revealed []string
	for _, r := range list {
		v := ResourceView{UID: r.UID, Type: r.Type, Class: r.Class, ID: r.ID, Definition: r.Definition, Driver: r.Driver,
			Status: string(r.Status), Message: r.Message, Users: r.Users, Outputs: map[string]any{}}
		maps.Copy(v.Outputs, r.Outputs)
		for k, val := range r.SecretOutputs {
			if reveal {
				v.Outputs[k] = val
			} else {
				v.Outputs[k] = Masked
			}
		}
		if reveal && len(r.SecretOutputs) > 0 {
			revealed = append(revealed, r.UID)
		}
		out = append(out, v)
	}
	if reveal {
		s.audit(ctx, actor, "resources.reveal", app+"/"+env, "", nil, map[string]any{"resources": revealed})
	}
	return out, nil
}

// Deployments lists an environment's deployments, newest first.
func (s *Service) Deployments(ctx context.Context, actor Actor, app, env string, limit int) ([]store.Deployment, error) {
	if err := s.allow(ctx, nil, actor, identity.ReadApp, app, env); err != nil {
		return nil, err
	}
	return s.Store.ListDeployments(ctx, store.DeploymentFilter{App: app, Env: env, Limit: limit})
}

// DeploymentDetail is a deployment with its events.
type DeploymentDetail struct {
	store.Deployment
	Events []store.DeploymentEvent `json:"events"`
}

// Deployment returns one deployment with its events.
func (s *Service) Deployment(ctx context.Context, actor Actor, id string) (*DeploymentDetail, error) {
	d, err := s.Store.GetDeployment(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.allow(ctx, nil, actor, identity.ReadApp, d.App, d.Env); err != nil {
		return nil, err
	}
	ev, err := s.Store.ListEvents(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	return &DeploymentDetail{Deployment: *d, Events: ev}, nil
}
