package store

import (
	"encoding/json"
	"time"
)

// ActorKind says what kind of actor did something.
type ActorKind string

// The actor kinds.
const (
	ActorHuman ActorKind = "human"
	ActorCI    ActorKind = "ci"
	ActorAgent ActorKind = "agent"
	ActorLocal ActorKind = "local"
)

// Valid reports whether k is one of the actor kinds.
func (k ActorKind) Valid() bool {
	switch k {
	case ActorHuman, ActorCI, ActorAgent, ActorLocal:
		return true
	}
	return false
}

// AuditEntry records one thing an actor did or tried, and how it ended.
type AuditEntry struct {
	// ID sorts by time of append (see NewID).
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Actor     string    `json:"actor"`
	ActorKind ActorKind `json:"actorKind"`
	// Action is what was done: "deploy", "plan", "secret.put"….
	Action string `json:"action"`
	// Target is what it was done to, as a path: "app/shop/env/staging".
	Target string `json:"target,omitempty"`
	// Outcome is how it ended: "ok", "denied", "failed"….
	Outcome  string `json:"outcome"`
	PlanHash string `json:"planHash,omitempty"`
	// Detail is any further JSON; it must embed nothing secret.
	Detail json.RawMessage `json:"detail,omitempty"`
}

// Validate checks that e can be appended.
func (e *AuditEntry) Validate() error {
	err := firstErr(
		checkName("audit entry", "actor", e.Actor),
		checkName("audit entry", "action", e.Action),
		checkName("audit entry", "outcome", e.Outcome),
	)
	if err == nil && !e.ActorKind.Valid() {
		err = invalid("audit entry", "actorKind", "is %q, want one of human, ci, agent, local", e.ActorKind)
	}
	if err == nil && len(e.Detail) > 0 && !json.Valid(e.Detail) {
		err = invalid("audit entry", "detail", "is not valid JSON")
	}
	return err
}

// AuditFilter selects audit entries. Empty fields match everything.
type AuditFilter struct {
	Actor     string
	ActorKind ActorKind
	Action    string
	// Target matches an entry's target exactly or as a path prefix:
	// "app/shop" matches "app/shop" and "app/shop/env/dev", not
	// "app/shopping".
	Target   string
	Outcome  string
	PlanHash string
	// Since and Until bound Time (Since inclusive, Until exclusive).
	Since, Until time.Time
	// Before pages back: only entries with an ID less than Before.
	Before string
	// Limit is the most to return; DefaultLimit when <= 0.
	Limit int
}
