package store

import "time"

// DeploymentStatus is the state of a deployment.
type DeploymentStatus string

// The deployment statuses. Pending and running are active; the others are
// finished and final.
const (
	DeploymentPending   DeploymentStatus = "pending"
	DeploymentRunning   DeploymentStatus = "running"
	DeploymentSucceeded DeploymentStatus = "succeeded"
	DeploymentFailed    DeploymentStatus = "failed"
	DeploymentCancelled DeploymentStatus = "cancelled"
)

// Valid reports whether s is one of the deployment statuses.
func (s DeploymentStatus) Valid() bool {
	return s.Active() || s.Finished()
}

// Active reports whether s is pending or running.
func (s DeploymentStatus) Active() bool {
	return s == DeploymentPending || s == DeploymentRunning
}

// Finished reports whether s is succeeded, failed or cancelled.
func (s DeploymentStatus) Finished() bool {
	return s == DeploymentSucceeded || s == DeploymentFailed || s == DeploymentCancelled
}

// Deployment is the record of applying a plan to an environment.
type Deployment struct {
	// ID sorts by creation time (see NewID).
	ID       string           `json:"id"`
	App      string           `json:"app"`
	Env      string           `json:"env"`
	PlanID   string           `json:"planId,omitempty"`
	PlanHash string           `json:"planHash,omitempty"`
	Actor    string           `json:"actor"`
	Commit   string           `json:"commit,omitempty"`
	Status   DeploymentStatus `json:"status"`
	// Workloads maps each workload deployed to the hash of its
	// WorkloadVersion, so that a deployment can be rolled back to.
	Workloads  map[string]string `json:"workloads,omitempty"`
	StartedAt  time.Time         `json:"startedAt"`
	FinishedAt *time.Time        `json:"finishedAt,omitempty"`
	// Error says why the deployment failed; it must be redacted.
	Error string `json:"error,omitempty"`
	// Owner identifies the process (replica) working on the deployment.
	Owner string `json:"owner,omitempty"`
	// Heartbeat is when the owner last said it was alive.
	Heartbeat time.Time `json:"heartbeat"`
}

// Validate checks that d can be begun.
func (d *Deployment) Validate() error {
	err := firstErr(
		checkName("deployment", "app", d.App),
		checkName("deployment", "env", d.Env),
		checkName("deployment", "owner", d.Owner),
	)
	if err == nil && !d.Status.Active() {
		err = invalid("deployment", "status", "is %q; a deployment begins pending or running", d.Status)
	}
	return err
}

// DeploymentFilter selects deployments. Empty fields match everything.
type DeploymentFilter struct {
	App string
	Env string
	// Statuses, when not empty, are the statuses to match.
	Statuses []DeploymentStatus
	// Since and Until bound StartedAt (Since inclusive, Until exclusive).
	Since, Until time.Time
	// Before pages back: only deployments with an ID less than Before.
	Before string
	// Limit is the most to return; DefaultLimit when <= 0.
	Limit int
}

// EventPhase is what happened to a node of a deployment.
type EventPhase string

// The event phases.
const (
	PhaseStarted  EventPhase = "started"
	PhaseFinished EventPhase = "finished"
	PhaseFailed   EventPhase = "failed"
	PhaseSkipped  EventPhase = "skipped"
)

// Valid reports whether p is one of the event phases.
func (p EventPhase) Valid() bool {
	switch p {
	case PhaseStarted, PhaseFinished, PhaseFailed, PhaseSkipped:
		return true
	}
	return false
}

// DeploymentEvent is one step of a deployment: a node (resource UID or
// workload) starting, finishing, failing or being skipped.
type DeploymentEvent struct {
	DeploymentID string `json:"deploymentId"`
	// Seq numbers a deployment's events from 1, in the order appended.
	Seq   int64      `json:"seq"`
	Node  string     `json:"node"`
	Phase EventPhase `json:"phase"`
	// Action is the plan action: create, update, keep, delete, deploy….
	Action   string        `json:"action,omitempty"`
	Time     time.Time     `json:"time"`
	Duration time.Duration `json:"duration,omitempty"`
	// Message must be redacted.
	Message string `json:"message,omitempty"`
}

// Validate checks that e can be appended.
func (e *DeploymentEvent) Validate() error {
	err := firstErr(
		checkName("deployment event", "deploymentId", e.DeploymentID),
		checkName("deployment event", "node", e.Node),
	)
	if err == nil && !e.Phase.Valid() {
		err = invalid("deployment event", "phase", "is %q, want one of started, finished, failed, skipped", e.Phase)
	}
	if err == nil && e.Duration < 0 {
		err = invalid("deployment event", "duration", "is negative")
	}
	return err
}

// ActiveDeploymentError is the cause of the conflict BeginDeployment returns
// when the environment already has an active deployment; find it with
// errors.As.
type ActiveDeploymentError struct {
	App, Env string
	// ID is the active deployment's id.
	ID string
}

// Error says which deployment is active.
func (e *ActiveDeploymentError) Error() string {
	return "environment " + e.Env + " of app " + e.App + " has an active deployment " + e.ID
}
