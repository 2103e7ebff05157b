package storetest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

func begin(t *testing.T, s store.Store, app, env string) *store.Deployment {
	t.Helper()
	d := &store.Deployment{App: app, Env: env, Actor: "ann", Owner: "replica-1"}
	ok(t, s.BeginDeployment(t.Context(), d))
	return d
}

func testBeginDeployment(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev", "prod")
	seed(t, s, "other", "dev")
	d := &store.Deployment{App: "shop", Env: "dev", PlanID: "p1", PlanHash: "sha256:1", Actor: "ann", Commit: "abc123",
		Owner: "replica-1", Workloads: map[string]string{"web": "sha256:w", "api": "sha256:a"}}
	ok(t, s.BeginDeployment(ctx, d))
	if d.ID == "" || d.Status != store.DeploymentPending || d.FinishedAt != nil {
		t.Fatalf("BeginDeployment set %+v", d)
	}
	wantUTC(t, "StartedAt", d.StartedAt)
	wantUTC(t, "Heartbeat", d.Heartbeat)
	got, err := s.GetDeployment(ctx, d.ID)
	ok(t, err)
	if got.App != "shop" || got.Env != "dev" || got.PlanID != "p1" || got.PlanHash != "sha256:1" || got.Actor != "ann" ||
		got.Commit != "abc123" || got.Owner != "replica-1" || got.Status != store.DeploymentPending ||
		!maps.Equal(got.Workloads, d.Workloads) || !got.StartedAt.Equal(d.StartedAt) || !got.Heartbeat.Equal(d.Heartbeat) {
		t.Fatalf("GetDeployment = %+v, want %+v", got, d)
	}

	// A second deployment of the same environment is a conflict naming the
	// active one, whether it is pending or running.
	for _, st := range []store.DeploymentStatus{store.DeploymentPending, store.DeploymentRunning} {
		if st == store.DeploymentRunning {
			ok(t, s.SetDeploymentStatus(ctx, d.ID, st, ""))
		}
		err = s.BeginDeployment(ctx, &store.Deployment{App: "shop", Env: "dev", Actor: "bob", Owner: "replica-2", Status: store.DeploymentRunning})
		wantCode(t, err, errs.Conflict)
		var ae *store.ActiveDeploymentError
		if !errors.As(err, &ae) || ae.ID != d.ID || ae.App != "shop" || ae.Env != "dev" {
			t.Fatalf("conflict %v does not carry the active deployment %s", err, d.ID)
		}
		if !strings.Contains(err.Error(), d.ID) {
			t.Fatalf("conflict message %q does not name %s", err, d.ID)
		}
	}
	// Other environments are independent.
	begin(t, s, "shop", "prod")
	begin(t, s, "other", "dev")
	// Once finished, the environment takes a new deployment.
	ok(t, s.SetDeploymentStatus(ctx, d.ID, store.DeploymentSucceeded, ""))
	d2 := begin(t, s, "shop", "dev")
	if d2.ID <= d.ID {
		t.Fatalf("deployment ids do not increase: %s after %s", d2.ID, d.ID)
	}

	// A duplicate id is a conflict too.
	ok(t, s.SetDeploymentStatus(ctx, d2.ID, store.DeploymentFailed, "boom"))
	wantCode(t, s.BeginDeployment(ctx, &store.Deployment{ID: d.ID, App: "shop", Env: "dev", Owner: "o"}), errs.Conflict)

	for _, bad := range []*store.Deployment{
		{App: "shop", Env: "dev"},
		{App: "shop", Owner: "o"},
		{Env: "dev", Owner: "o"},
		{App: "shop", Env: "dev", Owner: "o", Status: store.DeploymentSucceeded},
		{App: "shop", Env: "dev", Owner: "o", Status: "bogus"},
	} {
		wantCode(t, s.BeginDeployment(ctx, bad), errs.Invalid)
	}
}

func testBeginDeploymentConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev")
	const n = 12
	for round := range 3 {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var won []string
		var lost []error
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				d := &store.Deployment{App: "shop", Env: "dev", Actor: "a", Owner: fmt.Sprintf("r%d", i)}
				err := s.BeginDeployment(ctx, d)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					won = append(won, d.ID)
				} else {
					lost = append(lost, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if len(won) != 1 {
			t.Fatalf("round %d: %d concurrent BeginDeployment calls succeeded, want 1 (errors %v)", round, len(won), lost)
		}
		for _, err := range lost {
			wantCode(t, err, errs.Conflict)
			var ae *store.ActiveDeploymentError
			if !errors.As(err, &ae) || ae.ID != won[0] {
				t.Fatalf("round %d: conflict %v does not name the winner %s", round, err, won[0])
			}
		}
		ok(t, s.SetDeploymentStatus(ctx, won[0], store.DeploymentSucceeded, ""))
	}
}

