package graph

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/score"
)

func loadPlatform(t testing.TB) *platform.Platform {
	t.Helper()
	p, err := platform.Load(os.DirFS(filepath.Join("..", "..", "examples", "platform")), platform.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func parse(t testing.TB, name, src string) *score.Workload {
	t.Helper()
	w, err := score.Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

const apiScore = `apiVersion: score.dev/v1b1
metadata:
  name: api
containers:
  main:
    image: ghcr.io/acme/api:1.2.3
    variables:
      DB_HOST: ${resources.db.host}
      DB_PASSWORD: ${resources.db.password}
resources:
  db:
    type: postgres
    id: shop-db
  cache:
    type: redis
  dns:
    type: dns
`

const workerScore = `apiVersion: score.dev/v1b1
metadata:
  name: worker
containers:
  main:
    image: ghcr.io/acme/worker:1.2.3
    variables:
      DB: ${resources.db.name}
resources:
  db:
    type: postgres
    id: shop-db
`

func TestBuildSharesAndOrders(t *testing.T) {
	p := loadPlatform(t)
	in := Input{App: "shop", Env: "development", Platform: p,
		Workloads: []*score.Workload{parse(t, "worker.yaml", workerScore), parse(t, "api.yaml", apiScore)}}
	plan, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	var uids []string
	for _, r := range plan.Resources {
		uids = append(uids, r.UID+":"+string(r.Action))
	}
	got := strings.Join(uids, " ")
	want := "dns.default#shop.api.dns:create postgres.default#shop-db:create redis.default#shop.api.cache:create"
	if got != want {
		t.Errorf("resources = %s\nwant        %s", got, want)
	}
	db, _ := plan.Resource("postgres.default#shop-db")
	if strings.Join(db.Users, ",") != "api,worker" {
		t.Errorf("users = %v", db.Users)
	}
	// Same inputs in another order: the same plan, byte for byte.
	in.Workloads = []*score.Workload{in.Workloads[1], in.Workloads[0]}
	again, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if again.Hash != plan.Hash {
		t.Errorf("hash changed with file order: %s vs %s", again.Hash, plan.Hash)
	}
}

// TestHashLeavesPreviewsOut: previews come from drivers after the plan is
// built; the plan's hash is the same with or without them.
func TestHashLeavesPreviewsOut(t *testing.T) {
	p := loadPlatform(t)
	plan, err := Build(Input{App: "shop", Env: "development", Platform: p, Workloads: []*score.Workload{parse(t, "api.yaml", apiScore)}})
	if err != nil {
		t.Fatal(err)
	}
	plan.Resources[0].Preview = &Preview{Summary: "1 to add, 0 to change, 0 to destroy", Detail: "+ resource"}
	plan.Resources[1].Preview = &Preview{Error: "no tofu"}
	sum, err := plan.contentHash()
	if err != nil {
		t.Fatal(err)
	}
	if sum != plan.Hash {
		t.Errorf("hash with previews %s, built %s", sum, plan.Hash)
	}
	if plan.Resources[0].Preview == nil {
		t.Error("hashing dropped the plan's previews")
	}
}

func TestBuildActionsAgainstPrevious(t *testing.T) {
	p := loadPlatform(t)
	in := Input{App: "shop", Env: "development", Platform: p, Workloads: []*score.Workload{parse(t, "api.yaml", apiScore)}}
	first, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range first.Resources {
		in.Previous = append(in.Previous, Previous{UID: r.UID, Type: r.Type, Class: r.Class, Definition: r.Definition,
			Driver: r.Driver, InputsHash: r.InputsHash, Ready: true, Users: r.Users})
	}
	in.Previous = append(in.Previous, Previous{UID: "redis.default#shop.old.cache", Type: "redis", Class: "default",
		Definition: "dev-redis", Driver: "redis", Ready: true, Users: []string{"old"}})
	in.Previous[0].Ready = false
	in.PreviousWorkloads = map[string]string{"api": first.Workloads[0].Hash, "old": "sha256:x"}
	second, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range second.Resources {
		got = append(got, r.UID+":"+string(r.Action))
	}
	want := "dns.default#shop.api.dns:update postgres.default#shop-db:keep redis.default#shop.api.cache:keep redis.default#shop.old.cache:delete"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	if second.Workloads[0].Action != Keep || second.Workloads[1].Action != Delete {
		t.Errorf("workload actions = %+v", second.Workloads)
	}
}

func TestBuildErrorsAreLocated(t *testing.T) {
	p := loadPlatform(t)
	bad := `apiVersion: score.dev/v1b1
metadata:
  name: bad
containers:
  main:
    image: x
    variables:
      A: ${resources.db.nope}
resources:
  db:
    type: postgres
    id: shop-db
    params:
      size: 2
  queue:
    type: unknowntype
`
	_, err := Build(Input{App: "shop", Env: "development", Platform: p,
		Workloads: []*score.Workload{parse(t, "bad.yaml", bad), parse(t, "worker.yaml", workerScore)}})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		`bad.yaml:8: /containers/main/variables/A: ${resources.db.nope}: resource type postgres has no output "nope"`,
		`bad.yaml:16: /resources/queue/type: unknown resource type "unknowntype"`,
		`shared by id "shop-db" with workload`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

func TestBuildCycle(t *testing.T) {
	p := loadPlatform(t)
	src := `apiVersion: score.dev/v1b1
metadata:
  name: loop
containers:
  main:
    image: x
resources:
  aa:
    type: dns
    params:
      other: ${resources.bb.host}
  bb:
    type: dns
    params:
      other: ${resources.aa.host}
`
	_, err := Build(Input{App: "shop", Env: "development", Platform: p, Workloads: []*score.Workload{parse(t, "loop.yaml", src)}})
	if err == nil || !strings.Contains(err.Error(), "dependency cycle: dns.default#shop.loop.aa -> dns.default#shop.loop.bb -> dns.default#shop.loop.aa") {
		t.Fatalf("err = %v", err)
	}
}

func TestDeploymentResolvesAndMarksSecrets(t *testing.T) {
	p := loadPlatform(t)
	plan, err := Build(Input{App: "shop", Env: "development", Platform: p, Workloads: []*score.Workload{parse(t, "api.yaml", apiScore)}})
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]Outputs{
		"postgres.default#shop-db": {Values: map[string]any{"host": "db.local", "password": "s3cret"}, Secret: map[string]bool{"password": true}},
	}
	d, err := plan.Deployment(outs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	vars := d.Workloads[0].Containers[0].Variables
	if vars[0].Name != "DB_HOST" || vars[0].Value.Text != "db.local" || vars[0].Value.Secret {
		t.Errorf("DB_HOST = %+v", vars[0])
	}
	if vars[1].Name != "DB_PASSWORD" || vars[1].Value.Text != "s3cret" || !vars[1].Value.Secret {
		t.Errorf("DB_PASSWORD = %+v", vars[1])
	}
}

// TestSecretFingerprints: a new fingerprint of a platform secret updates
// the resources whose definitions reference it and nothing else, and the
// plan holds no fingerprint.
func TestSecretFingerprints(t *testing.T) {
	p := loadPlatform(t)
	fps := map[string]string{"shop-prod-postgres-admin-url": "hmac-sha256:aaaa", "prod-redis-admin-password": "hmac-sha256:bbbb"}
	asked := map[string]int{}
	in := Input{App: "shop", Env: "production", Platform: p,
		Workloads: []*score.Workload{parse(t, "worker.yaml", workerScore), parse(t, "api.yaml", apiScore)},
		SecretFingerprint: func(name string) (string, error) {
			asked[name]++
			return fps[name], nil
		}}
	first, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 2 || asked["shop-prod-postgres-admin-url"] != 1 || asked["prod-redis-admin-password"] != 1 {
		t.Errorf("fingerprints asked for: %v, want each secret the plan uses once", asked)
	}
	for _, r := range first.Resources {
		in.Previous = append(in.Previous, Previous{UID: r.UID, Type: r.Type, Class: r.Class, ID: r.ID,
			Definition: r.Definition, Driver: r.Driver, InputsHash: r.InputsHash, Ready: true, Users: r.Users})
	}
	actions := func() string {
		t.Helper()
		plan, err := Build(in)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(plan)
		if strings.Contains(string(b), "hmac-sha256:") {
			t.Errorf("plan holds a secret fingerprint: %s", b)
		}
		var out []string
		for _, r := range plan.Resources {
			out = append(out, r.Type+":"+string(r.Action))
		}
		return strings.Join(out, " ")
	}
	if got, want := actions(), "dns:keep postgres:keep redis:keep"; got != want {
		t.Errorf("same secrets: %s, want %s", got, want)
	}
	fps["prod-redis-admin-password"] = "hmac-sha256:cccc"
	if got, want := actions(), "dns:keep postgres:keep redis:update"; got != want {
		t.Errorf("new redis password: %s, want %s", got, want)
	}
	delete(fps, "shop-prod-postgres-admin-url")
	if got, want := actions(), "dns:keep postgres:update redis:update"; got != want {
		t.Errorf("postgres admin url unset: %s, want %s", got, want)
	}
}
