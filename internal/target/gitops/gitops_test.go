package gitops

import (
	"context"
	"encoding/base64"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"
	"gopkg.in/yaml.v3"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// Secret values of the test deployment; none may ever reach Git in clear.
const (
	dbPassword  = "db-pass-7Hq2LmX9vB"
	dbPassword2 = "db-pass-rotated-Qe4Tn6"
	apiKey      = "api-key-N4cR8sWq1Z"
	tlsKey      = "-----BEGIN PRIVATE KEY-----\nfile-secret-Kp3Yd7Vn\n-----END PRIVATE KEY-----\n"
	extraToken  = "extra-token-Wd5Gh2Jk"
)

var testHashKey = []byte("test-platform-hash-key-0123456789")

// testDeployment is app shop in environment staging: workload web with
// plain and secret variables, a plain and a secret file and a service
// port; workload worker when withWorker; an extra Secret and ConfigMap.
func testDeployment(id string, withWorker bool, dbPass string) *target.Deployment {
	d := &target.Deployment{
		App: "shop", Env: "staging", EnvType: "staging",
		DeploymentID: id, PlanHash: "sha256:" + strings.Repeat("ab", 32),
		Workloads: []target.Workload{{
			Name: "web",
			Containers: []target.Container{{
				Name:  "main",
				Image: "nginx:1.27",
				Variables: []target.Variable{
					{Name: "API_KEY", Value: target.Value{Text: apiKey, Secret: true}},
					{Name: "DB_PASSWORD", Value: target.Value{Text: dbPass, Secret: true}},
					{Name: "LOG_LEVEL", Value: target.Value{Text: "debug"}},
				},
				Files: []target.File{
					{Path: "/etc/app/config.yaml", Content: []byte("port: 8080\n")},
					{Path: "/etc/app/tls.key", Content: []byte(tlsKey), Secret: true},
				},
			}},
			Ports: []target.Port{{Name: "http", Port: 80, TargetPort: 8080, Protocol: "TCP"}},
		}},
		Manifests: []map[string]any{
			{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "extra-credentials"},
				"stringData": map[string]any{"token": extraToken}},
			{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "extra-settings"},
				"data": map[string]any{"mode": "fast"}},
		},
	}
	if withWorker {
		d.Workloads = append(d.Workloads, target.Workload{
			Name: "worker",
			Containers: []target.Container{{Name: "main", Image: "busybox:1.36", Command: []string{"sh", "-c", "sleep 3600"},
				Variables: []target.Variable{{Name: "QUEUE", Value: target.Value{Text: "jobs"}}}}},
		})
	}
	return d
}

// secretNeedles are the secret values and the forms they take in
// manifests and messages.
func secretNeedles() [][]byte {
	var out [][]byte
	for _, v := range []string{dbPassword, dbPassword2, apiKey, tlsKey, "file-secret-Kp3Yd7Vn", extraToken, httpPassword} {
		out = append(out, []byte(v), []byte(base64.StdEncoding.EncodeToString([]byte(v))),
			[]byte(base64.RawStdEncoding.EncodeToString([]byte(v))), []byte(url.QueryEscape(v)))
	}
	return out
}

// events collects progress events.
type events struct {
	mu  sync.Mutex
	evs []target.Event
}

func (e *events) add(ev target.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, ev)
}

func (e *events) phases() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.evs {
		out = append(out, ev.Phase)
	}
	return out
}

func (e *events) text() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var b strings.Builder
	for _, ev := range e.evs {
		b.WriteString(ev.Workload + " " + ev.Phase + " " + ev.Message + "\n")
	}
	return b.String()
}

