package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/testenv"
	"github.com/pavedev/pave/internal/testenv/dockertest"
)

// composeEnvironments runs development and staging as Compose projects
// that build the shop's image from the context BUILD, publishing on
// 127.0.0.1 and 127.0.0.2 so that both can use the same port.
const composeEnvironments = `apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: development
spec:
  type: development
  target:
    kind: compose
    config:
      builds: {api: BUILD, worker: BUILD}
      hostIP: 127.0.0.1
      readyTimeout: 3m
---
apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: staging
spec:
  type: staging
  target:
    kind: compose
    config:
      builds: {api: BUILD, worker: BUILD}
      hostIP: 127.0.0.2
      readyTimeout: 3m
`

// TestShopOnCompose is the sample shop's life on the compose target, on a
// real Docker engine: its image is built FROM scratch with the shop-api
// program, and its containers use a real database and cache. PostgreSQL
// and Redis listen on the loopback only, so the test relays them from the
// address of Docker's bridge on this machine, which containers reach; the
// platform's definitions point at the relays. The image has no wget for
// the HTTP readiness probe, so the probe is left out and the test waits
// for the API to answer. After both environments are destroyed, no
// container, network or volume of the app is left.
func TestShopOnCompose(t *testing.T) {
	// Staging's postgres is the sample platform's OpenTofu module.
	requireStagingTools(t)
	dockertest.RequireCompose(t)
	gateway := bridgeGateway(t)
	pgURL, err := url.Parse(testenv.PostgresURL)
	if err != nil {
		t.Fatal(err)
	}
	pgRelay, redisRelay := relay(t, gateway, pgURL.Host), relay(t, gateway, testenv.RedisAddr)
	adminURL := "postgres://postgres@" + pgRelay + "/postgres?sslmode=disable"
	relayHost, relayPort, err := net.SplitHostPort(pgRelay)
	if err != nil {
		t.Fatal(err)
	}

	build, err := dockertest.ScratchContext(t.TempDir(), examplePath("shop", "cmd", "shop-api"), "/usr/local/bin/shop-api")
	if err != nil {
		t.Fatal(err)
	}
	r := newShopRun(t, strings.ReplaceAll(composeEnvironments, "BUILD", build),
		"adminUrl: postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "adminUrl: "+adminURL,
		"addr: 127.0.0.1:6379", "addr: "+redisRelay,
		"admin_host: 127.0.0.1", "admin_host: "+relayHost, "admin_port: 5432", "admin_port: "+relayPort)
	repo := "pave-e2e-" + r.app + "/shop-api"
	dev, staging := r.app+"-development", r.app+"-staging"
	// Destroy leaves the images deploys built, as `docker compose down`
	// does: the test removes them, those a rebuild untagged included.
	t.Cleanup(func() {
		for _, project := range []string{dev, staging} {
			ids := dockertest.Docker(t, "image", "ls", "--all", "--quiet", "--filter", "label=com.docker.compose.project="+project)
			if ids != "" {
				exec.Command("docker", append([]string{"image", "rm", "--force"}, strings.Fields(ids)...)...).Run()
			}
		}
	})
	r.cleanup("staging", "development")
	r.secret("staging-postgres-admin-password", stagingAdminPassword(t))
	port := freePortOn(t, "127.0.0.1", "127.0.0.2")
	devURL, stagingURL := fmt.Sprintf("http://127.0.0.1:%d", port), fmt.Sprintf("http://127.0.0.2:%d", port)

	// Version 1: both workloads; the API stores an item and the worker
	// counts it.
	v1 := shopVersion{image: repo + ":1.0.0", port: port, noProbe: true}
	r.deploy("development", r.files(v1))
	ctrs := composeContainers(t, dev)
	for _, svc := range []string{"shop-api", "shop-worker"} {
		if c := ctrs[svc]; c.state != "running" || c.image != repo+":1.0.0" {
			t.Errorf("%s: %+v, want it running %s:1.0.0", svc, c, repo)
		}
	}
	useShopAt(t, devURL, "apple")
	waitCounted(t, devURL, 1)

	// Version 2: a new image and variable, the worker removed.
	v2 := shopVersion{image: repo + ":1.1.0", release: "2", port: port, noProbe: true, noWorker: true}
	r.deploy("development", r.files(v2))
	checkComposeV2(t, dev, repo)
	useShopAt(t, devURL, "banana")
	if items := listItems(t, devURL); !strings.Contains(items, `"apple"`) {
		t.Errorf("version 2 lost the database of version 1: %s", items)
	}

	// Promotion: its own project and database.
	r.promote("development", "staging")
	checkComposeV2(t, staging, repo)
	useShopAt(t, stagingURL, "pear")
	if items := listItems(t, stagingURL); strings.Contains(items, `"apple"`) {
		t.Errorf("staging shares development's database: %s", items)
	}
	res := append(resources(t, r.dir, r.app, "development", true), resources(t, r.dir, r.app, "staging", true)...)

	r.destroy("staging")
	r.destroy("development")
	for _, project := range []string{dev, staging} {
		dockertest.AssertNothingLabelled(t, "com.docker.compose.project="+project)
	}
	dockertest.AssertNothingLabelled(t, "pave.dev/app="+r.app)
	if _, err := os.Stat(filepath.Join(r.dir, ".pave", "compose", r.app)); !os.IsNotExist(err) {
		t.Errorf("the app's project directories are left: %v", err)
	}
	assertGone(t, res)
}

