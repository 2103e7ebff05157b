package client

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/engine"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// Whoami returns who the client's token stands for.
func (c *Client) Whoami(ctx context.Context) (*api.Whoami, error) {
	var w api.Whoami
	return &w, c.do(ctx, "GET", "/api/v1/whoami", nil, &w)
}

// Plan plans workloads in an environment, with every policy finding.
func (c *Client) Plan(ctx context.Context, app, env string, body api.ChangeBody, preview service.PreviewMode) (*service.PlanResult, error) {
	path := envPath(app, env) + "/plans"
	if preview != service.PreviewAuto {
		path += "?preview=" + string(preview)
	}
	var res service.PlanResult
	return &res, c.do(ctx, "POST", path, body, &res)
}

// Deploy deploys workloads to an environment.
func (c *Client) Deploy(ctx context.Context, app, env string, body api.ChangeBody, progress engine.Progress) (*service.DeployResult, error) {
	return c.change(ctx, "POST", envPath(app, env)+"/deployments", body, progress)
}

// Destroy removes every workload and resource of an environment.
func (c *Client) Destroy(ctx context.Context, app, env, commit string, progress engine.Progress) (*service.DeployResult, error) {
	return c.change(ctx, "POST", envPath(app, env)+"/destroy", api.DestroyBody{Commit: commit}, progress)
}

// Promote deploys to env the workloads running in body.From.
func (c *Client) Promote(ctx context.Context, app, env string, body api.PromoteBody, progress engine.Progress) (*service.DeployResult, error) {
	return c.change(ctx, "POST", envPath(app, env)+"/promote", body, progress)
}

// Rollback deploys again the workloads of body.Deployment.
func (c *Client) Rollback(ctx context.Context, app, env string, body api.RollbackBody, progress engine.Progress) (*service.DeployResult, error) {
	return c.change(ctx, "POST", envPath(app, env)+"/rollback", body, progress)
}

// CreateEnvironment creates an environment; a clone deploys, and its
// result is returned.
func (c *Client) CreateEnvironment(ctx context.Context, app string, body api.CreateEnvironmentBody, progress engine.Progress) (*store.Environment, *service.DeployResult, error) {
	path := "/api/v1/apps/" + esc(app) + "/environments"
	if body.CloneFrom == "" {
		// 201 answers {"environment"}; 202 a pending result, when the
		// creation waits for an approval.
		var res service.DeployResult
		if err := c.do(ctx, "POST", path, body, &res); err != nil {
			return nil, nil, err
		}
		if res.Pending != nil {
			return nil, &res, nil
		}
		return res.Environment, nil, nil
	}
	res, err := c.change(ctx, "POST", path, body, progress)
	env := &store.Environment{App: app, Name: body.Name, Type: body.Type, ClonedFrom: body.CloneFrom}
	return env, res, err
}

// DeleteEnvironment destroys an environment and deletes it.
func (c *Client) DeleteEnvironment(ctx context.Context, app, env string, progress engine.Progress) (*service.DeployResult, error) {
	return c.change(ctx, "DELETE", envPath(app, env), nil, progress)
}

// ListApps returns the apps the caller may read.
func (c *Client) ListApps(ctx context.Context) ([]store.App, error) {
	var out []store.App
	return out, c.do(ctx, "GET", "/api/v1/apps", nil, &out)
}

// ListEnvironments returns an app's environments.
func (c *Client) ListEnvironments(ctx context.Context, app string) ([]store.Environment, error) {
	var out []store.Environment
	return out, c.do(ctx, "GET", "/api/v1/apps/"+esc(app)+"/environments", nil, &out)
}

// Resources returns an environment's resources, secrets masked unless
// revealed.
func (c *Client) Resources(ctx context.Context, app, env string, reveal bool) ([]service.ResourceView, error) {
	var out []service.ResourceView
	q := ""
	if reveal {
		q = "?reveal=true"
	}
	return out, c.do(ctx, "GET", envPath(app, env)+"/resources"+q, nil, &out)
}

// Deployments returns an environment's deployments, newest first.
func (c *Client) Deployments(ctx context.Context, app, env string, limit int) ([]store.Deployment, error) {
	var out []store.Deployment
	q := ""
	if limit > 0 {
		q = "?limit=" + strconv.Itoa(limit)
	}
	return out, c.do(ctx, "GET", envPath(app, env)+"/deployments"+q, nil, &out)
}

// Deployment returns one deployment with its events.
func (c *Client) Deployment(ctx context.Context, id string) (*service.DeploymentDetail, error) {
	var d service.DeploymentDetail
	return &d, c.do(ctx, "GET", "/api/v1/deployments/"+esc(id), nil, &d)
}

// GetPlan returns a stored plan.
func (c *Client) GetPlan(ctx context.Context, id string) (*service.StoredPlan, error) {
	var p service.StoredPlan
	return &p, c.do(ctx, "GET", "/api/v1/plans/"+esc(id), nil, &p)
}

// Approve approves a stored plan.
func (c *Client) Approve(ctx context.Context, id, comment string) (*service.StoredPlan, error) {
	var p service.StoredPlan
	return &p, c.do(ctx, "POST", "/api/v1/plans/"+esc(id)+"/approvals", api.ApproveBody{Comment: comment}, &p)
}

