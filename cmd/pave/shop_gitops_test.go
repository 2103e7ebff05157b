package main

import (
	"encoding/base64"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"
	"gopkg.in/yaml.v3"

	"github.com/pavedev/pave/internal/testenv/gittest"
)

// The credentials of the test Git HTTP server; the password is a platform
// secret.
const (
	gitUser     = "deployer"
	gitPassword = "git-pass-Vb72Qe0Lx4"
)

// gitopsEnvironments commits development through file:// and staging over
// smart HTTP with credentials, both to one repository, encrypting Secrets
// to one age recipient.
const gitopsEnvironments = `apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: development
spec:
  type: development
  target:
    kind: gitops
    config:
      repository: file://BARE
      authorName: pave bot
      authorEmail: bot@pave.example
      ageRecipients: [RECIPIENT]
---
apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: staging
spec:
  type: staging
  target:
    kind: gitops
    config:
      repository: HTTPURL/deploy.git
      username: deployer
      password: ${secrets.git-password}
      authorName: pave bot
      authorEmail: bot@pave.example
      ageRecipients: [RECIPIENT]
`

// TestShopOnGitOps is the sample shop's life on the gitops target, with a
// real bare repository reached as a file:// URL (development) and through
// git http-backend (staging), and a real database and cache. After both
// environments are destroyed, the head of the branch holds nothing of the
// app, and no object the repository stores, in any commit, holds a secret.
func TestShopOnGitOps(t *testing.T) {
	// Staging's postgres is the sample platform's OpenTofu module.
	requireStagingTools(t)
	bare := gittest.NewBareRepo(t)
	url := gittest.HTTPServer(t, filepath.Dir(bare), gitUser, gitPassword)
	identity, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	envs := strings.NewReplacer("BARE", bare, "HTTPURL", url, "RECIPIENT", identity.Recipient().String()).Replace(gitopsEnvironments)
	r := newShopRun(t, envs)
	r.cleanup("staging", "development")
	r.secret("git-password", gitPassword)
	r.secret("staging-postgres-admin-password", stagingAdminPassword(t))
	devPath, stagingPath := r.app+"/development", r.app+"/staging"

	// Version 1: one commit with both workloads, the Secrets encrypted.
	r.deploy("development", r.files(shopVersion{}))
	head := gittest.Head(t, bare)
	if !strings.Contains(head.Message, r.app) || !strings.Contains(head.Message, "development") || head.Author.Name != "pave bot" {
		t.Errorf("commit by %s:\n%s", head.Author.String(), head.Message)
	}
	files := gittest.TreeFiles(t, head, devPath)
	for _, f := range []string{"deployment-shop-api.yaml", "deployment-shop-worker.yaml", "service-shop-api.yaml",
		"namespace-" + r.app + "-development.yaml", "secrets/shop-api-secrets.yaml.age", "secrets/shop-worker-secrets.yaml.age"} {
		if _, ok := files[f]; !ok {
			t.Errorf("%s/%s is not committed; the directory has %v", devPath, f, slices.Sorted(maps.Keys(files)))
		}
	}
	checkKustomization(t, devPath, files)
	devRes := resources(t, r.dir, r.app, "development", true)
	checkAgeSecret(t, identity, files["secrets/shop-api-secrets.yaml.age"], "DB_PASSWORD", revealed(t, devRes, "postgres", "password"))

	// Version 2: the worker's and the service's files are removed.
	r.deploy("development", r.files(shopVersion{image: "ghcr.io/pavedev/shop-api:1.1.0", release: "2", noService: true, noWorker: true}))
	files = gittest.TreeFiles(t, gittest.Head(t, bare), devPath)
	checkGitopsV2(t, devPath, files)
	checkKustomization(t, devPath, files)

	// Promotion: staging's directory, pushed over HTTP; development's stays.
	r.promote("development", "staging")
	head = gittest.Head(t, bare)
	staging := gittest.TreeFiles(t, head, stagingPath)
	checkGitopsV2(t, stagingPath, staging)
	checkKustomization(t, stagingPath, staging)
	stagingRes := resources(t, r.dir, r.app, "staging", true)
	checkAgeSecret(t, identity, staging["secrets/shop-api-secrets.yaml.age"], "DB_PASSWORD", revealed(t, stagingRes, "postgres", "password"))
	if len(gittest.TreeFiles(t, head, devPath)) != len(files) {
		t.Errorf("promoting to staging changed %s", devPath)
	}

	r.destroy("staging")
	r.destroy("development")
	for p := range gittest.TreeFiles(t, gittest.Head(t, bare), "") {
		if strings.HasPrefix(p, r.app+"/") {
			t.Errorf("%s is still at the head after destroy", p)
		}
	}
	// deploy, deploy, promote, destroy, destroy.
	if n := gittest.CommitCount(t, bare); n != 5 {
		t.Errorf("%d commits, want 5", n)
	}
	needles := append(secretValues(append(devRes, stagingRes...)),
		[]byte(gitPassword), []byte(base64.StdEncoding.EncodeToString([]byte(gitUser+":"+gitPassword))))
	if len(needles) < 10 {
		t.Fatalf("only %d secret values to look for", len(needles))
	}
	if found, ok := gittest.ContainsAny(gittest.EverythingStored(t, bare), needles...); ok {
		t.Errorf("a secret value (%q) is in the repository", found)
	}
	gittest.Run(t, bare, "fsck", "--strict")
	assertGone(t, append(devRes, stagingRes...))
}

