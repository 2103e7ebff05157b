// Package gittest gives integration tests real Git repositories: bare
// repositories on disk, reached as a path, a file:// URL or over smart
// HTTP (git http-backend behind basic authentication), and ways to read
// back what they hold, the whole object store included. A test skips when
// git is not installed.
package gittest

import (
	"bytes"
	"crypto/subtle"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Git returns the git executable, or skips t.
func Git(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed (apt-get install git): the file transport and the test repositories need it")
	}
	return p
}

// Run runs git in dir with a clean, fixed identity and no user or system
// configuration, and returns its output.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(Git(t), args...)
	cmd.Dir = dir
	home := t.TempDir()
	cmd.Env = append(os.Environ(),
		"HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=other", "GIT_AUTHOR_EMAIL=other@example.com",
		"GIT_COMMITTER_NAME=other", "GIT_COMMITTER_EMAIL=other@example.com",
		"GIT_TERMINAL_PROMPT=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// NewBareRepo creates an empty bare repository "deploy.git" in a fresh
// temporary directory, whose default branch is main and which accepts
// pushes over smart HTTP.
func NewBareRepo(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "deploy.git")
	Run(t, filepath.Dir(dir), "init", "--quiet", "--bare", "--initial-branch=main", dir)
	Run(t, dir, "config", "http.receivepack", "true")
	return dir
}

// PushOther commits files (path → content) as another writer would, on
// branch main of the bare repository, with the git command.
func PushOther(t testing.TB, bare string, files map[string]string) {
	t.Helper()
	work := filepath.Join(t.TempDir(), "other")
	Run(t, filepath.Dir(work), "clone", "--quiet", bare, work)
	if out := Run(t, work, "branch", "--list", "--remotes"); !strings.Contains(out, "origin/main") {
		Run(t, work, "checkout", "--quiet", "-b", "main")
	}
	for p, c := range files {
		full := filepath.Join(work, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	Run(t, work, "add", "-A")
	Run(t, work, "commit", "--quiet", "-m", "other writer")
	Run(t, work, "push", "--quiet", "origin", "HEAD:refs/heads/main")
}

// HTTPServer serves the bare repositories under root with git
// http-backend behind basic authentication as user and password, until t
// ends, and returns its URL.
func HTTPServer(t testing.TB, root, user, password string) string {
	t.Helper()
	Git(t)
	backend := "/usr/lib/git-core/git-http-backend"
	if out, err := exec.Command("git", "--exec-path").Output(); err == nil {
		backend = filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	}
	if _, err := os.Stat(backend); err != nil {
		t.Skipf("git http-backend is not installed at %s (apt-get install git)", backend)
	}
	home := t.TempDir()
	cgiHandler := &cgi.Handler{
		Path: backend,
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1",
			"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(user)) != 1 ||
			subtle.ConstantTimeCompare([]byte(p), []byte(password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		cgiHandler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Head returns the head commit of branch main of a bare repository, or
// nil when there is none.
func Head(t testing.TB, bare string) *object.Commit {
	t.Helper()
	r, err := git.PlainOpen(bare)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Reference(plumbing.NewBranchReferenceName("main"), true)
	if err == plumbing.ErrReferenceNotFound {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(ref.Hash())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TreeFiles returns every file of c's tree under prefix ("" for all), by
// path relative to prefix, with its content.
func TreeFiles(t testing.TB, c *object.Commit, prefix string) map[string]string {
	t.Helper()
	tree, err := c.Tree()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	err = tree.Files().ForEach(func(f *object.File) error {
		if prefix != "" && !strings.HasPrefix(f.Name, prefix+"/") {
			return nil
		}
		s, err := f.Contents()
		out[strings.TrimPrefix(f.Name, prefix+"/")] = s
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// CommitCount counts the commits reachable from main.
func CommitCount(t testing.TB, bare string) int {
	t.Helper()
	c := Head(t, bare)
	if c == nil {
		return 0
	}
	n := 0
	iter := object.NewCommitPreorderIter(c, nil, nil)
	if err := iter.ForEach(func(*object.Commit) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// EverythingStored returns the content of every blob object and the
// message and author of every commit object the bare repository stores,
// reachable or not, and the name and content of every file of every
// commit's tree.
func EverythingStored(t testing.TB, bare string) [][]byte {
	t.Helper()
	r, err := git.PlainOpen(bare)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	blobs, err := r.BlobObjects()
	if err != nil {
		t.Fatal(err)
	}
	if err := blobs.ForEach(func(b *object.Blob) error {
		rd, err := b.Reader()
		if err != nil {
			return err
		}
		defer rd.Close()
		data, err := io.ReadAll(rd)
		out = append(out, data)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	commits, err := r.CommitObjects()
	if err != nil {
		t.Fatal(err)
	}
	if err := commits.ForEach(func(c *object.Commit) error {
		out = append(out, []byte(c.Message), []byte(c.Author.String()))
		tree, err := c.Tree()
		if err != nil {
			return err
		}
		return tree.Files().ForEach(func(f *object.File) error {
			s, err := f.Contents()
			out = append(out, []byte(f.Name), []byte(s))
			return err
		})
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// ContainsAny returns the first needle found in any of haystack.
func ContainsAny(haystack [][]byte, needles ...[]byte) (string, bool) {
	for _, h := range haystack {
		for _, n := range needles {
			if bytes.Contains(h, n) {
				return string(n), true
			}
		}
	}
	return "", false
}
