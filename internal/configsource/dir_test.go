package configsource_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/configsource"
	"github.com/pavedev/pave/internal/errs"
)

// TestDirReload changes a real directory on disk: a valid change is put in
// force once two polls read it the same, an invalid one is refused with
// located errors and the good config stays, a fix is taken again.
func TestDirReload(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "platform.yaml", platformYAML("dev"))
	var lg logs
	h, err := configsource.Open(ctx, &configsource.Dir{Path: dir}, load(t), lg.logger())
	mustNil(t, err)
	first := h.Config()
	if envOf(t, first) != "dev" || !strings.HasPrefix(first.Revision, "sha256:") || first.Source != dir || first.LoadedAt.IsZero() {
		t.Fatalf("first config: %s %s %s %v", envOf(t, first), first.Revision, first.Source, first.LoadedAt)
	}

	// Files the loaders skip change nothing.
	write(t, dir, "README.md", "# platform")
	write(t, dir, ".platform.yaml.swp", "junk")
	write(t, dir, ".git/config", "[core]")
	h.Poll(ctx)
	h.Poll(ctx)
	if h.Config() != first {
		t.Fatal("a change to files that are not config reloaded")
	}

	// A valid change: seen by one poll, applied by the next.
	write(t, dir, "platform.yaml", platformYAML("dev2"))
	h.Poll(ctx)
	if h.Config() != first {
		t.Fatal("a directory change was applied by the poll that first saw it")
	}
	h.Poll(ctx)
	second := h.Config()
	if envOf(t, second) != "dev2" || second.Revision == first.Revision {
		t.Fatalf("after a valid change: env %s revision %s", envOf(t, second), second.Revision)
	}
	// Whoever held the first config (a deployment in flight) still has it whole.
	if envOf(t, first) != "dev" {
		t.Fatal("the config in force was changed under its reader")
	}

	// An invalid change is refused, once, and the good config stays.
	write(t, dir, "platform.yaml", badYAML)
	h.Poll(ctx)
	h.Poll(ctx)
	h.Poll(ctx)
	if h.Config() != second {
		t.Fatal("an invalid change replaced the config in force")
	}
	r := h.Refused()
	if r == nil || r.Revision == "" || r.Revision == second.Revision || len(r.Errors) == 0 {
		t.Fatalf("refusal = %+v", r)
	}
	wantFile := filepath.Join(dir, "platform.yaml")
	if e := r.Errors[0]; e.File != wantFile || e.Line != 10 || e.Path != "/metadata/colour" {
		t.Fatalf("refusal error = %+v, want %s:10 about colour", e, wantFile)
	}
	if got := h.Reloads(); got[configsource.Refused] != 1 || got[configsource.Applied] != 1 {
		t.Fatalf("reloads = %v, want 1 applied and the refusal counted once", got)
	}
	refusals := lg.lines(t, "platform config change refused")
	if len(refusals) != 1 {
		t.Fatalf("%d refusal log lines, want 1", len(refusals))
	}
	logged, _ := refusals[0]["errors"].([]any)
	if len(logged) == 0 || !strings.HasPrefix(logged[0].(string), wantFile+":10: ") || refusals[0]["inForce"] != second.Revision {
		t.Fatalf("refusal log = %v", refusals[0])
	}

	// A policy that does not compile is refused too, at once when asked.
	write(t, dir, "platform.yaml", platformYAML("dev3"))
	write(t, dir, "policies/images.rego", badRego)
	cfg, changed, err := h.Reload(ctx)
	if err == nil || changed || cfg != second || !errs.Is(err, errs.Invalid) {
		t.Fatalf("reload with a bad policy = %v %v %v", cfg.Revision, changed, err)
	}
	if e := errs.Errors(err)[0]; e.File != filepath.Join(dir, "policies", "images.rego") || e.Line == 0 {
		t.Fatalf("policy error = %+v", e)
	}
	if h.Config() != second {
		t.Fatal("a change with a bad policy was put in force")
	}

	// The fix is taken at once when asked, and clears the refusal.
	write(t, dir, "policies/images.rego", goodRego)
	cfg, changed, err = h.Reload(ctx)
	mustNil(t, err)
	if !changed || envOf(t, cfg) != "dev3" || len(cfg.Policies.Policies()) != 1 || h.Refused() != nil {
		t.Fatalf("after the fix: changed %v env %s policies %v refused %+v", changed, envOf(t, cfg), cfg.Policies.Policies(), h.Refused())
	}
	if _, changed, err := h.Reload(ctx); changed || err != nil {
		t.Fatalf("reload of the same content: changed %v, %v", changed, err)
	}
	if got := h.Reloads(); got[configsource.Applied] != 2 || got[configsource.Unchanged] != 1 || got[configsource.Refused] != 2 {
		t.Fatalf("reloads = %v", got)
	}
}

// TestDirUnreadable: a directory that goes away keeps the config in force
// and reports it; back as it was, the report clears.
func TestDirUnreadable(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "platform")
	write(t, dir, "platform.yaml", platformYAML("dev"))
	var lg logs
	h, err := configsource.Open(ctx, &configsource.Dir{Path: dir}, load(t), lg.logger())
	mustNil(t, err)
	good := h.Config()
	mustNil(t, os.Rename(dir, dir+".away"))
	h.Poll(ctx)
	h.Poll(ctx)
	if h.Config() != good {
		t.Fatal("the config changed while its directory was away")
	}
	r := h.Refused()
	if r == nil || r.Revision != "" || !strings.Contains(r.Errors[0].Message, "is not a directory") {
		t.Fatalf("refusal = %+v", r)
	}
	if n := len(lg.lines(t, "platform config source cannot be read")); n != 1 {
		t.Fatalf("%d log lines for a source down during two polls, want 1", n)
	}
	mustNil(t, os.Rename(dir+".away", dir))
	h.Poll(ctx)
	if h.Refused() != nil || h.Config() != good {
		t.Fatalf("back as it was: refused %+v", h.Refused())
	}
	if got := h.Reloads()[configsource.Failed]; got != 2 {
		t.Fatalf("failed reloads = %d, want 2", got)
	}
}

// TestOpenRefusesInvalid: a server does not start on an invalid config;
// the errors name the file in the directory and the line.
func TestOpenRefusesInvalid(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "platform.yaml", badYAML)
	_, err := configsource.Open(context.Background(), &configsource.Dir{Path: dir}, load(t), nil)
	if err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, "platform.yaml")+":10: ") {
		t.Fatalf("open = %v", err)
	}
}

// TestConfigNeverSeenHalf: readers running while reloads swap configs
// always get one whole config: its revision and its content agree.
func TestConfigNeverSeenHalf(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "platform.yaml", platformYAML("a"))
	h, err := configsource.Open(ctx, &configsource.Dir{Path: dir}, load(t), nil)
	mustNil(t, err)
	revs := map[string]string{h.Config().Revision: "a"}
	write(t, dir, "platform.yaml", platformYAML("b"))
	cfg, _, err := h.Reload(ctx)
	mustNil(t, err)
	revs[cfg.Revision] = "b"

	stop := make(chan struct{})
	done := make(chan error)
	for range 4 {
		go func() {
			for {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
				c := h.Config()
				if env := c.Platform.Environments()[0].Name; revs[c.Revision] != env {
					done <- errs.New(errs.Internal, "revision %s with environment %s", c.Revision, env)
					return
				}
			}
		}()
	}
	for i := range 20 {
		write(t, dir, "platform.yaml", platformYAML(string("ab"[i%2])))
		if _, _, err := h.Reload(ctx); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
