package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

func testEvents(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev", "prod")
	d := begin(t, s, "shop", "dev")
	other := begin(t, s, "shop", "prod")

	if evs, err := s.ListEvents(ctx, d.ID, 0); err != nil || len(evs) != 0 {
		t.Fatalf("events of a new deployment: %v, %v", evs, err)
	}
	at := time.Date(2030, 5, 5, 5, 5, 5, 5, time.UTC)
	in := []store.DeploymentEvent{
		{Node: "postgres#shop.db", Phase: store.PhaseStarted, Action: "create", Time: at},
		{Node: "postgres#shop.db", Phase: store.PhaseFinished, Action: "create", Time: at.Add(time.Second), Duration: 1500 * time.Millisecond, Message: "created"},
		{Node: "web", Phase: store.PhaseFailed, Action: "deploy", Message: "image pull failed"},
		{Node: "api", Phase: store.PhaseSkipped, Action: "deploy"},
	}
	for i := range in {
		e := in[i]
		e.DeploymentID = d.ID
		ok(t, s.AppendEvent(ctx, &e))
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d got Seq %d", i, e.Seq)
		}
		wantUTC(t, "Time", e.Time)
		in[i] = e
	}
	ok(t, s.AppendEvent(ctx, &store.DeploymentEvent{DeploymentID: other.ID, Node: "x", Phase: store.PhaseStarted}))

	got, err := s.ListEvents(ctx, d.ID, 0)
	ok(t, err)
	if len(got) != len(in) {
		t.Fatalf("ListEvents returned %d events, want %d", len(got), len(in))
	}
	for i := range in {
		g, w := got[i], in[i]
		if g.DeploymentID != d.ID || g.Seq != w.Seq || g.Node != w.Node || g.Phase != w.Phase || g.Action != w.Action ||
			!g.Time.Equal(w.Time) || g.Duration != w.Duration || g.Message != w.Message {
			t.Fatalf("event %d = %+v, want %+v", i, g, w)
		}
	}
	after, err := s.ListEvents(ctx, d.ID, 2)
	ok(t, err)
	if len(after) != 2 || after[0].Seq != 3 || after[1].Seq != 4 {
		t.Fatalf("ListEvents(after 2) = %+v", after)
	}
	if none, err := s.ListEvents(ctx, d.ID, 4); err != nil || len(none) != 0 {
		t.Fatalf("ListEvents(after last) = %v, %v", none, err)
	}

	for _, bad := range []store.DeploymentEvent{
		{DeploymentID: d.ID, Phase: store.PhaseStarted},
		{DeploymentID: d.ID, Node: "n", Phase: "begun"},
		{DeploymentID: d.ID, Node: "n", Phase: store.PhaseStarted, Duration: -1},
		{Node: "n", Phase: store.PhaseStarted},
	} {
		wantCode(t, s.AppendEvent(ctx, &bad), errs.Invalid)
	}
}

func testEventsConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev")
	d := begin(t, s, "shop", "dev")
	const workers, each = 6, 20
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				e := &store.DeploymentEvent{DeploymentID: d.ID, Node: fmt.Sprintf("n%d-%d", w, i), Phase: store.PhaseStarted}
				if err := s.AppendEvent(ctx, e); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, err := s.ListEvents(ctx, d.ID, 0)
	ok(t, err)
	if len(got) != workers*each {
		t.Fatalf("%d events, want %d", len(got), workers*each)
	}
	seen := map[string]bool{}
	for i, e := range got {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has Seq %d: sequence has gaps or duplicates", i, e.Seq)
		}
		if seen[e.Node] {
			t.Fatalf("event %s stored twice", e.Node)
		}
		seen[e.Node] = true
	}
}
