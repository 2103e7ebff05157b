package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

func testApps(t *testing.T, s store.Store) {
	ctx := t.Context()
	if apps, err := s.ListApps(ctx); err != nil || len(apps) != 0 {
		t.Fatalf("new store lists apps %v, %v", apps, err)
	}
	for _, n := range []string{"shop", "billing", "auth"} {
		a := &store.App{Name: n, Team: "t-" + n}
		ok(t, s.CreateApp(ctx, a))
		wantUTC(t, "CreatedAt", a.CreatedAt)
	}
	wantCode(t, s.CreateApp(ctx, &store.App{Name: "shop", Team: "other"}), errs.Conflict)

	got, err := s.GetApp(ctx, "shop")
	ok(t, err)
	if got.Name != "shop" || got.Team != "t-shop" {
		t.Fatalf("GetApp = %+v", got)
	}
	wantUTC(t, "CreatedAt", got.CreatedAt)

	apps, err := s.ListApps(ctx)
	ok(t, err)
	var names []string
	for _, a := range apps {
		names = append(names, a.Name)
	}
	if !slices.Equal(names, []string{"auth", "billing", "shop"}) {
		t.Fatalf("ListApps = %v, want sorted by name", names)
	}

	ok(t, s.UpdateApp(ctx, &store.App{Name: "shop", Team: "commerce"}))
	got, err = s.GetApp(ctx, "shop")
	ok(t, err)
	if got.Team != "commerce" {
		t.Fatalf("team after update = %q", got.Team)
	}
	wantCode(t, s.UpdateApp(ctx, &store.App{Name: "nope", Team: "x"}), errs.NotFound)

	ok(t, s.DeleteApp(ctx, "auth"))
	_, err = s.GetApp(ctx, "auth")
	wantCode(t, err, errs.NotFound)
	wantCode(t, s.DeleteApp(ctx, "auth"), errs.NotFound)

	// A given CreatedAt is kept, in UTC and to the nanosecond.
	at := time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.FixedZone("x", 3600))
	ok(t, s.CreateApp(ctx, &store.App{Name: "old", Team: "t", CreatedAt: at}))
	got, err = s.GetApp(ctx, "old")
	ok(t, err)
	if !got.CreatedAt.Equal(at) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt = %v, want %v in UTC", got.CreatedAt, at)
	}
}

func testAppsInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, name := range []string{"", "has space", "tab\there", "nl\n", string(make([]byte, 300))} {
		wantCode(t, s.CreateApp(ctx, &store.App{Name: name}), errs.Invalid)
	}
}

