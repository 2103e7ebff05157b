package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The end-to-end tests of the kubernetes, gitops and compose targets
// (TestShopOnKubernetes, TestShopOnGitOps, TestShopOnCompose) drive the
// pave binary through the same life of the sample shop as TestShopLifecycle
// does on the process target: deploy it to development; deploy a changed
// version (a new image tag and variable, the worker workload removed, and
// where the target allows the API's service removed); promote it to
// staging; destroy both; and check on the target itself that nothing is
// left. Each run has its own app name, so that runs sharing a Docker
// engine or a database server never meet.

// shopRun is one app of the sample shop, its state in dir and its
// platform a copy of the sample platform with environments on one target.
type shopRun struct {
	t        *testing.T
	dir      string
	platform string
	app      string
}

// newShopRun copies the sample platform into a temporary directory, with
// environments (the content of environments.yaml) replacing the sample's
// and every old → new of edits applied to the definitions.
func newShopRun(t *testing.T, environments string, edits ...string) *shopRun {
	t.Helper()
	dir := t.TempDir()
	platform := filepath.Join(dir, "platform")
	src := examplePath("platform")
	err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(platform, rel)
		if e.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		text := string(data)
		if rel == "environments.yaml" {
			text = environments
		} else if strings.HasPrefix(rel, "definitions"+string(filepath.Separator)) {
			for i := 0; i+1 < len(edits); i += 2 {
				text = strings.ReplaceAll(text, edits[i], edits[i+1])
			}
		}
		return os.WriteFile(dst, []byte(text), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 3)
	rand.Read(b)
	return &shopRun{t: t, dir: dir, platform: platform, app: "shop" + hex.EncodeToString(b)}
}

// shopVersion says how the sample shop's Score files are changed for a
// deployment.
type shopVersion struct {
	// image replaces the image of both workloads when not empty.
	image string
	// release, when not empty, is the value of a variable SHOP_RELEASE
	// added to shop-api.
	release string
	// port replaces shop-api's service port (80) when not 0.
	port int
	// noService removes shop-api's service ports.
	noService bool
	// noProbe removes shop-api's HTTP readiness probe.
	noProbe bool
	// noWorker leaves shop-worker out of the deployment.
	noWorker bool
}

// files writes the shop's Score files changed as v says into a new
// directory and returns their paths. Each change must find the text it
// changes, so that a change of the sample breaks the test loudly.
func (r *shopRun) files(v shopVersion) []string {
	t := r.t
	t.Helper()
	dir, err := os.MkdirTemp(r.dir, "score-")
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		data, err := os.ReadFile(examplePath("shop", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	replace := func(s, old, new string) string {
		t.Helper()
		if !strings.Contains(s, old) {
			t.Fatalf("the sample shop's Score files no longer hold %q", old)
		}
		return strings.Replace(s, old, new, 1)
	}
	const sampleImage = "ghcr.io/pavedev/shop-api:1.0.0"
	api, worker := read("api.score.yaml"), read("worker.score.yaml")
	if v.image != "" {
		api, worker = replace(api, sampleImage, v.image), replace(worker, sampleImage, v.image)
	}
	if v.release != "" {
		api = replace(api, "      REDIS_PREFIX: ${resources.cache.prefix}\n",
			"      REDIS_PREFIX: ${resources.cache.prefix}\n      SHOP_RELEASE: \""+v.release+"\"\n")
	}
	if v.port != 0 {
		api = replace(api, "      port: 80\n      targetPort: 8080\n", fmt.Sprintf("      port: %d\n      targetPort: 8080\n", v.port))
	}
	if v.noService {
		start, end := strings.Index(api, "\nservice:\n"), strings.Index(api, "\nresources:\n")
		if start < 0 || end < start {
			t.Fatal("the sample shop-api has no service section before its resources")
		}
		api = api[:start] + api[end:]
	}
	if v.noProbe {
		api = replace(api, "    readinessProbe:\n      httpGet:\n        path: /healthz\n        port: 8080\n", "")
	}
	paths := []string{filepath.Join(dir, "api.score.yaml")}
	if !v.noWorker {
		paths = append(paths, filepath.Join(dir, "worker.score.yaml"))
	}
	for i, content := range []string{api, worker}[:len(paths)] {
		if err := os.WriteFile(paths[i], []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// pave runs pave in the run's directory and fails the test unless it
// exits 0.
func (r *shopRun) pave(args ...string) result {
	r.t.Helper()
	return mustPave(r.t, r.dir, args...)
}

// secret sets a platform secret.
func (r *shopRun) secret(name, value string) {
	r.t.Helper()
	if res := paveCtx(r.t, r.t.Context(), r.dir, value, "secrets", "set", name); res.code != 0 {
		r.t.Fatalf("secrets set %s: exit %d\n%s", name, res.code, res.stderr)
	}
}

// deploy deploys the files to env and checks that the deployment
// succeeded.
func (r *shopRun) deploy(env string, files []string) {
	r.t.Helper()
	args := []string{"deploy", "--platform", r.platform, "--app", r.app, "--env", env, "-o", "json"}
	res := r.pave(append(args, files...)...)
	if s := summary(r.t, res.stdout); s["status"] != "succeeded" {
		r.t.Fatalf("deploy to %s: %v", env, s)
	}
}

// promote promotes from one environment to another and checks that the
// deployment succeeded.
func (r *shopRun) promote(from, to string) {
	r.t.Helper()
	res := r.pave("promote", "--platform", r.platform, "--app", r.app, "--from", from, "--to", to, "-o", "json")
	if s := summary(r.t, res.stdout); s["status"] != "succeeded" {
		r.t.Fatalf("promote %s to %s: %v", from, to, s)
	}
}

// destroy destroys env and checks that pave holds no resource of it.
func (r *shopRun) destroy(env string) {
	r.t.Helper()
	r.pave("destroy", "--platform", r.platform, "--app", r.app, "--env", env)
	if left := resources(r.t, r.dir, r.app, env, false); len(left) != 0 {
		r.t.Errorf("%s: resources left: %+v", env, left)
	}
}

// cleanup destroys the environments when the test ends, whatever became
// of it: after a successful destroy this does nothing.
func (r *shopRun) cleanup(envs ...string) {
	r.t.Cleanup(func() {
		for _, env := range envs {
			pave(r.t, r.dir, "destroy", "--platform", r.platform, "--app", r.app, "--env", env)
		}
	})
}

// secretValues are the secret outputs of rs (revealed), in the forms they
// may take in files: as they are and base64-encoded.
func secretValues(rs []resourceView) [][]byte {
	var out [][]byte
	for _, r := range rs {
		for _, k := range []string{"username", "password"} {
			v, ok := r.Outputs[k].(string)
			if !ok || len(v) < 8 {
				continue
			}
			out = append(out, []byte(v), []byte(base64.StdEncoding.EncodeToString([]byte(v))))
		}
	}
	return out
}
