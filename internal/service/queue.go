package service

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/pavedev/pave/internal/store"
)

// idlePoll is how often a change waiting for an environment checks it.
const idlePoll = 100 * time.Millisecond

// queued runs a change; while the environment has another active
// deployment and req.Wait allows, it waits for that one to finish and runs
// the change again, planned against what the other left. Changes to one
// environment so serialise, each applied once, across every replica.
func (s *Service) queued(ctx context.Context, req DeployRequest, run func(context.Context, DeployRequest) (*DeployResult, error)) (*DeployResult, error) {
	deadline := s.now().Add(req.Wait)
	for {
		res, err := run(ctx, req)
		var busy *store.ActiveDeploymentError
		if req.Wait <= 0 || !errors.As(err, &busy) || !s.now().Before(deadline) {
			return res, err
		}
		if !s.waitIdle(ctx, req.App, req.Env, deadline) {
			return res, err
		}
	}
}

// waitIdle waits until the environment has no active deployment, and
// reports whether it has none before deadline.
func (s *Service) waitIdle(ctx context.Context, app, env string, deadline time.Time) bool {
	for {
		active, err := s.Store.ListDeployments(ctx, store.DeploymentFilter{App: app, Env: env,
			Statuses: []store.DeploymentStatus{store.DeploymentPending, store.DeploymentRunning}, Limit: 1})
		if err == nil && len(active) == 0 {
			return true
		}
		if err == nil && s.now().Sub(active[0].Heartbeat) > s.staleAfter() {
			return true // its owner is gone: begin reaps it
		}
		// Jitter spreads the waiters, so that they do not all poll and
		// retry at once.
		wait := idlePoll + rand.N(idlePoll)
		if s.now().Add(wait).After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
	}
}