func testDeploymentStatus(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev")
	tests := []struct {
		path []store.DeploymentStatus
		code errs.Code // of the last step; "" for success
	}{
		{[]store.DeploymentStatus{store.DeploymentRunning, store.DeploymentSucceeded}, ""},
		{[]store.DeploymentStatus{store.DeploymentRunning, store.DeploymentRunning, store.DeploymentFailed}, ""},
		{[]store.DeploymentStatus{store.DeploymentCancelled}, ""},
		{[]store.DeploymentStatus{store.DeploymentFailed}, ""},
		{[]store.DeploymentStatus{store.DeploymentPending, store.DeploymentSucceeded}, ""},
		{[]store.DeploymentStatus{store.DeploymentRunning, store.DeploymentPending}, errs.Conflict},
		{[]store.DeploymentStatus{store.DeploymentSucceeded, store.DeploymentFailed}, errs.Conflict},
		{[]store.DeploymentStatus{store.DeploymentFailed, store.DeploymentRunning}, errs.Conflict},
		{[]store.DeploymentStatus{store.DeploymentCancelled, store.DeploymentCancelled}, errs.Conflict},
		{[]store.DeploymentStatus{"bogus"}, errs.Invalid},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.path), func(t *testing.T) {
			d := begin(t, s, "shop", "dev")
			defer s.SetDeploymentStatus(ctx, d.ID, store.DeploymentCancelled, "")
			for i, st := range tt.path {
				err := s.SetDeploymentStatus(ctx, d.ID, st, "msg "+string(st))
				if i < len(tt.path)-1 || tt.code == "" {
					ok(t, err)
					continue
				}
				wantCode(t, err, tt.code)
			}
			got, err := s.GetDeployment(ctx, d.ID)
			ok(t, err)
			if tt.code != "" {
				return
			}
			last := tt.path[len(tt.path)-1]
			if got.Status != last || got.Error != "msg "+string(last) {
				t.Fatalf("status %s error %q, want %s", got.Status, got.Error, last)
			}
			if last.Finished() != (got.FinishedAt != nil) {
				t.Fatalf("status %s with FinishedAt %v", got.Status, got.FinishedAt)
			}
			if got.FinishedAt != nil {
				wantUTC(t, "FinishedAt", *got.FinishedAt)
			}
		})
	}
}

func testListDeployments(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev", "prod")
	seed(t, s, "other", "dev")
	var dev []string // oldest first
	for i := range 5 {
		d := begin(t, s, "shop", "dev")
		st := store.DeploymentSucceeded
		if i%2 == 1 {
			st = store.DeploymentFailed
		}
		ok(t, s.SetDeploymentStatus(ctx, d.ID, st, ""))
		dev = append(dev, d.ID)
	}
	prod := begin(t, s, "shop", "prod")
	other := begin(t, s, "other", "dev")

	ids := func(f store.DeploymentFilter) []string {
		t.Helper()
		l, err := s.ListDeployments(ctx, f)
		ok(t, err)
		var out []string
		for _, d := range l {
			out = append(out, d.ID)
		}
		return out
	}
	newestFirst := slices.Clone(dev)
	slices.Reverse(newestFirst)
	tests := []struct {
		name string
		f    store.DeploymentFilter
		want []string
	}{
		{"env", store.DeploymentFilter{App: "shop", Env: "dev"}, newestFirst},
		{"app", store.DeploymentFilter{App: "shop"}, append([]string{prod.ID}, newestFirst...)},
		{"all", store.DeploymentFilter{}, append([]string{other.ID, prod.ID}, newestFirst...)},
		{"limit", store.DeploymentFilter{App: "shop", Env: "dev", Limit: 2}, newestFirst[:2]},
		{"before", store.DeploymentFilter{App: "shop", Env: "dev", Before: dev[2], Limit: 10}, []string{dev[1], dev[0]}},
		{"failed", store.DeploymentFilter{App: "shop", Statuses: []store.DeploymentStatus{store.DeploymentFailed}}, []string{dev[3], dev[1]}},
		{"active", store.DeploymentFilter{Statuses: []store.DeploymentStatus{store.DeploymentPending, store.DeploymentRunning}}, []string{other.ID, prod.ID}},
		{"none", store.DeploymentFilter{App: "nope"}, nil},
		{"future", store.DeploymentFilter{Since: time.Now().Add(time.Hour)}, nil},
		{"past", store.DeploymentFilter{Until: time.Now().Add(-time.Hour)}, nil},
		{"window", store.DeploymentFilter{App: "shop", Env: "dev", Since: time.Now().Add(-time.Hour), Until: time.Now().Add(time.Hour)}, newestFirst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(tt.f); !slices.Equal(got, tt.want) {
				t.Fatalf("ListDeployments(%+v) = %v, want %v", tt.f, got, tt.want)
			}
		})
	}
}

