// Package store is the contract of pave's state: the records it keeps (apps,
// environments, workload versions, resource instances, plans, deployments and
// their events, the audit log, platform secrets) and the Store interface that
// keeps them. Package sqlstore implements it on SQLite and PostgreSQL;
// package storetest is the conformance suite every implementation passes.
//
// Every Store method takes a context first, is atomic on its own, and returns
// errors of type *errs.Error: not_found for a missing record, conflict for a
// duplicate or a state that forbids the change (a second active deployment),
// invalid for a malformed record, transient when the database is busy or
// unreachable, internal otherwise. All times are UTC.
//
// Secrets are sealed by the Store itself, so no caller can forget: a
// Resource's SecretOutputs, State and Manifests and the values of platform
// secrets are held in clear in memory and sealed at rest.
package store

import (
	"context"
	"time"

	"github.com/pavedev/pave/internal/secrets"
)

// Store keeps pave's state. It is the union of one interface per entity, so
// that a consumer can depend on only the part it uses.
type Store interface {
	Apps
	Environments
	Workloads
	Resources
	Plans
	Deployments
	Audit
	Secrets
	Identity
	// RotateKey re-seals every sealed value with next in one transaction
	// and from then on seals with next. next must open what the current
	// sealer sealed, or hold its keys (see secrets.RotateKeyFile, which
	// calls this at the right moment). It returns how many values were
	// re-sealed.
	RotateKey(ctx context.Context, next *secrets.Sealer) (int, error)
	// Close releases the database.
	Close() error
}

// Apps keeps apps.
type Apps interface {
	// CreateApp adds a; conflict if an app of that name exists. It sets
	// CreatedAt when zero.
	CreateApp(ctx context.Context, a *App) error
	// GetApp returns the app called name.
	GetApp(ctx context.Context, name string) (*App, error)
	// ListApps returns every app, by name.
	ListApps(ctx context.Context) ([]App, error)
	// UpdateApp changes the team of the app called a.Name.
	UpdateApp(ctx context.Context, a *App) error
	// DeleteApp deletes an app and its workload versions; conflict while it
	// still has environments.
	DeleteApp(ctx context.Context, name string) error
}

// Environments keeps environments.
type Environments interface {
	// CreateEnvironment adds e to its app; not_found if the app does not
	// exist, conflict if the environment does.
	CreateEnvironment(ctx context.Context, e *Environment) error
	// GetEnvironment returns one environment of an app.
	GetEnvironment(ctx context.Context, app, name string) (*Environment, error)
	// ListEnvironments returns the environments of an app, by name.
	ListEnvironments(ctx context.Context, app string) ([]Environment, error)
	// ListExpiredEnvironments returns the environments of every app whose
	// ExpiresAt is at or before t, oldest expiry first.
	ListExpiredEnvironments(ctx context.Context, t time.Time) ([]Environment, error)
	// UpdateEnvironment changes the Type and ExpiresAt of an environment.
	UpdateEnvironment(ctx context.Context, e *Environment) error
	// DeleteEnvironment deletes an environment with its plans, deployments,
	// events and resource records. It is a conflict while a deployment is
	// active or a resource is not deleted (status other than deleted):
	// deprovision first.
	DeleteEnvironment(ctx context.Context, app, name string) error
}

// Workloads keeps the Score documents that were deployed.
type Workloads interface {
	// PutWorkloadVersion stores a Score document, content addressed: it sets
	// w.Hash to the document's hash and is a no-op when that version is
	// already stored. not_found if the app does not exist.
	PutWorkloadVersion(ctx context.Context, w *WorkloadVersion) error
	// GetWorkloadVersion returns one stored version of a workload.
	GetWorkloadVersion(ctx context.Context, app, workload, hash string) (*WorkloadVersion, error)
	// ListWorkloadVersions returns the versions of a workload, newest first,
	// without their documents (Score is nil).
	ListWorkloadVersions(ctx context.Context, app, workload string) ([]WorkloadVersion, error)
}

// Resources keeps resource instances. The engine records a state transition
// around every driver call, so PutResource is a single fast upsert.
type Resources interface {
	// GetResource returns one resource instance, secrets opened.
	GetResource(ctx context.Context, app, env, uid string) (*Resource, error)
	// PutResource inserts or replaces r (every field but CreatedAt, which
	// is kept from the first insert), sealing its secrets, and sets r's
	// CreatedAt and UpdatedAt. not_found if the environment does not exist.
	PutResource(ctx context.Context, r *Resource) error
	// ListResources returns the resource instances of an environment, by
	// UID, secrets opened.
	ListResources(ctx context.Context, app, env string) ([]Resource, error)
	// MarkResource sets the status and message of a resource instance.
	MarkResource(ctx context.Context, app, env, uid string, status ResourceStatus, message string) error
	// ReleaseResource removes user from a resource instance's users,
	// atomically, and returns the users left: a shared resource is
	// deprovisioned only when none is.
	ReleaseResource(ctx context.Context, app, env, uid, user string) ([]string, error)
	// DeleteResource deletes a resource instance's record.
	DeleteResource(ctx context.Context, app, env, uid string) error
}

