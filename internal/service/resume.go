package service

import (
	"context"
	"sync"
	"time"

	"github.com/pavedev/pave/internal/engine"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

// systemActor is pave itself, in the audit log, when it acts on its own:
// resuming a deployment another replica left.
var systemActor = Actor{ID: "pave", Kind: "local"}

// ResumeStale takes over the active deployments whose owner stopped
// heartbeating for StaleAfter (a replica that crashed or was killed) and
// applies their stored plans again, to the end: drivers are idempotent, so
// what the other replica did is kept. Each claimed deployment is claimed by
// one replica only. It waits for the resumed deployments and returns how
// many it took over.
//
// Every deployment a use case begins names its stored plan (apply stores
// one when the change had none), and a plan is deleted only with its
// environment or app, which deletes the deployment too. A deployment
// without a plan was begun outside the use cases (the engine driven
// directly) or by a pave that did not store plans yet. It is marked failed,
// not resumed: what it was applying cannot be known exactly. Its record
// names its workloads but not the images given at deploy time nor its
// action, and planning them again against the half-changed environment
// gives another plan (other actions, another hash), one nobody approved
// or judged. The next deployment to the environment plans afresh and
// completes its work (drivers are idempotent).
func (s *Service) ResumeStale(ctx context.Context, cfg Config, progress engine.Progress) (int, error) {
	claimed, err := s.Store.ClaimStale(ctx, s.Owner, s.staleAfter())
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	var wg sync.WaitGroup
	for i := range claimed {
		d := &claimed[i]
		wg.Go(func() { s.resume(ctx, cfg, d, progress) })
	}
	wg.Wait()
	return len(claimed), nil
}

func (s *Service) resume(ctx context.Context, cfg Config, d *store.Deployment, progress engine.Progress) {
	target := d.App + "/" + d.Env
	fail := func(msg string) {
		_ = s.Store.SetDeploymentStatus(context.WithoutCancel(ctx), d.ID, store.DeploymentFailed, msg)
	}
	if d.PlanID == "" {
		fail("interrupted: the process running it (" + d.Owner + ") stopped, and it records no stored plan, so what it was applying " +
			"cannot be known exactly; the next deployment to the environment completes its work")
		return
	}
	p, err := s.Store.GetPlan(ctx, d.PlanID)
	if err != nil {
		fail("interrupted, and its plan cannot be read: " + errs.Errors(err)[0].Message)
		return
	}
	sp, err := decodePlan(p)
	if err != nil {
		fail("interrupted, and its plan cannot be read")
		return
	}
	if d.PlanHash != "" && d.PlanHash != p.Hash {
		fail("interrupted, and its stored plan " + p.ID + " is not the plan it applied (hash " + p.Hash + ", not " + d.PlanHash + ")")
		return
	}
	_, err = s.engine(cfg.Platform).Apply(ctx, sp.Record.Plan, d, engine.ApplyOptions{Images: sp.Record.Images, Progress: progress})
	s.audit(ctx, systemActor, "deploy.resume", target, p.Hash, err, map[string]any{"deployment": d.ID, "actor": d.Actor})
	if err == nil && deletesEnvironment(sp.Record.Action) {
		_ = s.forgetEnvironment(context.WithoutCancel(ctx), systemActor, d.App, d.Env)
	}
}

func (s *Service) staleAfter() time.Duration {
	if s.StaleAfter > 0 {
		return s.StaleAfter
	}
	return 30 * time.Second
}
