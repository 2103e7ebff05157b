package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// TestOpenAPIDocumentsEveryRoute: every registered route is in the OpenAPI
// document and every documented operation is registered.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	f := newFixture(t)
	raw, err := api.OpenAPI()
	must(t, err)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	must(t, json.Unmarshal(raw, &doc))
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	var registered []string
	for _, r := range f.srv.Routes() {
		registered = append(registered, r[0]+" "+r[1])
	}
	slices.Sort(documented)
	slices.Sort(registered)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not documented", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("documented %s is not a route", d)
		}
	}
	resp := f.do("GET", "/openapi.json", "", nil)
	if resp.status != 200 || !json.Valid(resp.body) {
		t.Fatalf("GET /openapi.json = %d", resp.status)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	f := newFixture(t)
	if r := f.do("GET", "/healthz", "", nil); r.status != 200 {
		t.Fatalf("healthz = %d", r.status)
	}
	if r := f.do("GET", "/readyz", "", nil); r.status != 200 {
		t.Fatalf("readyz = %d", r.status)
	}
	r := f.do("GET", "/api/v1/whoami", "ann", nil, "X-Request-Id", "req-123")
	if r.status != 200 || r.header.Get("X-Request-Id") != "req-123" {
		t.Fatalf("whoami = %d, request id %q", r.status, r.header.Get("X-Request-Id"))
	}
	var who api.Whoami
	r.json(t, &who)
	if who.ID != "ann" || who.Kind != "human" || who.Roles[0] != "developer" {
		t.Fatalf("whoami = %+v", who)
	}
	r = f.do("GET", "/api/v1/whoami", "", nil, "X-Request-Id", "bad id with spaces")
	if id := r.header.Get("X-Request-Id"); id == "" || strings.Contains(id, " ") {
		t.Fatalf("request id %q", id)
	}
	m := f.do("GET", "/metrics", "", nil)
	for _, want := range []string{
		`pave_http_requests_total{method="GET",route="GET /api/v1/whoami",code="200"} 1`,
		`pave_http_requests_total{method="GET",route="GET /api/v1/whoami",code="401"} 1`,
		`pave_http_request_duration_seconds_bucket{route="GET /healthz",le="+Inf"} 1`,
		"pave_auth_failures_total 1",
		"# TYPE pave_changes_in_flight gauge",
	} {
		if !strings.Contains(string(m.body), want) {
			t.Errorf("metrics lack %q:\n%s", want, m.body)
		}
	}
	if r := f.do("GET", "/nowhere", "", nil); r.status != 404 || r.errorCode(t) != "not_found" {
		t.Fatalf("unknown route = %d %s", r.status, r.body)
	}
	if r := f.do("DELETE", "/api/v1/whoami", "ann", nil); r.status != 405 {
		t.Fatalf("wrong method = %d %s", r.status, r.body)
	}
}

// TestAuthentication: no, unknown, wrong, revoked and expired tokens are
// 401; a client failing too often is refused with 429.
func TestAuthentication(t *testing.T) {
	f := newFixture(t, func(o *api.Options) { o.AuthFailureLimit = 5 })
	good := f.tokens["ann"]
	id := strings.Split(strings.TrimPrefix(good, "pave_"), "_")[0]
	f.tokens["revoked"] = f.tokens["vic"]
	if r := f.do("DELETE", "/api/v1/tokens/"+tokenID(f.tokens["vic"]), "vic", nil); r.status != 204 {
		t.Fatalf("revoke own token = %d %s", r.status, r.body)
	}
	f.tokens["wrong"] = good[:len(good)-2] + "xx"
	f.tokens["unknown"] = strings.Replace(good, id, "01ZZZZZZZZZZZZZZZZZZZZZZZZ", 1)
	f.tokens["junk"] = "hunter2"
	for _, who := range []string{"", "revoked", "wrong", "unknown", "junk"} {
		r := f.do("GET", "/api/v1/apps", who, nil)
		if r.status != 401 || r.errorCode(t) != "unauthorized" || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%q: %d %s", who, r.status, r.body)
		}
		if strings.Contains(string(r.body), good) {
			t.Errorf("%q: the response holds a token", who)
		}
	}
	// Five failures: the sixth request is refused, even with a good token.
	r := f.do("GET", "/api/v1/apps", "ann", nil)
	if r.status != 429 || r.errorCode(t) != "rate_limited" || r.header.Get("Retry-After") == "" {
		t.Fatalf("after 5 failures: %d %s", r.status, r.body)
	}
}

