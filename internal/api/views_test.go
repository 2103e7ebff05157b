package api_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// TestViewsOverHTTP: render (the right to plan), explain (any token) and
// logs (the right to read the app) over HTTP; a render holds no secret
// value.
func TestViewsOverHTTP(t *testing.T) {
	f := newFixture(t)
	ws := f.change("").Workloads
	kube := api.RenderBody{Workloads: ws, Format: "kubernetes"}
	envs := "/api/v1/apps/shop/environments/dev"
	tests := []struct {
		method, path, user string
		body               any
		status             int
	}{
		{"POST", envs + "/render", "ann", kube, 200},
		{"POST", envs + "/render", "pia", kube, 200},
		{"POST", envs + "/render", "vic", kube, 403},
		{"POST", envs + "/render", "bob", kube, 403},
		{"POST", envs + "/render", "", kube, 401},
		{"POST", envs + "/render", "ann", api.RenderBody{Workloads: ws, Format: "helm"}, 400},
		{"POST", envs + "/render", "ann", api.RenderBody{Workloads: ws}, 400},
		{"POST", envs + "/render", "ann", `{"workloads": [], "format": "kubernetes", "extra": 1}`, 400},
		{"GET", envs + "/explain?type=redis", "vic", nil, 200},
		{"GET", envs + "/explain?type=redis&class=default", "bob", nil, 200},
		{"GET", envs + "/explain?type=redis", "", nil, 401},
		{"GET", envs + "/explain", "ann", nil, 400},
		{"GET", envs + "/explain?type=nope", "ann", nil, 400},
		{"GET", "/api/v1/apps/shop/environments/nowhere/explain?type=redis", "ann", nil, 404},
		{"GET", envs + "/workloads/web/logs", "bob", nil, 403},
		{"GET", envs + "/workloads/web/logs", "", nil, 401},
		{"GET", envs + "/workloads/web/logs?tail=-1", "ann", nil, 400},
		{"GET", envs + "/workloads/web/logs", "vic", nil, 404}, // nothing runs yet
		{"GET", envs + "/workloads/Web!/logs", "ann", nil, 400},
	}
	for _, tt := range tests {
		r := f.do(tt.method, tt.path, tt.user, tt.body)
		if r.status != tt.status {
			t.Errorf("%s %s as %q: %d %s, want %d", tt.method, tt.path, tt.user, r.status, r.body, tt.status)
		}
	}

	// Renders: Secrets named, never written.
	for _, format := range []string{"kubernetes", "compose"} {
		r := f.do("POST", envs+"/render", "ann", api.RenderBody{Workloads: ws, Format: format})
		var out service.Rendered
		r.json(t, &out)
		if r.status != 200 || len(out.Files) == 0 || len(out.Warnings) == 0 || bytes.Contains(r.body, []byte("s3cret-value")) ||
			!bytes.Contains(out.Files[0].Content, []byte("cache.internal")) {
			t.Errorf("%s render = %d %s", format, r.status, r.body)
		}
	}
	var ex struct {
		Selected *string `json:"selected"`
	}
	f.do("GET", envs+"/explain?type=redis", "vic", nil).json(t, &ex)
	if ex.Selected == nil || *ex.Selected != "static-redis" {
		t.Errorf("explain selected %v", ex.Selected)
	}

	// A workload that says something: its logs, for whoever reads the app.
	loud := f.change("")
	loud.Workloads[0].Content = strings.Replace(loud.Workloads[0].Content, `["sleep", "600"]`, `["sh", "-c", "echo hello-from-web; exec sleep 600"]`, 1)
	if r := f.do("POST", envs+"/deployments", "ann", loud); r.status != 200 {
		t.Fatalf("deploy = %d %s", r.status, r.body)
	}
	var lines []string
	for range 400 {
		r := f.do("GET", envs+"/workloads/web/logs?tail=10", "vic", nil)
		if r.status == 200 {
			r.json(t, &lines)
			if strings.Contains(strings.Join(lines, "\n"), "hello-from-web") {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "hello-from-web") {
		t.Fatalf("logs = %q", lines)
	}
	if r := f.do("GET", "/api/v1/apps/blog/environments/dev/workloads/web/logs", "ann", nil); r.status != 403 {
		t.Errorf("other team's logs = %d %s", r.status, r.body)
	}
}

// TestSecretsAndGCOverHTTP: platform secrets are set, listed (names only)
// and deleted by platform engineers; gc answers with what it deleted, and
// streams.
func TestSecretsAndGCOverHTTP(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		method, path, user string
		body               any
		status             int
	}{
		{"PUT", "/api/v1/secrets/db-url", "", api.SecretBody{Value: "v"}, 401},
		{"PUT", "/api/v1/secrets/db-url", "vic", api.SecretBody{Value: "v"}, 403},
		{"PUT", "/api/v1/secrets/db-url", "ann", api.SecretBody{Value: "v"}, 403},
		{"PUT", "/api/v1/secrets/db-url", "pia", api.SecretBody{Value: "postgres://u:hunter2@db"}, 204},
		{"PUT", "/api/v1/secrets/Bad%20Name", "pia", api.SecretBody{Value: "v"}, 400},
		{"GET", "/api/v1/secrets", "ann", nil, 403},
		{"GET", "/api/v1/secrets", "", nil, 401},
		{"DELETE", "/api/v1/secrets/db-url", "ann", nil, 403},
		{"DELETE", "/api/v1/secrets/nope", "pia", nil, 404},
		{"POST", "/api/v1/gc", "", nil, 401},
		{"POST", "/api/v1/gc", "vic", nil, 403},
	} {
		r := f.do(tt.method, tt.path, tt.user, tt.body)
		if r.status != tt.status {
			t.Errorf("%s %s as %q: %d %s, want %d", tt.method, tt.path, tt.user, r.status, r.body, tt.status)
		}
	}
	r := f.do("GET", "/api/v1/secrets", "ada", nil)
	var list []store.SecretInfo
	r.json(t, &list)
	if len(list) != 1 || list[0].Name != "db-url" || bytes.Contains(r.body, []byte("hunter2")) {
		t.Fatalf("secrets = %s", r.body)
	}
	if r := f.do("DELETE", "/api/v1/secrets/db-url", "pia", nil); r.status != 204 {
		t.Fatalf("delete = %d %s", r.status, r.body)
	}
	var audit []store.AuditEntry
	f.do("GET", "/api/v1/audit", "pia", nil).json(t, &audit)
	actions := map[string]bool{}
	for _, a := range audit {
		actions[a.Action+" "+a.Actor+" "+a.Outcome] = true
		if strings.Contains(string(a.Detail), "hunter2") {
			t.Errorf("audit holds the secret: %+v", a)
		}
	}
	for _, want := range []string{"secret.put pia ok", "secret.delete pia ok", "secrets.write ann denied", "platform.gc vic denied"} {
		if !actions[want] {
			t.Errorf("no audit entry %q in %+v", want, actions)
		}
	}

	// An ephemeral environment that is already over: gc deletes it,
	// streaming its events when asked.
	deployed := f.do("POST", "/api/v1/apps/shop/environments", "ann", api.CreateEnvironmentBody{Name: "pr-1", Type: "development", TTL: "1ns"})
	if deployed.status != 201 {
		t.Fatalf("create env = %d %s", deployed.status, deployed.body)
	}
	if r := f.do("POST", "/api/v1/apps/shop/environments/pr-1/deployments", "ann", f.change("")); r.status != 200 {
		t.Fatalf("deploy pr-1 = %d %s", r.status, r.body)
	}
	r = f.do("POST", "/api/v1/gc", "pia", nil, "Accept", "application/x-ndjson")
	if r.status != 200 || r.header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("gc stream = %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	lines := bytes.Split(bytes.TrimSpace(r.body), []byte("\n"))
	var last api.StreamLine
	must(t, json.Unmarshal(lines[len(lines)-1], &last))
	if len(lines) < 2 || last.Type != "result" || len(last.Deleted) != 1 || last.Deleted[0].Name != "pr-1" {
		t.Fatalf("gc stream = %s", r.body)
	}
	var res api.GCResult
	r = f.do("POST", "/api/v1/gc", "pia", nil)
	r.json(t, &res)
	if r.status != 200 || res.Deleted == nil || len(res.Deleted) != 0 || res.Error != nil {
		t.Fatalf("gc again = %d %s", r.status, r.body)
	}
}

// TestMethodNotAllowed: a known path with another method is 405 with the
// code method_not_allowed and an Allow header.
func TestMethodNotAllowed(t *testing.T) {
	f := newFixture(t)
	r := f.do("DELETE", "/api/v1/whoami", "ann", nil)
	if r.status != 405 || r.errorCode(t) != "method_not_allowed" || r.header.Get("Allow") != "GET" {
		t.Fatalf("DELETE whoami = %d %v %s", r.status, r.header, r.body)
	}
	r = f.do("PATCH", "/api/v1/secrets/x", "pia", nil)
	if r.status != 405 || r.header.Get("Allow") != "PUT, DELETE" {
		t.Fatalf("PATCH secret = %d %v %s", r.status, r.header.Get("Allow"), r.body)
	}
}
