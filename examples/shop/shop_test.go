package shop

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/pavedev/pave/internal/testenv"
)

// services are the real PostgreSQL database and Redis prefix one test uses,
// created for it and removed after it.
type services struct {
	dbHost, dbPort, dbUser, dbPassword, dbName string
	redisAddr, prefix                          string
	db                                         *pgx.Conn
	rdb                                        *redis.Client
}

// env is the environment pave would inject into the shop's workloads.
func (s *services) env() map[string]string {
	return map[string]string{
		"DB_HOST": s.dbHost, "DB_PORT": s.dbPort, "DB_NAME": s.dbName, "DB_USER": s.dbUser, "DB_PASSWORD": s.dbPassword,
		"REDIS_ADDR": s.redisAddr, "REDIS_USER": "", "REDIS_PASSWORD": "", "REDIS_PREFIX": s.prefix,
	}
}

func newServices(t *testing.T) *services {
	t.Helper()
	testenv.RequirePostgres(t)
	testenv.RequireRedis(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, testenv.PostgresURL)
	if err != nil {
		t.Skipf("PostgreSQL at %s refuses the connection: %v", testenv.PostgresURL, err)
	}
	t.Cleanup(func() { admin.Close(ctx) })
	suffix := randomHex(t)
	s := &services{
		dbHost: admin.Config().Host, dbPort: strconv.Itoa(int(admin.Config().Port)),
		dbUser: admin.Config().User, dbPassword: admin.Config().Password,
		dbName: "shop_test_" + suffix, redisAddr: testenv.RedisAddr, prefix: "shop-test-" + suffix + ":",
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+s.dbName); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+s.dbName+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database: %v", err)
		}
	})
	cfg := admin.Config().Copy()
	cfg.Database = s.dbName
	s.db, err = pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect to %s: %v", s.dbName, err)
	}
	t.Cleanup(func() { s.db.Close(ctx) })
	s.rdb = redis.NewClient(&redis.Options{Addr: s.redisAddr})
	t.Cleanup(func() {
		keys, _ := s.rdb.Keys(ctx, s.prefix+"*").Result()
		if len(keys) > 0 {
			s.rdb.Del(ctx, keys...)
		}
		s.rdb.Close()
	})
	return s
}

func randomHex(t *testing.T) string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// buildShopAPI builds the program into a temporary directory.
func buildShopAPI(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "shop-api"), "./cmd/shop-api").CombinedOutput()
	if err != nil {
		t.Fatalf("build shop-api: %v\n%s", err, out)
	}
	return filepath.Join(dir, "shop-api")
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs the program with exactly env, stopping it when the test ends.
func start(t *testing.T, bin string, env map[string]string, args ...string) *bytes.Buffer {
	t.Helper()
	cmd := exec.Command(bin, args...)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("output of %s %v:\n%s", filepath.Base(bin), args, out.String())
		}
	})
	return &out
}

func call(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var v map[string]any
	json.Unmarshal(data, &v)
	return resp.StatusCode, v
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/healthz never answered 200 (last error %v)", base, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestShopAPI runs shop-api and its worker against a database created for
// the test, and checks what they wrote in PostgreSQL and Redis.
func TestShopAPI(t *testing.T) {
	s := newServices(t)
	bin := buildShopAPI(t)
	port := freePort(t)
	env := s.env()
	env["PORT"] = strconv.Itoa(port)
	start(t, bin, env, "serve")
	base := "http://127.0.0.1:" + env["PORT"]
	waitHealthy(t, base)

	for i, name := range []string{"apple", "pear"} {
		code, body := call(t, "POST", base+"/items", fmt.Sprintf(`{"name": %q}`, name))
		if code != http.StatusCreated || body["created"] != float64(i+1) {
			t.Fatalf("POST /items %s: %d %v", name, code, body)
		}
	}
	if code, _ := call(t, "POST", base+"/items", `{"nom": "x"}`); code != http.StatusBadRequest {
		t.Errorf("POST /items with a bad body: %d", code)
	}
	code, body := call(t, "GET", base+"/items", "")
	items, _ := body["items"].([]any)
	if code != http.StatusOK || len(items) != 2 || body["created"] != float64(2) {
		t.Fatalf("GET /items: %d %v", code, body)
	}
	if first := items[0].(map[string]any); first["name"] != "pear" {
		t.Errorf("latest item = %v", first)
	}

	// What the program wrote, read back directly.
	ctx := context.Background()
	var n int
	if err := s.db.QueryRow(ctx, "SELECT count(*) FROM items").Scan(&n); err != nil || n != 2 {
		t.Errorf("rows in items: %d, %v", n, err)
	}
	if got, err := s.rdb.Get(ctx, s.prefix+"items:created").Int(); err != nil || got != 2 {
		t.Errorf("redis counter: %d, %v", got, err)
	}

	// The worker counts the items into Redis, where the API reads them.
	wenv := s.env()
	wenv["WORKER_INTERVAL"] = "100ms"
	start(t, bin, wenv, "worker")
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := call(t, "GET", base+"/items", "")
		if body["counted"] == float64(2) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the worker never counted the items: %v", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestShopAPIConfig checks the program refuses an incomplete environment
// and never prints the database password.
func TestShopAPIConfig(t *testing.T) {
	bin := buildShopAPI(t)
	out, err := exec.Command(bin, "serve").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "missing environment variables [DB_HOST DB_NAME DB_USER REDIS_ADDR]") {
		t.Errorf("no environment: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"DB_HOST=127.0.0.1", "DB_PORT=1", "DB_NAME=x", "DB_USER=u", "DB_PASSWORD=pw-should-not-show",
		"REDIS_ADDR=127.0.0.1:1", "PORT=" + strconv.Itoa(freePort(t))}
	var buf lockedBuffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	// It retries an unreachable database, saying so each time.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(buf.String(), "not ready"); {
		if time.Now().After(deadline) {
			t.Fatalf("no retry message:\n%s", buf.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.Contains(buf.String(), "pw-should-not-show") {
		t.Errorf("output shows the password:\n%s", buf.String())
	}
}

// lockedBuffer is a buffer a process writes while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
