//go:build unix

package compose

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// Secret values of sample; none may be written outside secrets/.
const (
	secretVar  = "s3cr3t-token-Value"
	secretFile = "-----BEGIN KEY-----\nfile-secret-abcdef\n-----END KEY-----\n"
)

// sample is a deployment with plain and secret variables and files, two
// workloads, one with two containers.
func sample(greeting, config string) *target.Deployment {
	return &target.Deployment{
		App: "shop", Env: "dev",
		Workloads: []target.Workload{
			{
				Name: "web",
				Containers: []target.Container{{
					Name: "main", Image: "example.com/web:1",
					Variables: []target.Variable{
						{Name: "GREETING", Value: target.Value{Text: greeting}},
						{Name: "TOKEN", Value: target.Value{Text: secretVar, Secret: true}},
					},
					Files: []target.File{
						{Path: "/etc/web/config.txt", Content: []byte(config)},
						{Path: "/etc/web/key.pem", Content: []byte(secretFile), Secret: true},
					},
				}},
				Ports: []target.Port{{Name: "http", Port: 8080, TargetPort: 8080, Protocol: "TCP"}},
			},
			{
				Name: "worker",
				Containers: []target.Container{
					{Name: "main", Image: "example.com/worker:1", Files: []target.File{{Path: "/etc/worker.txt", Content: []byte("w")}}},
					{Name: "side", Image: "example.com/side:1"},
				},
			},
		},
	}
}

