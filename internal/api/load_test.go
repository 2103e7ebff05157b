//go:build loadtest

package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
)

// The load test is built only with -tags loadtest (it takes minutes and
// measures time, which the unit tests never do), so the ordinary suite
// neither runs nor skips it:
//
//	PAVE_LOADTEST=1 go test -tags loadtest -run Load -v ./internal/api
//
// PAVE_LOADTEST_DB=postgres
// runs it on PostgreSQL instead of SQLite. It stays on the loopback and is
// bounded: a fixed rate for a fixed time, a fixed number of deployments.
// Its figures are recorded in docs/performance-server.md.
func loadTest(t *testing.T) (*fixture, *http.Client) {
	t.Helper()
	if os.Getenv("PAVE_LOADTEST") != "1" {
		t.Skip("load test: set PAVE_LOADTEST=1 to run it")
	}
	var st store.Store
	if os.Getenv("PAVE_LOADTEST_DB") == "postgres" {
		st = sqlstoretest.Postgres(t)
	} else {
		st = sqlstoretest.SQLite(t)
	}
	svc, cfg := newService(t, st, "server:load")
	srv := api.New(api.Options{Service: svc, Config: cfg, RequestTimeout: 10 * time.Minute})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	web, err := os.ReadFile("testdata/workloads/fast.score.yaml")
	must(t, err)
	f := &fixture{t: t, svc: svc, srv: srv, url: hs.URL, tokens: map[string]string{}, web: string(web)}
	f.seed(svc)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
	return f, hc
}

// call sends one request and returns its status and body.
func call(hc *http.Client, method, url, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// percentiles returns p50, p90, p99 and max of ds.
func percentiles(ds []time.Duration) (p50, p90, p99, maxD time.Duration) {
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	return at(0.50), at(0.90), at(0.99), ds[len(ds)-1]
}

func (f *fixture) fastChange(i int) api.ChangeBody {
	content := f.web + fmt.Sprintf("    variables:\n      N: \"%d\"\n", i)
	return api.ChangeBody{Workloads: []api.WorkloadFile{{Name: "fast.score.yaml", Content: content}}}
}

// TestLoadReads: read endpoints at 500 requests a second for 10 seconds,
// open loop (latency counts from when a request was due, so a slow server
// cannot hide its backlog); p99 must stay under 20 ms.
func TestLoadReads(t *testing.T) {
	f, hc := loadTest(t)
	code, body, err := call(hc, "POST", f.url+"/api/v1/apps/shop/environments/dev/deployments", f.tokens["ann"], f.fastChange(0))
	if err != nil || code != 200 {
		t.Fatalf("seed deployment: %d %s %v", code, body, err)
	}
	var res service.DeployResult
	must(t, json.Unmarshal(body, &res))
	t.Cleanup(func() {
		call(hc, "POST", f.url+"/api/v1/apps/shop/environments/dev/destroy", f.tokens["ada"], api.DestroyBody{})
	})
	paths := []string{
		"/api/v1/apps/shop/environments/dev/deployments",
		"/api/v1/apps/shop/environments/dev/resources",
		"/api/v1/deployments/" + res.Summary.DeploymentID,
		"/api/v1/apps",
		"/api/v1/whoami",
	}
	const rate, seconds, workers = 500, 10, 64
	total := rate * seconds
	type job struct {
		due  time.Time
		path string
	}
	jobs := make(chan job, total)
	lat := make([]time.Duration, total)
	var n, failed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				code, _, err := call(hc, "GET", f.url+j.path, f.tokens["ann"], nil)
				d := time.Since(j.due)
				if err != nil || code != 200 {
					failed.Add(1)
				}
				lat[n.Add(1)-1] = d
			}
		})
	}
	start := time.Now()
	tick := time.NewTicker(time.Second / rate)
	for i := range total {
		due := start.Add(time.Duration(i) * time.Second / rate)
		if d := time.Until(due); d > 0 {
			<-tick.C
		}
		jobs <- job{due: due, path: paths[i%len(paths)]}
	}
	tick.Stop()
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	p50, p90, p99, mx := percentiles(lat)
	t.Logf("reads: %d requests in %s (%.0f/s), %d failed; latency p50 %s p90 %s p99 %s max %s",
		total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), failed.Load(), p50, p90, p99, mx)
	_, m, _ := call(hc, "GET", f.url+"/metrics", "", nil)
	t.Logf("reads: server-side p99 (histogram bucket bound) %s", serverP99(string(m), paths))
	if failed.Load() > 0 {
		t.Errorf("%d reads failed", failed.Load())
	}
	if p99 >= 20*time.Millisecond {
		t.Errorf("p99 %s, want under 20ms", p99)
	}
}

