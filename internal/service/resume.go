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
		fail("interrupted: the process running it (" + d.Owner + ") stopped, and it has no stored plan to resume")
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
	_, err = s.engine(cfg.Platform).Apply(ctx, sp.Record.Plan, d, engine.ApplyOptions{Images: sp.Record.Images, Progress: progress})
	s.audit(ctx, systemActor, "deploy.resume", target, p.Hash, err, map[string]any{"deployment": d.ID, "actor": d.Actor})
}

func (s *Service) staleAfter() time.Duration {
	if s.StaleAfter > 0 {
		return s.StaleAfter
	}
	return 30 * time.Second
}
