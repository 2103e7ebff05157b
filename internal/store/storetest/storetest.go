// Package storetest is the conformance suite of store.Store: every
// implementation runs Run, with a fresh, empty store for each test.
package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

// Run runs the suite. newStore returns a new, empty store and arranges for
// it to be closed when t ends.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Apps", testApps},
		{"AppsInvalid", testAppsInvalid},
		{"Environments", testEnvironments},
		{"EnvironmentExpiry", testEnvironmentExpiry},
		{"DeleteEnvironment", testDeleteEnvironment},
		{"DeleteApp", testDeleteApp},
		{"WorkloadVersions", testWorkloadVersions},
		{"Resources", testResources},
		{"ResourceUpsert", testResourceUpsert},
		{"ResourceStatus", testResourceStatus},
		{"ResourceUsers", testResourceUsers},
		{"ResourcesInvalid", testResourcesInvalid},
		{"ResourcesConcurrent", testResourcesConcurrent},
		{"Plans", testPlans},
		{"PlanApprovals", testPlanApprovals},
		{"PlanBeforeEnvironment", testPlanBeforeEnvironment},
		{"BeginDeployment", testBeginDeployment},
		{"BeginDeploymentConcurrent", testBeginDeploymentConcurrent},
		{"DeploymentStatus", testDeploymentStatus},
		{"ListDeployments", testListDeployments},
		{"Heartbeat", testHeartbeat},
		{"ClaimStale", testClaimStale},
		{"ClaimStaleConcurrent", testClaimStaleConcurrent},
		{"Events", testEvents},
		{"EventsConcurrent", testEventsConcurrent},
		{"Audit", testAudit},
		{"AuditFilters", testAuditFilters},
		{"AuditAppendOnly", testAuditAppendOnly},
		{"Secrets", testSecrets},
		{"RotateKey", testRotateKey},
		{"Users", testUsers},
		{"Teams", testTeams},
		{"Tokens", testTokens},
		{"NotFound", testNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

// wantCode fails t unless err is an *errs.Error (or errs.List) with code.
func wantCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var e *errs.Error
	var l errs.List
	if !errors.As(err, &e) && !errors.As(err, &l) {
		t.Fatalf("error %v (%T) is not an *errs.Error", err, err)
	}
	if got := errs.CodeOf(err); got != code {
		t.Fatalf("error %q has code %s, want %s", err, got, code)
	}
}

// ok fails t if err is not nil.
func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		var e *errs.Error
		if errors.As(err, &e) {
			t.Fatalf("unexpected error: %s", e.LogString())
		}
		t.Fatalf("unexpected error: %v", err)
	}
}

// wantUTC fails t unless tm is set and in UTC.
func wantUTC(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if tm.IsZero() {
		t.Fatalf("%s is not set", what)
	}
	if tm.Location() != time.UTC {
		t.Fatalf("%s is in %s, want UTC", what, tm.Location())
	}
}

// seed creates app and, for each env, an environment of it.
func seed(t *testing.T, s store.Store, app string, envs ...string) {
	t.Helper()
	ctx := t.Context()
	ok(t, s.CreateApp(ctx, &store.App{Name: app, Team: "team-" + app}))
	for _, e := range envs {
		ok(t, s.CreateEnvironment(ctx, &store.Environment{App: app, Name: e, Type: "development"}))
	}
}