// checkComposeV2 checks that project runs the second version: shop-api on
// the new image with the new variable, and no shop-worker.
func checkComposeV2(t *testing.T, project, repo string) {
	t.Helper()
	ctrs := composeContainers(t, project)
	api := ctrs["shop-api"]
	if api.state != "running" || api.image != repo+":1.1.0" {
		t.Errorf("%s shop-api: %+v, want it running %s:1.1.0", project, api, repo)
	}
	var env []string
	if err := json.Unmarshal([]byte(dockertest.Docker(t, "inspect", "--format", "{{json .Config.Env}}", api.id)), &env); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(env, "SHOP_RELEASE=2") {
		t.Errorf("%s shop-api's environment lacks SHOP_RELEASE=2: %v", project, env)
	}
	if len(ctrs) != 1 {
		t.Errorf("%s has containers %v, want shop-api only", project, ctrs)
	}
}

// composeContainer is one container of a Compose project.
type composeContainer struct{ id, state, image string }

// composeContainers returns the containers of project by service.
func composeContainers(t *testing.T, project string) map[string]composeContainer {
	t.Helper()
	out := dockertest.Docker(t, "ps", "--all", "--filter", "label=com.docker.compose.project="+project,
		"--format", `{{.Label "com.docker.compose.service"}} {{.ID}} {{.State}} {{.Image}}`)
	m := map[string]composeContainer{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 4 {
			m[f[0]] = composeContainer{id: f[1], state: f[2], image: f[3]}
		}
	}
	return m
}

// bridgeGateway returns the IPv4 address of Docker's default bridge on
// this machine, which every container can reach: the gateway of its
// subnet, or (as Docker 20.10 does not list it) the address of its
// interface.
func bridgeGateway(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("docker", "network", "inspect", "bridge", "--format",
		`{{range .IPAM.Config}}{{.Gateway}} {{end}}|{{index .Options "com.docker.network.bridge.name"}}`).CombinedOutput()
	if err == nil {
		gateways, iface, _ := strings.Cut(strings.TrimSpace(string(out)), "|")
		for _, f := range strings.Fields(gateways) {
			if ip := net.ParseIP(f); ip != nil && ip.To4() != nil {
				return f
			}
		}
		if ifc, ierr := net.InterfaceByName(iface); ierr == nil {
			addrs, _ := ifc.Addrs()
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
					return n.IP.String()
				}
			}
		}
	}
	t.Skipf("the Docker engine has no default bridge with an IPv4 address on this machine (%v %s): containers could not reach PostgreSQL and Redis", err, out)
	return ""
}

// relay forwards TCP connections accepted on a free port of ip to addr
// until the test ends, and returns its address.
func relay(t *testing.T, ip, addr string) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatalf("relay for %s: %v", addr, err)
	}
	var (
		mu    sync.Mutex
		conns = map[net.Conn]bool{}
		wg    sync.WaitGroup
	)
	track := func(c net.Conn, add bool) bool {
		mu.Lock()
		defer mu.Unlock()
		if add && conns == nil {
			return false
		}
		if add {
			conns[c] = true
		} else {
			delete(conns, c)
		}
		return true
	}
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		io.Copy(dst, src)
		dst.Close()
		src.Close()
		track(dst, false)
		track(src, false)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				in.Close()
				continue
			}
			if !track(in, true) || !track(out, true) {
				in.Close()
				out.Close()
				continue
			}
			wg.Add(2)
			go pipe(out, in)
			go pipe(in, out)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		conns = nil
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String()
}

// freePortOn returns a TCP port free on every one of ips right now.
func freePortOn(t *testing.T, ips ...string) int {
	t.Helper()
	for range 20 {
		port := freePort(t)
		free := true
		for _, ip := range ips[1:] {
			l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
			if err != nil {
				free = false
				break
			}
			l.Close()
		}
		if free {
			return port
		}
	}
	t.Fatalf("no port free on all of %v", ips)
	return 0
}

// waitCounted waits until the shop's worker has counted n items.
func waitCounted(t *testing.T, base string, n int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var body struct {
			Counted int `json:"counted"`
		}
		json.Unmarshal([]byte(listItems(t, base)), &body)
		if body.Counted == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the worker has counted %d items after a minute, want %d", body.Counted, n)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
