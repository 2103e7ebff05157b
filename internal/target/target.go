package target

import (
	"context"
	"time"
)

// Config is a target's settings from the environment in the platform config
// (kubeconfig path and context, repository URL, …), placeholders resolved.
type Config map[string]any

// Event reports progress of a deployment on a target.
type Event struct {
	Time     time.Time `json:"time"`
	Workload string    `json:"workload,omitempty"`
	// Phase is a short word: "applying", "waiting", "ready", "pruned", "failed".
	Phase   string `json:"phase"`
	Message string `json:"message,omitempty"`
}

// Progress receives events; it must be cheap and safe to call concurrently.
type Progress func(Event)

// Target runs workloads somewhere. Deploy applies a whole deployment,
// removes what the previous one had and this one has not, and waits until
// the workloads are ready or ctx ends. Destroy removes everything of an app
// in an environment and succeeds when there is nothing to remove.
type Target interface {
	Deploy(ctx context.Context, cfg Config, d *Deployment, progress Progress) error
	Destroy(ctx context.Context, cfg Config, app, env string) error
}

// WorkloadStatus is the live state of one workload.
type WorkloadStatus struct {
	Workload string `json:"workload"`
	// State is "running", "starting", "failed" or "stopped".
	State   string `json:"state"`
	Ready   int    `json:"ready"`
	Desired int    `json:"desired"`
	// Restarts counts how often the workload's processes or containers were
	// restarted since they were deployed, where the target knows.
	Restarts int    `json:"restarts,omitempty"`
	Message  string `json:"message,omitempty"`
}

// StatusReporter is implemented by targets that can report live state.
type StatusReporter interface {
	Status(ctx context.Context, cfg Config, app, env string) ([]WorkloadStatus, error)
}

// LogReader is implemented by targets that keep workload logs.
type LogReader interface {
	Logs(ctx context.Context, cfg Config, app, env, workload string, tail int) ([]string, error)
}

// Info describes a target for `pave targets list`.
type Info struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Config      []Input `json:"config"`
}

// Input documents one target config key.
type Input struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Required    bool   `json:"required"`
	Description string `json:"description"`
}

// Describer is implemented by targets that document themselves.
type Describer interface {
	Describe() Info
}