// TestLifecycle drives deploy, no-change redeploy, pruning redeploy, a
// deploy racing another writer, and destroy against real repositories
// reached as a local path, a file:// URL and over smart HTTP.
func TestLifecycle(t *testing.T) {
	gitBinary(t)
	identity, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		// repo returns the bare repository and the target config.
		repo func(t *testing.T) (string, target.Config)
		// seed puts another app's files in the repository first.
		seed bool
	}{
		{name: "local path", repo: func(t *testing.T) (string, target.Config) {
			bare := newBareRepo(t)
			return bare, target.Config{"repository": bare}
		}},
		{name: "file URL", seed: true, repo: func(t *testing.T) (string, target.Config) {
			bare := newBareRepo(t)
			return bare, target.Config{"repository": "file://" + bare}
		}},
		{name: "http", seed: true, repo: func(t *testing.T) (string, target.Config) {
			bare := newBareRepo(t)
			base := gitHTTPServer(t, strings.TrimSuffix(bare, "/deploy.git"))
			return bare, target.Config{"repository": base + "/deploy.git", "username": httpUser, "password": httpPassword}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			bare, cfg := tc.repo(t)
			cfg["ageRecipients"] = []any{identity.Recipient().String()}
			cfg["authorName"] = "pave bot"
			cfg["authorEmail"] = "bot@pave.example"
			if tc.seed {
				pushOther(t, bare, map[string]string{"README.md": "platform repo\n"})
			}
			tgt := New(Options{HashKey: testHashKey})
			commits := commitCount(t, bare)

			// Deploy: one commit with the right message and every file.
			var ev events
			if err := tgt.Deploy(ctx, cfg, testDeployment("dep-001", true, dbPassword), ev.add); err != nil {
				t.Fatalf("deploy: %v", err)
			}
			c := head(t, bare)
			if got := commitCount(t, bare); got != commits+1 {
				t.Fatalf("deploy made %d commits, want 1", got-commits)
			}
			for _, want := range []string{"shop", "staging", "dep-001", "sha256:" + strings.Repeat("ab", 32), "Pave-Deployment: dep-001"} {
				if !strings.Contains(c.Message, want) {
					t.Errorf("commit message does not name %q:\n%s", want, c.Message)
				}
			}
			if c.Author.Name != "pave bot" || c.Author.Email != "bot@pave.example" {
				t.Errorf("author = %s", c.Author.String())
			}
			files := treeFiles(t, c, "shop/staging")
			for _, f := range []string{"kustomization.yaml", "namespace-shop-staging.yaml", "deployment-web.yaml",
				"deployment-worker.yaml", "service-web.yaml", "configmap-web-files.yaml", "configmap-extra-settings.yaml",
				"SECRETS.md", "secrets/web-secrets.yaml.age", "secrets/extra-credentials.yaml.age", "secrets/fingerprints.txt"} {
				if _, ok := files[f]; !ok {
					t.Errorf("shop/staging/%s is missing; have %v", f, keys(files))
				}
			}
			checkKustomization(t, files)
			checkDecrypts(t, identity, files["secrets/web-secrets.yaml.age"], "web-secrets", "DB_PASSWORD", dbPassword)
			checkDecrypts(t, identity, files["secrets/extra-credentials.yaml.age"], "extra-credentials", "token", extraToken)
			if !slices.Contains(ev.phases(), "committed") {
				t.Errorf("no committed event:\n%s", ev.text())
			}

			// The same deployment again: no commit, and an event says so.
			ev = events{}
			if err := tgt.Deploy(ctx, cfg, testDeployment("dep-002", true, dbPassword), ev.add); err != nil {
				t.Fatalf("redeploy: %v", err)
			}
			if h := head(t, bare); h.Hash != c.Hash {
				t.Fatalf("an unchanged deployment made commit %s", h.Hash)
			}
			if !slices.Contains(ev.phases(), "unchanged") || !strings.Contains(ev.text(), "nothing committed") {
				t.Errorf("no event says nothing changed:\n%s", ev.text())
			}

			// Without worker: its file is pruned.
			if err := tgt.Deploy(ctx, cfg, testDeployment("dep-003", false, dbPassword), nil); err != nil {
				t.Fatalf("deploy without worker: %v", err)
			}
			c = head(t, bare)
			files = treeFiles(t, c, "shop/staging")
			if _, ok := files["deployment-worker.yaml"]; ok {
				t.Error("deployment-worker.yaml is still there after worker was removed")
			}
			if _, ok := files["deployment-web.yaml"]; !ok {
				t.Error("deployment-web.yaml is gone")
			}
			checkKustomization(t, files)

			// Another writer pushes to another path between our fetch and
			// our push: the deploy rebases its path and succeeds.
			before := c.Hash
			tgt.beforePush = func(attempt int) {
				if attempt == 1 {
					pushOther(t, bare, map[string]string{"billing/prod/kustomization.yaml": "resources: []\n"})
				}
			}
			ev = events{}
			if err := tgt.Deploy(ctx, cfg, testDeployment("dep-004", false, dbPassword2), ev.add); err != nil {
				t.Fatalf("deploy racing another writer: %v", err)
			}
			tgt.beforePush = nil
			c = head(t, bare)
			if !slices.Contains(ev.phases(), "rebasing") {
				t.Errorf("no rebasing event:\n%s", ev.text())
			}
			if !strings.Contains(c.Message, "dep-004") || len(c.ParentHashes) != 1 {
				t.Fatalf("head is not our one-parent commit: %s", c.Message)
			}
			parent, err := c.Parent(0)
			if err != nil {
				t.Fatal(err)
			}
			if parent.Message != "other writer\n" || parent.ParentHashes[0] != before {
				t.Errorf("our commit's parent is %q, want the other writer's commit on top of ours", parent.Message)
			}
			all := treeFiles(t, c, "")
			if all["billing/prod/kustomization.yaml"] != "resources: []\n" {
				t.Error("the other writer's file was lost")
			}
			if tc.seed && all["README.md"] != "platform repo\n" {
				t.Error("the seeded README.md was lost")
			}
			files = treeFiles(t, c, "shop/staging")
			checkDecrypts(t, identity, files["secrets/web-secrets.yaml.age"], "web-secrets", "DB_PASSWORD", dbPassword2)

			// Destroy: the path is gone at the head, the rest stays.
			if err := tgt.Destroy(ctx, cfg, "shop", "staging"); err != nil {
				t.Fatalf("destroy: %v", err)
			}
			c = head(t, bare)
			if !strings.Contains(c.Message, "destroy shop in staging") {
				t.Errorf("destroy commit message: %s", c.Message)
			}
			all = treeFiles(t, c, "")
			for p := range all {
				if strings.HasPrefix(p, "shop/") {
					t.Errorf("%s is still there after destroy", p)
				}
			}
			if all["billing/prod/kustomization.yaml"] == "" {
				t.Error("destroy removed another path")
			}
			n := commitCount(t, bare)
			if err := tgt.Destroy(ctx, cfg, "shop", "staging"); err != nil {
				t.Fatalf("second destroy: %v", err)
			}
			if commitCount(t, bare) != n {
				t.Error("destroying what is gone made a commit")
			}

			// No secret value in any blob or commit of the whole history.
			if found, ok := containsAny(everyBlobAndMessage(t, bare), secretNeedles()...); ok {
				t.Errorf("a secret value (%q) is in the repository", found)
			}
			runGit(t, bare, "fsck", "--strict")
		})
	}
}

