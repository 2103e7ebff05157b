// Package testenv lets integration tests find the real services and tools
// they need, and skip with the reason when one is absent. CI provides every
// one of them (.ci/run), so CI skips nothing.
package testenv

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Addresses of the services on this machine, overridable by environment.
var (
	PostgresURL = env("PAVE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	MySQLURL    = env("PAVE_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/")
	RedisAddr   = env("PAVE_TEST_REDIS_ADDR", "127.0.0.1:6379")
)

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// RequireTCP skips t unless something listens at addr.
func RequireTCP(t testing.TB, service, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Skipf("%s is not reachable at %s (%v): start it, or run .ci/services", service, addr, err)
	}
	conn.Close()
}

// RequirePostgres skips t unless PostgreSQL answers.
func RequirePostgres(t testing.TB) {
	RequireTCP(t, "PostgreSQL", hostPort(PostgresURL, "127.0.0.1:5432"))
}

// RequireMySQL skips t unless MariaDB/MySQL answers.
func RequireMySQL(t testing.TB) { RequireTCP(t, "MariaDB", hostPort(MySQLURL, "127.0.0.1:3306")) }

// RequireRedis skips t unless Redis answers.
func RequireRedis(t testing.TB) { RequireTCP(t, "Redis", RedisAddr) }

func hostPort(url, def string) string {
	i := strings.Index(url, "://")
	if i < 0 {
		return def
	}
	rest := url[i+3:]
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[:i]
	}
	if rest == "" {
		return def
	}
	return rest
}

var loadOnce sync.Once

// CacheDir is where .ci/deps caches built test dependencies.
func CacheDir() string {
	if d := os.Getenv("PAVE_TEST_CACHE"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".cache", "pave-test")
}

// LoadCachedEnv applies the `export KEY=VALUE` lines of the env.sh that
// .ci/deps writes, for variables not already set, so that `go test ./...`
// finds cached tools (kube-apiserver, tofu, providers) with no wrapper.
func LoadCachedEnv() {
	loadOnce.Do(func() {
		f, err := os.Open(filepath.Join(CacheDir(), "env.sh"))
		if err != nil {
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "export ")
			if !ok {
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok || os.Getenv(k) != "" {
				continue
			}
			v = strings.Trim(v, `"'`)
			if k == "PATH" {
				continue // PATH additions are handled by Binary
			}
			os.Setenv(k, os.ExpandEnv(v))
		}
	})
}

// Binary finds a tool in PATH or in the cache's bin directory.
func Binary(name string) (string, bool) {
	LoadCachedEnv()
	if p, err := lookPath(filepath.Join(CacheDir(), "bin", name)); err == nil {
		return p, true
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if p, err := lookPath(filepath.Join(dir, name)); err == nil {
			return p, true
		}
	}
	return "", false
}

func lookPath(p string) (string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return "", err
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return "", os.ErrPermission
	}
	return p, nil
}

// RequireBinary skips t unless the tool name is in PATH or the cache's bin
// directory, and returns its path.
func RequireBinary(t testing.TB, name, why string) string {
	t.Helper()
	p, ok := Binary(name)
	if !ok {
		t.Skipf("%s is not installed (%s): install it, or run .ci/deps", name, why)
	}
	return p
}

// RequireTofu skips t unless OpenTofu or Terraform ($PAVE_TOFU_BINARY,
// tofu, terraform) and a CLI config with a provider mirror
// ($TF_CLI_CONFIG_FILE, for machines without network) are available, as
// .ci/deps provides them, and returns the tool's path.
func RequireTofu(t testing.TB) string {
	t.Helper()
	LoadCachedEnv()
	bin := os.Getenv("PAVE_TOFU_BINARY")
	if bin != "" {
		if _, err := lookPath(bin); err != nil {
			t.Skipf("PAVE_TOFU_BINARY=%s is not an executable file: run .ci/deps and source its env.sh", bin)
		}
	} else {
		var ok bool
		if bin, ok = Binary("tofu"); !ok {
			if bin, ok = Binary("terraform"); !ok {
				t.Skip("neither tofu nor terraform is installed: run .ci/deps and source its env.sh, or set PAVE_TOFU_BINARY")
			}
		}
	}
	rc := os.Getenv("TF_CLI_CONFIG_FILE")
	if rc == "" {
		t.Skip("TF_CLI_CONFIG_FILE is not set: modules need a CLI config with a provider mirror (run .ci/deps and source its env.sh)")
	}
	if _, err := os.Stat(rc); err != nil {
		t.Skipf("TF_CLI_CONFIG_FILE: %v: modules need a CLI config with a provider mirror (run .ci/deps and source its env.sh)", err)
	}
	return bin
}