func testEnvironments(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop")
	seed(t, s, "billing", "dev")
	wantCode(t, s.CreateEnvironment(ctx, &store.Environment{App: "nope", Name: "dev", Type: "development"}), errs.NotFound)
	wantCode(t, s.CreateEnvironment(ctx, &store.Environment{App: "shop", Name: "dev"}), errs.Invalid)

	exp := time.Date(2030, 1, 2, 3, 4, 5, 6, time.FixedZone("y", -7200))
	envs := []*store.Environment{
		{App: "shop", Name: "staging", Type: "staging"},
		{App: "shop", Name: "dev", Type: "development"},
		{App: "shop", Name: "pr-7", Type: "development", ExpiresAt: &exp, ClonedFrom: "dev"},
	}
	for _, e := range envs {
		ok(t, s.CreateEnvironment(ctx, e))
		wantUTC(t, "CreatedAt", e.CreatedAt)
	}
	wantCode(t, s.CreateEnvironment(ctx, &store.Environment{App: "shop", Name: "dev", Type: "x"}), errs.Conflict)

	got, err := s.GetEnvironment(ctx, "shop", "pr-7")
	ok(t, err)
	if got.Type != "development" || got.ClonedFrom != "dev" || got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) || got.ExpiresAt.Location() != time.UTC {
		t.Fatalf("GetEnvironment = %+v", got)
	}
	wantUTC(t, "UpdatedAt", got.UpdatedAt)
	got, err = s.GetEnvironment(ctx, "shop", "dev")
	ok(t, err)
	if got.ExpiresAt != nil {
		t.Fatalf("permanent environment has ExpiresAt %v", got.ExpiresAt)
	}
	_, err = s.GetEnvironment(ctx, "billing", "pr-7")
	wantCode(t, err, errs.NotFound)

	list, err := s.ListEnvironments(ctx, "shop")
	ok(t, err)
	var names []string
	for _, e := range list {
		if e.App != "shop" {
			t.Fatalf("ListEnvironments(shop) returned %+v", e)
		}
		names = append(names, e.Name)
	}
	if !slices.Equal(names, []string{"dev", "pr-7", "staging"}) {
		t.Fatalf("ListEnvironments = %v, want sorted by name", names)
	}
	if list, err := s.ListEnvironments(ctx, "nope"); err != nil || len(list) != 0 {
		t.Fatalf("ListEnvironments(nope) = %v, %v", list, err)
	}

	// Update changes type and expiry, keeps the rest.
	later := exp.Add(48 * time.Hour)
	upd := &store.Environment{App: "shop", Name: "pr-7", Type: "preview", ExpiresAt: &later}
	ok(t, s.UpdateEnvironment(ctx, upd))
	got, err = s.GetEnvironment(ctx, "shop", "pr-7")
	ok(t, err)
	if got.Type != "preview" || !got.ExpiresAt.Equal(later) || got.ClonedFrom != "dev" || !got.CreatedAt.Equal(envs[2].CreatedAt) {
		t.Fatalf("after update: %+v", got)
	}
	if got.UpdatedAt.Before(got.CreatedAt) {
		t.Fatalf("UpdatedAt %v before CreatedAt %v", got.UpdatedAt, got.CreatedAt)
	}
	upd.ExpiresAt = nil
	ok(t, s.UpdateEnvironment(ctx, upd))
	got, err = s.GetEnvironment(ctx, "shop", "pr-7")
	ok(t, err)
	if got.ExpiresAt != nil {
		t.Fatalf("expiry not cleared: %v", got.ExpiresAt)
	}
	wantCode(t, s.UpdateEnvironment(ctx, &store.Environment{App: "shop", Name: "nope", Type: "x"}), errs.NotFound)
}