// TestLoadDeploymentsToManyEnvironments: 100 deployments at once, each to
// its own environment, all complete.
func TestLoadDeploymentsToManyEnvironments(t *testing.T) {
	f, hc := loadTest(t)
	const n = 100
	for i := range n {
		code, body, err := call(hc, "POST", f.url+"/api/v1/apps/shop/environments", f.tokens["ada"],
			api.CreateEnvironmentBody{Name: fmt.Sprintf("e%03d", i), Type: "development"})
		if err != nil || code != 201 {
			t.Fatalf("create environment: %d %s %v", code, body, err)
		}
	}
	t.Cleanup(func() {
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				call(hc, "POST", f.url+fmt.Sprintf("/api/v1/apps/shop/environments/e%03d/destroy", i), f.tokens["ada"], api.DestroyBody{})
			})
		}
		wg.Wait()
	})
	lat := make([]time.Duration, n)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			t0 := time.Now()
			code, body, err := call(hc, "POST", f.url+fmt.Sprintf("/api/v1/apps/shop/environments/e%03d/deployments", i), f.tokens["ann"], f.fastChange(i))
			lat[i] = time.Since(t0)
			var res service.DeployResult
			if err != nil || code != 200 || json.Unmarshal(body, &res) != nil || res.Summary == nil || res.Summary.Status != "succeeded" {
				failed.Add(1)
				t.Errorf("deployment to e%03d: %d %.300s %v", i, code, body, err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	p50, p90, p99, mx := percentiles(lat)
	t.Logf("%d concurrent deployments to %d environments: all done in %s, %d failed; latency p50 %s p90 %s p99 %s max %s",
		n, n, elapsed.Round(time.Millisecond), failed.Load(), p50, p90, p99, mx)
	for i := range n {
		var deps []store.Deployment
		_, body, _ := call(hc, "GET", f.url+fmt.Sprintf("/api/v1/apps/shop/environments/e%03d/deployments", i), f.tokens["ann"], nil)
		if json.Unmarshal(body, &deps) != nil || len(deps) != 1 || deps[0].Status != store.DeploymentSucceeded {
			t.Errorf("e%03d: deployments %s", i, body)
		}
	}
}

// TestLoadDeploymentsToOneEnvironment: 100 deployments at once to one
// environment, each willing to wait: they serialise, and every one is
// applied exactly once.
func TestLoadDeploymentsToOneEnvironment(t *testing.T) {
	f, hc := loadTest(t)
	const n = 100
	t.Cleanup(func() {
		call(hc, "POST", f.url+"/api/v1/apps/shop/environments/dev/destroy?wait=5m", f.tokens["ada"], api.DestroyBody{})
	})
	ids := make([]string, n)
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			t0 := time.Now()
			code, body, err := call(hc, "POST", f.url+"/api/v1/apps/shop/environments/dev/deployments?wait=30m", f.tokens["ann"], f.fastChange(i))
			lat[i] = time.Since(t0)
			var res service.DeployResult
			if err != nil || code != 200 || json.Unmarshal(body, &res) != nil || res.Summary == nil || res.Summary.Status != "succeeded" {
				t.Errorf("deployment %d: %d %.300s %v", i, code, body, err)
				return
			}
			ids[i] = res.Summary.DeploymentID
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	p50, p90, p99, mx := percentiles(lat)
	t.Logf("%d concurrent deployments to one environment: serialised in %s (%.2f/s); latency p50 %s p90 %s p99 %s max %s",
		n, elapsed.Round(time.Millisecond), n/elapsed.Seconds(), p50, p90, p99, mx)
	var deps []store.Deployment
	_, body, _ := call(hc, "GET", f.url+"/api/v1/apps/shop/environments/dev/deployments?limit=1000", f.tokens["ann"], nil)
	must(t, json.Unmarshal(body, &deps))
	if len(deps) != n {
		t.Fatalf("%d deployments recorded, want %d", len(deps), n)
	}
	recorded := map[string]bool{}
	for _, d := range deps {
		if d.Status != store.DeploymentSucceeded || recorded[d.ID] {
			t.Fatalf("deployment %+v duplicated or not succeeded", d)
		}
		recorded[d.ID] = true
	}
	for i, id := range ids {
		if !recorded[id] {
			t.Errorf("request %d got deployment %q, which is not recorded", i, id)
		}
	}
	// They ran one at a time: no two overlap.
	slices.SortFunc(deps, func(a, b store.Deployment) int { return a.StartedAt.Compare(b.StartedAt) })
	for i := 1; i < len(deps); i++ {
		if deps[i].StartedAt.Before(*deps[i-1].FinishedAt) {
			t.Errorf("deployments %s and %s overlap", deps[i-1].ID, deps[i].ID)
		}
	}
	_ = context.Background
}

// serverP99 reads the server's request duration histogram of the read
// routes and returns the upper bound of the bucket holding the 99th
// percentile: the time the server itself took, without the client's and
// the network's.
func serverP99(metrics string, _ []string) string {
	counts := map[string]float64{} // le -> cumulative count, summed over read routes
	var les []string
	for _, line := range strings.Split(metrics, "\n") {
		if !strings.HasPrefix(line, "pave_http_request_duration_seconds_bucket{route=\"GET ") || strings.Contains(line, "/metrics") {
			continue
		}
		i := strings.Index(line, `le="`)
		j := strings.Index(line[i+4:], `"`)
		le := line[i+4 : i+4+j]
		var n float64
		fmt.Sscanf(line[strings.LastIndexByte(line, ' ')+1:], "%g", &n)
		if _, ok := counts[le]; !ok {
			les = append(les, le)
		}
		counts[le] += n
	}
	if len(les) == 0 {
		return "unknown"
	}
	total := counts["+Inf"]
	for _, le := range les {
		if counts[le] >= 0.99*total {
			return le + "s"
		}
	}
	return "+Inf"
}
