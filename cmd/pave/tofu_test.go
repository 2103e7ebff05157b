package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pavedev/pave/internal/testenv"
)

// requireStagingTools skips t unless what the sample platform's staging
// needs is here: PostgreSQL and Redis, OpenTofu with its provider mirror,
// and psql, which the postgres module runs. The tool is handed to pave.
func requireStagingTools(t *testing.T) {
	t.Helper()
	testenv.RequirePostgres(t)
	testenv.RequireRedis(t)
	t.Setenv("PAVE_TOFU_BINARY", testenv.RequireTofu(t))
	testenv.RequireBinary(t, "psql", "the sample platform's postgres module runs it")
}

// stagingAdminPassword is the value of the staging-postgres-admin-password
// secret: the test server's, or one that the test can see never shows,
// which a server that trusts the connection ignores.
func stagingAdminPassword(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(testenv.PostgresURL)
	if err != nil {
		t.Fatal(err)
	}
	if password, set := u.User.Password(); set {
		return password
	}
	return "unused-admin-password-4d1f"
}

// planNode is a resource node of `plan -o json`.
type planNode struct {
	UID, Driver, Action string
	Preview             *struct{ Summary, Detail, Error string }
}

// TestStagingPostgresByTofu is the proof of the tofu driver story: the shop
// is deployed to staging, where the sample platform makes its postgres with
// an OpenTofu module of the platform (examples/platform/modules/postgres)
// instead of the postgres driver, from the same Score files. pave plan
// shows the module's tofu plan; the database and role exist in pg_catalog
// and the shop stores its items there; destroy drops both.
func TestStagingPostgresByTofu(t *testing.T) {
	requireStagingTools(t)
	dir := t.TempDir()
	port := freePort(t)
	platform := examplePath("platform")
	api, err := os.ReadFile(examplePath("shop", "api.score.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	apiFile := filepath.Join(dir, "api.score.yaml")
	os.WriteFile(apiFile, []byte(strings.ReplaceAll(string(api), "8080", strconv.Itoa(port-1000))), 0o644)
	files := []string{apiFile, examplePath("shop", "worker.score.yaml")}
	env := []string{"--platform", platform, "--app", "shop", "--env", "staging"}
	t.Cleanup(func() { pave(t, dir, append([]string{"destroy"}, env...)...) })

	adminPassword := stagingAdminPassword(t)
	if r := paveCtx(t, context.Background(), dir, adminPassword, "secrets", "set", "staging-postgres-admin-password"); r.code != 0 {
		t.Fatalf("secrets set: %s", r.stderr)
	}
	noSecret := func(what, text string) {
		t.Helper()
		if strings.Contains(text, adminPassword) {
			t.Errorf("%s shows the admin password:\n%s", what, text)
		}
	}

	// The plan is made against state (the secret's), so it previews: the
	// module's tofu plan, run from the platform directory's module
	// although pave runs elsewhere.
	r := mustPave(t, dir, append(append([]string{"plan"}, env...), files...)...)
	t.Logf("pave plan:\n%s", r.stdout)
	for _, want := range []string{
		"Previews:\n  postgres.default#shop-db (tofu): 2 to add, 0 to change, 0 to destroy\n",
		"# random_password.password will be created",
		"# terraform_data.database will be created",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("pave plan lacks %q", want)
		}
	}
	noSecret("pave plan", r.stdout+r.stderr)
	r = mustPave(t, dir, append(append([]string{"plan", "-o", "json"}, env...), files...)...)
	noSecret("pave plan -o json", r.stdout)
	var plan struct {
		Hash      string
		Resources []planNode
	}
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil {
		t.Fatal(err)
	}
	for _, n := range plan.Resources {
		switch {
		case n.Driver == "tofu":
			if n.Preview == nil || n.Preview.Summary != "2 to add, 0 to change, 0 to destroy" || !strings.Contains(n.Preview.Detail, "terraform_data.database") {
				t.Errorf("preview of %s: %+v", n.UID, n.Preview)
			}
		case n.Preview != nil:
			t.Errorf("%s (driver %s) has a preview: %+v", n.UID, n.Driver, n.Preview)
		}
	}
	r = mustPave(t, dir, append(append([]string{"plan", "-o", "json", "--no-preview"}, env...), files...)...)
	var bare struct{ Hash string }
	json.Unmarshal([]byte(r.stdout), &bare)
	if strings.Contains(r.stdout, `"preview"`) || bare.Hash != plan.Hash {
		t.Errorf("--no-preview: hash %s (with previews %s), previews shown: %v", bare.Hash, plan.Hash, strings.Contains(r.stdout, `"preview"`))
	}

	// Deploy: the module makes the database and the role; the shop uses
	// them.
	r = mustPave(t, dir, append(append([]string{"deploy", "-o", "json"}, env...), files...)...)
	if s := summary(t, r.stdout); s["status"] != "succeeded" {
		t.Fatalf("deploy: %v", s)
	}
	noSecret("pave deploy", r.stdout+r.stderr)
	useShop(t, port, "made by tofu")
	var db resourceView
	for _, res := range resources(t, dir, "shop", "staging", true) {
		if res.Type == "postgres" {
			db = res
		}
	}
	if db.Definition != "staging-postgres" || db.Driver != "tofu" || db.Status != "ready" {
		t.Fatalf("postgres resource: %+v", db)
	}
	name, user := fmt.Sprint(db.Outputs["name"]), fmt.Sprint(db.Outputs["username"])
	password, _ := db.Outputs["password"].(string)
	if db.Outputs["host"] != "127.0.0.1" || db.Outputs["port"] != float64(5432) || !strings.HasPrefix(name, "db_shop_staging_shop_db_") ||
		!strings.HasPrefix(user, "u_shop_staging_shop_db_") || db.Outputs["database"] != name || len(password) != 32 {
		t.Errorf("postgres outputs: %v", db.Outputs)
	}
	for _, masked := range resources(t, dir, "shop", "staging", false) {
		if masked.Type == "postgres" && (masked.Outputs["password"] != "********" || masked.Outputs["username"] != "********") {
			t.Errorf("secret outputs not masked: %v", masked.Outputs)
		}
	}

	ctx := context.Background()
	admin, err := pgx.Connect(ctx, testenv.PostgresURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var owner string
	var canLogin, hasPassword bool
	if err := admin.QueryRow(ctx, `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1`, name).Scan(&owner); err != nil || owner != user {
		t.Fatalf("database %s: owner %q, %v; want owned by %s", name, owner, err, user)
	}
	if err := admin.QueryRow(ctx, `SELECT rolcanlogin, rolpassword IS NOT NULL FROM pg_authid WHERE rolname = $1`, user).Scan(&canLogin, &hasPassword); err != nil || !canLogin || !hasPassword {
		t.Errorf("role %s: login %v, password set %v, %v", user, canLogin, hasPassword, err)
	}
	// The workload got the outputs: its item is in the module's database.
	cfg, err := pgx.ParseConfig(testenv.PostgresURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = name
	shopDB, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect to %s: %v", name, err)
	}
	var items int
	err = shopDB.QueryRow(ctx, `SELECT count(*) FROM items WHERE name = 'made by tofu'`).Scan(&items)
	shopDB.Close(ctx)
	if err != nil || items != 1 {
		t.Errorf("the shop's item in %s: %d, %v", name, items, err)
	}

	// Deployed and unchanged, the database is kept: no preview to make.
	r = mustPave(t, dir, append(append([]string{"plan"}, env...), files...)...)
	if strings.Contains(r.stdout, "Previews:") || !strings.Contains(r.stdout, "0 to create, 0 to update, 4 unchanged, 0 to delete.") {
		t.Errorf("plan after deploying:\n%s", r.stdout)
	}

	// A changed request updates the database: its preview is made from the
	// instance's state, so the module has nothing to change.
	r = mustPave(t, dir, append(append([]string{"plan", "--override-property", "resources.db.params.tier=small"}, env...), files...)...)
	if !strings.Contains(r.stdout, "update  postgres.default#shop-db") ||
		!strings.Contains(r.stdout, "Previews:\n  postgres.default#shop-db (tofu): no changes\n") {
		t.Errorf("plan of an update:\n%s", r.stdout)
	}
	noSecret("pave plan of an update", r.stdout+r.stderr)

	// Destroy runs the module's destroy-time provisioner.
	r = mustPave(t, dir, append([]string{"destroy"}, env...)...)
	noSecret("pave destroy", r.stdout+r.stderr)
	if left := resources(t, dir, "shop", "staging", false); len(left) != 0 {
		t.Errorf("resources left: %+v", left)
	}
	var dbs, roles int
	admin.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&dbs)
	admin.QueryRow(ctx, `SELECT count(*) FROM pg_roles WHERE rolname = $1`, user).Scan(&roles)
	if dbs != 0 || roles != 0 {
		t.Errorf("after destroy: %d databases %s, %d roles %s", dbs, name, roles, user)
	}
}
