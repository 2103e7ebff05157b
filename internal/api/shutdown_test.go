package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
)

// TestGracefulShutdown: a shutdown lets a deployment in flight finish and
// answer, then Serve returns.
func TestGracefulShutdown(t *testing.T) {
	svc, cfg := newService(t, sqlstoretest.SQLite(t), "server:shutdown")
	srv := api.New(api.Options{Service: svc, Config: cfg, ShutdownTimeout: 20 * time.Second})
	f := &fixture{t: t, svc: svc, srv: srv, tokens: map[string]string{}}
	f.seed(svc)
	t.Cleanup(func() {
		svc.Destroy(context.Background(), service.DeployRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: "shop", Env: "dev", Actor: service.LocalAdmin()})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	f.url = "http://" + ln.Addr().String()
	web, _ := newFixtureWeb()
	f.web = web

	body, _ := json.Marshal(f.change(""))
	req, _ := http.NewRequest("POST", f.url+"/api/v1/apps/shop/environments/dev/deployments", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+f.tokens["ann"])
	req.Header.Set("Accept", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	if !sc.Scan() {
		t.Fatal("no first event")
	}
	cancel() // shut down while the deployment runs
	var last api.StreamLine
	for sc.Scan() {
		must(t, json.Unmarshal(sc.Bytes(), &last))
	}
	if last.Type != "result" || last.Result.Summary.Status != "succeeded" {
		t.Fatalf("last line = %+v", last)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return")
	}
	if _, err := http.Get(f.url + "/healthz"); err == nil {
		t.Fatal("the server still answers after shutdown")
	}
}
