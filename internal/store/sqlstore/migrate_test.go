package sqlstore_test

import (
	"testing"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/store/sqlstore"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
)

// TestUpgradeKeepsPlans: migrating a database of schema version 2, with a
// plan and its approval, to the newest keeps both, and plans then belong
// to their app (version 3), so that an environment's creation can wait
// for an approval.
func TestUpgradeKeepsPlans(t *testing.T) {
	dialects(t, func(t *testing.T, url string) {
		ctx := t.Context()
		sealer := sqlstoretest.NewSealer(t)
		old, err := sqlstore.Open(ctx, url, sealer, sqlstore.WithSchemaVersion(2))
		if err != nil {
			t.Fatal(err)
		}
		ok := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		ok(old.CreateApp(ctx, &store.App{Name: "shop", Team: "shop"}))
		ok(old.CreateEnvironment(ctx, &store.Environment{App: "shop", Name: "prod", Type: "production"}))
		p := &store.Plan{Hash: "sha256:1", App: "shop", Env: "prod", Body: []byte(`{"a":1}`), CreatedBy: "ann"}
		ok(old.CreatePlan(ctx, p))
		ok(old.ApprovePlan(ctx, p.ID, store.Approval{Actor: "bob", Comment: "fine"}))
		// Version 2 ties a plan to an existing environment.
		if err := old.CreatePlan(ctx, &store.Plan{Hash: "h", App: "shop", Env: "pr-1", Body: []byte(`{}`), CreatedBy: "ann"}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("version 2 stored the plan of a missing environment: %v", err)
		}
		old.Close()

		s := sqlstoretest.Open(t, url, sealer)
		got, err := s.GetPlan(ctx, p.ID)
		ok(err)
		if string(got.Body) != `{"a":1}` || len(got.Approvals) != 1 || got.Approvals[0].Actor != "bob" || got.Approvals[0].Comment != "fine" {
			t.Fatalf("plan after upgrade = %+v", got)
		}
		ok(s.CreatePlan(ctx, &store.Plan{Hash: "h", App: "shop", Env: "pr-1", Body: []byte(`{}`), CreatedBy: "ann"}))
		// Approvals still belong to plans, and go with them.
		wantNotFound := func(err error) {
			t.Helper()
			if !errs.Is(err, errs.NotFound) {
				t.Fatalf("got %v, want not found", err)
			}
		}
		wantNotFound(s.ApprovePlan(ctx, "nope", store.Approval{Actor: "bob"}))
		ok(s.DeleteEnvironment(ctx, "shop", "prod"))
		_, err = s.GetPlan(ctx, p.ID)
		wantNotFound(err)
		var n int
		ok(s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM plan_approvals").Scan(&n))
		if n != 0 {
			t.Fatalf("%d approvals outlived their plan", n)
		}
	})
}
