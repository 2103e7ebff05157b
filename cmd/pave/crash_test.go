package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pavedev/pave/internal/testenv"
)

// crashScore is a workload with n private PostgreSQL databases.
func crashScore(n int) string {
	var b strings.Builder
	b.WriteString("apiVersion: score.dev/v1b1\nmetadata:\n  name: app\ncontainers:\n  main:\n    image: busybox\n    command: [\"sleep\", \"3600\"]\n    variables:\n")
	for i := range n {
		fmt.Fprintf(&b, "      DB%d: ${resources.db%d.name}\n", i, i)
	}
	b.WriteString("resources:\n")
	for i := range n {
		fmt.Fprintf(&b, "  db%d:\n    type: postgres\n", i)
	}
	return b.String()
}

// TestCrashSafety kills pave with SIGKILL at random moments of deployments,
// 20 times, and checks after each restart that every deployment is
// terminal, and that the databases and roles in pg_catalog are exactly
// those the store records: none orphaned, none duplicated, none missing.
func TestCrashSafety(t *testing.T) {
	testenv.RequirePostgres(t)
	if testing.Short() {
		t.Skip("-short: the crash test takes about a minute")
	}
	dir := t.TempDir()
	suffix := make([]byte, 3)
	rand.Read(suffix)
	app := "crash-" + hex.EncodeToString(suffix)
	platform := examplePath("platform")
	score := filepath.Join(dir, "app.score.yaml")
	deploy := []string{"deploy", "--platform", platform, "--app", app, "--env", "development", score}
	t.Cleanup(func() { pave(t, dir, "destroy", "--platform", platform, "--app", app, "--env", "development") })

	rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for trial := range 20 {
		n := 2 + rng.IntN(5)
		os.WriteFile(score, []byte(crashScore(n)), 0o644)
		cmd := exec.Command(paveBin, deploy...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(rng.IntN(1200)) * time.Millisecond
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		// Restart: the next deployment must complete what was begun.
		r := pave(t, dir, deploy...)
		if r.code != 0 {
			t.Fatalf("trial %d (%d databases, killed after %s): redeploy exit %d\n%s\n%s", trial, n, delay, r.code, r.stdout, r.stderr)
		}
		checkConsistent(t, dir, app, n)
	}
}

func checkConsistent(t *testing.T, dir, app string, want int) {
	t.Helper()
	r := mustPave(t, dir, "deployments", "list", "--app", app, "--env", "development", "-o", "json", "--limit", "1000")
	var deps []struct{ ID, Status string }
	json.Unmarshal([]byte(r.stdout), &deps)
	for _, d := range deps {
		if d.Status == "pending" || d.Status == "running" {
			t.Errorf("deployment %s is %s after a restart", d.ID, d.Status)
		}
	}
	var dbs, roles []string
	for _, res := range resources(t, dir, app, "development", true) {
		if res.Type != "postgres" {
			continue
		}
		if res.Status != "ready" {
			t.Errorf("%s is %s", res.UID, res.Status)
		}
		dbs = append(dbs, fmt.Sprint(res.Outputs["name"]))
		roles = append(roles, fmt.Sprint(res.Outputs["username"]))
	}
	if len(dbs) != want {
		t.Errorf("store records %d databases, want %d", len(dbs), want)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testenv.PostgresURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	prefix := strings.ReplaceAll(app, "-", "_") + "_development_"
	catalog := query(t, conn, "SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1", prefix+"%")
	slices.Sort(dbs)
	if !slices.Equal(catalog, dbs) {
		t.Errorf("pg_database has %v, the store records %v", catalog, dbs)
	}
	for _, role := range roles {
		if got := query(t, conn, "SELECT rolname FROM pg_roles WHERE rolname = $1", role); len(got) != 1 {
			t.Errorf("role of %s: %d in pg_roles", role, len(got))
		}
	}
}

func query(t *testing.T, conn *pgx.Conn, sql string, args ...any) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}
