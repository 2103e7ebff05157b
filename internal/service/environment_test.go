package service_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
)

// templatesPlatform has a type with an environment for every app, one with
// an environment reserved for blog, and one with no environment at all.
var templatesPlatform = fstest.MapFS{
	"platform.yaml": {Data: []byte(`apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: development}
---
apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: staging}
---
apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: preview}
---
apiVersion: pave.dev/v1
kind: Environment
metadata: {name: dev}
spec:
  type: development
  target: {kind: process}
---
apiVersion: pave.dev/v1
kind: Environment
metadata: {name: blog-stg}
spec:
  type: staging
  app: blog
  target: {kind: process}
`)},
}

// TestCreateEnvironmentNeedsATemplate: an environment is created only when
// the platform config has an environment of its type, allowed to its app,
// to take the target from; otherwise nothing is recorded.
func TestCreateEnvironmentNeedsATemplate(t *testing.T) {
	e := newEnv(t)
	cfg, err := e.svc.LoadConfig(templatesPlatform)
	ok(t, err)
	ctx := t.Context()
	create := func(app, env, typ string) error {
		_, _, err := e.svc.CreateEnvironment(ctx, service.CreateEnvironmentRequest{Platform: cfg.Platform, Policies: cfg.Policies,
			App: app, Env: env, Type: typ, Actor: service.LocalAdmin()}, nil)
		return err
	}
	for _, c := range []struct{ app, env, typ, wantErr string }{
		{"shop", "pr-1", "development", ""},
		{"blog", "pr-2", "staging", ""},
		{"shop", "pr-3", "staging", `environment type "staging" has no environment in the platform config that app "shop" may use`},
		{"docs", "pr-4", "preview", `environment type "preview" has no environment in the platform config that app "docs" may use`},
	} {
		err := create(c.app, c.env, c.typ)
		if c.wantErr == "" {
			ok(t, err)
			continue
		}
		wantCode(t, err, errs.Invalid)
		if !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s/%s: error %q, want it to say %q", c.app, c.env, err, c.wantErr)
		}
		if _, err := e.svc.Store.GetEnvironment(ctx, c.app, c.env); !errs.Is(err, errs.NotFound) {
			t.Errorf("%s/%s: refused environment was recorded (%v)", c.app, c.env, err)
		}
	}
	// Nothing half-written: the refused app docs was not created either.
	if _, err := e.svc.Store.GetApp(ctx, "docs"); !errs.Is(err, errs.NotFound) {
		t.Errorf("app docs was created for a refused environment (%v)", err)
	}
}
