// Package driver is the contract between pave's engine and the code that
// creates, updates and deletes resources. A driver is one small required
// interface plus optional ones found by type assertion. Requests and results
// are JSON-tagged so that the same structs cross a process boundary for the
// exec and http drivers.
package driver

import (
	"context"
	"encoding/json"
)

// Context says where a resource is provisioned.
type Context struct {
	App     string `json:"app"`
	Env     string `json:"env"`
	EnvType string `json:"envType"`
	// ResID is the resource's id: the shared id, or "workload.name" for a
	// private resource.
	ResID string `json:"resId"`
}

// Request asks a driver to provision or deprovision one resource.
type Request struct {
	// UID identifies the resource uniquely and stably across every app and
	// environment ("app/env/type.class#id"): drivers key everything they
	// create on it, which makes them idempotent.
	UID     string  `json:"uid"`
	Type    string  `json:"type"`
	Class   string  `json:"class"`
	ID      string  `json:"id,omitempty"`
	Context Context `json:"context"`
	// Params are the workload's resource params, placeholders resolved.
	Params map[string]any `json:"params,omitempty"`
	// Inputs are the definition's driver inputs, placeholders resolved. They
	// may hold secrets (admin URLs, passwords): never log them.
	Inputs map[string]any `json:"inputs,omitempty"`
	// State is what the driver returned last time, nil on first provision.
	State json.RawMessage `json:"state,omitempty"`
	// Outputs are the outputs returned last time, nil on first provision.
	Outputs map[string]any `json:"outputs,omitempty"`
	// ConfigDir is the absolute directory the platform config was read
	// from: drivers resolve relative paths of their inputs (a tofu module)
	// against it. Empty when the config was not read from a directory.
	ConfigDir string `json:"configDir,omitempty"`
}

// Result is what a provision produced.
type Result struct {
	// Outputs hold every output of the resource type; which ones are secret
	// is decided by the type, not the driver.
	Outputs map[string]any `json:"outputs"`
	// State is opaque to pave, stored sealed, and handed back next time.
	State json.RawMessage `json:"state,omitempty"`
	// Manifests are extra objects to deploy with the workload (template
	// driver), such as Kubernetes objects.
	Manifests []map[string]any `json:"manifests,omitempty"`
}

// Driver creates, updates and deletes resources. Both calls must be
// idempotent: provisioning the same UID twice yields one resource, and
// deprovisioning something absent succeeds. Both must honour ctx.
type Driver interface {
	Provision(ctx context.Context, req *Request) (*Result, error)
	Deprovision(ctx context.Context, req *Request) error
}

// Input documents one driver input for `pave drivers list` and validation.
type Input struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Required    bool   `json:"required"`
	Secret      bool   `json:"secret,omitempty"`
	Description string `json:"description"`
}

// Info describes a driver.
type Info struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Inputs      []Input `json:"inputs"`
	// Pure drivers do no I/O, so pave may run them at plan and render time.
	Pure bool `json:"pure"`
}

// Describer is implemented by drivers that document themselves.
type Describer interface {
	Describe() Info
}

// InputValidator is implemented by drivers that check their inputs when the
// platform config loads, before anything runs. Inputs may still hold
// unresolved placeholders.
type InputValidator interface {
	ValidateInputs(inputs map[string]any) error
}

// DirInputValidator is implemented by drivers whose inputs name files of the
// platform config (a tofu module directory): it is InputValidator given the
// absolute directory the config is read from, "" when it is not read from a
// directory. It is used instead of InputValidator when a driver has both.
type DirInputValidator interface {
	ValidateInputsIn(dir string, inputs map[string]any) error
}

// PlanResult is a driver's preview of what a provision would change.
type PlanResult struct {
	Summary string `json:"summary"`
	Detail  string `json:"detail,omitempty"`
}

// Planner is implemented by drivers that can preview a provision (tofu).
type Planner interface {
	Plan(ctx context.Context, req *Request) (*PlanResult, error)
}

// Checker is implemented by drivers that need something present on the
// machine (a binary, a reachable server) and can say so before anything runs.
type Checker interface {
	Check(ctx context.Context) error
}
