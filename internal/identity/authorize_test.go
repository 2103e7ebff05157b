package identity

import (
	"fmt"
	"strings"
	"testing"
)

// ownApp is what each role may do on an app in its scope, in an
// environment that developers change directly or not: "allow",
// "approval" or "deny".
func ownApp(action Action, direct bool) map[string]string {
	const a, ap, d = "allow", "approval", "deny"
	all := func(v string) map[string]string {
		return map[string]string{Viewer: v, Developer: v, PlatformEngineer: v, Admin: v}
	}
	switch action {
	case ReadApp:
		return all(a)
	case CreateApp, Plan:
		return map[string]string{Viewer: d, Developer: a, PlatformEngineer: a, Admin: a}
	case Deploy, Destroy, Promote, Rollback, CreateEnv, DeleteEnv:
		if direct {
			return map[string]string{Viewer: d, Developer: a, PlatformEngineer: a, Admin: a}
		}
		return map[string]string{Viewer: d, Developer: ap, PlatformEngineer: a, Admin: a}
	case ApprovePlan, RevealSecrets:
		if direct {
			return map[string]string{Viewer: d, Developer: a, PlatformEngineer: a, Admin: a}
		}
		return map[string]string{Viewer: d, Developer: d, PlatformEngineer: a, Admin: a}
	}
	panic(action)
}

// envTypes are environment types with whether the platform config lets
// developers change them directly: the names do not decide.
var envTypes = []struct {
	name   string
	direct bool
}{{"development", true}, {"staging", true}, {"production", false}, {"custom", false}, {"sandbox", true}}

// TestAuthorizeMatrix checks every role against every action in every kind
// of scope: the team's own app, another team's, an app of no team, in
// environment types developers change directly or not; the role held
// through team membership, through a binding to the team, and through a
// binding to the one app.
func TestAuthorizeMatrix(t *testing.T) {
	const d = "deny"
	grants := map[string]func(role string) Principal{
		"member": func(role string) Principal {
			return Principal{ID: "u", Kind: "human", Roles: []string{role}, Teams: []string{"shop"}}
		},
		"team binding": func(role string) Principal {
			return Principal{ID: "u", Kind: "human", Teams: []string{"blog"}, Bindings: []Binding{{Role: role, Team: "shop"}}}
		},
		"app binding": func(role string) Principal {
			return Principal{ID: "u", Kind: "human", Bindings: []Binding{{Role: role, App: "shop"}}}
		},
	}
	for grant, principal := range grants {
		for _, action := range AppActions {
			for _, et := range envTypes {
				for _, scope := range []string{"own", "other", "unowned"} {
					for _, role := range Roles {
						p := principal(role)
						s := Scope{App: "shop", Team: "shop", Env: "e", EnvType: et.name, Direct: et.direct}
						exp := ownApp(action, et.direct)[role]
						global := grant == "member" && (role == PlatformEngineer || role == Admin)
						if grant != "member" && role == Admin {
							exp = d // admin is global only: a binding of it grants nothing
						}
						switch scope {
						case "other":
							s = Scope{App: "blog", Team: "blog", Env: "e", EnvType: et.name, Direct: et.direct}
							if !global {
								exp = d
							}
						case "unowned":
							s.Team = ""
							if !global && grant != "app binding" {
								exp = d
							}
						}
						name := fmt.Sprintf("%s/%s/%s/%s/%s", grant, role, action, scope, et.name)
						check(t, name, Authorize(p, action, s), exp)
					}
				}
			}
		}
	}
}

// TestAuthorizeBindings: bindings limited to environment types, and
// bindings beside team roles (the most powerful role in a scope wins).
func TestAuthorizeBindings(t *testing.T) {
	const a, ap, d = "allow", "approval", "deny"
	dev := Scope{App: "shop", Team: "shop", Env: "dev", EnvType: "development", Direct: true}
	prod := Scope{App: "shop", Team: "shop", Env: "prod", EnvType: "production"}
	app := Scope{App: "shop", Team: "shop"}
	blogDev := Scope{App: "blog", Team: "blog", Env: "dev", EnvType: "development", Direct: true}
	devOnly := Principal{ID: "cy", Kind: "human", Bindings: []Binding{{Role: Developer, App: "shop", EnvTypes: []string{"development", "staging"}}}}
	check(t, "env-typed/deploy dev", Authorize(devOnly, Deploy, dev), a)
	check(t, "env-typed/deploy prod", Authorize(devOnly, Deploy, prod), d)
	check(t, "env-typed/read prod", Authorize(devOnly, ReadApp, prod), d)
	check(t, "env-typed/read app", Authorize(devOnly, ReadApp, app), a)
	check(t, "env-typed/create app", Authorize(devOnly, CreateApp, app), a)
	check(t, "env-typed/other app", Authorize(devOnly, Deploy, blogDev), d)
	// A viewer across team blog who develops shop's apps.
	mixed := Principal{ID: "ann", Kind: "human", Roles: []string{Developer}, Teams: []string{"shop"},
		Bindings: []Binding{{Role: Viewer, Team: "blog"}, {Role: PlatformEngineer, App: "shop", EnvTypes: []string{"production"}}}}
	check(t, "mixed/read blog", Authorize(mixed, ReadApp, blogDev), a)
	check(t, "mixed/deploy blog", Authorize(mixed, Deploy, blogDev), d)
	check(t, "mixed/deploy shop dev", Authorize(mixed, Deploy, dev), a)
	check(t, "mixed/deploy shop prod", Authorize(mixed, Deploy, prod), a)
	check(t, "mixed/approve shop prod", Authorize(mixed, ApprovePlan, prod), a)
	check(t, "mixed/audit", Authorize(mixed, ReadAudit, Scope{}), d)
	check(t, "mixed/platform", Authorize(mixed, ManagePlatform, Scope{}), d)
	// Without the production binding, production needs an approval.
	mixed.Bindings = mixed.Bindings[:1]
	check(t, "team developer/deploy shop prod", Authorize(mixed, Deploy, prod), ap)
	// A binding with neither team nor app grants nothing.
	check(t, "empty binding", Authorize(Principal{ID: "x", Bindings: []Binding{{Role: Developer}}}, ReadApp, app), d)
	dd := Authorize(devOnly, Deploy, prod)
	if !strings.Contains(dd.Reason, `human "cy" may not deploy on app "shop" of team shop environment "prod" (type production)`) {
		t.Errorf("reason = %q", dd.Reason)
	}
}

