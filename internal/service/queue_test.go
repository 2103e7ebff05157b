package service_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/engine"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// TestConcurrentDeploymentsSerialise: concurrent deployments to one
// environment that may wait run one after another, each once; one that may
// not wait is refused.
func TestConcurrentDeploymentsSerialise(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const n = 5
	ids := make([]string, n)
	var wg sync.WaitGroup
	errsOf := make([]error, n)
	for i := range n {
		wg.Go(func() {
			req := e.req(service.LocalAdmin(), "shop", "dev", workloads(t, "testdata/workloads/fast.score.yaml",
				[]string{fmt.Sprintf("containers.main.variables.N=n%d", i)}))
			req.Wait = time.Minute
			res, err := e.svc.Deploy(ctx, req)
			errsOf[i] = err
			if err == nil {
				ids[i] = res.Summary.DeploymentID
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, err := range errsOf {
		ok(t, err)
		if seen[ids[i]] {
			t.Fatalf("deployment %s returned twice", ids[i])
		}
		seen[ids[i]] = true
	}
	deps, err := e.svc.Deployments(ctx, service.LocalAdmin(), "shop", "dev", 0)
	ok(t, err)
	if len(deps) != n {
		t.Fatalf("%d deployments recorded, want %d", len(deps), n)
	}
	for _, d := range deps {
		if !seen[d.ID] || d.Status != store.DeploymentSucceeded {
			t.Fatalf("deployment %+v", d)
		}
	}
	// Without waiting, a second concurrent deployment is refused.
	started := make(chan struct{})
	done := make(chan error)
	go func() {
		req := e.req(service.LocalAdmin(), "shop", "dev", workloads(t, "testdata/workloads/fast.score.yaml", []string{"containers.main.variables.N=x"}))
		req.Progress = func(engine.Event) {
			select {
			case <-started:
			default:
				close(started)
			}
		}
		_, err := e.svc.Deploy(ctx, req)
		done <- err
	}()
	<-started
	_, err = e.svc.Deploy(ctx, e.req(service.LocalAdmin(), "shop", "dev", workloads(t, "testdata/workloads/fast.score.yaml", []string{"containers.main.variables.N=y"})))
	wantCode(t, err, errs.Conflict)
	ok(t, <-done)
}