// renderAndWrite does what Deploy does before `docker compose up`.
func renderAndWrite(t *testing.T, dir string, d *target.Deployment) (yamlText []byte, labels map[string]map[string]string) {
	t.Helper()
	rp, err := renderProject(d, settings{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	y, err := rp.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(context.Background(), dir, rp, y); err != nil {
		t.Fatal(err)
	}
	if err := writeProject(dir, rp, y); err != nil {
		t.Fatal(err)
	}
	if err := pruneProject(dir, rp); err != nil {
		t.Fatal(err)
	}
	labels = map[string]map[string]string{}
	for _, s := range rp.Services {
		labels[s.Name] = s.Labels
	}
	return y, labels
}

func TestWriteProject(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "project")
	y, labels := renderAndWrite(t, dir, sample("hello", "plain-config"))
	if bytes.Contains(y, []byte(secretVar)) || bytes.Contains(y, []byte("file-secret")) {
		t.Fatalf("compose.yaml holds a secret:\n%s", y)
	}
	if !bytes.Contains(y, []byte("restart: unless-stopped")) {
		t.Errorf("compose.yaml has no restart policy:\n%s", y)
	}
	want := map[string]fs.FileMode{
		"compose.yaml":                      0o644,
		"files/web/etc/web/config.txt":      0o644,
		"files/worker-main/etc/worker.txt":  0o644,
		"secrets/.gitignore":                0o644,
		"secrets/.digest-key":               0o600,
		"secrets/web.env":                   0o600,
		"secrets/files/web/etc/web/key.pem": 0o600,
	}
	got := map[string]fs.FileMode{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if e.IsDir() {
			wantDir := fs.FileMode(0o755)
			if rel == "secrets" || strings.HasPrefix(rel, "secrets/") {
				wantDir = 0o700
			}
			if st.Mode().Perm() != wantDir {
				t.Errorf("directory %s has mode %04o, want %04o", rel, st.Mode().Perm(), wantDir)
			}
			return nil
		}
		got[rel] = st.Mode().Perm()
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		hasSecret := bytes.Contains(b, []byte(secretVar)) || bytes.Contains(b, []byte("file-secret-abcdef"))
		if hasSecret && (!strings.HasPrefix(rel, "secrets/") || st.Mode().Perm() != 0o600) {
			t.Errorf("%s (mode %04o) holds a secret value", rel, st.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("files %v, want %v", got, want)
	}
	for p, m := range want {
		if got[p] != m {
			t.Errorf("%s: mode %04o, want %04o", p, got[p], m)
		}
	}
	env, _ := os.ReadFile(filepath.Join(dir, "secrets/web.env"))
	if !bytes.Contains(env, []byte(`TOKEN="`+secretVar+`"`)) {
		t.Errorf("env file:\n%s", env)
	}
	if labels["web"][LabelFilesDigest] == "" || labels["worker-main"][LabelFilesDigest] == "" {
		t.Errorf("services mounting files have no digest label: %v", labels)
	}
	if _, ok := labels["worker-side"][LabelFilesDigest]; ok {
		t.Errorf("a service mounting no file has a digest label")
	}
	// compose.yaml as Compose reads it carries the labels.
	var doc struct {
		Services map[string]struct {
			Labels  map[string]string `yaml:"labels"`
			Restart string            `yaml:"restart"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(y, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Services["web"].Labels[LabelFilesDigest] != labels["web"][LabelFilesDigest] || doc.Services["worker-side"].Restart != RestartPolicy {
		t.Errorf("compose.yaml services %+v", doc.Services)
	}
}

// TestRewriteOnlyChanges checks that a redeploy leaves unchanged files as
// they are (same inode) and replaces changed ones, that the digest label
// follows a file's content, and that files of removed workloads go.
func TestRewriteOnlyChanges(t *testing.T) {
	dir := t.TempDir()
	_, first := renderAndWrite(t, dir, sample("hello", "v1"))
	key, _ := os.ReadFile(filepath.Join(dir, digestKeyFile))
	inode := func(rel string) uint64 {
		st, err := os.Stat(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		return st.Sys().(*syscall.Stat_t).Ino
	}
	envIno, cfgIno := inode("secrets/web.env"), inode("files/web/etc/web/config.txt")

	_, same := renderAndWrite(t, dir, sample("hello", "v1"))
	if same["web"][LabelFilesDigest] != first["web"][LabelFilesDigest] {
		t.Errorf("digest changed with nothing changed")
	}
	if inode("secrets/web.env") != envIno || inode("files/web/etc/web/config.txt") != cfgIno {
		t.Errorf("unchanged files were rewritten")
	}
	if k, _ := os.ReadFile(filepath.Join(dir, digestKeyFile)); !bytes.Equal(k, key) {
		t.Errorf("digest key changed")
	}

	_, changed := renderAndWrite(t, dir, sample("hello", "v2"))
	if changed["web"][LabelFilesDigest] == first["web"][LabelFilesDigest] {
		t.Errorf("digest did not change with the file")
	}
	if changed["worker-main"][LabelFilesDigest] != first["worker-main"][LabelFilesDigest] {
		t.Errorf("digest of an unchanged service changed")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "files/web/etc/web/config.txt")); string(b) != "v2" {
		t.Errorf("config.txt = %q", b)
	}

	d := sample("hello", "v2")
	d.Workloads = d.Workloads[:1]
	os.WriteFile(filepath.Join(dir, "files", tmpPrefix+"123"), nil, 0o600)
	renderAndWrite(t, dir, d)
	for _, gone := range []string{"files/worker-main", "files/" + tmpPrefix + "123"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !os.IsNotExist(err) {
			t.Errorf("%s is still there: %v", gone, err)
		}
	}

	// Only a secret variable left: the secret files and the digest key
	// go, the env file and .gitignore stay.
	d.Workloads[0].Containers[0].Files = d.Workloads[0].Containers[0].Files[:1]
	renderAndWrite(t, dir, d)
	entries, _ := os.ReadDir(filepath.Join(dir, "secrets"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != ".gitignore web.env" {
		t.Errorf("secrets/ holds %q", names)
	}
	// No secret left: secrets/ goes.
	d.Workloads[0].Containers[0].Variables = d.Workloads[0].Containers[0].Variables[:1]
	renderAndWrite(t, dir, d)
	if _, err := os.Stat(filepath.Join(dir, "secrets")); !os.IsNotExist(err) {
		t.Errorf("secrets/ is still there: %v", err)
	}
}

// TestDigestOfSecretFilesIsKeyed checks that the label of a service
// mounting a secret file is not a plain hash anyone could check guesses
// against.
func TestRenderWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "project")
	if _, err := renderProject(sample("hello", "v1"), settings{}, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("renderProject wrote to the project directory: %v", err)
	}
}

func TestDigestOfSecretFilesIsKeyed(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	_, la := renderAndWrite(t, a, sample("hello", "v1"))
	_, lb := renderAndWrite(t, b, sample("hello", "v1"))
	if la["web"][LabelFilesDigest] == lb["web"][LabelFilesDigest] {
		t.Errorf("two projects with different keys give the same digest of a secret file")
	}
	if la["worker-main"][LabelFilesDigest] != lb["worker-main"][LabelFilesDigest] {
		t.Errorf("the digest of plain files depends on the key")
	}
}

func TestWriteFileRefusesPathsOutside(t *testing.T) {
	dir := t.TempDir()
	for _, rel := range []string{"../x", "/etc/x", "a/../../x", `a\..\x`, ""} {
		if err := writeFile(dir, rel, []byte("x"), 0o644); !errs.Is(err, errs.Internal) {
			t.Errorf("writeFile(%q): %v", rel, err)
		}
	}
}

func TestWriteFileTightensSecretDirs(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "secrets", "files"), 0o777)
	os.Chmod(filepath.Join(dir, "secrets"), 0o777)
	if err := writeFile(dir, "secrets/files/x", []byte("s"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"secrets", "secrets/files"} {
		st, _ := os.Stat(filepath.Join(dir, d))
		if st.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %04o", d, st.Mode().Perm())
		}
	}
	// A mode change alone is applied too.
	if err := writeFile(dir, "secrets/files/x", []byte("s"), 0o400); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(filepath.Join(dir, "secrets/files/x")); st.Mode().Perm() != 0o400 {
		t.Errorf("mode %04o", st.Mode().Perm())
	}
}

func TestRenderErrorsNameTheTarget(t *testing.T) {
	d := sample("x", "y")
	d.Workloads[0].Containers[0].Image = "."
	_, err := renderProject(d, settings{}, t.TempDir())
	if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "compose target") || !strings.Contains(err.Error(), `image "." needs a build context`) {
		t.Fatalf("%v", err)
	}
	rp, err := renderProject(d, settings{builds: map[string]string{"web.main": "/src/web"}}, t.TempDir())
	if err != nil || rp.Services[0].Build != "/src/web" {
		t.Fatalf("%v %+v", err, rp)
	}
}

func TestValidateRejects(t *testing.T) {
	dir := t.TempDir()
	rp, err := renderProject(sample("x", "y"), settings{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, y := range map[string]string{
		"not compose":    "services: [1, 2]\n",
		"unknown field":  "services:\n  web:\n    image: x\n    colour: blue\n",
		"wrong services": "services:\n  other:\n    image: x\n",
		"bad port":       "services:\n  web:\n    image: x\n    ports: [{target: 99999999}]\n",
	} {
		if err := validate(context.Background(), dir, rp, []byte(y)); !errs.Is(err, errs.Internal) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRemoveProjectDir(t *testing.T) {
	dir := t.TempDir()
	renderAndWrite(t, dir, sample("hello", "v1"))
	if err := removeProjectDir(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("project dir is still there: %v", err)
	}
	// Someone else's file in a configured project dir stays, with it.
	dir = t.TempDir()
	renderAndWrite(t, dir, sample("hello", "v1"))
	os.WriteFile(filepath.Join(dir, "README"), []byte("mine"), 0o644)
	if err := removeProjectDir(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "README" {
		t.Fatalf("left %v", entries)
	}
	if err := removeProjectDir(filepath.Join(dir, "nothing")); err != nil {
		t.Fatalf("missing dir: %v", err)
	}
}

func TestProjectRedactor(t *testing.T) {
	dir := t.TempDir()
	renderAndWrite(t, dir, sample("hello", "v1"))
	r, err := projectRedactor(dir)
	if err != nil {
		t.Fatal(err)
	}
	in := "token " + secretVar + " key line file-secret-abcdef greeting hello"
	got := r.Redact(in)
	if strings.Contains(got, secretVar) || strings.Contains(got, "file-secret") || !strings.Contains(got, "hello") {
		t.Fatalf("redacted %q", got)
	}
	dr := deploymentRedactor(sample("hello", "v1"))
	if dr.Redact(in) != got {
		t.Errorf("deployment redactor %q, project redactor %q", dr.Redact(in), got)
	}
}