func tokenID(tok string) string {
	rest := strings.TrimPrefix(tok, "pave_")
	return rest[:len(rest)-44]
}

// TestExpiredToken: a token past its expiry is 401.
func TestExpiredToken(t *testing.T) {
	f := newFixture(t)
	r := f.do("POST", "/api/v1/tokens", "ann", api.CreateTokenBody{TTL: "1ms", Name: "short"})
	if r.status != 201 {
		t.Fatalf("create token = %d %s", r.status, r.body)
	}
	var tok service.NewToken
	r.json(t, &tok)
	if tok.Secret == "" || tok.User != "ann" {
		t.Fatalf("token = %+v", tok)
	}
	f.tokens["short"] = tok.Secret
	r = f.do("GET", "/api/v1/whoami", "short", nil)
	for i := 0; r.status == 200 && i < 100; i++ {
		r = f.do("GET", "/api/v1/whoami", "short", nil)
	}
	if r.status != 401 || !strings.Contains(string(r.body), "expired") {
		t.Fatalf("expired token: %d %s", r.status, r.body)
	}
	// Listing shows no secret or hash.
	r = f.do("GET", "/api/v1/tokens", "ann", nil)
	if r.status != 200 || strings.Contains(string(r.body), tok.Secret) || strings.Contains(string(r.body), "sha256") {
		t.Fatalf("token list = %d %s", r.status, r.body)
	}
}

// TestStrictDecoding: malformed bodies are 400 naming the field.
func TestStrictDecoding(t *testing.T) {
	f := newFixture(t, func(o *api.Options) { o.MaxBodyBytes = 1 << 10 })
	tests := []struct {
		body, want, path string
	}{
		{`{"name": "x", "colour": "red"}`, `unknown field "colour"`, "/colour"},
		{`{"name": 42}`, "want a string, not number", "/name"},
		{`{"name": "x"} {"name": "y"}`, "unexpected data after the JSON value", ""},
		{``, "empty", ""},
		{`{"name": `, "ends too soon", ""},
		{`{"name": "` + strings.Repeat("a", 2000) + `"}`, "larger than the 1024 byte limit", ""},
		{`{"name": "x", "description": ["a"]}`, "want a string, not array", "/description"},
	}
	for _, tt := range tests {
		r := f.do("POST", "/api/v1/teams", "ada", tt.body)
		var e api.ErrorBody
		r.json(t, &e)
		if r.status != 400 || e.Error.Code != "invalid" || !strings.Contains(e.Error.Message, tt.want) || (tt.path != "" && !strings.Contains(e.Error.Message, tt.path)) {
			t.Errorf("%.40s: %d %s", tt.body, r.status, r.body)
		}
	}
	r := f.do("POST", "/api/v1/tokens", "ann", `{"ttl": "soon"}`)
	if r.status != 400 || !strings.Contains(string(r.body), "/ttl") {
		t.Errorf("bad ttl: %d %s", r.status, r.body)
	}
	r = f.do("GET", "/api/v1/apps/shop/environments/dev/deployments?limit=many", "ann", nil)
	if r.status != 400 || !strings.Contains(string(r.body), "limit") {
		t.Errorf("bad limit: %d %s", r.status, r.body)
	}
}