func TestAuthorizeGlobal(t *testing.T) {
	const a, d = "allow", "deny"
	tests := map[Action]map[string]string{
		ReadPlatform:   {Viewer: a, Developer: a, PlatformEngineer: a, Admin: a, "": a},
		ManagePlatform: {Viewer: d, Developer: d, PlatformEngineer: a, Admin: a, "": d},
		ReadAudit:      {Viewer: d, Developer: d, PlatformEngineer: a, Admin: a, "": d},
		ReadIdentity:   {Viewer: d, Developer: d, PlatformEngineer: a, Admin: a, "": d},
		ManageIdentity: {Viewer: d, Developer: d, PlatformEngineer: d, Admin: a, "": d},
		ManageSecrets:  {Viewer: d, Developer: d, PlatformEngineer: a, Admin: a, "": d},
		CollectGarbage: {Viewer: d, Developer: d, PlatformEngineer: a, Admin: a, "": d},
	}
	for action, byRole := range tests {
		for role, exp := range byRole {
			p := Principal{ID: "u", Kind: "human", Roles: []string{role}}
			check(t, fmt.Sprintf("%s/%s", role, action), Authorize(p, action, Scope{}), exp)
			// A team changes nothing about a global action.
			p.Teams = []string{"shop"}
			check(t, fmt.Sprintf("%s/%s/in team", role, action), Authorize(p, action, Scope{App: "shop", Team: "shop"}), exp)
		}
		if d := Authorize(Principal{Roles: []string{Admin}}, action, Scope{}); d.Allowed || d.Reason != "not authenticated" {
			t.Errorf("nobody/%s: %+v", action, d)
		}
	}
	for _, action := range GlobalActions {
		if _, ok := tests[action]; !ok && action != ManageOwnTokens {
			t.Errorf("global action %s is not in the table", action)
		}
	}
	for _, role := range append(Roles, "") {
		p := Principal{ID: "u", Roles: []string{role}}
		check(t, role+"/own tokens", Authorize(p, ManageOwnTokens, Scope{User: "u"}), a)
		exp := d
		if role == Admin {
			exp = a
		}
		check(t, role+"/other's tokens", Authorize(p, ManageOwnTokens, Scope{User: "v"}), exp)
	}
}

func TestAuthorizeEdges(t *testing.T) {
	check(t, "nobody", Authorize(Principal{Roles: []string{Admin}}, ReadPlatform, Scope{}), "deny")
	check(t, "unknown action", Authorize(Principal{ID: "u", Roles: []string{PlatformEngineer}}, "launch", Scope{}), "deny")
	check(t, "no roles", Authorize(Principal{ID: "u", Teams: []string{"shop"}}, ReadApp, Scope{App: "shop", Team: "shop"}), "deny")
	d := Authorize(Principal{ID: "bob", Kind: "agent", Roles: []string{Developer}, Teams: []string{"shop"}}, Deploy,
		Scope{App: "blog", Team: "blog", Env: "staging", EnvType: "staging"})
	if !strings.Contains(d.Reason, `agent "bob" may not deploy on app "blog" of team blog`) {
		t.Errorf("reason = %q", d.Reason)
	}
}

func check(t *testing.T, name string, d Decision, want string) {
	t.Helper()
	got := "deny"
	switch {
	case d.Allowed && d.Approval != "":
		got = "approval"
	case d.Allowed:
		got = "allow"
	}
	if got != want {
		t.Errorf("%s: got %s (%+v), want %s", name, got, d, want)
	}
	if !d.Allowed && d.Reason == "" {
		t.Errorf("%s: denied without a reason", name)
	}
}
