// Package dockertest gives integration tests a real Docker engine:
// DOCKER_HOST, else the engine .ci/start-docker runs on
// $PAVE_TEST_CACHE/docker.sock, with Compose v2 (DOCKER_CONFIG, else the
// plugin .ci/deps builds into $PAVE_TEST_CACHE/docker-config). Images
// cannot be pulled on the test machines: tests build FROM scratch images
// of static Go programs (ScratchContext).
package dockertest

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/testenv"
)

var (
	engineOnce sync.Once
	engineSkip string
)

// Engine finds the Docker engine, setting DOCKER_HOST and DOCKER_CONFIG
// in this process (and so its children) to the test engine and the Compose
// plugin of .ci/deps when they are unset, and returns "" when it answers,
// else why not.
func Engine() string {
	engineOnce.Do(func() { engineSkip = findEngine() })
	return engineSkip
}

func findEngine() string {
	testenv.LoadCachedEnv()
	cache := testenv.CacheDir()
	if os.Getenv("DOCKER_HOST") == "" {
		if st, err := os.Stat(filepath.Join(cache, "docker.sock")); err == nil && st.Mode()&fs.ModeSocket != 0 {
			os.Setenv("DOCKER_HOST", "unix://"+filepath.Join(cache, "docker.sock"))
		}
	}
	if os.Getenv("DOCKER_CONFIG") == "" {
		if _, err := os.Stat(filepath.Join(cache, "docker-config", "cli-plugins", "docker-compose")); err == nil {
			os.Setenv("DOCKER_CONFIG", filepath.Join(cache, "docker-config"))
		}
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		return "no docker CLI in PATH: install Docker (Debian: docker.io), or run .ci/deps"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, docker, "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("no Docker engine answers at DOCKER_HOST=%q (%s): start one with .ci/start-docker",
			os.Getenv("DOCKER_HOST"), firstLine(string(out)))
	}
	return ""
}

// RequireCompose skips t unless a Docker engine answers and the Compose v2
// plugin is installed.
func RequireCompose(t testing.TB) {
	t.Helper()
	if why := Engine(); why != "" {
		t.Skip(why)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "compose", "version", "--short").CombinedOutput()
	if v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v"); err != nil || !strings.HasPrefix(v, "2.") {
		t.Skipf("the Docker Compose v2 plugin is not installed (`docker compose version`: %s): .ci/deps builds it into $PAVE_TEST_CACHE/docker-config; set DOCKER_CONFIG",
			firstLine(string(out)))
	}
}

// ScratchContext builds the Go program in directory pkg as a static binary
// into dir, with a Dockerfile that makes a FROM scratch image of it, run
// as bin (an absolute path in the image, whose directory is the image's
// PATH), and returns dir, the build context.
func ScratchContext(dir, pkg, bin string) (string, error) {
	name := filepath.Base(bin)
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, name), ".")
	build.Dir = pkg
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", pkg, err, out)
	}
	dockerfile := fmt.Sprintf("FROM scratch\nCOPY %s %s\nENV PATH=%s\nENTRYPOINT [%q]\n", name, bin, filepath.Dir(bin), bin)
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return "", err
	}
	return dir, nil
}

// Docker runs the docker CLI and returns its trimmed output, or fails t.
func Docker(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// AssertNothingLabelled fails t when a container, network or volume with
// label (such as "com.docker.compose.project=shop-dev") exists.
func AssertNothingLabelled(t testing.TB, label string) {
	t.Helper()
	filter := "label=" + label
	if out := Docker(t, "ps", "--all", "--quiet", "--filter", filter); out != "" {
		t.Errorf("containers with %s left: %s", label, out)
	}
	if out := Docker(t, "network", "ls", "--quiet", "--filter", filter); out != "" {
		t.Errorf("networks with %s left: %s", label, out)
	}
	if out := Docker(t, "volume", "ls", "--quiet", "--filter", filter); out != "" {
		t.Errorf("volumes with %s left: %s", label, out)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