// TestNoRecipients checks that without ageRecipients no Secret is
// committed, SECRETS.md lists what the cluster must provide, and no secret
// value is in the repository.
func TestNoRecipients(t *testing.T) {
	bare := newBareRepo(t)
	tgt := New(Options{HashKey: testHashKey})
	cfg := target.Config{"repository": bare, "path": "clusters/staging/shop"}
	for i, pass := range []string{dbPassword, dbPassword2} {
		if err := tgt.Deploy(context.Background(), cfg, testDeployment("dep-"+string(rune('1'+i)), true, pass), nil); err != nil {
			t.Fatalf("deploy: %v", err)
		}
	}
	files := treeFiles(t, head(t, bare), "clusters/staging/shop")
	for p := range files {
		if strings.HasPrefix(p, "secrets/") || strings.HasPrefix(p, "secret-") {
			t.Errorf("%s is committed without recipients", p)
		}
	}
	md := files["SECRETS.md"]
	for _, want := range []string{"`web-secrets`", "`extra-credentials`", "`DB_PASSWORD`", "`API_KEY`", "`token`", "not committed", "External Secrets Operator"} {
		if !strings.Contains(md, want) {
			t.Errorf("SECRETS.md does not hold %q:\n%s", want, md)
		}
	}
	checkKustomization(t, files)
	if found, ok := containsAny(everyBlobAndMessage(t, bare), secretNeedles()...); ok {
		t.Errorf("a secret value (%q) is in the repository", found)
	}
}

