package service

import (
	"context"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/platform"
)

// LocalAdmin is the actor of the local CLI working on its own state
// without a server: the machine's user is its own admin.
func LocalAdmin() Actor {
	return Actor{ID: "local", Kind: "local", Roles: []string{identity.Admin}}
}

// principal is the actor as identity sees it.
func principal(a Actor) identity.Principal {
	return identity.Principal{ID: a.ID, Kind: a.Kind, Roles: a.Roles, Teams: a.Teams, Bindings: a.Bindings}
}

// appScope works out the scope of an app action: the app's team (for an app
// not yet recorded, the team it would get) and, when env is given, the
// environment's type.
func (s *Service) appScope(ctx context.Context, p *platform.Platform, a Actor, app, env string) (identity.Scope, error) {
	sc := identity.Scope{App: app, Env: env, Team: defaultTeam(a)}
	if s.Store != nil && app != "" {
		rec, err := s.Store.GetApp(ctx, app)
		switch {
		case err == nil:
			sc.Team = rec.Team
		case !errs.Is(err, errs.NotFound):
			return sc, err
		}
	}
	if env == "" {
		return sc, nil
	}
	if s.Store != nil {
		rec, err := s.Store.GetEnvironment(ctx, app, env)
		switch {
		case err == nil:
			sc.EnvType = rec.Type
			sc.Direct = developerDirect(p, sc.EnvType)
			return sc, nil
		case !errs.Is(err, errs.NotFound):
			return sc, err
		}
	}
	if p != nil {
		if pe, err := p.Environment(env); err == nil {
			sc.EnvType = pe.Type
		}
	}
	sc.Direct = developerDirect(p, sc.EnvType)
	return sc, nil
}

// developerDirect reports whether the platform config lets developers
// change environments of envType without an approval. Without a platform
// config it cannot tell, and says no: the guarded answer.
func developerDirect(p *platform.Platform, envType string) bool {
	if p == nil || envType == "" {
		return false
	}
	t, err := p.EnvironmentType(envType)
	return err == nil && t.DeveloperDirect()
}

// defaultTeam is the team a new app of a gets: its first team.
func defaultTeam(a Actor) string {
	if len(a.Teams) == 0 {
		return ""
	}
	t := a.Teams[0]
	for _, x := range a.Teams[1:] {
		t = min(t, x)
	}
	return t
}

// authorize is the one gate every use case passes: it decides, with
// identity.Authorize, whether the actor may do action on app and env (both
// empty for a global action), and audits a refusal. A refusal is
// unauthorized for an actor that is not authenticated and forbidden
// otherwise. An allowed decision may still require an approval.
func (s *Service) authorize(ctx context.Context, p *platform.Platform, a Actor, action identity.Action, app, env string) (identity.Decision, error) {
	sc := identity.Scope{}
	if app != "" {
		var err error
		if sc, err = s.appScope(ctx, p, a, app, env); err != nil {
			return identity.Decision{}, err
		}
	}
	return s.authorizeScope(ctx, a, action, sc)
}

// authorizeScope is authorize with the scope worked out.
func (s *Service) authorizeScope(ctx context.Context, a Actor, action identity.Action, sc identity.Scope) (identity.Decision, error) {
	d := identity.Authorize(principal(a), action, sc)
	if d.Allowed {
		return d, nil
	}
	var err error
	if a.ID == "" {
		err = errs.New(errs.Unauthorized, "%s: not authenticated", action)
	} else {
		err = errs.New(errs.Forbidden, "%s", d.Reason)
	}
	if s.Store != nil && a.ID != "" {
		s.audit(ctx, a, string(action), scopeTarget(sc), "", err, nil)
	}
	return d, err
}

// allow is authorize for actions that may not wait for an approval: an
// allowed decision that needs one is refused, saying why.
func (s *Service) allow(ctx context.Context, p *platform.Platform, a Actor, action identity.Action, app, env string) error {
	d, err := s.authorize(ctx, p, a, action, app, env)
	if err != nil {
		return err
	}
	if d.Approval != "" {
		return errs.New(errs.Forbidden, "%s: %s", action, d.Approval)
	}
	return nil
}

func scopeTarget(sc identity.Scope) string {
	switch {
	case sc.App != "" && sc.Env != "":
		return sc.App + "/" + sc.Env
	case sc.App != "":
		return sc.App
	case sc.User != "":
		return "user/" + sc.User
	}
	return "platform"
}

// changeAction is the access-control action of a use case
// (DeployRequest.Action).
func changeAction(action string) identity.Action {
	switch action {
	case "", "deploy", "env.clone":
		return identity.Deploy
	case "destroy":
		return identity.Destroy
	case "promote":
		return identity.Promote
	case "rollback":
		return identity.Rollback
	case "gc", "env.delete":
		return identity.DeleteEnv
	case "env.create":
		return identity.CreateEnv
	}
	return identity.Action(action)
}
