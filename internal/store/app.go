package store

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// App is a set of workloads deployed together, owned by a team.
type App struct {
	Name      string    `json:"name"`
	Team      string    `json:"team"`
	CreatedAt time.Time `json:"createdAt"`
}

// Validate checks that a can be stored.
func (a *App) Validate() error {
	return checkName("app", "name", a.Name)
}

// Environment is one deployment target of an app.
type Environment struct {
	App  string `json:"app"`
	Name string `json:"name"`
	// Type is the environment type (development, staging, production…)
	// that definitions and policies match on.
	Type string `json:"type"`
	// ExpiresAt is when an ephemeral environment is due to be deleted; nil
	// for a permanent one.
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	// ClonedFrom names the environment of the same app this one was cloned
	// from, if any.
	ClonedFrom string    `json:"clonedFrom,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// Validate checks that e can be stored.
func (e *Environment) Validate() error {
	return firstErr(
		checkName("environment", "app", e.App),
		checkName("environment", "name", e.Name),
		checkName("environment", "type", e.Type),
	)
}

// WorkloadVersion is one Score document of a workload, as deployed. Versions
// are content addressed by Hash.
type WorkloadVersion struct {
	App      string `json:"app"`
	Workload string `json:"workload"`
	// Hash is "sha256:" and the hex SHA-256 of Score.
	Hash string `json:"hash"`
	// Score is the raw Score document (YAML or JSON) as given.
	Score     []byte    `json:"score,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Validate checks that w can be stored.
func (w *WorkloadVersion) Validate() error {
	err := firstErr(
		checkName("workload version", "app", w.App),
		checkName("workload version", "workload", w.Workload),
	)
	if err == nil && len(w.Score) == 0 {
		err = invalid("workload version", "score", "is empty")
	}
	return err
}

// ContentHash returns "sha256:" and the hex SHA-256 of b: the Hash of a
// WorkloadVersion.
func ContentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
