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

// Global actions of platform upkeep, for platform engineers and admins:
// managing platform secrets (never reading their values) and collecting
// expired environments.
const (
	ManageSecrets  Action = "secrets.write"
	CollectGarbage Action = "platform.gc"
)

// AppActions are the actions judged against an app and an environment.
var AppActions = []Action{ReadApp, CreateApp, Plan, Deploy, Destroy, Promote, Rollback, CreateEnv, DeleteEnv, ApprovePlan, RevealSecrets}

// GlobalActions are the actions that are not about one app.
var GlobalActions = []Action{ReadPlatform, ManagePlatform, ReadAudit, ReadIdentity, ManageIdentity, ManageOwnTokens, ManageSecrets, CollectGarbage}

// changes are the app actions that change an environment.
var changes = []Action{Deploy, Destroy, Promote, Rollback, CreateEnv, DeleteEnv}

// Principal is who asks.
type Principal struct {
	ID string
	// Kind is human, ci, agent or local.
	Kind string
	// Roles hold on the apps of Teams (viewer, developer) or everywhere
	// (platform-engineer, admin).
	Roles []string
	Teams []string
	// Bindings grant roles on other apps, or on fewer environments.
	Bindings []Binding
}

// Binding grants a role on part of the platform: the apps Team owns, or
// the one App (exactly one of the two is set), and when EnvTypes names
// any, only in environments of those types and on the app as a whole.
// Its role is viewer, developer or platform-engineer; a platform engineer
// bound to a scope does there every app action a platform engineer does,
// none of the global ones.
type Binding struct {
	Role     string   `json:"role"`
	Team     string   `json:"team,omitempty"`
	App      string   `json:"app,omitempty"`
	EnvTypes []string `json:"envTypes,omitempty"`
}

// BindableRoles are the roles a Binding may grant: admin is global only.
var BindableRoles = []string{Viewer, Developer, PlatformEngineer}

// Covers reports whether b holds in s: s's app is b's app, or is owned by
// b's team, and s names no environment or one of b's types.
func (b Binding) Covers(s Scope) bool {
	switch {
	case b.App != "":
		if s.App != b.App {
			return false
		}
	case b.Team != "":
		if s.Team != b.Team {
			return false
		}
	default:
		return false
	}
	if len(b.EnvTypes) == 0 || s.Env == "" && s.EnvType == "" {
		return true
	}
	return slices.Contains(b.EnvTypes, s.EnvType)
}

// RoleIn returns the most powerful role p holds in s, or "" for none: a
// platform engineer's or admin's everywhere, a viewer's or developer's on
// the apps of p's teams, and the role of every binding that covers s.
func (p Principal) RoleIn(s Scope) string {
	best := -1
	grant := func(role string) {
		if i := slices.Index(Roles, role); i > best {
			best = i
		}
	}
	member := s.Team != "" && slices.Contains(p.Teams, s.Team)
	for _, r := range p.Roles {
		if r == PlatformEngineer || r == Admin || member {
			grant(r)
		}
	}
	for _, b := range p.Bindings {
		if b.Covers(s) && slices.Contains(BindableRoles, b.Role) {
			grant(b.Role)
		}
	}
	if best < 0 {
		return ""
	}
	return Roles[best]
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
	case ManagePlatform, ReadAudit, ReadIdentity, ManageSecrets, CollectGarbage:
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
	role := p.RoleIn(s)
	switch role {
	case "":
		return deny(p, a, "app %q%s%s", s.App, teamText(s.Team), envText(s))
	case PlatformEngineer, Admin:
		return Decision{Allowed: true}
	}
	developer := role == Developer
	direct := s.Direct
	switch {
	case a == ReadApp:
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

func envText(s Scope) string {
	if s.Env == "" {
		return ""
	}
	return fmt.Sprintf(" environment %q (type %s)", s.Env, orUnknown(s.EnvType))
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