// TestRBACOverHTTP: the statuses of access decisions, and secrets only for
// who may reveal them, every reveal audited.
func TestRBACOverHTTP(t *testing.T) {
	f := newFixture(t)
	bad := f.change("busybox:forbidden")
	tests := []struct {
		method, path, user string
		body               any
		status             int
	}{
		{"GET", "/api/v1/apps/blog", "ann", nil, 403},
		{"GET", "/api/v1/apps/shop", "ann", nil, 200},
		{"GET", "/api/v1/apps/shop", "vic", nil, 200},
		{"GET", "/api/v1/apps/nope", "ann", nil, 404},
		{"POST", "/api/v1/apps/blog/environments/dev/deployments", "ann", bad, 403},
		{"POST", "/api/v1/apps/shop/environments/dev/deployments", "vic", bad, 403},
		{"POST", "/api/v1/apps/shop/environments/dev/deployments", "ann", bad, 422},
		{"POST", "/api/v1/apps/blog/environments/dev/deployments", "pia", bad, 422},
		{"POST", "/api/v1/apps/shop/environments/dev/plans", "ann", f.change(""), 200},
		{"POST", "/api/v1/apps/blog/environments/dev/plans", "ann", f.change(""), 403},
		{"POST", "/api/v1/apps/shop/environments/dev/plans?preview=off", "ann", f.change(""), 200},
		{"POST", "/api/v1/apps/shop/environments/dev/plans?preview=maybe", "ann", f.change(""), 400},
		{"GET", "/api/v1/apps/shop/environments/dev/resources?reveal=true", "vic", nil, 403},
		{"GET", "/api/v1/apps/shop/environments/prod/resources?reveal=true", "ann", nil, 403},
		{"GET", "/api/v1/apps/blog/environments/dev/resources", "ann", nil, 403},
		{"GET", "/api/v1/audit", "ann", nil, 403},
		{"GET", "/api/v1/audit", "pia", nil, 200},
		{"GET", "/api/v1/users", "ann", nil, 403},
		{"GET", "/api/v1/users/ann", "ann", nil, 200},
		{"GET", "/api/v1/users/bob", "ann", nil, 403},
		{"POST", "/api/v1/users", "pia", api.UserBody{Name: "zed"}, 403},
		{"POST", "/api/v1/users", "ada", api.UserBody{Name: "zed", Roles: []string{"viewer"}}, 201},
		{"POST", "/api/v1/tokens", "ann", api.CreateTokenBody{User: "bob"}, 403},
		{"GET", "/api/v1/tokens?user=bob", "ann", nil, 403},
		{"GET", "/api/v1/tokens?user=bob", "ada", nil, 200},
		{"PUT", "/api/v1/secrets/k", "ann", api.SecretBody{Value: "v"}, 403},
		{"PUT", "/api/v1/secrets/k", "pia", api.SecretBody{Value: "v"}, 204},
		{"GET", "/api/v1/secrets", "pia", nil, 200},
		{"POST", "/api/v1/apps", "ann", api.CreateAppBody{Name: "shop2"}, 201},
		{"POST", "/api/v1/apps", "ann", api.CreateAppBody{Name: "blog2", Team: "blog"}, 403},
		{"PATCH", "/api/v1/apps/shop2", "ann", api.UpdateAppBody{Team: "blog"}, 403},
		{"PATCH", "/api/v1/apps/shop2", "pia", api.UpdateAppBody{Team: "blog"}, 200},
		{"POST", "/api/v1/gc", "ann", nil, 403},
		{"POST", "/api/v1/gc", "pia", nil, 200},
		{"GET", "/api/v1/platform", "vic", nil, 200},
		// cy holds developer on app blog in development only, by a binding.
		{"GET", "/api/v1/apps/blog", "cy", nil, 200},
		{"GET", "/api/v1/apps/shop", "cy", nil, 403},
		{"POST", "/api/v1/apps/blog/environments/dev/deployments", "cy", bad, 422},
		{"POST", "/api/v1/apps/blog/environments/prod/deployments", "cy", bad, 403},
		{"POST", "/api/v1/apps/shop/environments/dev/deployments", "cy", bad, 403},
		{"GET", "/api/v1/apps/blog/environments/prod/deployments", "cy", nil, 403},
		{"POST", "/api/v1/users", "ada", api.UserBody{Name: "dee", Bindings: []store.RoleBinding{{Role: "viewer", Team: "blog"}}}, 201},
		{"POST", "/api/v1/users", "ada", api.UserBody{Name: "eve", Bindings: []store.RoleBinding{{Role: "admin", App: "blog"}}}, 400},
		{"POST", "/api/v1/users", "ada", map[string]any{"name": "eve", "bindings": []any{map[string]any{"role": "viewer", "app": "blog", "env": "x"}}}, 400},
		{"PUT", "/api/v1/users/dee", "ada", api.UserBody{Bindings: []store.RoleBinding{{Role: "developer", App: "shop"}}}, 200},
	}
	for _, tt := range tests {
		r := f.do(tt.method, tt.path, tt.user, tt.body)
		if r.status != tt.status {
			t.Errorf("%s %s as %s: %d %s, want %d", tt.method, tt.path, tt.user, r.status, r.body, tt.status)
		}
	}
	var apps []store.App
	f.do("GET", "/api/v1/apps", "ann", nil).json(t, &apps)
	if len(apps) != 1 || apps[0].Name != "shop" {
		t.Errorf("ann's apps = %+v", apps)
	}
	var who api.Whoami
	f.do("GET", "/api/v1/whoami", "cy", nil).json(t, &who)
	if len(who.Bindings) != 1 || who.Bindings[0].App != "blog" || who.Bindings[0].EnvTypes[0] != "development" {
		t.Errorf("cy = %+v", who)
	}
	var dee store.User
	f.do("GET", "/api/v1/users/dee", "ada", nil).json(t, &dee)
	if len(dee.Bindings) != 1 || dee.Bindings[0].String() != "developer@app/shop" {
		t.Errorf("dee = %+v", dee)
	}

	// Deploy, then read resources: masked, then revealed and audited.
	r := f.do("POST", "/api/v1/apps/shop/environments/dev/deployments", "ann", f.change(""))
	if r.status != 200 {
		t.Fatalf("deploy = %d %s", r.status, r.body)
	}
	r = f.do("GET", "/api/v1/apps/shop/environments/dev/resources", "vic", nil)
	if r.status != 200 || strings.Contains(string(r.body), "s3cret-value") || !strings.Contains(string(r.body), service.Masked) {
		t.Fatalf("masked resources = %d %s", r.status, r.body)
	}
	r = f.do("GET", "/api/v1/apps/shop/environments/dev/resources?reveal=true", "ann", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "s3cret-value") || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("revealed resources = %d %s", r.status, r.body)
	}
	var audit []store.AuditEntry
	f.do("GET", "/api/v1/audit?action=resources.reveal", "pia", nil).json(t, &audit)
	if len(audit) != 3 || audit[0].Actor != "ann" || audit[0].Outcome != "ok" {
		t.Fatalf("reveal audit = %+v", audit)
	}
	// The platform view holds no secret.
	r = f.do("GET", "/api/v1/platform", "vic", nil)
	if strings.Contains(string(r.body), "s3cret-value") || !strings.Contains(string(r.body), "static-redis") {
		t.Fatalf("platform view = %s", r.body)
	}
}