func testHeartbeat(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev")
	d := begin(t, s, "shop", "dev")
	time.Sleep(2 * time.Millisecond)
	ok(t, s.Heartbeat(ctx, d.ID, "replica-1"))
	got, err := s.GetDeployment(ctx, d.ID)
	ok(t, err)
	if !got.Heartbeat.After(d.Heartbeat) {
		t.Fatalf("heartbeat %v not after %v", got.Heartbeat, d.Heartbeat)
	}
	err = s.Heartbeat(ctx, d.ID, "replica-2")
	wantCode(t, err, errs.Conflict)
	if !strings.Contains(err.Error(), "replica-1") {
		t.Fatalf("conflict %q does not name the owner", err)
	}
	ok(t, s.SetDeploymentStatus(ctx, d.ID, store.DeploymentCancelled, "by bob"))
	err = s.Heartbeat(ctx, d.ID, "replica-1")
	wantCode(t, err, errs.Conflict)
	if !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("conflict %q does not say the deployment was cancelled", err)
	}
}

func testClaimStale(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "a", "b", "c")
	da := begin(t, s, "shop", "a")
	db := begin(t, s, "shop", "b")
	ok(t, s.SetDeploymentStatus(ctx, db.ID, store.DeploymentRunning, ""))
	dc := begin(t, s, "shop", "c")
	ok(t, s.SetDeploymentStatus(ctx, dc.ID, store.DeploymentSucceeded, ""))

	claimed, err := s.ClaimStale(ctx, "replica-2", time.Hour)
	ok(t, err)
	if len(claimed) != 0 {
		t.Fatalf("claimed fresh deployments: %+v", claimed)
	}
	claimed, err = s.ClaimStale(ctx, "replica-2", 0)
	ok(t, err)
	if len(claimed) != 2 || claimed[0].ID != da.ID || claimed[1].ID != db.ID {
		t.Fatalf("ClaimStale = %+v, want %s and %s", claimed, da.ID, db.ID)
	}
	for _, d := range claimed {
		if d.Owner != "replica-2" || !d.Heartbeat.After(da.Heartbeat) {
			t.Fatalf("claimed deployment %+v", d)
		}
	}
	got, err := s.GetDeployment(ctx, db.ID)
	ok(t, err)
	if got.Owner != "replica-2" || got.Status != store.DeploymentRunning {
		t.Fatalf("after claim: %+v", got)
	}
	// The old owner learns it lost the deployment; the new one goes on.
	wantCode(t, s.Heartbeat(ctx, da.ID, "replica-1"), errs.Conflict)
	ok(t, s.Heartbeat(ctx, da.ID, "replica-2"))

	_, err = s.ClaimStale(ctx, "", 0)
	wantCode(t, err, errs.Invalid)
	_, err = s.ClaimStale(ctx, "r", -time.Second)
	wantCode(t, err, errs.Invalid)
}

func testClaimStaleConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	const envs = 6
	var names []string
	for i := range envs {
		names = append(names, fmt.Sprintf("e%d", i))
	}
	seed(t, s, "shop", names...)
	for _, e := range names {
		begin(t, s, "shop", e)
	}
	// Let every heartbeat grow older than the claim age.
	const age = 50 * time.Millisecond
	time.Sleep(2 * age)
	var wg sync.WaitGroup
	var mu sync.Mutex
	claims := map[string][]string{}
	for r := range 4 {
		wg.Go(func() {
			owner := fmt.Sprintf("claimer-%d", r)
			got, err := s.ClaimStale(ctx, owner, age)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, d := range got {
				claims[d.ID] = append(claims[d.ID], owner)
			}
		})
	}
	wg.Wait()
	if len(claims) != envs {
		t.Fatalf("%d deployments claimed, want %d", len(claims), envs)
	}
	for id, owners := range claims {
		if len(owners) != 1 {
			t.Fatalf("deployment %s claimed by %v", id, owners)
		}
		got, err := s.GetDeployment(ctx, id)
		ok(t, err)
		if got.Owner != owners[0] {
			t.Fatalf("deployment %s is owned by %s, claimed by %s", id, got.Owner, owners[0])
		}
	}
}