// TestHTTPAuth checks that wrong credentials are an unauthorized error
// that does not repeat them.
func TestHTTPAuth(t *testing.T) {
	bare := newBareRepo(t)
	base := gitHTTPServer(t, strings.TrimSuffix(bare, "/deploy.git"))
	const wrong = "wrong-pass-Yx82Lq"
	cfg := target.Config{"repository": base + "/deploy.git", "username": httpUser, "password": wrong}
	err := New(Options{HashKey: testHashKey}).Deploy(context.Background(), cfg, testDeployment("d", false, dbPassword), nil)
	if !errs.Is(err, errs.Unauthorized) {
		t.Fatalf("err = %v (%s), want unauthorized", err, errs.CodeOf(err))
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(logString(err), wrong) {
		t.Errorf("the error repeats the password: %s", logString(err))
	}
	cfg = target.Config{"repository": base + "/deploy.git"}
	if err := New(Options{HashKey: testHashKey}).Destroy(context.Background(), cfg, "shop", "staging"); !errs.Is(err, errs.Unauthorized) {
		t.Fatalf("without credentials: err = %v, want unauthorized", err)
	}
}

// TestGivesUp checks that a branch that moves under every push ends in a
// conflict after maxAttempts pushes.
func TestGivesUp(t *testing.T) {
	bare := newBareRepo(t)
	tgt := New(Options{HashKey: testHashKey})
	pushes := 0
	tgt.beforePush = func(int) {
		pushes++
		pushOther(t, bare, map[string]string{"other/n.txt": strings.Repeat("x", pushes)})
	}
	err := tgt.Deploy(context.Background(), target.Config{"repository": bare}, testDeployment("d", false, dbPassword), nil)
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("err = %v, want conflict", err)
	}
	if pushes != maxAttempts {
		t.Errorf("tried %d pushes, want %d", pushes, maxAttempts)
	}
	if c := head(t, bare); strings.Contains(c.Message, "pave") {
		t.Errorf("head is a pave commit after giving up: %s", c.Message)
	}
}

// TestPathIsAFile checks that a file where the path needs a directory is
// a conflict, and the file is left alone.
func TestPathIsAFile(t *testing.T) {
	bare := newBareRepo(t)
	pushOther(t, bare, map[string]string{"shop": "a file\n"})
	err := New(Options{HashKey: testHashKey}).Deploy(context.Background(), target.Config{"repository": bare}, testDeployment("d", false, dbPassword), nil)
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("err = %v, want conflict", err)
	}
}

// TestNoHashKey checks that Secrets without a platform hash key are
// refused before anything is pushed.
func TestNoHashKey(t *testing.T) {
	bare := newBareRepo(t)
	err := New(Options{}).Deploy(context.Background(), target.Config{"repository": bare}, testDeployment("d", false, dbPassword), nil)
	if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "hash key") {
		t.Fatalf("err = %v, want invalid naming the hash key", err)
	}
	if head(t, bare) != nil {
		t.Error("something was pushed")
	}
}

func logString(err error) string {
	var e *errs.Error
	if ok := asErr(err, &e); ok {
		return e.LogString()
	}
	return err.Error()
}

