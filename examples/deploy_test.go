package examples

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/target/process"
	"github.com/pavedev/pave/internal/testenv"
	"github.com/pavedev/pave/internal/yamldoc"
)

// outputs are resource outputs by resource name; secret ones are marked
// as the resource types mark them.
type outputs map[string]map[string]target.Value

// workload resolves a Score workload into what a target receives with
// Score's own placeholder resolver, as pave does: a value is secret when any
// part of it is. port, when not 0, replaces the service's targetPort and
// the probe port, so that the test does not depend on 8080 being free.
func workload(t *testing.T, s *score.Workload, outs outputs, port int) target.Workload {
	t.Helper()
	resolver := s.Resolver(func(resource string, keys []string) (any, bool, error) {
		if len(keys) != 1 {
			return nil, false, fmt.Errorf("resource %s: want one output key, not %v", resource, keys)
		}
		out, ok := outs[resource][keys[0]]
		if !ok {
			return nil, false, fmt.Errorf("resource %s has no output %s", resource, keys[0])
		}
		return out.Text, out.Secret, nil
	})
	resolve := func(text string) target.Value {
		tmpl, err := score.ParseTemplate(text)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		v, secret, err := tmpl.Render(resolver)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		return target.Value{Text: v, Secret: secret}
	}
	w := target.Workload{Name: s.Name}
	for _, name := range yamldoc.SortedKeys(s.Containers) {
		c := s.Containers[name]
		tc := target.Container{Name: name, Image: c.Image, Command: c.Command, Args: c.Args}
		for _, k := range yamldoc.SortedKeys(c.Variables) {
			tc.Variables = append(tc.Variables, target.Variable{Name: k, Value: resolve(c.Variables[k])})
		}
		if p := c.ReadinessProbe; p != nil && p.HTTPGet != nil {
			pp := p.HTTPGet.Port
			if port != 0 {
				pp = port
			}
			tc.Readiness = &target.Probe{HTTPGet: &target.HTTPGet{Path: p.HTTPGet.Path, Port: pp}}
		}
		w.Containers = append(w.Containers, tc)
	}
	for _, name := range yamldoc.SortedKeys(s.Service.Ports) {
		p := s.Service.Ports[name]
		tp := p.TargetPort
		if port != 0 {
			tp = port
		}
		w.Ports = append(w.Ports, target.Port{Name: name, Port: p.Port, TargetPort: tp, Protocol: "TCP"})
	}
	return w
}

// TestShopOnProcessTarget deploys the shop from its Score files on the
// process target, with a real database and cache, and uses it.
func TestShopOnProcessTarget(t *testing.T) {
	testenv.RequirePostgres(t)
	testenv.RequireRedis(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, testenv.PostgresURL)
	if err != nil {
		t.Skipf("PostgreSQL refuses the connection: %v", err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	suffix := hex.EncodeToString(b)
	dbName, prefix := "shop_e2e_"+suffix, "shop-e2e-"+suffix+":"
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+dbName); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(ctx, "DROP DATABASE IF EXISTS "+dbName+" WITH (FORCE)")
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr})
	defer func() {
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
		rdb.Close()
	}()

	// shop-api is run from PATH, as the Score files say.
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "shop-api"), "./shop/cmd/shop-api").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	pc := admin.Config()
	redisHost, redisPort, _ := net.SplitHostPort(testenv.RedisAddr)
	outs := outputs{
		"db": {"host": {Text: pc.Host}, "port": {Text: strconv.Itoa(int(pc.Port))}, "name": {Text: dbName},
			"username": {Text: pc.User, Secret: true}, "password": {Text: pc.Password, Secret: true}},
		"cache": {"host": {Text: redisHost}, "port": {Text: redisPort}, "prefix": {Text: prefix},
			"username": {Secret: true}, "password": {Secret: true}},
		"dns": {"host": {Text: "shop.localhost"}},
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	d := &target.Deployment{App: "shop", Env: "development", EnvType: "development", Workloads: []target.Workload{
		workload(t, loadScore(t, "shop/api.score.yaml"), outs, port),
		workload(t, loadScore(t, "shop/worker.score.yaml"), outs, 0),
	}}

	tg := process.New(process.Options{StateDir: t.TempDir(), InProcess: true})
	defer tg.Close()
	dctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := tg.Deploy(dctx, target.Config{"stopTimeout": "5s"}, d, nil); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	defer tg.Destroy(ctx, nil, "shop", "development")

	base := "http://127.0.0.1:" + strconv.Itoa(port)
	resp, err := http.Post(base+"/items", "application/json", strings.NewReader(`{"name": "deployed by pave"}`))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /items: %v %v", resp, err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(20 * time.Second) // the worker counts every 5s
	for {
		var body struct {
			Items   []map[string]any `json:"items"`
			Counted int              `json:"counted"`
		}
		resp, err := http.Get(base + "/items")
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if len(body.Items) == 1 && body.Counted == 1 {
			break
		}
		if time.Now().After(deadline) {
			logs, _ := tg.Logs(ctx, nil, "shop", "development", "shop-worker", 20)
			t.Fatalf("the worker never counted the item: %+v\n%s", body, strings.Join(logs, "\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	sts, err := tg.Status(ctx, nil, "shop", "development")
	if err != nil || len(sts) != 2 || sts[0].State != "running" || sts[1].State != "running" {
		t.Errorf("status: %+v, %v", sts, err)
	}
	if err := tg.Destroy(ctx, nil, "shop", "development"); err != nil {
		t.Errorf("destroy: %v", err)
	}
}
