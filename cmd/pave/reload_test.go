package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const reloadPlatform = `apiVersion: pave.dev/v1
kind: EnvironmentType
metadata:
  name: development
---
apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: %s
spec:
  type: development
  target:
    kind: process
`

// platformState is what GET /api/v1/platform says about the config.
type platformState struct {
	Revision     string `json:"revision"`
	Environments []struct {
		Name string `json:"name"`
	} `json:"environments"`
	LastError *struct {
		Revision string `json:"revision"`
		Errors   []struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"errors"`
	} `json:"lastError"`
}

// TestServerReloadsOnHangup runs pave server on a platform directory and
// changes it on disk: SIGHUP puts a valid change in force, refuses an
// invalid one (logged as JSON with file:line, shown as lastError) and
// keeps the good config.
func TestServerReloadsOnHangup(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server")
	}
	tmp := t.TempDir()
	platform := filepath.Join(tmp, "platform")
	writeFile(t, filepath.Join(platform, "platform.yaml"), fmt.Sprintf(reloadPlatform, "dev"))
	env := append(os.Environ(), "PAVE_STATE="+filepath.Join(tmp, "state"), "PAVE_DATABASE_URL=", "PAVE_SECRET_KEY=",
		"PAVE_SERVER=", "PAVE_TOKEN=", "PAVE_PLATFORM=")
	run := func(args ...string) string {
		cmd := exec.Command(paveBin, args...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pave %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("user", "create", "pia", "--role", "platform-engineer")
	token := run("token", "create", "--user", "pia")

	logPath := filepath.Join(tmp, "server.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := exec.Command(paveBin, "server", "--listen", "127.0.0.1:0", "--platform", platform, "--reload-every", "0")
	srv.Env, srv.Stderr = env, logf
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Process.Signal(syscall.SIGTERM)
		srv.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("server log:\n%s", b)
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "pave server listening on ")
	if err != nil || !ok {
		t.Fatalf("server said %q: %v", line, err)
	}
	get := func() platformState {
		t.Helper()
		req, _ := http.NewRequest("GET", url+"/api/v1/platform", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st platformState
		if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&st) != nil {
			t.Fatalf("GET /api/v1/platform = %d", resp.StatusCode)
		}
		return st
	}
	// hangup sends SIGHUP and waits until the server's answer satisfies
	// done; the reload itself is not timed.
	hangup := func(what string, done func(platformState) bool) platformState {
		t.Helper()
		if err := srv.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(time.Minute)
		for {
			if st := get(); done(st) {
				return st
			}
			if time.Now().After(deadline) {
				t.Fatalf("after SIGHUP, never %s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	first := get()
	if first.Revision == "" || len(first.Environments) != 1 || first.Environments[0].Name != "dev" {
		t.Fatalf("first config: %+v", first)
	}

	// Line 11 names an environment type that does not exist.
	writeFile(t, filepath.Join(platform, "platform.yaml"), strings.Replace(fmt.Sprintf(reloadPlatform, "dev"), "type: development", "type: nope", 1))
	st := hangup("refused the invalid change", func(st platformState) bool { return st.LastError != nil })
	if st.Revision != first.Revision || len(st.LastError.Errors) == 0 ||
		st.LastError.Errors[0].File != filepath.Join(platform, "platform.yaml") || st.LastError.Errors[0].Line != 11 {
		t.Fatalf("after an invalid change: %+v", st)
	}

	writeFile(t, filepath.Join(platform, "platform.yaml"), fmt.Sprintf(reloadPlatform, "dev2"))
	st = hangup("took the valid change", func(st platformState) bool { return st.Revision != first.Revision })
	if st.LastError != nil || len(st.Environments) != 1 || st.Environments[0].Name != "dev2" {
		t.Fatalf("after a valid change: %+v", st)
	}

	// The refusal is logged as one JSON line, its errors with file:line.
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range strings.Split(string(b), "\n") {
		var m struct {
			Msg    string   `json:"msg"`
			Errors []string `json:"errors"`
		}
		if json.Unmarshal([]byte(l), &m) == nil && strings.HasPrefix(m.Msg, "platform config change refused") {
			found = len(m.Errors) > 0 && strings.HasPrefix(m.Errors[0], filepath.Join(platform, "platform.yaml")+":11: ")
		}
	}
	if !found {
		t.Fatal("no JSON log line of the refusal with its file:line")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
