package service

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/policy"
	"github.com/pavedev/pave/internal/target"
)

// benchWorkload is workload i: postgres (shared by id with its nine
// neighbours), redis, dns and route, as the benchmark asks.
func benchWorkload(i int) []byte {
	return fmt.Appendf(nil, `apiVersion: score.dev/v1b1
metadata:
  name: svc-%[1]d
containers:
  main:
    image: ghcr.io/acme/svc:1.%[1]d.0
    variables:
      DB_HOST: ${resources.db.host}
      DB_PASSWORD: ${resources.db.password}
      CACHE: ${resources.cache.host}:${resources.cache.port}
      HOST: ${resources.dns.host}
    resources:
      limits: {cpu: 500m, memory: 256Mi}
service:
  ports:
    web: {port: 80, targetPort: 8080}
resources:
  db:
    type: postgres
    id: db-%[2]d
  cache:
    type: redis
  dns:
    type: dns
  route:
    type: route
    params:
      host: ${resources.dns.host}
      path: /
      port: 80
`, i, i/10)
}

func benchInput(n int) WorkloadInput {
	in := WorkloadInput{}
	for i := range n {
		in.Files = append(in.Files, WorkloadFile{Name: fmt.Sprintf("svc-%d.score.yaml", i), Data: benchWorkload(i)})
	}
	return in
}

func benchService(b *testing.B) (*Service, *platform.Platform) {
	b.Helper()
	reg := driver.NewRegistry()
	drivers.Register(reg)
	svc := &Service{Drivers: reg, Targets: target.NewRegistry()}
	data, err := os.ReadFile("testdata/bench-platform.yaml")
	if err != nil {
		b.Fatal(err)
	}
	p, err := platform.LoadFiles(map[string][]byte{"platform.yaml": data}, platform.DriverOptions(reg, ""))
	if err != nil {
		b.Fatal(err)
	}
	return svc, p
}

// noPolicies is an empty set of policies.
var noPolicies, _ = policy.Compile(nil)

// BenchmarkPlanRender parses, plans, resolves and renders to Kubernetes
// YAML n workloads of 4 resources each: the whole of `pave render`.
func BenchmarkPlanRender(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("workloads=%d", n), func(b *testing.B) {
			svc, p := benchService(b)
			in := benchInput(n)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				ws, err := ParseWorkloads(in)
				if err != nil {
					b.Fatal(err)
				}
				out, err := svc.Render(ctx, RenderRequest{Platform: p, Policies: noPolicies, App: "bench", Env: "preview", Workloads: ws,
					Format: RenderKubernetes, Actor: LocalAdmin()})
				if err != nil {
					b.Fatal(err)
				}
				if len(out.Files) == 0 || len(out.Files[0].Content) == 0 {
					b.Fatalf("%d files", len(out.Files))
				}
			}
		})
	}
}
