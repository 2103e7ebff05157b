package store

import (
	"encoding/json"
	"slices"
	"time"
)

// ResourceStatus is the lifecycle state of a resource instance.
type ResourceStatus string

// The resource statuses. The engine records provisioning before a driver
// call and ready or failed after it; deleting and deleted likewise around a
// deprovision.
const (
	ResourceProvisioning ResourceStatus = "provisioning"
	ResourceReady        ResourceStatus = "ready"
	ResourceFailed       ResourceStatus = "failed"
	ResourceDeleting     ResourceStatus = "deleting"
	ResourceDeleted      ResourceStatus = "deleted"
)

// Valid reports whether s is one of the resource statuses.
func (s ResourceStatus) Valid() bool {
	switch s {
	case ResourceProvisioning, ResourceReady, ResourceFailed, ResourceDeleting, ResourceDeleted:
		return true
	}
	return false
}

// Resource is a provisioned (or provisioning) resource instance. UIDs are
// unique per (app, env). Outputs are kept in clear; SecretOutputs, State and
// Manifests are sealed at rest and are never marshalled to JSON, so that a
// door that returns a Resource cannot leak them.
type Resource struct {
	UID  string `json:"uid"`
	App  string `json:"app"`
	Env  string `json:"env"`
	Type string `json:"type"`
	// Class is the resource class, "default" when none was asked for.
	Class string `json:"class"`
	// ID is the shared id, empty for a private resource.
	ID         string         `json:"id,omitempty"`
	Definition string         `json:"definition"`
	Driver     string         `json:"driver"`
	Status     ResourceStatus `json:"status"`
	// Message says why the last change failed; empty otherwise.
	Message string `json:"message,omitempty"`
	// InputsHash is the hash of the resolved driver inputs and params last
	// provisioned with, so that the planner can tell update from keep.
	InputsHash string `json:"inputsHash,omitempty"`
	// Outputs are the non-secret outputs, in clear. Numbers come back as
	// int64 when integral, float64 otherwise.
	Outputs map[string]any `json:"outputs,omitempty"`
	// SecretOutputs are the secret outputs; sealed at rest.
	SecretOutputs map[string]any `json:"-"`
	// State is the driver's opaque state; sealed at rest, as it may hold
	// secrets.
	State json.RawMessage `json:"-"`
	// Manifests are the extra objects a driver gave to deploy with the
	// workloads; sealed at rest, as they may hold secrets.
	Manifests []map[string]any `json:"-"`
	// Users are the workloads (or resources, by UID) that use the resource,
	// sorted and without duplicates. A shared resource is deleted only
	// when the last one is gone.
	Users     []string  `json:"users,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Validate checks that r can be stored, and sorts and deduplicates Users.
func (r *Resource) Validate() error {
	err := firstErr(
		checkName("resource", "uid", r.UID),
		checkName("resource", "app", r.App),
		checkName("resource", "env", r.Env),
		checkName("resource", "type", r.Type),
	)
	if err == nil && !r.Status.Valid() {
		err = invalid("resource "+r.UID, "status", "is %q, want one of provisioning, ready, failed, deleting, deleted", r.Status)
	}
	if err == nil && len(r.State) > 0 && !json.Valid(r.State) {
		err = invalid("resource "+r.UID, "state", "is not valid JSON")
	}
	for _, u := range r.Users {
		if err == nil {
			err = checkName("resource "+r.UID, "users", u)
		}
	}
	slices.Sort(r.Users)
	r.Users = slices.Compact(r.Users)
	return err
}
