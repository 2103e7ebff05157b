package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const echoScore = `apiVersion: score.dev/v1b1
metadata:
  name: echo
containers:
  main:
    image: busybox
    command: ["sh", "-c", "echo host=$HOST version=$VERSION; exec sleep 3600"]
    variables:
      HOST: ${resources.dns.host}
      VERSION: "%s"
resources:
  dns:
    type: dns
`

func writeEcho(t *testing.T, dir, version string) string {
	t.Helper()
	path := filepath.Join(dir, "echo.score.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(echoScore, "%s", version, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEnvironmentsHistoryAndSecrets walks the environment and history
// commands on a workload that needs no external service: deploy twice,
// roll back, clone into an ephemeral environment, let it expire and gc it,
// read logs, and rotate the secret key.
func TestEnvironmentsHistoryAndSecrets(t *testing.T) {
	dir := t.TempDir()
	platform := examplePath("platform")
	base := []string{"--platform", platform, "--app", "echo"}
	t.Cleanup(func() {
		pave(t, dir, append([]string{"destroy", "--env", "development"}, base...)...)
		pave(t, dir, append([]string{"destroy", "--env", "preview-1"}, base...)...)
	})

	v1 := writeEcho(t, dir, "v1")
	mustPave(t, dir, append(append([]string{"deploy", "--env", "development"}, base...), v1)...)
	v2 := writeEcho(t, dir, "v2")
	mustPave(t, dir, append(append([]string{"deploy", "--env", "development"}, base...), v2)...)

	var deps []struct{ ID, Status string }
	r := mustPave(t, dir, "deployments", "list", "--app", "echo", "--env", "development", "-o", "json")
	json.Unmarshal([]byte(r.stdout), &deps)
	if len(deps) != 2 || deps[0].Status != "succeeded" {
		t.Fatalf("deployments: %+v", deps)
	}
	show := mustPave(t, dir, "deployments", "show", deps[1].ID)
	if !strings.Contains(show.stdout, "succeeded") {
		t.Errorf("show: %s", show.stdout)
	}
	// Roll back to the first deployment: v1 runs again.
	mustPave(t, dir, append([]string{"rollback", "--env", "development", "--to", deps[1].ID}, base...)...)
	waitLog(t, dir, base, "development", "version=v1")

	// Clone into an ephemeral environment with a TTL, then let it expire.
	mustPave(t, dir, append([]string{"env", "create", "--env", "preview-1", "--type", "development", "--ttl", "1s", "--clone-from", "development"}, base...)...)
	r = mustPave(t, dir, "env", "list", "--app", "echo", "-o", "json")
	if !strings.Contains(r.stdout, `"preview-1"`) || !strings.Contains(r.stdout, `"clonedFrom": "development"`) {
		t.Errorf("env list: %s", r.stdout)
	}
	checkCloned(t, dir, "preview-1")
	time.Sleep(1100 * time.Millisecond)
	r = mustPave(t, dir, "gc", "--platform", platform)
	if !strings.Contains(r.stdout, "destroyed expired environment echo/preview-1") {
		t.Errorf("gc: %s", r.stdout)
	}
	r = mustPave(t, dir, "env", "list", "--app", "echo")
	if strings.Contains(r.stdout, "preview-1") {
		t.Errorf("preview-1 survived gc: %s", r.stdout)
	}

	// Secrets: set one, rotate the key, and the secret still opens.
	r = paveCtx(t, t.Context(), dir, "s3cret-value", "secrets", "set", "demo-secret")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	key1, _ := os.ReadFile(filepath.Join(dir, ".pave", "secret.key"))
	mustPave(t, dir, "secrets", "rotate-key")
	key2, _ := os.ReadFile(filepath.Join(dir, ".pave", "secret.key"))
	if string(key1) == string(key2) {
		t.Error("rotate-key left the key file as it was")
	}
	if r := mustPave(t, dir, "secrets", "list"); !strings.Contains(r.stdout, "demo-secret") {
		t.Errorf("secrets list: %s", r.stdout)
	}
	db, _ := os.ReadFile(filepath.Join(dir, ".pave", "state.db"))
	if strings.Contains(string(db), "s3cret-value") {
		t.Error("the state database holds a secret in clear")
	}
}

// waitLog waits until the workload's log shows want.
func waitLog(t *testing.T, dir string, base []string, env, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		r := pave(t, dir, append([]string{"logs", "--env", env, "echo"}, base...)...)
		if strings.Contains(r.stdout, want) {
			return
		}
		last = r.stdout + r.stderr
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("log of %s never showed %q:\n%s", env, want, last)
}

// checkCloned checks that the clone provisioned the workload's resource in env,
// an environment that is not in the config but takes its template's target.
func checkCloned(t *testing.T, dir, env string) {
	t.Helper()
	r := pave(t, dir, "resources", "list", "--env", env, "-o", "json", "--app", "echo")
	if r.code != 0 || !strings.Contains(r.stdout, "dns.default#echo.echo.dns") {
		t.Fatalf("resources of %s: %s %s", env, r.stdout, r.stderr)
	}
}
