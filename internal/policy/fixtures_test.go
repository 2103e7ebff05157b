package policy

import (
	"fmt"
	"testing"
)

const testDigest = "sha256:4c5e1b1e7bbcbb3b6f5d5bc1b8e4b7e5f8a9c6d3e2f1a0b9c8d7e6f5a4b3c2d1"

// shopInput is a realistic, compliant production deploy of the shop app by
// a person: a web workload with a route, a worker, a database and a cache.
func shopInput() Input {
	return Input{
		Action: ActionDeploy,
		Actor:  Actor{ID: "alice", Kind: ActorHuman, Roles: []string{"developer"}, Teams: []string{"shop"}},
		App:    "shop",
		Environment: Environment{
			Name: "production",
			Type: "production",
		},
		Plan: Plan{
			Hash: "sha256:9f2b6c1d",
			Resources: []Resource{
				{
					UID: "postgres.default#shop.db", Type: "postgres", Class: "default", ID: "shop.db",
					Definition: "postgres-cloudsql", Driver: "tofu",
					Params: map[string]any{"version": "16"},
					Inputs: map[string]any{"tier": "db-custom-2-7680", "publiclyAccessible": false, "port": int64(5432)},
				},
				{
					UID: "redis.default#web.cache", Type: "redis", Class: "default",
					Definition: "redis-shared", Driver: "redis",
					Params: map[string]any{},
					Inputs: map[string]any{"db": int64(3)},
				},
				{
					UID: "route.default#web.route", Type: "route", Class: "default",
					Definition: "ingress", Driver: "template",
					Params: map[string]any{"host": "shop.example.com", "path": "/", "port": int64(8080), "target": "web"},
					Inputs: map[string]any{"ingressClass": "nginx"},
				},
			},
			Workloads: []Workload{
				{
					Name: "web",
					Containers: []Container{{
						Name: "main", Image: "ghcr.io/acme/shop-web:1.4.2",
						Limits:   Resources{CPU: "500m", Memory: "512Mi"},
						Requests: Resources{CPU: "250m", Memory: "256Mi"},
					}},
					Ports:       []Port{{Name: "http", Port: 80, TargetPort: 8080, Protocol: "TCP"}},
					Annotations: map[string]string{"team": "shop"},
				},
				{
					Name: "worker",
					Containers: []Container{
						{Name: "main", Image: "ghcr.io/acme/shop-worker@" + testDigest, Limits: Resources{CPU: "2", Memory: "4Gi"}},
						{Name: "metrics", Image: "prom/statsd-exporter:v0.26.0", Limits: Resources{CPU: "100m", Memory: "64Mi"}},
					},
				},
			},
		},
	}
}

// bigInput is shopInput with n compliant workloads.
func bigInput(n int) Input {
	in := shopInput()
	in.Plan.Workloads = make([]Workload, n)
	for i := range in.Plan.Workloads {
		name := fmt.Sprintf("svc-%03d", i)
		in.Plan.Workloads[i] = Workload{
			Name: name,
			Containers: []Container{
				{Name: "main", Image: "ghcr.io/acme/" + name + ":1.0." + fmt.Sprint(i), Limits: Resources{CPU: "1", Memory: "1Gi"}, Requests: Resources{CPU: "100m", Memory: "128Mi"}},
				{Name: "proxy", Image: "envoyproxy/envoy@" + testDigest, Limits: Resources{CPU: "200m", Memory: "128Mi"}},
			},
			Ports:       []Port{{Name: "http", Port: 8080}},
			Annotations: map[string]string{"owner": "team-" + fmt.Sprint(i%7)},
		}
		in.Plan.Resources = append(in.Plan.Resources, Resource{
			UID: "postgres.default#" + name + ".db", Type: "postgres", Class: "default",
			Params: map[string]any{"version": "16"}, Inputs: map[string]any{"publiclyAccessible": false},
		})
	}
	return in
}

// goldenEngine compiles the golden policies once per test binary.
func goldenEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := Compile(goldenFiles(t))
	if err != nil {
		t.Fatalf("Compile golden policies: %v", err)
	}
	return e
}

func files(kv ...string) map[string][]byte {
	m := map[string][]byte{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = []byte(kv[i+1])
	}
	return m
}
