package gitops

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

// The credentials of the test HTTP server.
const (
	httpUser     = "deployer"
	httpPassword = "http-pass-Zq81xLr0"
)

// gitBinary returns the git executable, or skips t.
func gitBinary(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed (apt-get install git): the file transport and the test repositories need it")
	}
	return p
}

// runGit runs git in dir with a clean, fixed identity and no user or
// system configuration.
func runGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(gitBinary(t), args...)
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

// newBareRepo creates an empty bare repository whose default branch is
// main, accepting pushes over smart HTTP.
func newBareRepo(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "deploy.git")
	runGit(t, filepath.Dir(dir), "init", "--quiet", "--bare", "--initial-branch=main", dir)
	runGit(t, dir, "config", "http.receivepack", "true")
	return dir
}

// pushOther commits files (path → content) as another writer would, on
// branch main of the bare repository, with the git command.
func pushOther(t testing.TB, bare string, files map[string]string) {
	t.Helper()
	work := filepath.Join(t.TempDir(), "other")
	runGit(t, filepath.Dir(work), "clone", "--quiet", bare, work)
	if out := runGit(t, work, "branch", "--list", "--remotes"); !strings.Contains(out, "origin/main") {
		runGit(t, work, "checkout", "--quiet", "-b", "main")
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
	runGit(t, work, "add", "-A")
	runGit(t, work, "commit", "--quiet", "-m", "other writer")
	runGit(t, work, "push", "--quiet", "origin", "HEAD:refs/heads/main")
}

// gitHTTPServer serves the bare repositories under root with git
// http-backend behind basic authentication, and returns its URL.
func gitHTTPServer(t testing.TB, root string) string {
	t.Helper()
	gitBinary(t)
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
		user, pass, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(httpUser)) != 1 ||
			subtle.ConstantTimeCompare([]byte(pass), []byte(httpPassword)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		cgiHandler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// head returns the head commit of branch main of a bare repository, or
// nil when there is none.
func head(t testing.TB, bare string) *object.Commit {
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

// treeFiles returns every file of c's tree under prefix ("" for all), by
// path, with its content.
func treeFiles(t testing.TB, c *object.Commit, prefix string) map[string]string {
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

// commitCount counts the commits reachable from main.
func commitCount(t testing.TB, bare string) int {
	t.Helper()
	c := head(t, bare)
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

// everyBlobAndMessage returns the content of every blob object and the
// message of every commit object the bare repository stores, reachable or
// not, and of every file of every commit's tree.
func everyBlobAndMessage(t testing.TB, bare string) [][]byte {
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

func containsAny(haystack [][]byte, needles ...[]byte) (string, bool) {
	for _, h := range haystack {
		for _, n := range needles {
			if bytes.Contains(h, n) {
				return string(n), true
			}
		}
	}
	return "", false
}
