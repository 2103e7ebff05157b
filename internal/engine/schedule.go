package engine

import (
	"context"
	"sync"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
)

// provisionAll runs every create, update and keep node as soon as the nodes
// it depends on are done, at most Parallelism at a time. After the first
// failure nothing new starts; what runs finishes and the rest is skipped.
func (r *run) provisionAll(ctx context.Context) error {
	var nodes []*graph.Resource
	for i := range r.plan.Resources {
		if r.plan.Resources[i].Action != graph.Delete {
			nodes = append(nodes, &r.plan.Resources[i])
		}
	}
	limit := r.e.Parallelism
	if limit <= 0 {
		limit = DefaultParallelism
	}
	pending := map[string]int{}           // uid → dependencies not yet done
	dependents := map[string][]string{}   // uid → nodes waiting on it
	byUID := map[string]*graph.Resource{} // uid → node
	for _, n := range nodes {
		byUID[n.UID] = n
		pending[n.UID] = len(n.DependsOn)
		for _, d := range n.DependsOn {
			dependents[d] = append(dependents[d], n.UID)
		}
	}
	type done struct {
		uid string
		err error
	}
	results := make(chan done)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	start := func(n *graph.Resource) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results <- done{n.UID, r.provision(ctx, n)}
		}()
	}
	// Start in plan order so that runs are reproducible.
	running := 0
	for _, n := range nodes {
		if pending[n.UID] == 0 {
			start(n)
			running++
		}
	}
	var failed errs.List
	finished := map[string]bool{}
	for running > 0 {
		res := <-results
		running--
		finished[res.uid] = true
		if res.err != nil {
			failed.Add(res.err)
			continue
		}
		if len(failed) > 0 || ctx.Err() != nil {
			continue
		}
		for _, m := range dependents[res.uid] {
			pending[m]--
			if pending[m] == 0 {
				start(byUID[m])
				running++
			}
		}
	}
	wg.Wait()
	for _, n := range nodes {
		if !finished[n.UID] {
			r.record(n, "skipped", 0, "not started: an earlier step failed")
			r.emit(Event{Node: n.UID, Kind: KindResource, Phase: "skipped", Action: string(n.Action), Message: "an earlier step failed"})
		}
	}
	if len(failed) > 0 {
		return failed
	}
	return ctx.Err()
}
