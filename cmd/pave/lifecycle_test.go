package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/pavedev/pave/internal/testenv"
)

// resourceView is one entry of `pave resources list -o json`.
type resourceView struct {
	UID, Type, Class, Definition, Driver, Status string
	Outputs                                      map[string]any
}

func resources(t *testing.T, dir, app, env string, reveal bool) []resourceView {
	t.Helper()
	args := []string{"resources", "list", "--app", app, "--env", env, "-o", "json"}
	if reveal {
		args = append(args, "--reveal")
	}
	r := mustPave(t, dir, args...)
	var out []resourceView
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("resources list: %v\n%s", err, r.stdout)
	}
	return out
}

// freePort returns a TCP port free on 127.0.0.1 right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestShopLifecycle is the proof of the deploy issue: the sample shop is
// deployed to the process target with a real PostgreSQL database (postgres
// driver) and a real Redis ACL user (redis driver), used over HTTP,
// promoted to staging (where the sample platform's postgres is an OpenTofu
// module), and destroyed, after which pg_catalog and ACL LIST hold nothing
// of it.
func TestShopLifecycle(t *testing.T) {
	requireStagingTools(t)
	dir := t.TempDir()
	port := freePort(t)
	platform := examplePath("platform")
	// The sample's API listens on 8080; a free port keeps the test away
	// from whatever else runs on this machine.
	api, err := os.ReadFile(examplePath("shop", "api.score.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	apiFile := filepath.Join(dir, "api.score.yaml")
	os.WriteFile(apiFile, []byte(strings.ReplaceAll(string(api), "8080", strconv.Itoa(port))), 0o644)
	files := []string{apiFile, examplePath("shop", "worker.score.yaml")}
	t.Cleanup(func() {
		pave(t, dir, "destroy", "--platform", platform, "--app", "shop", "--env", "staging")
		pave(t, dir, "destroy", "--platform", platform, "--app", "shop", "--env", "development")
	})

	// Deploy to development, streaming JSON lines.
	args := []string{"deploy", "--platform", platform, "--app", "shop", "--env", "development", "-o", "json"}
	r := mustPave(t, dir, append(args, files...)...)
	if s := summary(t, r.stdout); s["status"] != "succeeded" {
		t.Fatalf("summary: %v", s)
	}
	useShop(t, port, "apple")

	masked := resources(t, dir, "shop", "development", false)
	for _, res := range masked {
		if res.Type == "postgres" && res.Outputs["password"] != "********" {
			t.Errorf("password not masked: %v", res.Outputs["password"])
		}
	}
	dev := resources(t, dir, "shop", "development", true)

	// Promote to staging: the same workloads, staging's definitions, which
	// read the admin password from a platform secret; staging's processes
	// listen at portOffset (1000) above development's.
	r = paveCtx(t, context.Background(), dir, stagingAdminPassword(t), "secrets", "set", "staging-postgres-admin-password")
	if r.code != 0 {
		t.Fatalf("secrets set: %s", r.stderr)
	}
	r = mustPave(t, dir, "promote", "--platform", platform, "--app", "shop", "--from", "development", "--to", "staging", "-o", "json")
	if s := summary(t, r.stdout); s["status"] != "succeeded" {
		t.Fatalf("promote: %v", s)
	}
	useShop(t, port+1000, "pear")
	staging := resources(t, dir, "shop", "staging", true)
	if dbName(dev) == dbName(staging) {
		t.Fatalf("development and staging share database %s", dbName(dev))
	}

	for _, env := range []string{"staging", "development"} {
		mustPave(t, dir, "destroy", "--platform", platform, "--app", "shop", "--env", env)
		if left := resources(t, dir, "shop", env, false); len(left) != 0 {
			t.Errorf("%s: resources left: %+v", env, left)
		}
	}
	assertGone(t, append(dev, staging...))
}

// useShop writes an item and reads it back through the shop's API on
// port of 127.0.0.1, which stores it in its PostgreSQL database and counts
// it in Redis.
func useShop(t *testing.T, port int, name string) {
	t.Helper()
	useShopAt(t, "http://127.0.0.1:"+strconv.Itoa(port), name)
}

// useShopAt is useShop on the API at base, once it answers /healthz: for
// two minutes it may still be starting.
func useShopAt(t *testing.T, base, name string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s/healthz: %v %v after two minutes", base, resp, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	resp, err := http.Post(base+"/items", "application/json", strings.NewReader(`{"name":"`+name+`"}`))
	if err != nil {
		t.Fatalf("POST /items: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /items: %s", resp.Status)
	}
	if body := listItems(t, base); !strings.Contains(body, `"`+name+`"`) {
		t.Fatalf("GET /items does not list %q: %s", name, body)
	}
}

// listItems returns the body of the shop's GET /items.
func listItems(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/items")
	if err != nil {
		t.Fatalf("GET /items: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /items: %s: %s", resp.Status, body)
	}
	return string(body)
}

func dbName(rs []resourceView) string {
	for _, r := range rs {
		if r.Type == "postgres" {
			return fmt.Sprint(r.Outputs["name"])
		}
	}
	return ""
}

// assertGone checks in pg_catalog and ACL LIST that the databases, roles and
// Redis users of rs no longer exist.
func assertGone(t *testing.T, rs []resourceView) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testenv.PostgresURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr})
	defer rdb.Close()
	acl, err := rdb.Do(ctx, "ACL", "USERS").StringSlice()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range rs {
		switch r.Type {
		case "postgres":
			var n int
			conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", r.Outputs["name"]).Scan(&n)
			var roles int
			conn.QueryRow(ctx, "SELECT count(*) FROM pg_roles WHERE rolname = $1", r.Outputs["username"]).Scan(&roles)
			if n != 0 || roles != 0 {
				t.Errorf("%s: database or role left in pg_catalog", r.UID)
			}
			checked++
		case "redis":
			for _, u := range acl {
				if u == r.Outputs["username"] {
					t.Errorf("%s: Redis user left in ACL LIST", r.UID)
				}
			}
			checked++
		}
	}
	if checked < 4 {
		t.Errorf("checked %d resources, want the postgres and redis of both environments", checked)
	}
}