// Plans keeps plans and their approvals.
type Plans interface {
	// CreatePlan stores p, setting ID (when empty) and CreatedAt (when
	// zero); not_found if the app does not exist, conflict if the ID is
	// taken. The environment need not exist yet: the plan of creating it
	// may wait for an approval. Approvals given are ignored: use
	// ApprovePlan.
	CreatePlan(ctx context.Context, p *Plan) error
	// GetPlan returns a plan with its approvals.
	GetPlan(ctx context.Context, id string) (*Plan, error)
	// ListPlans returns the plans of an environment, newest first, at most
	// limit of them (DefaultLimit when limit <= 0), without their bodies.
	ListPlans(ctx context.Context, app, env string, limit int) ([]Plan, error)
	// ApprovePlan records an approval; conflict if that actor already
	// approved the plan. It sets a.Time when zero.
	ApprovePlan(ctx context.Context, planID string, a Approval) error
}

// Deployments keeps deployments and their per-node events.
type Deployments interface {
	// BeginDeployment records a new active deployment of d.App to d.Env.
	// At most one deployment per environment is active (pending or
	// running), across every process sharing the database: if one is,
	// BeginDeployment fails with a conflict naming its id. It sets ID (when
	// empty, a sortable NewID), Status (pending when empty), StartedAt
	// (when zero) and Heartbeat. d.Owner is required.
	BeginDeployment(ctx context.Context, d *Deployment) error
	// GetDeployment returns one deployment.
	GetDeployment(ctx context.Context, id string) (*Deployment, error)
	// ListDeployments returns deployments matching f, newest first.
	ListDeployments(ctx context.Context, f DeploymentFilter) ([]Deployment, error)
	// SetDeploymentStatus moves a deployment to status, recording message
	// as its Error: pending may go to any status, running to running or a
	// finished one; a finished deployment never changes (conflict). A
	// finished status sets FinishedAt. It does not check the owner, so
	// that anyone may cancel; the owner learns of it from Heartbeat.
	SetDeploymentStatus(ctx context.Context, id string, status DeploymentStatus, message string) error
	// Heartbeat records that owner still works on an active deployment. It
	// is a conflict if the deployment has finished (it was cancelled, say)
	// or another owner claimed it: the caller must stop.
	Heartbeat(ctx context.Context, id, owner string) error
	// ClaimStale makes owner the owner of every active deployment whose
	// heartbeat is olderThan old or older, and returns them, so that a
	// replica can resume what a crashed one left. Two replicas never claim
	// the same deployment.
	ClaimStale(ctx context.Context, owner string, olderThan time.Duration) ([]Deployment, error)
	// AppendEvent appends an event to a deployment, setting e.Seq to the
	// next number of that deployment (from 1) and e.Time when zero.
	AppendEvent(ctx context.Context, e *DeploymentEvent) error
	// ListEvents returns the events of a deployment with Seq > afterSeq, in
	// order. not_found if the deployment does not exist.
	ListEvents(ctx context.Context, deploymentID string, afterSeq int64) ([]DeploymentEvent, error)
}

// Audit keeps the audit log. It is append-only: there is no way to change
// or delete an entry, and the database refuses it too.
type Audit interface {
	// AppendAudit appends e, setting ID (a sortable NewID) and Time (when
	// zero).
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// ListAudit returns entries matching f, newest first.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// Secrets keeps platform secrets, sealed at rest.
type Secrets interface {
	// PutSecret sets the value of a platform secret.
	PutSecret(ctx context.Context, name string, value []byte) error
	// GetSecret returns the value of a platform secret.
	GetSecret(ctx context.Context, name string) ([]byte, error)
	// DeleteSecret deletes a platform secret.
	DeleteSecret(ctx context.Context, name string) error
	// ListSecrets returns the names of the platform secrets (never their
	// values), by name.
	ListSecrets(ctx context.Context) ([]SecretInfo, error)
}

// Identity keeps users, teams and API tokens.
type Identity interface {
	// CreateUser adds u; conflict if a user of that name exists. It sets
	// CreatedAt and UpdatedAt when zero.
	CreateUser(ctx context.Context, u *User) error
	// GetUser returns the user called name.
	GetUser(ctx context.Context, name string) (*User, error)
	// ListUsers returns every user, by name.
	ListUsers(ctx context.Context) ([]User, error)
	// UpdateUser changes the roles, teams, bindings and Disabled of the
	// user called u.Name, and sets UpdatedAt.
	UpdateUser(ctx context.Context, u *User) error
	// CreateTeam adds t; conflict if a team of that name exists.
	CreateTeam(ctx context.Context, t *Team) error
	// GetTeam returns the team called name.
	GetTeam(ctx context.Context, name string) (*Team, error)
	// ListTeams returns every team, by name.
	ListTeams(ctx context.Context) ([]Team, error)
	// CreateToken adds t; not_found if its user does not exist, conflict
	// if the ID is taken. It sets CreatedAt when zero.
	CreateToken(ctx context.Context, t *Token) error
	// GetToken returns the token with id, Hash included.
	GetToken(ctx context.Context, id string) (*Token, error)
	// ListTokens returns the tokens of user (of every user when user is
	// empty), newest first, without their hashes.
	ListTokens(ctx context.Context, user string) ([]Token, error)
	// RevokeToken marks a token revoked at t; revoking a revoked token
	// keeps the first time and is not an error.
	RevokeToken(ctx context.Context, id string, t time.Time) error
	// TouchToken records that a token was used at t.
	TouchToken(ctx context.Context, id string, t time.Time) error
}

// DefaultLimit is how many records a list returns when no limit is given.
const DefaultLimit = 100