func asErr(err error, target **errs.Error) bool {
	for err != nil {
		if e, ok := err.(*errs.Error); ok {
			*target = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkKustomization checks that kustomization.yaml lists exactly the
// object files of the directory.
func checkKustomization(t *testing.T, files map[string]string) {
	t.Helper()
	var k struct {
		Resources []string `yaml:"resources"`
	}
	if err := yaml.Unmarshal([]byte(files["kustomization.yaml"]), &k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	var objects []string
	for p := range files {
		if strings.HasSuffix(p, ".yaml") && !strings.Contains(p, "/") && p != "kustomization.yaml" {
			objects = append(objects, p)
		}
	}
	listed := slices.Clone(k.Resources)
	slices.Sort(listed)
	slices.Sort(objects)
	if !slices.Equal(listed, objects) {
		t.Errorf("kustomization.yaml lists %v, the directory has %v", listed, objects)
	}
}

// checkDecrypts decrypts an age file with identity and checks it is Secret
// name with data[key] = value.
func checkDecrypts(t *testing.T, identity *age.X25519Identity, file, name, key, value string) {
	t.Helper()
	if !strings.HasPrefix(file, "-----BEGIN AGE ENCRYPTED FILE-----") {
		t.Fatalf("secret file of %s is not an armored age file: %.40q", name, file)
	}
	r, err := age.Decrypt(armor.NewReader(strings.NewReader(file)), identity)
	if err != nil {
		t.Fatalf("decrypt %s: %v", name, err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var sec struct {
		APIVersion string            `yaml:"apiVersion"`
		Kind       string            `yaml:"kind"`
		Metadata   map[string]any    `yaml:"metadata"`
		Data       map[string]string `yaml:"data"`
		StringData map[string]string `yaml:"stringData"`
	}
	if err := yaml.Unmarshal(plain, &sec); err != nil {
		t.Fatalf("decrypted %s is not YAML: %v", name, err)
	}
	if sec.APIVersion != "v1" || sec.Kind != "Secret" || sec.Metadata["name"] != name {
		t.Fatalf("decrypted %s is %s %s %v", name, sec.APIVersion, sec.Kind, sec.Metadata["name"])
	}
	got, ok := sec.StringData[key]
	if !ok {
		b, err := base64.StdEncoding.DecodeString(sec.Data[key])
		if err != nil {
			t.Fatalf("decrypted %s: data.%s: %v", name, key, err)
		}
		got = string(b)
	}
	if got != value {
		t.Errorf("decrypted %s: %s = %q, want %q", name, key, got, value)
	}
}

// TestConcurrentApps deploys four apps to one repository at once: every
// deploy lands, each in its own commit, whatever order the pushes race in.
func TestConcurrentApps(t *testing.T) {
	bare := newBareRepo(t)
	tgt := New(Options{HashKey: testHashKey})
	apps := []string{"alpha", "beta", "gamma", "delta"}
	errc := make(chan error, len(apps))
	var wg sync.WaitGroup
	for _, app := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := testDeployment("dep-"+app, false, dbPassword)
			d.App = app
			errc <- tgt.Deploy(context.Background(), target.Config{"repository": bare}, d, nil)
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Errorf("deploy: %v", err)
		}
	}
	if n := commitCount(t, bare); n != len(apps) {
		t.Errorf("%d commits, want %d", n, len(apps))
	}
	files := treeFiles(t, head(t, bare), "")
	for _, app := range apps {
		if _, ok := files[app+"/staging/deployment-web.yaml"]; !ok {
			t.Errorf("%s/staging is missing", app)
		}
	}
}

// TestBranches deploys to a new branch and to an existing one of a
// repository with other branches and histories it does not fetch.
func TestBranches(t *testing.T) {
	bare := newBareRepo(t)
	pushOther(t, bare, map[string]string{"README.md": "one\n"})
	pushOther(t, bare, map[string]string{"README.md": "two\n"})
	work := t.TempDir()
	runGit(t, work, "clone", "--quiet", bare, "w")
	runGit(t, work+"/w", "checkout", "--quiet", "--orphan", "unrelated")
	runGit(t, work+"/w", "rm", "-rfq", ".")
	runGit(t, work+"/w", "commit", "--quiet", "--allow-empty", "-m", "unrelated root")
	runGit(t, work+"/w", "push", "--quiet", "origin", "unrelated")

	tgt := New(Options{HashKey: testHashKey})
	for _, branch := range []string{"main", "env/prod"} {
		cfg := target.Config{"repository": "file://" + bare, "branch": branch}
		if err := tgt.Deploy(context.Background(), cfg, testDeployment("dep-"+branch, false, dbPassword), nil); err != nil {
			t.Fatalf("deploy to %s: %v", branch, err)
		}
		out := runGit(t, bare, "ls-tree", "-r", "--name-only", branch)
		if !strings.Contains(out, "shop/staging/deployment-web.yaml") {
			t.Errorf("branch %s lacks the manifests:\n%s", branch, out)
		}
	}
	if out := runGit(t, bare, "log", "--format=%s", "main"); !strings.Contains(out, "other writer\nother writer") {
		t.Errorf("main lost its history:\n%s", out)
	}
	if out := runGit(t, bare, "rev-list", "--count", "env/prod"); strings.TrimSpace(out) != "1" {
		t.Errorf("the new branch env/prod has %s commits, want 1", out)
	}
	runGit(t, bare, "fsck", "--strict")
}