func testEnvironmentExpiry(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "a")
	seed(t, s, "b")
	base := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { t := base.Add(time.Duration(h) * time.Hour); return &t }
	for _, e := range []store.Environment{
		{App: "a", Name: "pr-1", Type: "d", ExpiresAt: at(2)},
		{App: "b", Name: "pr-2", Type: "d", ExpiresAt: at(1)},
		{App: "a", Name: "pr-3", Type: "d", ExpiresAt: at(5)},
		{App: "a", Name: "prod", Type: "p"},
	} {
		ok(t, s.CreateEnvironment(ctx, &e))
	}
	tests := []struct {
		at   time.Time
		want []string
	}{
		{base, nil},
		{*at(1), []string{"b/pr-2"}},
		{*at(3), []string{"b/pr-2", "a/pr-1"}},
		{*at(100), []string{"b/pr-2", "a/pr-1", "a/pr-3"}},
	}
	for _, tt := range tests {
		list, err := s.ListExpiredEnvironments(ctx, tt.at)
		ok(t, err)
		var got []string
		for _, e := range list {
			got = append(got, e.App+"/"+e.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ListExpiredEnvironments(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

func testDeleteEnvironment(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev", "prod")
	wantCode(t, s.DeleteEnvironment(ctx, "shop", "nope"), errs.NotFound)

	// Records of the environment: a resource, a plan, a finished deployment
	// with an event, an active one.
	ok(t, s.PutResource(ctx, &store.Resource{UID: "db", App: "shop", Env: "dev", Type: "postgres", Status: store.ResourceReady,
		SecretOutputs: map[string]any{"password": "pw"}}))
	p := &store.Plan{Hash: "h1", App: "shop", Env: "dev", Body: []byte(`{}`), CreatedBy: "ann"}
	ok(t, s.CreatePlan(ctx, p))
	done := &store.Deployment{App: "shop", Env: "dev", Actor: "ann", Owner: "r1"}
	ok(t, s.BeginDeployment(ctx, done))
	ok(t, s.AppendEvent(ctx, &store.DeploymentEvent{DeploymentID: done.ID, Node: "db", Phase: store.PhaseStarted}))
	ok(t, s.SetDeploymentStatus(ctx, done.ID, store.DeploymentSucceeded, ""))
	active := &store.Deployment{App: "shop", Env: "dev", Actor: "ann", Owner: "r1"}
	ok(t, s.BeginDeployment(ctx, active))

	wantCode(t, s.DeleteEnvironment(ctx, "shop", "dev"), errs.Conflict)
	ok(t, s.SetDeploymentStatus(ctx, active.ID, store.DeploymentCancelled, "cancelled"))
	// A resource not yet deleted blocks deletion.
	err := s.DeleteEnvironment(ctx, "shop", "dev")
	wantCode(t, err, errs.Conflict)
	ok(t, s.MarkResource(ctx, "shop", "dev", "db", store.ResourceDeleted, ""))
	ok(t, s.DeleteEnvironment(ctx, "shop", "dev"))

	_, err = s.GetEnvironment(ctx, "shop", "dev")
	wantCode(t, err, errs.NotFound)
	_, err = s.GetResource(ctx, "shop", "dev", "db")
	wantCode(t, err, errs.NotFound)
	_, err = s.GetPlan(ctx, p.ID)
	wantCode(t, err, errs.NotFound)
	_, err = s.GetDeployment(ctx, done.ID)
	wantCode(t, err, errs.NotFound)
	_, err = s.ListEvents(ctx, done.ID, 0)
	wantCode(t, err, errs.NotFound)
	// The other environment is untouched, and the name can be used again.
	_, err = s.GetEnvironment(ctx, "shop", "prod")
	ok(t, err)
	ok(t, s.CreateEnvironment(ctx, &store.Environment{App: "shop", Name: "dev", Type: "development"}))
	if l, err := s.ListDeployments(ctx, store.DeploymentFilter{App: "shop", Env: "dev"}); err != nil || len(l) != 0 {
		t.Fatalf("a new environment of the same name inherits deployments: %v, %v", l, err)
	}
}

func testDeleteApp(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev")
	ok(t, s.PutWorkloadVersion(ctx, &store.WorkloadVersion{App: "shop", Workload: "web", Score: []byte("a")}))
	wantCode(t, s.DeleteApp(ctx, "shop"), errs.Conflict)
	ok(t, s.DeleteEnvironment(ctx, "shop", "dev"))
	ok(t, s.DeleteApp(ctx, "shop"))
	seed(t, s, "shop")
	if l, err := s.ListWorkloadVersions(ctx, "shop", "web"); err != nil || len(l) != 0 {
		t.Fatalf("workload versions outlived their app: %v, %v", l, err)
	}
}

func testWorkloadVersions(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop")
	wantCode(t, s.PutWorkloadVersion(ctx, &store.WorkloadVersion{App: "nope", Workload: "web", Score: []byte("x")}), errs.NotFound)
	wantCode(t, s.PutWorkloadVersion(ctx, &store.WorkloadVersion{App: "shop", Workload: "web"}), errs.Invalid)

	doc1 := []byte("apiVersion: score.dev/v1b1\nmetadata:\n  name: web\n")
	doc2 := []byte("apiVersion: score.dev/v1b1\nmetadata:\n  name: web\ncontainers: {}\n\x00binary\xff")
	v1 := &store.WorkloadVersion{App: "shop", Workload: "web", Score: doc1, Hash: "ignored"}
	ok(t, s.PutWorkloadVersion(ctx, v1))
	if v1.Hash != store.ContentHash(doc1) {
		t.Fatalf("Hash = %q, want %q", v1.Hash, store.ContentHash(doc1))
	}
	wantUTC(t, "CreatedAt", v1.CreatedAt)
	time.Sleep(2 * time.Millisecond) // distinct creation times order the list
	v2 := &store.WorkloadVersion{App: "shop", Workload: "web", Score: doc2}
	ok(t, s.PutWorkloadVersion(ctx, v2))

	// Putting a stored version again changes nothing.
	again := &store.WorkloadVersion{App: "shop", Workload: "web", Score: doc1}
	ok(t, s.PutWorkloadVersion(ctx, again))
	if again.Hash != v1.Hash || !again.CreatedAt.Equal(v1.CreatedAt) {
		t.Fatalf("re-put = %+v, want the first version %+v", again, v1)
	}

	got, err := s.GetWorkloadVersion(ctx, "shop", "web", v2.Hash)
	ok(t, err)
	if string(got.Score) != string(doc2) {
		t.Fatalf("Score = %q, want %q", got.Score, doc2)
	}
	_, err = s.GetWorkloadVersion(ctx, "shop", "api", v2.Hash)
	wantCode(t, err, errs.NotFound)

	list, err := s.ListWorkloadVersions(ctx, "shop", "web")
	ok(t, err)
	if len(list) != 2 || list[0].Hash != v2.Hash || list[1].Hash != v1.Hash {
		t.Fatalf("ListWorkloadVersions = %+v, want newest first", list)
	}
	for _, w := range list {
		if w.Score != nil {
			t.Fatalf("list carries documents")
		}
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev")
	get := func(_ any, err error) error { return err }
	tests := []struct {
		name string
		err  error
	}{
		{"GetApp", get(s.GetApp(ctx, "x"))},
		{"GetEnvironment", get(s.GetEnvironment(ctx, "shop", "x"))},
		{"GetWorkloadVersion", get(s.GetWorkloadVersion(ctx, "shop", "web", "sha256:00"))},
		{"GetResource", get(s.GetResource(ctx, "shop", "dev", "x"))},
		{"MarkResource", s.MarkResource(ctx, "shop", "dev", "x", store.ResourceReady, "")},
		{"ReleaseResource", get(s.ReleaseResource(ctx, "shop", "dev", "x", "web"))},
		{"DeleteResource", s.DeleteResource(ctx, "shop", "dev", "x")},
		{"PutResource to missing env", s.PutResource(ctx, &store.Resource{UID: "x", App: "shop", Env: "x", Type: "t", Status: store.ResourceReady})},
		{"GetPlan", get(s.GetPlan(ctx, "x"))},
		{"ApprovePlan", s.ApprovePlan(ctx, "x", store.Approval{Actor: "a"})},
		{"CreatePlan of missing app", s.CreatePlan(ctx, &store.Plan{Hash: "h", App: "nope", Env: "x", Body: []byte("{}"), CreatedBy: "a"})},
		{"GetDeployment", get(s.GetDeployment(ctx, "x"))},
		{"BeginDeployment to missing env", s.BeginDeployment(ctx, &store.Deployment{App: "shop", Env: "x", Owner: "o"})},
		{"SetDeploymentStatus", s.SetDeploymentStatus(ctx, "x", store.DeploymentFailed, "")},
		{"Heartbeat", s.Heartbeat(ctx, "x", "o")},
		{"AppendEvent", s.AppendEvent(ctx, &store.DeploymentEvent{DeploymentID: "x", Node: "n", Phase: store.PhaseStarted})},
		{"ListEvents", get(s.ListEvents(ctx, "x", 0))},
		{"GetSecret", get(s.GetSecret(ctx, "x"))},
		{"DeleteSecret", s.DeleteSecret(ctx, "x")},
		{"DeleteApp", s.DeleteApp(ctx, "x")},
		{"DeleteEnvironment", s.DeleteEnvironment(ctx, "shop", "x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.err, errs.NotFound) })
	}
}
