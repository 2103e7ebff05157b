package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/store/sqlstore"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
)

func benchStore(b *testing.B, s *sqlstore.Store) {
	ctx := context.Background()
	if err := s.CreateApp(ctx, &store.App{Name: "shop"}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateEnvironment(ctx, &store.Environment{App: "shop", Name: "dev", Type: "d"}); err != nil {
		b.Fatal(err)
	}
}

func resource(i int) *store.Resource {
	return &store.Resource{
		UID: fmt.Sprintf("postgres.default#r%d", i), App: "shop", Env: "dev", Type: "postgres", Class: "default",
		Definition: "pg", Driver: "postgres", Status: store.ResourceReady, InputsHash: "sha256:x",
		Outputs:       map[string]any{"host": "127.0.0.1", "port": 5432, "name": fmt.Sprintf("db%d", i)},
		SecretOutputs: map[string]any{"username": "u", "password": "p4ssw0rd-p4ssw0rd"},
		State:         json.RawMessage(`{"role":"u","database":"db"}`),
		Users:         []string{"web"},
	}
}

// Benchmark1000ResourceUpserts measures the engine's main write: 1,000
// resource upserts (each its own transaction, secrets sealed), as two state
// transitions around 500 driver calls.
func Benchmark1000ResourceUpserts(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { bench1000(b, sqlstoretest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { bench1000(b, sqlstoretest.Postgres(b)) })
}

func bench1000(b *testing.B, s *sqlstore.Store) {
	benchStore(b, s)
	ctx := context.Background()
	rs := make([]*store.Resource, 500)
	for i := range rs {
		rs[i] = resource(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range rs {
			r.Status = store.ResourceProvisioning
			if err := s.PutResource(ctx, r); err != nil {
				b.Fatal(err)
			}
			r.Status = store.ResourceReady
			if err := s.PutResource(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*1000), "µs/upsert")
}

func BenchmarkGetResource(b *testing.B) {
	s := sqlstoretest.SQLite(b)
	benchStore(b, s)
	ctx := context.Background()
	if err := s.PutResource(ctx, resource(1)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.GetResource(ctx, "shop", "dev", "postgres.default#r1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendEvent(b *testing.B) {
	s := sqlstoretest.SQLite(b)
	benchStore(b, s)
	ctx := context.Background()
	d := &store.Deployment{App: "shop", Env: "dev", Owner: "o"}
	if err := s.BeginDeployment(ctx, d); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.AppendEvent(ctx, &store.DeploymentEvent{DeploymentID: d.ID, Node: "n", Phase: store.PhaseStarted}); err != nil {
			b.Fatal(err)
		}
	}
}
