package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/targets"
)

// fixture is an API server on a fresh SQLite store with the test platform,
// teams shop and blog (each owning its app) and one user per role in team
// shop, a developer of team blog and a developer of app blog by a binding,
// each with a token.
type fixture struct {
	t      testing.TB
	svc    *service.Service
	srv    *api.Server
	url    string
	tokens map[string]string // by user
	web    string            // the test Score file
}

func newService(t testing.TB, st store.Store, owner string) (*service.Service, *service.Config) {
	t.Helper()
	d := driver.NewRegistry()
	drivers.Register(d)
	tr := target.NewRegistry()
	targets.Register(tr, targets.Options{StateDir: t.TempDir(), InProcess: true})
	svc := &service.Service{Drivers: d, Targets: tr, Store: st, Owner: owner, StaleAfter: 2 * time.Second}
	cfg, err := svc.LoadConfig(os.DirFS("testdata/platform"), "")
	if err != nil {
		t.Fatal(err)
	}
	return svc, cfg
}

func newFixture(t *testing.T, opts ...func(*api.Options)) *fixture {
	t.Helper()
	svc, cfg := newService(t, sqlstoretest.SQLite(t), "server:test")
	o := api.Options{Service: svc, Config: cfg}
	for _, f := range opts {
		f(&o)
	}
	srv := api.New(o)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	web, err := newFixtureWeb()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, svc: svc, srv: srv, url: hs.URL, tokens: map[string]string{}, web: web}
	f.seed(svc)
	t.Cleanup(func() {
		ctx := context.Background()
		for _, app := range []string{"shop", "blog"} {
			for _, env := range []string{"dev", "stg", "prod"} {
				svc.Destroy(ctx, service.DeployRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: app, Env: env, Actor: service.LocalAdmin()})
			}
		}
	})
	return f
}

func newFixtureWeb() (string, error) {
	b, err := os.ReadFile("testdata/workloads/web.score.yaml")
	return string(b), err
}

// benchFixture is a server without HTTP, for benchmarks.
func benchFixture(b *testing.B, st store.Store) *fixture {
	svc, cfg := newService(b, st, "server:bench")
	f := &fixture{t: b, svc: svc, srv: api.New(api.Options{Service: svc, Config: cfg}), tokens: map[string]string{}}
	f.seed(svc)
	return f
}

// seed makes the teams, apps, users and tokens.
func (f *fixture) seed(svc *service.Service) {
	ctx := context.Background()
	admin := service.LocalAdmin()
	for _, team := range []string{"shop", "blog"} {
		must(f.t, svc.CreateTeam(ctx, admin, &store.Team{Name: team}))
		must(f.t, svc.CreateApp(ctx, admin, &store.App{Name: team, Team: team}))
	}
	users := []store.User{
		{Name: "vic", Roles: []string{"viewer"}, Teams: []string{"shop"}},
		{Name: "ann", Roles: []string{"developer"}, Teams: []string{"shop"}},
		{Name: "bob", Roles: []string{"developer"}, Teams: []string{"blog"}},
		{Name: "pia", Roles: []string{"platform-engineer"}},
		{Name: "ada", Roles: []string{"admin"}},
		// cy develops app blog, in development only, and belongs to no team.
		{Name: "cy", Bindings: []store.RoleBinding{{Role: "developer", App: "blog", EnvTypes: []string{"development"}}}},
	}
	for _, u := range users {
		must(f.t, svc.CreateUser(ctx, admin, &u))
		tok, err := svc.CreateToken(ctx, service.CreateTokenRequest{User: u.Name, Actor: admin})
		must(f.t, err)
		f.tokens[u.Name] = tok.Secret
	}
	tok, err := svc.CreateToken(ctx, service.CreateTokenRequest{User: "ann", Kind: "agent", Name: "claude", Actor: admin})
	must(f.t, err)
	f.tokens["ann-agent"] = tok.Secret
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// response is an HTTP response read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response %d %s: %v", r.status, r.body, err)
	}
}

func (r response) errorCode(t *testing.T) string {
	t.Helper()
	var e api.ErrorBody
	r.json(t, &e)
	return string(e.Error.Code)
}

// do sends a request as user ("" for none) with body (a value to encode as
// JSON, a string sent as is, or nil).
func (f *fixture) do(method, path, user string, body any, header ...string) response {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, f.url+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// change is a deployment body of the test workload, with properties set.
func (f *fixture) change(image string) api.ChangeBody {
	content := f.web
	if image != "" {
		content = string(bytes.Replace([]byte(content), []byte("busybox:1.36"), []byte(image), 1))
	}
	return api.ChangeBody{Workloads: []api.WorkloadFile{{Name: "web.score.yaml", Content: content}}}
}
