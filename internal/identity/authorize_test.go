package identity

import (
	"fmt"
	"strings"
	"testing"
)

// TestAuthorizeMatrix checks every role against every action in every kind
// of scope: the team's own app and another team's, in each environment type.
func TestAuthorizeMatrix(t *testing.T) {
	// outcome per role: "allow", "approval" or "deny".
	type want map[string]string
	all := func(v string) want {
		return want{Viewer: v, Developer: v, PlatformEngineer: v, Admin: v}
	}
	const a, ap, d = "allow", "approval", "deny"
	envTypes := []string{"development", "staging", "production", "custom"}
	ownApp := func(action Action, envType string) want {
		direct := envType == "development" || envType == "staging"
		switch action {
		case ReadApp:
			return all(a)
		case CreateApp, Plan:
			return want{Viewer: d, Developer: a, PlatformEngineer: a, Admin: a}
		case Deploy, Destroy, Promote, Rollback, CreateEnv, DeleteEnv:
			if direct {
				return want{Viewer: d, Developer: a, PlatformEngineer: a, Admin: a}
			}
			return want{Viewer: d, Developer: ap, PlatformEngineer: a, Admin: a}
		case ApprovePlan, RevealSecrets:
			if direct {
				return want{Viewer: d, Developer: a, PlatformEngineer: a, Admin: a}
			}
			return want{Viewer: d, Developer: d, PlatformEngineer: a, Admin: a}
		}
		panic(action)
	}
	for _, action := range AppActions {
		for _, et := range envTypes {
			for _, scope := range []string{"own", "other", "unowned"} {
				for _, role := range Roles {
					p := Principal{ID: "u", Kind: "human", Roles: []string{role}, Teams: []string{"shop"}}
					s := Scope{App: "shop", Team: "shop", Env: "e", EnvType: et, Direct: et == "development" || et == "staging"}
					exp := ownApp(action, et)[role]
					switch scope {
					case "other":
						s = Scope{App: "blog", Team: "blog", Env: "e", EnvType: et, Direct: s.Direct}
						if role == Viewer || role == Developer {
							exp = d
						}
					case "unowned":
						s.Team = ""
						if role == Viewer || role == Developer {
							exp = d
						}
					}
					name := fmt.Sprintf("%s/%s/%s/%s", role, action, scope, et)
					check(t, name, Authorize(p, action, s), exp)
				}
			}
		}
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
	}
	for action, byRole := range tests {
		for role, exp := range byRole {
			p := Principal{ID: "u", Kind: "human", Roles: []string{role}}
			check(t, fmt.Sprintf("%s/%s", role, action), Authorize(p, action, Scope{}), exp)
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
