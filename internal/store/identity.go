package store

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/errs"
)

// User is a person or a service account (a CI job, an AI agent) that holds
// API tokens. Roles apply to the apps of the user's teams (viewer,
// developer) or to everything (platform-engineer, admin); Bindings grant
// roles on other apps, or on fewer environments; see package identity for
// what each role may do.
type User struct {
	Name string `json:"name"`
	// Roles are role names, sorted, without duplicates.
	Roles []string `json:"roles"`
	// Teams are the teams the user belongs to, sorted, without
	// duplicates.
	Teams []string `json:"teams"`
	// Bindings are the roles granted on one team's apps or on one app,
	// sorted (by String), without duplicates.
	Bindings []RoleBinding `json:"bindings"`
	// Disabled users cannot authenticate, whatever tokens they hold.
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Validate checks that u can be stored, and sorts and deduplicates its
// roles, teams and bindings.
func (u *User) Validate() error {
	u.Roles = sortedSet(u.Roles)
	u.Teams = sortedSet(u.Teams)
	err := checkName("user", "name", u.Name)
	for _, r := range u.Roles {
		err = firstErr(err, checkName("user", "roles", r))
	}
	for _, t := range u.Teams {
		err = firstErr(err, checkName("user", "teams", t))
	}
	bs := make([]RoleBinding, 0, len(u.Bindings))
	for _, b := range u.Bindings {
		b.EnvTypes = sortedSet(b.EnvTypes)
		if len(b.EnvTypes) == 0 {
			b.EnvTypes = nil
		}
		err = firstErr(err, b.validate())
		bs = append(bs, b)
	}
	slices.SortFunc(bs, func(a, b RoleBinding) int { return strings.Compare(a.String(), b.String()) })
	u.Bindings = slices.CompactFunc(bs, func(a, b RoleBinding) bool { return a.String() == b.String() })
	return err
}

// RoleBinding grants a role on part of the platform: the apps of one team,
// or one app, optionally only in environments of some types.
type RoleBinding struct {
	Role string `json:"role"`
	// Team or App, exactly one, says where the role holds: on every app
	// the team owns, or on the one app.
	Team string `json:"team,omitempty"`
	App  string `json:"app,omitempty"`
	// EnvTypes, when not empty, limit the role to environments of these
	// types (and to the app as a whole), sorted, without duplicates.
	EnvTypes []string `json:"envTypes,omitempty"`
}

// String writes b as ROLE@team/NAME or ROLE@app/NAME, followed by
// :TYPE,TYPE when it names environment types: the form ParseRoleBinding
// reads.
func (b RoleBinding) String() string {
	s := b.Role + "@"
	if b.App != "" {
		s += "app/" + b.App
	} else {
		s += "team/" + b.Team
	}
	if len(b.EnvTypes) > 0 {
		s += ":" + strings.Join(b.EnvTypes, ",")
	}
	return s
}

// ParseRoleBinding reads a binding written as String writes it, such as
// developer@app/shop:development,staging or viewer@team/blog.
func ParseRoleBinding(s string) (RoleBinding, error) {
	bad := func(why string) (RoleBinding, error) {
		return RoleBinding{}, errs.New(errs.Invalid, "role binding %q: %s (want ROLE@team/NAME or ROLE@app/NAME, then optionally :ENVTYPE,ENVTYPE)", s, why)
	}
	role, rest, ok := strings.Cut(s, "@")
	if !ok || role == "" {
		return bad("no role before @")
	}
	where, types, hasTypes := strings.Cut(rest, ":")
	kind, name, ok := strings.Cut(where, "/")
	if !ok || name == "" {
		return bad("no team/NAME or app/NAME after @")
	}
	b := RoleBinding{Role: role}
	switch kind {
	case "team":
		b.Team = name
	case "app":
		b.App = name
	default:
		return bad(fmt.Sprintf("%q is neither team nor app", kind))
	}
	if hasTypes {
		if types == "" {
			return bad("no environment type after :")
		}
		b.EnvTypes = strings.Split(types, ",")
	}
	return b, b.validate()
}

func (b RoleBinding) validate() error {
	err := checkName("role binding", "role", b.Role)
	switch {
	case (b.Team == "") == (b.App == ""):
		err = firstErr(err, invalid("role binding", "team", "%s: give exactly one of team and app", b.Role))
	case b.Team != "":
		err = firstErr(err, checkName("role binding", "team", b.Team))
	default:
		err = firstErr(err, checkName("role binding", "app", b.App))
	}
	for _, t := range b.EnvTypes {
		err = firstErr(err, checkName("role binding", "envTypes", t))
	}
	return err
}

// Team is a group of users that owns apps.
type Team struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Validate checks that t can be stored.
func (t *Team) Validate() error { return checkName("team", "name", t.Name) }

// Token is an API token of a user. The store keeps only the SHA-256 of the
// token's secret, never the secret itself.
type Token struct {
	// ID is public: it is part of the token as shown, and names the token
	// in lists and audit entries.
	ID   string `json:"id"`
	User string `json:"user"`
	// Kind is what the token is for: human, ci or agent. It becomes the
	// actor kind of everything done with it.
	Kind ActorKind `json:"kind"`
	// Name is a label its owner chose ("laptop", "github-actions").
	Name string `json:"name,omitempty"`
	// Hash is "sha256:" and the hex SHA-256 of the whole token.
	Hash       string     `json:"-"`
	CreatedAt  time.Time  `json:"createdAt"`
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
}

// Validate checks that t can be stored.
func (t *Token) Validate() error {
	err := firstErr(
		checkName("token", "id", t.ID),
		checkName("token", "user", t.User),
		checkName("token", "hash", t.Hash),
	)
	if err == nil && t.Kind != ActorHuman && t.Kind != ActorCI && t.Kind != ActorAgent {
		err = invalid("token", "kind", "is %q, want one of human, ci, agent", t.Kind)
	}
	if err == nil && len(t.Name) > maxName {
		err = invalid("token", "name", "is longer than %d bytes", maxName)
	}
	return err
}

// Usable reports whether t may authenticate at now: not revoked, not
// expired.
func (t *Token) Usable(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

func sortedSet(s []string) []string {
	if len(s) == 0 {
		return []string{}
	}
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