// TestDeployStream: a deployment's events stream as NDJSON and as
// server-sent events, then the result; the history and a followed event
// stream show it.
func TestDeployStream(t *testing.T) {
	f := newFixture(t)
	r := f.do("POST", "/api/v1/apps/shop/environments/dev/deployments", "ann", f.change(""), "Accept", "application/x-ndjson")
	if r.status != 200 || r.header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("deploy stream = %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	var lines []api.StreamLine
	sc := bufio.NewScanner(bytes.NewReader(r.body))
	for sc.Scan() {
		var l api.StreamLine
		must(t, json.Unmarshal(sc.Bytes(), &l))
		lines = append(lines, l)
	}
	last := lines[len(lines)-1]
	if len(lines) < 4 || lines[0].Type != "event" || last.Type != "result" || last.Result.Summary.Status != "succeeded" ||
		len(last.Result.Policy.Warn) != 1 {
		t.Fatalf("stream = %s", r.body)
	}
	depID := last.Result.Summary.DeploymentID

	r = f.do("POST", "/api/v1/apps/shop/environments/dev/destroy", "ann", api.DestroyBody{}, "Accept", "text/event-stream")
	if r.status != 200 || !strings.HasPrefix(string(r.body), "event: event\ndata: {") || !strings.Contains(string(r.body), "event: result\n") {
		t.Fatalf("destroy SSE = %d %s", r.status, r.body)
	}

	var deps []store.Deployment
	f.do("GET", "/api/v1/apps/shop/environments/dev/deployments", "vic", nil).json(t, &deps)
	if len(deps) != 2 || deps[1].ID != depID || deps[1].Actor != "ann" {
		t.Fatalf("deployments = %+v", deps)
	}
	r = f.do("GET", "/api/v1/deployments/"+depID+"/events?follow=true", "vic", nil, "Accept", "application/x-ndjson")
	if r.status != 200 || !strings.Contains(string(r.body), `"type":"result"`) || !strings.Contains(string(r.body), `"status":"succeeded"`) {
		t.Fatalf("followed events = %d %s", r.status, r.body)
	}
	var evs []store.DeploymentEvent
	f.do("GET", "/api/v1/deployments/"+depID+"/events?after=1", "vic", nil).json(t, &evs)
	if len(evs) == 0 || evs[0].Seq != 2 {
		t.Fatalf("events after 1 = %+v", evs)
	}
	if r := f.do("GET", "/api/v1/deployments/"+depID, "bob", nil); r.status != 403 {
		t.Fatalf("other team reads deployment: %d", r.status)
	}
}

// TestApprovalOverHTTP: a developer's production deployment is 202 with a
// plan; a platform engineer approves; the developer applies it.
func TestApprovalOverHTTP(t *testing.T) {
	f := newFixture(t)
	r := f.do("POST", "/api/v1/apps/shop/environments/prod/deployments", "ann", f.change(""), "Accept", "application/x-ndjson")
	if r.status != http.StatusAccepted {
		t.Fatalf("deploy to prod = %d %s", r.status, r.body)
	}
	var res service.DeployResult
	r.json(t, &res)
	id := res.Pending.PlanID
	if r := f.do("POST", "/api/v1/plans/"+id+"/approvals", "ann", api.ApproveBody{}); r.status != 403 {
		t.Fatalf("self approval = %d %s", r.status, r.body)
	}
	if r := f.do("POST", "/api/v1/plans/"+id+"/apply", "ann", nil); r.status != 202 {
		t.Fatalf("apply before approval = %d %s", r.status, r.body)
	}
	if r := f.do("POST", "/api/v1/plans/"+id+"/approvals", "pia", api.ApproveBody{Comment: "fine"}); r.status != 200 {
		t.Fatalf("approval = %d %s", r.status, r.body)
	}
	var sp service.StoredPlan
	f.do("GET", "/api/v1/plans/"+id, "vic", nil).json(t, &sp)
	if len(sp.Approvals) != 1 || sp.Record.Action != "deploy" {
		t.Fatalf("plan = %+v", sp)
	}
	r = f.do("POST", "/api/v1/plans/"+id+"/apply", "ann", nil)
	if r.status != 200 {
		t.Fatalf("apply = %d %s", r.status, r.body)
	}
	// An agent of ann's needs a person's approval even in staging (policy).
	r = f.do("POST", "/api/v1/apps/shop/environments/stg/deployments", "ann-agent", f.change(""))
	if r.status != 202 || !strings.Contains(string(r.body), "needs a person's approval") {
		t.Fatalf("agent deploy = %d %s", r.status, r.body)
	}

	// A developer's new production environment waits too, uncreated.
	r = f.do("POST", "/api/v1/apps/shop/environments", "ann", api.CreateEnvironmentBody{Name: "hotfix", Type: "production"})
	if r.status != http.StatusAccepted {
		t.Fatalf("create production environment = %d %s", r.status, r.body)
	}
	res = service.DeployResult{}
	r.json(t, &res)
	if r := f.do("POST", "/api/v1/plans/"+res.Pending.PlanID+"/approvals", "pia", api.ApproveBody{}); r.status != 200 {
		t.Fatalf("approval = %d %s", r.status, r.body)
	}
	r = f.do("POST", "/api/v1/plans/"+res.Pending.PlanID+"/apply", "ann", nil)
	res = service.DeployResult{}
	r.json(t, &res)
	if r.status != 200 || res.Environment == nil || res.Environment.Name != "hotfix" {
		t.Fatalf("apply creation = %d %s", r.status, r.body)
	}
	var envs []store.Environment
	f.do("GET", "/api/v1/apps/shop/environments", "ann", nil).json(t, &envs)
	if !slices.ContainsFunc(envs, func(e store.Environment) bool { return e.Name == "hotfix" && e.Type == "production" }) {
		t.Fatalf("environments = %+v", envs)
	}
}
