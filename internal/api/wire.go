package api

import (
	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// The request bodies of the API, shared with package client. Responses are
// the service's and store's JSON-tagged types.

// WorkloadFile is one Score document, YAML or JSON, with every file
// `source` already inlined as content (the server reads no files).
type WorkloadFile struct {
	// Name names the document in errors, such as "api.score.yaml".
	Name    string `json:"name"`
	Content string `json:"content"`
}

// ChangeBody is the body of a deployment or a plan: the app's workloads
// and the images of containers whose image is ".".
type ChangeBody struct {
	Workloads []WorkloadFile    `json:"workloads"`
	Images    map[string]string `json:"images,omitempty"`
	Commit    string            `json:"commit,omitempty"`
}

// RenderBody asks for the manifests of workloads, as deploying them would
// make them, in one format.
type RenderBody struct {
	Workloads []WorkloadFile `json:"workloads"`
	// Format is "kubernetes" or "compose".
	Format string            `json:"format"`
	Images map[string]string `json:"images,omitempty"`
	// Builds are Compose build contexts by [WORKLOAD.]CONTAINER, written
	// into compose.yaml as given (the server reads no files).
	Builds map[string]string `json:"builds,omitempty"`
}

// GCResult is the answer of a garbage collection: the environments
// deleted and, when some could not be, why (the response then has the
// status of that error).
type GCResult struct {
	Deleted []store.Environment `json:"deleted"`
	Error   *ErrorInfo          `json:"error,omitempty"`
}

// PromoteBody promotes the workloads of environment From.
type PromoteBody struct {
	From   string            `json:"from"`
	Images map[string]string `json:"images,omitempty"`
	Commit string            `json:"commit,omitempty"`
}

// RollbackBody rolls back to deployment Deployment.
type RollbackBody struct {
	Deployment string            `json:"deployment"`
	Images     map[string]string `json:"images,omitempty"`
	Commit     string            `json:"commit,omitempty"`
}

// DestroyBody destroys an environment's workloads and resources.
type DestroyBody struct {
	Commit string `json:"commit,omitempty"`
}

// CreateEnvironmentBody creates an environment of an app.
type CreateEnvironmentBody struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// TTL is a Go duration ("72h"); empty for a permanent environment.
	TTL       string            `json:"ttl,omitempty"`
	CloneFrom string            `json:"cloneFrom,omitempty"`
	Images    map[string]string `json:"images,omitempty"`
}

// CreateEnvironmentResult is the environment created and, when cloned, the
// deployment to it.
type CreateEnvironmentResult struct {
	Environment *store.Environment    `json:"environment"`
	Deployment  *service.DeployResult `json:"deployment,omitempty"`
}

// ApproveBody approves a plan.
type ApproveBody struct {
	Comment string `json:"comment,omitempty"`
}

// CreateAppBody creates an app owned by a team.
type CreateAppBody struct {
	Name string `json:"name"`
	Team string `json:"team,omitempty"`
}

// UpdateAppBody gives an app to another team.
type UpdateAppBody struct {
	Team string `json:"team"`
}

// CreateTokenBody asks for an API token.
type CreateTokenBody struct {
	// User owns the token; the caller when empty.
	User string `json:"user,omitempty"`
	// Kind is human (the default), ci or agent.
	Kind string `json:"kind,omitempty"`
	Name string `json:"name,omitempty"`
	// TTL is a Go duration ("720h"); 90 days when empty.
	TTL string `json:"ttl,omitempty"`
}

// UserBody creates or updates a user.
type UserBody struct {
	Name  string   `json:"name,omitempty"`
	Roles []string `json:"roles"`
	Teams []string `json:"teams"`
	// Bindings grant roles on one team's apps or one app; an update
	// replaces them.
	Bindings []store.RoleBinding `json:"bindings,omitempty"`
	Disabled bool                `json:"disabled,omitempty"`
}

// TeamBody creates a team.
type TeamBody struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// SecretBody sets a platform secret's value.
type SecretBody struct {
	Value string `json:"value"`
}

// Whoami is who the caller is.
type Whoami struct {
	ID    string   `json:"id"`
	Kind  string   `json:"kind"`
	Roles []string `json:"roles"`
	Teams []string `json:"teams"`
	// Bindings are the roles held on one team's apps or one app.
	Bindings []identity.Binding `json:"bindings,omitempty"`
}

// StreamLine is one line of an NDJSON change stream (and the data of one
// server-sent event, whose event name is Type): an engine event as it
// happens, then a result or an error.
type StreamLine struct {
	// Type is "event", "result" or "error".
	Type   string                `json:"type"`
	Event  any                   `json:"event,omitempty"`
	Status int                   `json:"status,omitempty"`
	Result *service.DeployResult `json:"result,omitempty"`
	Error  *ErrorInfo            `json:"error,omitempty"`
	// Deployment is the finished deployment, ending a followed event
	// stream.
	Deployment *store.Deployment `json:"deployment,omitempty"`
	// Deleted are the environments a garbage collection deleted, on the
	// line that ends its stream.
	Deleted []store.Environment `json:"deleted,omitempty"`
}

// ChangeError is the body of a change that failed after planning: the
// error and what was done.
type ChangeError struct {
	Error  ErrorInfo             `json:"error"`
	Result *service.DeployResult `json:"result,omitempty"`
}