// ApplyPlan applies a stored, approved plan.
func (c *Client) ApplyPlan(ctx context.Context, id string, progress engine.Progress) (*service.DeployResult, error) {
	return c.change(ctx, "POST", "/api/v1/plans/"+esc(id)+"/apply", nil, progress)
}

// CreateToken creates an API token; the result holds it this once.
func (c *Client) CreateToken(ctx context.Context, user, kind, name string, ttl time.Duration) (*service.NewToken, error) {
	var t service.NewToken
	return &t, c.do(ctx, "POST", "/api/v1/tokens", api.CreateTokenBody{User: user, Kind: kind, Name: name, TTL: durationText(ttl)}, &t)
}

// ListTokens lists a user's tokens (the caller's when user is empty).
func (c *Client) ListTokens(ctx context.Context, user string) ([]store.Token, error) {
	var out []store.Token
	return out, c.do(ctx, "GET", "/api/v1/tokens"+query("user", user), nil, &out)
}

// RevokeToken revokes a token.
func (c *Client) RevokeToken(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/tokens/"+esc(id), nil, nil)
}

// CreateUser creates a user.
func (c *Client) CreateUser(ctx context.Context, u api.UserBody) (*store.User, error) {
	var out store.User
	return &out, c.do(ctx, "POST", "/api/v1/users", u, &out)
}

// UpdateUser sets a user's roles, teams, bindings and disabled flag.
func (c *Client) UpdateUser(ctx context.Context, name string, u api.UserBody) (*store.User, error) {
	var out store.User
	return &out, c.do(ctx, "PUT", "/api/v1/users/"+esc(name), u, &out)
}

// ListUsers returns every user.
func (c *Client) ListUsers(ctx context.Context) ([]store.User, error) {
	var out []store.User
	return out, c.do(ctx, "GET", "/api/v1/users", nil, &out)
}

// CreateTeam creates a team.
func (c *Client) CreateTeam(ctx context.Context, t api.TeamBody) (*store.Team, error) {
	var out store.Team
	return &out, c.do(ctx, "POST", "/api/v1/teams", t, &out)
}

// Audit lists audit entries, newest first.
func (c *Client) Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	var out []store.AuditEntry
	q := query("actor", f.Actor, "actorKind", string(f.ActorKind), "action", f.Action, "target", f.Target,
		"outcome", f.Outcome, "planHash", f.PlanHash, "before", f.Before, "limit", itoaNZ(f.Limit))
	return out, c.do(ctx, "GET", "/api/v1/audit"+q, nil, &out)
}

func itoaNZ(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// Render renders workloads as Kubernetes manifests or a Compose project,
// provisioning nothing; the result holds no secret value.
func (c *Client) Render(ctx context.Context, app, env string, body api.RenderBody) (*service.Rendered, error) {
	var out service.Rendered
	return &out, c.do(ctx, "POST", envPath(app, env)+"/render", body, &out)
}

// Explain says which definition provides a resource in an environment,
// and why.
func (c *Client) Explain(ctx context.Context, app, env, typ, class, id string) (platform.Explanation, error) {
	var out platform.Explanation
	return out, c.do(ctx, "GET", envPath(app, env)+"/explain"+query("type", typ, "class", class, "id", id), nil, &out)
}

// Logs returns a workload's last tail log lines (all the target keeps for
// 0).
func (c *Client) Logs(ctx context.Context, app, env, workload string, tail int) ([]string, error) {
	var out []string
	return out, c.do(ctx, "GET", envPath(app, env)+"/workloads/"+esc(workload)+"/logs?tail="+strconv.Itoa(tail), nil, &out)
}

// ListSecrets lists the platform secrets' names, never their values.
func (c *Client) ListSecrets(ctx context.Context) ([]store.SecretInfo, error) {
	var out []store.SecretInfo
	return out, c.do(ctx, "GET", "/api/v1/secrets", nil, &out)
}

// PutSecret sets a platform secret.
func (c *Client) PutSecret(ctx context.Context, name string, value []byte) error {
	return c.do(ctx, "PUT", "/api/v1/secrets/"+esc(name), api.SecretBody{Value: string(value)}, nil)
}

// DeleteSecret deletes a platform secret.
func (c *Client) DeleteSecret(ctx context.Context, name string) error {
	return c.do(ctx, "DELETE", "/api/v1/secrets/"+esc(name), nil, nil)
}

// GC destroys and deletes the expired environments, following the engine's
// events; it returns those deleted with the error, if any, of the others.
func (c *Client) GC(ctx context.Context, progress engine.Progress) ([]store.Environment, error) {
	var deleted []store.Environment
	err := c.stream(ctx, "POST", "/api/v1/gc", nil, progress,
		func(code int, b []byte, status string) error {
			var res api.GCResult
			if json.Unmarshal(b, &res) != nil || (code >= 300 && (res.Error == nil || res.Error.Code == "")) {
				return errs.New(errs.Transient, "the pave server answered %s", status)
			}
			deleted = res.Deleted
			if res.Error != nil {
				return fromInfo(*res.Error)
			}
			return nil
		},
		func(l line) error {
			deleted = l.Deleted
			return lineError(l)
		})
	return deleted, err
}
