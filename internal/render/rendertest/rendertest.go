// Package rendertest holds sample resolved deployments that the renderer
// tests share: one per feature (plain values, secrets, files, probes,
// volumes, several containers, extra manifests) and a generator of large
// deployments for benchmarks. Every secret value in them contains
// SecretMarker, so tests can prove that no secret text reaches a plain
// field or file.
package rendertest

import (
	"fmt"

	"github.com/pavedev/pave/internal/target"
)

// SecretMarker is part of every secret value in the samples.
const SecretMarker = "Sup3rS3cret"

// Case is one named sample deployment.
type Case struct {
	Name       string
	Deployment *target.Deployment
}

func plain(s string) target.Value  { return target.Value{Text: s} }
func secret(s string) target.Value { return target.Value{Text: s + "-" + SecretMarker, Secret: true} }

func deployment(ws ...target.Workload) *target.Deployment {
	return &target.Deployment{App: "shop", Env: "dev", EnvType: "development", Workloads: ws}
}

// Cases returns fresh copies of every sample, sorted by name.
func Cases() []Case {
	return []Case{
		{"files", deployment(target.Workload{
			Name: "web",
			Containers: []target.Container{{
				Name: "main", Image: "nginx:1.27",
				Files: []target.File{
					{Path: "/etc/nginx/conf.d/default.conf", Content: []byte("server {\n  listen 8080;\n  location / { return 200 'ok $host'; }\n}\n")},
					{Path: "/etc/web/credentials.json", Content: []byte(`{"token": "` + "t0k-" + SecretMarker + `"}`), Mode: "0400", Secret: true},
					{Path: "/srv/logo.bin", Content: []byte{0x89, 'P', 'N', 'G', 0x00, 0xff, 0xfe}, Mode: "0444"},
					{Path: "/usr/local/bin/start.sh", Content: []byte("#!/bin/sh\nexec nginx -g 'daemon off;'\n"), Mode: "0755"},
				},
			}},
		})},
		{"manifests", func() *target.Deployment {
			d := deployment(target.Workload{
				Name:       "api",
				Containers: []target.Container{{Name: "main", Image: "ghcr.io/acme/api:1.0.0"}},
			})
			d.Manifests = []map[string]any{
				{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
					"metadata": map[string]any{"name": "api-data", "labels": map[string]any{"team": "payments"}},
					"spec": map[string]any{"accessModes": []any{"ReadWriteOnce"},
						"resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}}},
				{"apiVersion": "v1", "kind": "Secret",
					"metadata":   map[string]any{"name": "api-db"},
					"stringData": map[string]any{"password": "pw-" + SecretMarker}},
				{"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
					"metadata": map[string]any{"name": "api", "namespace": "shop-dev"},
					"spec":     map[string]any{"endpoints": []any{map[string]any{"port": "http", "interval": "30s"}}}},
			}
			return d
		}()},
		{"multi-container", deployment(target.Workload{
			Name:   "shop",
			Labels: map[string]string{"team": "checkout"},
			Containers: []target.Container{
				{Name: "app", Image: "ghcr.io/acme/shop:2.3.1",
					Variables: []target.Variable{
						{Name: "PROXY_URL", Value: plain("http://localhost:9090")},
						{Name: "SESSION_KEY", Value: secret("app-session")},
					},
					Limits:   &target.Resources{CPU: "500m", Memory: "256Mi"},
					Requests: &target.Resources{CPU: "100m", Memory: "128Mi"},
				},
				{Name: "proxy", Image: "envoyproxy/envoy:v1.31.0",
					Args: []string{"--config-path", "/etc/envoy/envoy.yaml"},
					Variables: []target.Variable{
						{Name: "SESSION_KEY", Value: secret("proxy-session")},
					},
					Files: []target.File{{Path: "/etc/envoy/envoy.yaml", Content: []byte("static_resources: {}\n")}},
				},
			},
			Ports: []target.Port{
				{Name: "admin", Port: 9901, TargetPort: 9901, Protocol: "TCP"},
				{Name: "web", Port: 80, TargetPort: 9090, Protocol: "TCP"},
			},
		})},
		{"plain", deployment(target.Workload{
			Name:        "api",
			Annotations: map[string]string{"example.com/owner": "team-a"},
			Containers: []target.Container{{
				Name: "main", Image: "ghcr.io/acme/api:1.0.0",
				Command: []string{"/bin/sh", "-c"},
				Args:    []string{"echo $GREETING && exec /api --listen :8080"},
				Variables: []target.Variable{
					{Name: "DEBUG", Value: plain("true")},
					{Name: "GREETING", Value: plain("hello: world # not a comment")},
					{Name: "LITERAL_DOLLAR", Value: plain("cost $(PRICE) and ${HOME} and $$")},
					{Name: "MULTI_LINE", Value: plain("line one\nline two\n")},
					{Name: "PORT", Value: plain("8080")},
				},
			}},
			Ports: []target.Port{{Name: "http", Port: 80, TargetPort: 8080, Protocol: "TCP"}},
		}, target.Workload{
			Name:       "worker",
			Containers: []target.Container{{Name: "worker", Image: "ghcr.io/acme/worker:1.0.0"}},
		})},
		{"probes", deployment(target.Workload{
			Name: "api",
			Containers: []target.Container{{
				Name: "main", Image: "ghcr.io/acme/api:1.0.0",
				Liveness: &target.Probe{Exec: &target.ExecProbe{Command: []string{"/bin/check", "--live"}}},
				Readiness: &target.Probe{HTTPGet: &target.HTTPGet{
					Scheme: "http", Path: "/ready?full=1", Port: 8080,
					HTTPHeaders: []target.HTTPHeader{{Name: "X-Probe", Value: "it's me"}},
				}},
			}},
			Ports: []target.Port{{Name: "http", Port: 8080, TargetPort: 8080, Protocol: "TCP"}},
		})},
		{"secrets", deployment(target.Workload{
			Name: "billing",
			Containers: []target.Container{{
				Name: "main", Image: "ghcr.io/acme/billing:0.9.0",
				Variables: []target.Variable{
					{Name: "DB_HOST", Value: plain("postgres.shop-dev.svc")},
					{Name: "DB_PASSWORD", Value: secret("db-pass")},
					{Name: "DB_URL", Value: secret("postgres://billing:pw@db/billing?quote=\"x\"&d=$HOME\n")},
					{Name: "DB_USER", Value: plain("billing")},
				},
			}},
		})},
		{"volumes", deployment(target.Workload{
			Name:        "db",
			Annotations: map[string]string{"pave.dev/kind": "StatefulSet"},
			Containers: []target.Container{{
				Name: "postgres", Image: "postgres:17",
				Variables: []target.Variable{{Name: "PGDATA", Value: plain("/var/lib/postgresql/data/pgdata")}},
				Volumes: []target.Volume{
					{Path: "/backup", Source: "shared-backups", ReadOnly: true},
					{Path: "/var/lib/postgresql/data", Source: "db-data", SubPath: "pg"},
				},
			}},
			Ports: []target.Port{{Name: "pg", Port: 5432, TargetPort: 5432, Protocol: "TCP"}},
		})},
	}
}

// SecretTexts returns every secret value and secret file content of d,
// and the values of its Secret manifests.
func SecretTexts(d *target.Deployment) []string {
	var out []string
	for _, m := range d.Manifests {
		if m["kind"] != "Secret" {
			continue
		}
		for _, field := range []string{"data", "stringData"} {
			if values, ok := m[field].(map[string]any); ok {
				for _, v := range values {
					if s, ok := v.(string); ok {
						out = append(out, s)
					}
				}
			}
		}
	}
	for _, w := range d.Workloads {
		for _, c := range w.Containers {
			for _, v := range c.Variables {
				if v.Value.Secret {
					out = append(out, v.Value.Text)
				}
			}
			for _, f := range c.Files {
				if f.Secret {
					out = append(out, string(f.Content))
				}
			}
		}
	}
	return out
}

// Large returns a deployment of n workloads, each with a plain and a secret
// variable, a file, a volume, a port and a readiness probe: the shape of a
// workload with four resources after resolution.
func Large(n int) *target.Deployment {
	d := &target.Deployment{App: "big", Env: "prod", EnvType: "production"}
	for i := range n {
		name := fmt.Sprintf("svc-%04d", i)
		d.Workloads = append(d.Workloads, target.Workload{
			Name: name,
			Containers: []target.Container{{
				Name: "main", Image: "ghcr.io/acme/" + name + ":1.0.0",
				Args: []string{"--port", "8080"},
				Variables: []target.Variable{
					{Name: "DB_HOST", Value: plain("db-" + name + ".big-prod.svc")},
					{Name: "DB_PASSWORD", Value: secret("pw-" + name)},
					{Name: "REDIS_URL", Value: plain("redis://redis-" + name + ":6379/0")},
					{Name: "S3_BUCKET", Value: plain("bucket-" + name)},
				},
				Files:     []target.File{{Path: "/etc/app/config.yaml", Content: []byte("name: " + name + "\nport: 8080\n")}},
				Volumes:   []target.Volume{{Path: "/data", Source: "data-" + name}},
				Limits:    &target.Resources{CPU: "1", Memory: "512Mi"},
				Readiness: &target.Probe{HTTPGet: &target.HTTPGet{Path: "/healthz", Port: 8080}},
			}},
			Ports: []target.Port{{Name: "http", Port: 80, TargetPort: 8080, Protocol: "TCP"}},
		})
	}
	return d
}
