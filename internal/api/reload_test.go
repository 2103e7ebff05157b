package api_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/configsource"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// copyDir copies the files of src into a new temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	must(t, err)
	return dst
}

const qaEnvironment = `apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: qa
spec:
  type: staging
  target:
    kind: process
`

// brokenEnvironment fails to load at line 6: an unknown environment
// type.
const brokenEnvironment = `apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: qa
spec:
  type: stagign
  target:
    kind: process
`

// TestPlatformReload drives a server whose platform config is a directory
// on disk: GET /api/v1/platform shows its revision; POST
// /api/v1/platform/reload is for platform engineers, puts a valid change
// in force, refuses an invalid one with its located errors (shown as
// lastError) and keeps the good config serving; every reload is audited
// and counted.
func TestPlatformReload(t *testing.T) {
	dir := copyDir(t, "testdata/platform")
	var h *configsource.Holder
	f := newFixture(t, func(o *api.Options) {
		var err error
		h, err = configsource.Open(context.Background(), &configsource.Dir{Path: dir}, o.Service.LoadConfig, nil)
		must(t, err)
		o.Holder = h
	})
	first := h.Config().Revision

	var view service.PlatformView
	f.do("GET", "/api/v1/platform", "vic", nil).json(t, &view)
	if view.Revision != first || view.Source != dir || view.LoadedAt.IsZero() || view.LastError != nil || len(view.Policies) == 0 {
		t.Fatalf("platform = revision %q source %q loadedAt %v lastError %+v", view.Revision, view.Source, view.LoadedAt, view.LastError)
	}

	for _, who := range []string{"vic", "ann"} {
		if r := f.do("POST", "/api/v1/platform/reload", who, nil); r.status != 403 || r.errorCode(t) != "forbidden" {
			t.Fatalf("reload by %s = %d %s", who, r.status, r.body)
		}
	}
	var res service.PlatformReload
	r := f.do("POST", "/api/v1/platform/reload", "pia", nil)
	r.json(t, &res)
	if r.status != 200 || res.Changed || res.Revision != first {
		t.Fatalf("reload without a change = %d %s", r.status, r.body)
	}

	// An invalid change is refused with its errors; the good config serves on.
	must(t, os.WriteFile(filepath.Join(dir, "qa.yaml"), []byte(brokenEnvironment), 0o644))
	r = f.do("POST", "/api/v1/platform/reload", "pia", nil)
	var body api.ErrorBody
	r.json(t, &body)
	wantAt := filepath.Join(dir, "qa.yaml") + ":6: "
	if r.status != 400 || body.Error.Code != "invalid" || !strings.HasPrefix(body.Error.Message, wantAt) {
		t.Fatalf("reload of an invalid change = %d %s", r.status, r.body)
	}
	view = service.PlatformView{}
	f.do("GET", "/api/v1/platform", "ann", nil).json(t, &view)
	le := view.LastError
	if view.Revision != first || le == nil || le.Revision == "" || le.Revision == first || len(le.Errors) == 0 ||
		le.Errors[0].File != filepath.Join(dir, "qa.yaml") || le.Errors[0].Line != 6 {
		t.Fatalf("platform after a refused change = revision %q lastError %+v", view.Revision, le)
	}
	if r := f.do("POST", "/api/v1/apps/shop/environments/dev/plans", "ann", f.change("")); r.status != 200 {
		t.Fatalf("plan on the good config = %d %s", r.status, r.body)
	}

	// The fix is put in force.
	view = service.PlatformView{}
	must(t, os.WriteFile(filepath.Join(dir, "qa.yaml"), []byte(qaEnvironment), 0o644))
	r = f.do("POST", "/api/v1/platform/reload", "pia", nil)
	r.json(t, &res)
	if r.status != 200 || !res.Changed || res.Revision == first {
		t.Fatalf("reload of the fix = %d %s", r.status, r.body)
	}
	f.do("GET", "/api/v1/platform", "ann", nil).json(t, &view)
	hasQA := false
	for _, e := range view.Environments {
		hasQA = hasQA || e.Name == "qa"
	}
	if view.Revision != res.Revision || view.LastError != nil || !hasQA {
		t.Fatalf("platform after the fix = revision %q lastError %+v qa %v", view.Revision, view.LastError, hasQA)
	}

	// Reloads are audited; refusals to reload, as every refusal, under the
	// action refused.
	for action, want := range map[string]string{"platform.reload": "pia:ok pia:failed pia:ok", "platform.write": "vic:denied ann:denied"} {
		var audit []store.AuditEntry
		f.do("GET", "/api/v1/audit?action="+action, "pia", nil).json(t, &audit)
		var outcomes []string
		for i := len(audit) - 1; i >= 0; i-- {
			outcomes = append(outcomes, audit[i].Actor+":"+audit[i].Outcome)
		}
		if got := strings.Join(outcomes, " "); got != want {
			t.Errorf("audit of %s = %s, want %s", action, got, want)
		}
	}
	m := string(f.do("GET", "/metrics", "", nil).body)
	for _, want := range []string{
		`pave_config_reloads_total{outcome="applied"} 1`,
		`pave_config_reloads_total{outcome="refused"} 1`,
		`pave_config_reloads_total{outcome="unchanged"} 1`,
		`pave_config_reloads_total{outcome="failed"} 0`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestFixedConfigReload: a server given a fixed config has nothing to
// reload.
func TestFixedConfigReload(t *testing.T) {
	f := newFixture(t)
	var res service.PlatformReload
	r := f.do("POST", "/api/v1/platform/reload", "ada", nil)
	r.json(t, &res)
	if r.status != 200 || res.Changed {
		t.Fatalf("reload of a fixed config = %d %s", r.status, r.body)
	}
}