// checkGitopsV2 checks that the directory holds the second version: the
// new image and variable, and nothing of the worker or the service.
func checkGitopsV2(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	api := files["deployment-shop-api.yaml"]
	if !strings.Contains(api, "image: ghcr.io/pavedev/shop-api:1.1.0") || !strings.Contains(api, "SHOP_RELEASE") {
		t.Errorf("%s/deployment-shop-api.yaml is not the second version:\n%s", dir, api)
	}
	for _, gone := range []string{"deployment-shop-worker.yaml", "service-shop-api.yaml", "secrets/shop-worker-secrets.yaml.age"} {
		if _, ok := files[gone]; ok {
			t.Errorf("%s/%s is still committed", dir, gone)
		}
	}
}

// checkKustomization checks that kustomization.yaml lists exactly the
// object files of the directory.
func checkKustomization(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	var k struct {
		Resources []string `yaml:"resources"`
	}
	if err := yaml.Unmarshal([]byte(files["kustomization.yaml"]), &k); err != nil {
		t.Fatalf("%s/kustomization.yaml: %v", dir, err)
	}
	var objects []string
	for p := range files {
		if strings.HasSuffix(p, ".yaml") && !strings.Contains(p, "/") && p != "kustomization.yaml" {
			objects = append(objects, p)
		}
	}
	slices.Sort(objects)
	if listed := slices.Sorted(slices.Values(k.Resources)); !slices.Equal(listed, objects) {
		t.Errorf("%s/kustomization.yaml lists %v, the directory has %v", dir, listed, objects)
	}
}

// checkAgeSecret decrypts an armored age file with identity and checks
// that the Secret in it holds value under key.
func checkAgeSecret(t *testing.T, identity *age.X25519Identity, file, key, value string) {
	t.Helper()
	rd, err := age.Decrypt(armor.NewReader(strings.NewReader(file)), identity)
	if err != nil {
		t.Fatalf("decrypt the committed Secret: %v", err)
	}
	plain, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Kind       string            `yaml:"kind"`
		Data       map[string]string `yaml:"data"`
		StringData map[string]string `yaml:"stringData"`
	}
	if err := yaml.Unmarshal(plain, &s); err != nil || s.Kind != "Secret" {
		t.Fatalf("the decrypted file is not a Secret: %v", err)
	}
	got, ok := s.StringData[key]
	if !ok {
		b, _ := base64.StdEncoding.DecodeString(s.Data[key])
		got = string(b)
	}
	if got != value {
		t.Errorf("the committed Secret does not hold the resource's %s", key)
	}
}
