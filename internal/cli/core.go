package cli

import (
	"context"
	"encoding/json"
	"os"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/client"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// core is what the state commands call: the service on local state, or a
// pave server through its API when logged in (remote). Both enforce the
// same rules: locally as the machine's admin, remotely as the token's
// user.
type core interface {
	Plan(ctx context.Context, req service.PlanRequest) (*service.PlanResult, error)
	Deploy(ctx context.Context, req service.DeployRequest) (*service.DeployResult, error)
	Destroy(ctx context.Context, req service.DeployRequest) (*service.DeployResult, error)
	Promote(ctx context.Context, from string, req service.DeployRequest) (*service.DeployResult, error)
	Rollback(ctx context.Context, deploymentID string, req service.DeployRequest) (*service.DeployResult, error)
	CreateEnvironment(ctx context.Context, req service.CreateEnvironmentRequest, deploy func(service.DeployRequest) service.DeployRequest) (*store.Environment, *service.DeployResult, error)
	DeleteEnvironment(ctx context.Context, req service.DeployRequest) (*service.DeployResult, error)
	ListEnvironments(ctx context.Context, actor service.Actor, app string) ([]store.Environment, error)
	Resources(ctx context.Context, p *platform.Platform, actor service.Actor, app, env string, reveal bool) ([]service.ResourceView, error)
	Deployments(ctx context.Context, actor service.Actor, app, env string, limit int) ([]store.Deployment, error)
	Deployment(ctx context.Context, actor service.Actor, id string) (*service.DeploymentDetail, error)
	Approve(ctx context.Context, req service.ApproveRequest) (*service.StoredPlan, error)
	ApplyPlan(ctx context.Context, req service.ApplyPlanRequest) (*service.DeployResult, error)
	Render(ctx context.Context, req service.RenderRequest) (*service.Rendered, error)
	Explain(ctx context.Context, req service.ExplainRequest) (platform.Explanation, error)
	Logs(ctx context.Context, req service.LogsRequest) ([]string, error)
	PutSecret(ctx context.Context, actor service.Actor, name string, value []byte) error
	DeleteSecret(ctx context.Context, actor service.Actor, name string) error
	ListSecrets(ctx context.Context, actor service.Actor) ([]store.SecretInfo, error)
	GC(ctx context.Context, cfg service.Config, actor service.Actor, deploy func(service.DeployRequest) service.DeployRequest) ([]store.Environment, error)
}

var (
	_ core = (*service.Service)(nil)
	_ core = remote{}
)

// door is the core a command talks to.
type door struct {
	core
	// svc is the local service; nil when remote.
	svc   *service.Service
	close func()
}

// open returns the core for a command: a pave server when logged in (or
// PAVE_SERVER is set) and no local state was asked for with --state or
// --database-url; the local service otherwise.
func (a *app) open(cmd *cobra.Command, sf stateFlags, needState bool) (*door, error) {
	cr, err := loginFor(cmd)
	if err != nil {
		return nil, err
	}
	if cr != nil {
		c, err := cr.client()
		if err != nil {
			return nil, err
		}
		return &door{core: remote{c}, close: func() {}}, nil
	}
	svc, closeSvc, err := a.service(cmd.Context(), sf, needState)
	if err != nil {
		return nil, err
	}
	return &door{core: svc, svc: svc, close: closeSvc}, nil
}

// loginFor returns the login a command goes through to a server, or nil
// when it works on local state: no login, or --state, --database-url,
// PAVE_STATE or PAVE_DATABASE_URL given.
func loginFor(cmd *cobra.Command) (*credentials, error) {
	if os.Getenv("PAVE_STATE") != "" || os.Getenv("PAVE_DATABASE_URL") != "" {
		return nil, nil
	}
	for _, f := range []string{"state", "database-url"} {
		if fl := cmd.Flags().Lookup(f); fl != nil && fl.Changed {
			return nil, nil
		}
	}
	return loadCredentials()
}

// remote is the core of a pave server, through its API. Platform, Policies
// and Actor of requests are the server's business and ignored here.
type remote struct{ c *client.Client }

// changeBody sends parsed workloads as their normalised documents, file
// sources inlined.
func changeBody(ws []*score.Workload, images map[string]string, commit string) (api.ChangeBody, error) {
	b := api.ChangeBody{Images: images, Commit: commit}
	for _, w := range ws {
		doc, err := json.Marshal(w)
		if err != nil {
			return b, errs.Wrap(errs.Internal, err, "workload %q cannot be encoded", w.Name)
		}
		b.Workloads = append(b.Workloads, api.WorkloadFile{Name: w.File, Content: string(doc)})
	}
	return b, nil
}

func (r remote) Plan(ctx context.Context, req service.PlanRequest) (*service.PlanResult, error) {
	body, err := changeBody(req.Workloads, req.Images, "")
	if err != nil {
		return nil, err
	}
	return r.c.Plan(ctx, req.App, req.Env, body, req.Preview)
}

func (r remote) Deploy(ctx context.Context, req service.DeployRequest) (*service.DeployResult, error) {
	body, err := changeBody(req.Workloads, req.Images, req.Commit)
	if err != nil {
		return nil, err
	}
	return r.c.Deploy(ctx, req.App, req.Env, body, req.Progress)
}

func (r remote) Destroy(ctx context.Context, req service.DeployRequest) (*service.DeployResult, error) {
	return r.c.Destroy(ctx, req.App, req.Env, req.Commit, req.Progress)
}

func (r remote) Promote(ctx context.Context, from string, req service.DeployRequest) (*service.DeployResult, error) {
	return r.c.Promote(ctx, req.App, req.Env, api.PromoteBody{From: from, Images: req.Images, Commit: req.Commit}, req.Progress)
}

func (r remote) Rollback(ctx context.Context, id string, req service.DeployRequest) (*service.DeployResult, error) {
	return r.c.Rollback(ctx, req.App, req.Env, api.RollbackBody{Deployment: id, Images: req.Images, Commit: req.Commit}, req.Progress)
}

func (r remote) CreateEnvironment(ctx context.Context, req service.CreateEnvironmentRequest, deploy func(service.DeployRequest) service.DeployRequest) (*store.Environment, *service.DeployResult, error) {
	var d service.DeployRequest
	if deploy != nil {
		d = deploy(d)
	}
	body := api.CreateEnvironmentBody{Name: req.Env, Type: req.Type, CloneFrom: req.CloneFrom, Images: d.Images}
	if req.TTL > 0 {
		body.TTL = req.TTL.String()
	}
	return r.c.CreateEnvironment(ctx, req.App, body, d.Progress)
}

func (r remote) DeleteEnvironment(ctx context.Context, req service.DeployRequest) (*service.DeployResult, error) {
	return r.c.DeleteEnvironment(ctx, req.App, req.Env, req.Progress)
}

func (r remote) ListEnvironments(ctx context.Context, _ service.Actor, app string) ([]store.Environment, error) {
	return r.c.ListEnvironments(ctx, app)
}

func (r remote) Resources(ctx context.Context, _ *platform.Platform, _ service.Actor, app, env string, reveal bool) ([]service.ResourceView, error) {
	return r.c.Resources(ctx, app, env, reveal)
}

func (r remote) Deployments(ctx context.Context, _ service.Actor, app, env string, limit int) ([]store.Deployment, error) {
	return r.c.Deployments(ctx, app, env, limit)
}

func (r remote) Deployment(ctx context.Context, _ service.Actor, id string) (*service.DeploymentDetail, error) {
	return r.c.Deployment(ctx, id)
}

func (r remote) Approve(ctx context.Context, req service.ApproveRequest) (*service.StoredPlan, error) {
	return r.c.Approve(ctx, req.PlanID, req.Comment)
}

func (r remote) ApplyPlan(ctx context.Context, req service.ApplyPlanRequest) (*service.DeployResult, error) {
	return r.c.ApplyPlan(ctx, req.PlanID, req.Progress)
}

func (r remote) Render(ctx context.Context, req service.RenderRequest) (*service.Rendered, error) {
	body, err := changeBody(req.Workloads, req.Images, "")
	if err != nil {
		return nil, err
	}
	return r.c.Render(ctx, req.App, req.Env, api.RenderBody{Workloads: body.Workloads, Format: req.Format, Images: req.Images, Builds: req.Builds})
}

func (r remote) Explain(ctx context.Context, req service.ExplainRequest) (platform.Explanation, error) {
	return r.c.Explain(ctx, req.App, req.Env, req.Type, req.Class, req.ID)
}

func (r remote) Logs(ctx context.Context, req service.LogsRequest) ([]string, error) {
	return r.c.Logs(ctx, req.App, req.Env, req.Workload, req.Tail)
}

func (r remote) PutSecret(ctx context.Context, _ service.Actor, name string, value []byte) error {
	return r.c.PutSecret(ctx, name, value)
}

func (r remote) DeleteSecret(ctx context.Context, _ service.Actor, name string) error {
	return r.c.DeleteSecret(ctx, name)
}

func (r remote) ListSecrets(ctx context.Context, _ service.Actor) ([]store.SecretInfo, error) {
	return r.c.ListSecrets(ctx)
}

func (r remote) GC(ctx context.Context, _ service.Config, _ service.Actor, deploy func(service.DeployRequest) service.DeployRequest) ([]store.Environment, error) {
	var d service.DeployRequest
	if deploy != nil {
		d = deploy(d)
	}
	return r.c.GC(ctx, d.Progress)
}
