package storetest

import (
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

func testPlans(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev", "prod")
	body := []byte(`{"nodes": [{"uid": "db", "action": "create"}], "z": 1.5e3}`)
	var ids []string
	for i, h := range []string{"sha256:1", "sha256:2", "sha256:3"} {
		p := &store.Plan{Hash: h, App: "shop", Env: "dev", Body: body, CreatedBy: "ann",
			Approvals: []store.Approval{{Actor: "ignored"}}}
		ok(t, s.CreatePlan(ctx, p))
		if p.ID == "" || len(p.Approvals) != 0 {
			t.Fatalf("CreatePlan set ID %q, approvals %v", p.ID, p.Approvals)
		}
		if i > 0 && p.ID <= ids[i-1] {
			t.Fatalf("plan ids do not increase: %s after %s", p.ID, ids[i-1])
		}
		wantUTC(t, "CreatedAt", p.CreatedAt)
		ids = append(ids, p.ID)
	}
	ok(t, s.CreatePlan(ctx, &store.Plan{Hash: "sha256:9", App: "shop", Env: "prod", Body: body, CreatedBy: "ann"}))
	wantCode(t, s.CreatePlan(ctx, &store.Plan{ID: ids[0], Hash: "x", App: "shop", Env: "dev", Body: body, CreatedBy: "bob"}), errs.Conflict)

	got, err := s.GetPlan(ctx, ids[1])
	ok(t, err)
	if got.Hash != "sha256:2" || got.App != "shop" || got.Env != "dev" || got.CreatedBy != "ann" || string(got.Body) != string(body) {
		t.Fatalf("GetPlan = %+v (body %s)", got, got.Body)
	}

	list, err := s.ListPlans(ctx, "shop", "dev", 0)
	ok(t, err)
	if len(list) != 3 || list[0].ID != ids[2] || list[2].ID != ids[0] {
		t.Fatalf("ListPlans = %+v, want 3 newest first", list)
	}
	for _, p := range list {
		if p.Body != nil || p.App != "shop" || p.Env != "dev" || p.Hash == "" {
			t.Fatalf("listed plan %+v", p)
		}
	}
	list, err = s.ListPlans(ctx, "shop", "dev", 2)
	ok(t, err)
	if len(list) != 2 || list[0].ID != ids[2] {
		t.Fatalf("ListPlans(limit 2) = %+v", list)
	}

	for _, bad := range []*store.Plan{
		{Hash: "h", App: "shop", Env: "dev", CreatedBy: "a"},
		{Hash: "h", App: "shop", Env: "dev", CreatedBy: "a", Body: []byte("{")},
		{App: "shop", Env: "dev", CreatedBy: "a", Body: []byte("{}")},
		{Hash: "h", App: "shop", Env: "dev", Body: []byte("{}")},
	} {
		wantCode(t, s.CreatePlan(ctx, bad), errs.Invalid)
	}
}

// testPlanBeforeEnvironment: the plan of an environment not yet created
// (its creation waits for an approval) is kept, with its approvals, until
// the environment is created and deleted, or the app is deleted.
func testPlanBeforeEnvironment(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop")
	p := &store.Plan{Hash: "sha256:1", App: "shop", Env: "pr-1", Body: []byte(`{}`), CreatedBy: "ann"}
	ok(t, s.CreatePlan(ctx, p))
	ok(t, s.ApprovePlan(ctx, p.ID, store.Approval{Actor: "bob"}))
	got, err := s.GetPlan(ctx, p.ID)
	ok(t, err)
	if got.Env != "pr-1" || len(got.Approvals) != 1 {
		t.Fatalf("plan of an environment to be = %+v", got)
	}
	if l, err := s.ListPlans(ctx, "shop", "pr-1", 0); err != nil || len(l) != 1 {
		t.Fatalf("ListPlans = %v, %v", l, err)
	}
	// Created, then deleted: its plans go with it.
	ok(t, s.CreateEnvironment(ctx, &store.Environment{App: "shop", Name: "pr-1", Type: "development"}))
	ok(t, s.DeleteEnvironment(ctx, "shop", "pr-1"))
	_, err = s.GetPlan(ctx, p.ID)
	wantCode(t, err, errs.NotFound)
	// Deleting the app deletes the plans of environments never created.
	q := &store.Plan{Hash: "sha256:2", App: "shop", Env: "pr-2", Body: []byte(`{}`), CreatedBy: "ann"}
	ok(t, s.CreatePlan(ctx, q))
	ok(t, s.ApprovePlan(ctx, q.ID, store.Approval{Actor: "bob"}))
	ok(t, s.DeleteApp(ctx, "shop"))
	_, err = s.GetPlan(ctx, q.ID)
	wantCode(t, err, errs.NotFound)
}

func testPlanApprovals(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "prod")
	p := &store.Plan{Hash: "sha256:1", App: "shop", Env: "prod", Body: []byte(`{}`), CreatedBy: "ann"}
	ok(t, s.CreatePlan(ctx, p))
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	ok(t, s.ApprovePlan(ctx, p.ID, store.Approval{Actor: "bob", Comment: "lgtm", Time: t0}))
	ok(t, s.ApprovePlan(ctx, p.ID, store.Approval{Actor: "cy", Time: t0.Add(time.Minute)}))
	wantCode(t, s.ApprovePlan(ctx, p.ID, store.Approval{Actor: "bob"}), errs.Conflict)
	wantCode(t, s.ApprovePlan(ctx, p.ID, store.Approval{}), errs.Invalid)
	got, err := s.GetPlan(ctx, p.ID)
	ok(t, err)
	if len(got.Approvals) != 2 || got.Approvals[0].Actor != "bob" || got.Approvals[0].Comment != "lgtm" ||
		!got.Approvals[0].Time.Equal(t0) || got.Approvals[1].Actor != "cy" {
		t.Fatalf("approvals = %+v", got.Approvals)
	}
	// Without a time, the store's clock is used.
	ok(t, s.ApprovePlan(ctx, p.ID, store.Approval{Actor: "dee"}))
	got, err = s.GetPlan(ctx, p.ID)
	ok(t, err)
	wantUTC(t, "approval time", got.Approvals[2].Time)
}
