package identity

import (
	"fmt"
	"slices"
)

// Role names.
const (
	Viewer           = "viewer"
	Developer        = "developer"
	PlatformEngineer = "platform-engineer"
	Admin            = "admin"
)

// Roles lists every role, least powerful first.
var Roles = []string{Viewer, Developer, PlatformEngineer, Admin}

// ValidRole reports whether r is a role.
func ValidRole(r string) bool { return slices.Contains(Roles, r) }

// Action is something a principal asks the core to do.
type Action string

// The actions. App actions are judged against an app's team and an
// environment's type; the others are global.
const (
	ReadApp       Action = "app.read"
	CreateApp     Action = "app.create"
	Plan          Action = "plan"
	Deploy        Action = "deploy"
	Destroy       Action = "destroy"
	Promote       Action = "promote"
	Rollback      Action = "rollback"
	CreateEnv     Action = "env.create"
	DeleteEnv     Action = "env.delete"
	ApprovePlan   Action = "plan.approve"
	RevealSecrets Action = "resources.reveal"

	ReadPlatform   Action = "platform.read"
	ManagePlatform Action = "platform.write"
	ReadAudit      Action = "audit.read"
	ReadIdentity   Action = "identity.read"
	ManageIdentity Action = "identity.write"
	// ManageOwnTokens is creating, listing and revoking one's own tokens:
	// Scope.User names whose.
	ManageOwnTokens Action = "tokens.own"
)

// AppActions are the actions judged against an app and an environment.
var AppActions = []Action{ReadApp, CreateApp, Plan, Deploy, Destroy, Promote, Rollback, CreateEnv, DeleteEnv, ApprovePlan, RevealSecrets}

// GlobalActions are the actions that are not about one app.
var GlobalActions = []Action{ReadPlatform, ManagePlatform, ReadAudit, ReadIdentity, ManageIdentity, ManageOwnTokens}

// changes are the app actions that change an environment.
var changes = []Action{Deploy, Destroy, Promote, Rollback, CreateEnv, DeleteEnv}

// Principal is who asks.
type Principal struct {
	ID string
	// Kind is human, ci, agent or local.
	Kind  string
	Roles []string
	Teams []string
}

// Scope is what an action is about.
type Scope struct {
	// App and Team name the app and the team that owns it (or will own it,
	// for an app being created). Team is empty for an app owned by no team:
	// only platform engineers and admins act on those.
	App  string
	Team string
	// Env and EnvType name the environment, when the action is about one.
	Env     string
	EnvType string
	// Direct says that the platform config lets developers change
	// environments of EnvType without an approval (EnvironmentType
	// spec.approval: none). False, the zero value, is the guarded case.
	Direct bool
	// User is whose tokens, for ManageOwnTokens.
	User string
}

// Decision is Authorize's answer.
type Decision struct {
	// Allowed is true when the action may go ahead, possibly only with an
	// approval.
	Allowed bool
	// Approval, when not empty, says why the action needs a second person's
	// approval before it is carried out.
	Approval string
	// Reason says why the action is not allowed; it names the principal,
	// action and scope and is safe to show.
	Reason string
}

// Authorize decides whether p may do a in s. It is the one place pave's
// access rules are written.
func Authorize(p Principal, a Action, s Scope) Decision {
	if p.ID == "" {
		return Decision{Reason: "not authenticated"}
	}
	has := func(role string) bool { return slices.Contains(p.Roles, role) }
	if has(Admin) {
		return Decision{Allowed: true}
	}
	global := has(PlatformEngineer)
	switch a {
	case ReadPlatform:
		return Decision{Allowed: true}
	case ManageOwnTokens:
		if s.User == p.ID {
			return Decision{Allowed: true}
		}
		return deny(p, a, "tokens of user %q", s.User)
	case ManagePlatform, ReadAudit, ReadIdentity:
		if global {
			return Decision{Allowed: true}
		}
		return deny(p, a, "the platform")
	case ManageIdentity:
		return deny(p, a, "users and teams")
	}
	if !slices.Contains(AppActions, a) {
		return Decision{Reason: fmt.Sprintf("unknown action %q", a)}
	}
	if global {
		return Decision{Allowed: true}
	}
	member := s.Team != "" && slices.Contains(p.Teams, s.Team)
	if !member {
		return deny(p, a, "app %q%s", s.App, teamText(s.Team))
	}
	developer := has(Developer)
	direct := s.Direct
	switch {
	case a == ReadApp && (developer || has(Viewer)):
		return Decision{Allowed: true}
	case !developer:
	case a == CreateApp || a == Plan:
		return Decision{Allowed: true}
	case slices.Contains(changes, a) && direct:
		return Decision{Allowed: true}
	case slices.Contains(changes, a):
		return Decision{Allowed: true, Approval: fmt.Sprintf("a developer may %s in a %s environment only with the approval of a platform engineer or admin", a, orUnknown(s.EnvType))}
	case (a == ApprovePlan || a == RevealSecrets) && direct:
		return Decision{Allowed: true}
	}
	return deny(p, a, "app %q environment %q (type %s)", s.App, s.Env, orUnknown(s.EnvType))
}

func deny(p Principal, a Action, format string, args ...any) Decision {
	return Decision{Reason: fmt.Sprintf("%s %q may not %s on %s", kindText(p.Kind), p.ID, a, fmt.Sprintf(format, args...))}
}

func teamText(team string) string {
	if team == "" {
		return " (owned by no team)"
	}
	return " of team " + team
}

func kindText(kind string) string {
	if kind == "" {
		return "actor"
	}
	return kind
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
