package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/testenv/kubetest"
)

// The tests of this package drive the real pave binary, built once.
var (
	paveBin string // the pave binary
	binDir  string // PATH directory with pave and the sample apps
	repo    string // repository root
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pave-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	defer kubetest.StopAll()
	_, file, _, _ := runtime.Caller(0)
	repo = filepath.Join(filepath.Dir(file), "..", "..")
	binDir = filepath.Join(dir, "bin")
	for pkg, name := range map[string]string{"./cmd/pave": "pave", "./examples/shop/cmd/shop-api": "shop-api"} {
		build := exec.Command("go", "build", "-o", filepath.Join(binDir, name), pkg)
		build.Dir = repo
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", pkg, err, out)
			return 1
		}
	}
	paveBin = filepath.Join(binDir, "pave")
	return m.Run()
}

// result is one pave run.
type result struct {
	code           int
	stdout, stderr string
}

// pave runs the binary in dir with args and the test's PATH.
func pave(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return paveCtx(t, context.Background(), dir, "", args...)
}

func paveCtx(t *testing.T, ctx context.Context, dir, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, paveBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run pave %v: %v", args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// mustPave runs pave and fails the test unless it exits 0.
func mustPave(t *testing.T, dir string, args ...string) result {
	t.Helper()
	r := pave(t, dir, args...)
	if r.code != 0 {
		t.Fatalf("pave %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// summary finds the summary line of `deploy -o json` output.
func summary(t *testing.T, out string) map[string]any {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("deploy -o json printed a line that is not JSON: %q", sc.Text())
		}
		if line["type"] == "summary" {
			return line["summary"].(map[string]any)
		}
	}
	t.Fatalf("no summary line in:\n%s", out)
	return nil
}

func examplePath(parts ...string) string {
	return filepath.Join(append([]string{repo, "examples"}, parts...)...)
}
