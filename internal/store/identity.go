package store

import (
	"slices"
	"time"
)

// User is a person or a service account (a CI job, an AI agent) that holds
// API tokens. Roles apply to the apps of the user's teams (viewer,
// developer) or to everything (platform-engineer, admin); see package
// identity for what each role may do.
type User struct {
	Name string `json:"name"`
	// Roles are role names, sorted, without duplicates.
	Roles []string `json:"roles"`
	// Teams are the teams the user belongs to, sorted, without
	// duplicates.
	Teams []string `json:"teams"`
	// Disabled users cannot authenticate, whatever tokens they hold.
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Validate checks that u can be stored, and sorts and deduplicates its roles
// and teams.
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
