package engine

import (
	"context"
	"sync"
	"testing"

	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/store/sqlstore"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
)

// gatedStore holds every event write until gate is closed.
type gatedStore struct {
	*sqlstore.Store
	gate chan struct{}
}

func (g gatedStore) AppendEvent(ctx context.Context, e *store.DeploymentEvent) error {
	<-g.gate
	return g.Store.AppendEvent(ctx, e)
}

// TestEventsDoNotWaitOnTheStore: the progress func sees every node end while
// the store cannot write a single event, and once it can, the store holds
// the events in the order the progress func saw them.
func TestEventsDoNotWaitOnTheStore(t *testing.T) {
	reg, targets, p, ws := noopSetup(t, 10)
	ctx := t.Context()
	st := gatedStore{Store: sqlstoretest.SQLite(t), gate: make(chan struct{})}
	ok := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ok(st.CreateApp(ctx, &store.App{Name: "shop"}))
	ok(st.CreateEnvironment(ctx, &store.Environment{App: "shop", Name: "dev", Type: "development"}))
	plan, err := graph.Build(graph.Input{App: "shop", Env: "dev", Workloads: ws, Platform: p})
	ok(err)
	dep := &store.Deployment{App: "shop", Env: "dev", Owner: "test"}
	ok(st.BeginDeployment(ctx, dep))

	var mu sync.Mutex
	var seen []Event
	ended := 0
	allEnded := make(chan struct{})
	progress := func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, ev)
		if ev.Kind == KindResource && ev.Phase == "finished" {
			if ended++; ended == len(plan.Resources) {
				close(allEnded)
			}
		}
	}
	e := &Engine{Store: st, Drivers: reg, Targets: targets, Platform: p, Owner: "test"}
	type result struct {
		sum *Summary
		err error
	}
	done := make(chan result)
	go func() {
		sum, err := e.Apply(ctx, plan, dep, ApplyOptions{Progress: progress})
		done <- result{sum, err}
	}()
	<-allEnded // with the store write under the emit lock, this never comes
	close(st.gate)
	res := <-done
	ok(res.err)
	if res.sum.Status != "succeeded" {
		t.Fatalf("status %s", res.sum.Status)
	}

	var want []string
	for _, ev := range seen {
		if phase := storePhase(ev.Phase); phase != "" && (phase != store.PhaseStarted || ev.Kind == KindDeployment) {
			want = append(want, ev.Node+" "+ev.Phase)
		}
	}
	stored, err := st.ListEvents(ctx, dep.ID, 0)
	ok(err)
	var got []string
	for _, ev := range stored {
		got = append(got, ev.Node+" "+string(ev.Phase))
	}
	if len(got) != len(want) || len(got) != len(plan.Resources)+2 {
		t.Fatalf("stored %d events, progress saw %d to store, want %d", len(got), len(want), len(plan.Resources)+2)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("stored event %d is %q, progress saw %q", i, got[i], want[i])
		}
	}
}
