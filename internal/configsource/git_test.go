package configsource_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/configsource"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/testenv/gittest"
)

// repo is a bare Git repository and a working clone that pushes to it.
type repo struct {
	t          testing.TB
	bare, work string
}

// git runs the git command in dir, with no user or system configuration.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed (apt-get install git): the test repositories and the file transport need it")
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=pe", "GIT_AUTHOR_EMAIL=pe@example.com", "GIT_COMMITTER_NAME=pe",
		"GIT_COMMITTER_EMAIL=pe@example.com", "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// newRepo makes a bare repository (default branch main) under root and a
// clone of it to commit from.
func newRepo(t testing.TB, root string) *repo {
	t.Helper()
	r := &repo{t: t, bare: filepath.Join(root, "platform.git"), work: filepath.Join(t.TempDir(), "work")}
	git(t, root, "init", "--quiet", "--bare", "--initial-branch=main", r.bare)
	git(t, r.bare, "config", "http.receivepack", "true")
	git(t, root, "init", "--quiet", "--initial-branch=main", r.work)
	git(t, r.work, "remote", "add", "origin", r.bare)
	return r
}

// push commits files (path → content; "" deletes) and pushes them to
// branch; it returns the commit.
func (r *repo) push(branch string, files map[string]string) string {
	r.t.Helper()
	for p, c := range files {
		if c == "" {
			os.Remove(filepath.Join(r.work, filepath.FromSlash(p)))
			continue
		}
		write(r.t, r.work, p, c)
	}
	git(r.t, r.work, "add", "-A")
	git(r.t, r.work, "commit", "--quiet", "--allow-empty", "-m", "change")
	git(r.t, r.work, "push", "--quiet", "--force", "origin", "HEAD:refs/heads/"+branch)
	return git(r.t, r.work, "rev-parse", "HEAD")
}

func (r *repo) url() string { return "file://" + r.bare }

// TestGitReload pushes commits to a real repository read over file://: a
// valid change is put in force at the first poll (a commit is whole), an
// invalid one is refused with errors naming the file in the repository,
// and the good config stays.
func TestGitReload(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t, t.TempDir())
	c1 := r.push("main", map[string]string{"config/platform.yaml": platformYAML("dev"), "README.md": "# platform"})
	src, err := configsource.Parse("git+"+r.url()+"#main:config", configsource.Credentials{})
	mustNil(t, err)
	if got, want := src.String(), "git+"+r.url()+"#main:config"; got != want {
		t.Fatalf("source = %q, want %q", got, want)
	}
	var lg logs
	h, err := configsource.Open(ctx, src, load(t), lg.logger())
	mustNil(t, err)
	first := h.Config()
	if first.Revision != c1 || envOf(t, first) != "dev" {
		t.Fatalf("first config: revision %s env %s, want %s dev", first.Revision, envOf(t, first), c1)
	}

	// An unmoved ref is not fetched again.
	s1, err := src.Read(ctx)
	mustNil(t, err)
	s2, err := src.Read(ctx)
	mustNil(t, err)
	if s1 != s2 {
		t.Fatal("an unmoved ref was fetched again")
	}

	// A commit outside the config's directory changes the revision only.
	c2 := r.push("main", map[string]string{"README.md": "# the platform"})
	h.Poll(ctx)
	if h.Config().Revision != c2 || envOf(t, h.Config()) != "dev" {
		t.Fatalf("after an unrelated commit: %s", h.Config().Revision)
	}

	c3 := r.push("main", map[string]string{"config/platform.yaml": platformYAML("dev2"), "config/policies/images.rego": goodRego})
	h.Poll(ctx)
	good := h.Config()
	if good.Revision != c3 || envOf(t, good) != "dev2" || len(good.Policies.Policies()) != 1 {
		t.Fatalf("after a valid commit: revision %s env %s", good.Revision, envOf(t, good))
	}

	c4 := r.push("main", map[string]string{"config/platform.yaml": badYAML})
	h.Poll(ctx)
	h.Poll(ctx)
	if h.Config() != good {
		t.Fatal("an invalid commit was put in force")
	}
	ref := h.Refused()
	if ref == nil || ref.Revision != c4 || ref.Errors[0].File != "config/platform.yaml" || ref.Errors[0].Line != 10 {
		t.Fatalf("refusal = %+v", ref)
	}
	if n := len(lg.lines(t, "platform config change refused")); n != 1 || h.Reloads()[configsource.Refused] != 1 {
		t.Fatalf("%d refusals logged, %d counted; want the commit refused once", n, h.Reloads()[configsource.Refused])
	}

	c5 := r.push("main", map[string]string{"config/platform.yaml": platformYAML("dev3")})
	cfg, changed, err := h.Reload(ctx)
	mustNil(t, err)
	if !changed || cfg.Revision != c5 || envOf(t, cfg) != "dev3" || h.Refused() != nil {
		t.Fatalf("after the fix: %v %s %+v", changed, cfg.Revision, h.Refused())
	}

	// A commit without the config's directory cannot be read: refused too.
	r.push("main", map[string]string{"config/platform.yaml": "", "config/policies/images.rego": ""})
	if _, _, err := h.Reload(ctx); err == nil || !strings.Contains(err.Error(), "has no directory config") {
		t.Fatalf("reload without the directory = %v", err)
	}
	if h.Config().Revision != c5 {
		t.Fatal("the config in force changed")
	}

	// A repository gone is the server's problem, not the asker's: transient.
	mustNil(t, os.Rename(r.bare, r.bare+".away"))
	if _, _, err := h.Reload(ctx); !errs.Is(err, errs.Transient) || h.Config().Revision != c5 {
		t.Fatalf("reload of a repository gone = %v", err)
	}
	if got := h.Reloads(); got[configsource.Failed] != 2 || h.Refused() == nil || h.Refused().Revision != "" {
		t.Fatalf("reloads %v, refusal %+v", got, h.Refused())
	}
}

