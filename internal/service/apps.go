package service

import (
	"context"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/store"
)

// ListApps returns the apps the actor may read, by name.
func (s *Service) ListApps(ctx context.Context, actor Actor) ([]store.App, error) {
	all, err := s.Store.ListApps(ctx)
	if err != nil {
		return nil, err
	}
	out := []store.App{}
	for _, a := range all {
		if identity.Authorize(principal(actor), identity.ReadApp, identity.Scope{App: a.Name, Team: a.Team}).Allowed {
			out = append(out, a)
		}
	}
	if len(out) == 0 && actor.ID == "" {
		return nil, errs.New(errs.Unauthorized, "%s: not authenticated", identity.ReadApp)
	}
	return out, nil
}

// GetApp returns one app.
func (s *Service) GetApp(ctx context.Context, actor Actor, name string) (*store.App, error) {
	a, err := s.Store.GetApp(ctx, name)
	if err != nil {
		return nil, err
	}
	if _, err := s.authorizeScope(ctx, actor, identity.ReadApp, identity.Scope{App: a.Name, Team: a.Team}); err != nil {
		return nil, err
	}
	return a, nil
}

// CreateApp records an app owned by a team: the actor's own team (for a
// developer) or any (for a platform engineer or admin). The team must
// exist.
func (s *Service) CreateApp(ctx context.Context, actor Actor, a *store.App) error {
	if err := checkName("app", a.Name); err != nil {
		return err
	}
	if a.Team == "" {
		a.Team = defaultTeam(actor)
	}
	if _, err := s.authorizeScope(ctx, actor, identity.CreateApp, identity.Scope{App: a.Name, Team: a.Team}); err != nil {
		return err
	}
	if a.Team != "" {
		if _, err := s.Store.GetTeam(ctx, a.Team); errs.Is(err, errs.NotFound) {
			return errs.New(errs.Invalid, "app %q: team %q does not exist", a.Name, a.Team)
		} else if err != nil {
			return err
		}
	}
	err := s.Store.CreateApp(ctx, a)
	s.audit(ctx, actor, "app.create", a.Name, "", err, map[string]any{"team": a.Team})
	return err
}

// SetAppTeam gives an app to another team; platform engineers and admins
// only.
func (s *Service) SetAppTeam(ctx context.Context, actor Actor, app, team string) (*store.App, error) {
	if err := s.allow(ctx, nil, actor, identity.ManagePlatform, "", ""); err != nil {
		return nil, err
	}
	if _, err := s.Store.GetTeam(ctx, team); err != nil {
		return nil, err
	}
	a := &store.App{Name: app, Team: team}
	err := s.Store.UpdateApp(ctx, a)
	s.audit(ctx, actor, "app.update", app, "", err, map[string]any{"team": team})
	if err != nil {
		return nil, err
	}
	return s.Store.GetApp(ctx, app)
}