// TestGitRefs: the remote's HEAD by default, a branch, an annotated tag;
// a missing ref is an error naming it.
func TestGitRefs(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t, t.TempDir())
	main := r.push("main", map[string]string{"platform.yaml": platformYAML("main")})
	git(t, r.work, "tag", "-a", "-m", "release", "v1")
	git(t, r.work, "push", "--quiet", "origin", "v1")
	other := r.push("other", map[string]string{"platform.yaml": platformYAML("other")})
	for spec, want := range map[string]string{"": main, "#other": other, "#v1": main, "#refs/heads/other": other} {
		src, err := configsource.Parse("git+"+r.url()+spec, configsource.Credentials{})
		mustNil(t, err)
		snap, err := src.Read(ctx)
		if err != nil || snap.Revision != want || !snap.Atomic {
			t.Errorf("%q: %+v %v, want revision %s", spec, snap, err, want)
		}
	}
	src, err := configsource.Parse("git+"+r.url()+"#nope", configsource.Credentials{})
	mustNil(t, err)
	if _, err := src.Read(ctx); err == nil || !strings.Contains(err.Error(), "no branch or tag nope") {
		t.Fatalf("missing ref = %v", err)
	}
}

// The credentials of the test HTTP server.
const (
	httpUser     = "platform-reader"
	httpPassword = "http-pass-Vb72kQ"
)

// TestGitHTTP reads over smart HTTP with basic authentication: the right
// credentials read and follow pushes; none or wrong ones are refused
// without the password in the error.
func TestGitHTTP(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	r := newRepo(t, root)
	c1 := r.push("main", map[string]string{"platform.yaml": platformYAML("dev")})
	base := gittest.HTTPServer(t, root, httpUser, httpPassword)
	spec := "git+" + base + "/platform.git#main"

	src, err := configsource.Parse(spec, configsource.Credentials{Username: httpUser, Password: httpPassword})
	mustNil(t, err)
	h, err := configsource.Open(ctx, src, load(t), nil)
	mustNil(t, err)
	if h.Config().Revision != c1 {
		t.Fatalf("revision %s, want %s", h.Config().Revision, c1)
	}
	c2 := r.push("main", map[string]string{"platform.yaml": platformYAML("dev2")})
	h.Poll(ctx)
	if h.Config().Revision != c2 || envOf(t, h.Config()) != "dev2" {
		t.Fatalf("after a push: %s", h.Config().Revision)
	}

	for name, c := range map[string]configsource.Credentials{
		"none":  {},
		"wrong": {Username: httpUser, Password: "wrong-" + httpPassword},
		"token": {Token: "tok-" + httpPassword},
	} {
		src, err := configsource.Parse(spec, c)
		mustNil(t, err)
		_, err = src.Read(ctx)
		if !errs.Is(err, errs.Unauthorized) || !strings.Contains(err.Error(), configsource.EnvToken) {
			t.Errorf("%s: %v, want unauthorized naming %s", name, err, configsource.EnvToken)
		}
		for _, e := range errs.Errors(err) {
			if strings.Contains(e.LogString(), httpPassword) {
				t.Errorf("%s: the error holds the password: %s", name, e.LogString())
			}
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		spec string
		c    configsource.Credentials
		want string // String() of the source, or the error's text
		bad  bool
	}{
		{spec: "examples/platform", want: "examples/platform"},
		{spec: "git+https://git.example.com/platform.git", want: "git+https://git.example.com/platform.git"},
		{spec: "git+https://git.example.com/platform.git#v1.2:config/prod", want: "git+https://git.example.com/platform.git#v1.2:config/prod"},
		{spec: "git+https://git.example.com/p.git#:config/", want: "git+https://git.example.com/p.git#:config"},
		{spec: "git+ssh://git.example.com:2222/p.git#main", want: "git+ssh://git@git.example.com:2222/p.git#main"},
		{spec: "git+git@github.com:org/platform.git#main", want: "git+git@github.com:org/platform.git#main"},
		{spec: "git+file:///srv/platform.git", want: "git+file:///srv/platform.git"},
		{spec: "git+http://127.0.0.1:3000/p.git", c: configsource.Credentials{Token: "t"}, want: "git+http://127.0.0.1:3000/p.git"},

		{spec: "", bad: true, want: "no platform config given"},
		{spec: "https://git.example.com/p.git", bad: true, want: "git+URL"},
		{spec: "git+https://bob:hunter2@git.example.com/p.git", bad: true, want: "must not hold credentials"},
		{spec: "git+ftp://git.example.com/p.git", bad: true, want: `scheme "ftp" is not supported`},
		{spec: "git+https://git.example.com/p.git#main:../etc", bad: true, want: "must not leave the repository"},
		{spec: "git+https://git.example.com/p.git#bad..ref", bad: true, want: "not a valid branch or tag name"},
		{spec: "git+file://host/srv/p.git", bad: true, want: "names a local path"},
		{spec: "git+http://git.example.com/p.git", c: configsource.Credentials{Token: "t"}, bad: true, want: "only sent over https"},
		{spec: "git+https://git.example.com/p.git", c: configsource.Credentials{Password: "p"}, bad: true, want: configsource.EnvPassword + " needs " + configsource.EnvUsername},
		{spec: "git+https://git.example.com/p.git", c: configsource.Credentials{SSHKey: "k"}, bad: true, want: configsource.EnvSSHKey + " is for ssh"},
		{spec: "git+ssh://git.example.com/p.git", c: configsource.Credentials{SSHKey: "not a key"}, bad: true, want: "not a private key"},
		{spec: "git+ssh://git.example.com/p.git", c: configsource.Credentials{Token: "t"}, bad: true, want: "are for http(s) repositories"},
	} {
		src, err := configsource.Parse(tc.spec, tc.c)
		switch {
		case tc.bad && err == nil:
			t.Errorf("%q: no error, want %q", tc.spec, tc.want)
		case tc.bad && (!strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter2")):
			t.Errorf("%q: %v, want %q (and no credential)", tc.spec, err, tc.want)
		case !tc.bad && err != nil:
			t.Errorf("%q: %v", tc.spec, err)
		case !tc.bad && src.String() != tc.want:
			t.Errorf("%q: source %q, want %q", tc.spec, src.String(), tc.want)
		}
	}
}
