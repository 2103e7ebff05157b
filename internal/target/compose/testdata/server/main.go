// Command server is the compose target tests' workload: a static HTTP
// server for a FROM scratch image, and its own healthcheck client.
//
//	server                  serve on :$PORT (default 8080) until SIGTERM
//	server check URL        exit 0 when GET URL answers 200
//
// Routes: /healthz (200 ok; 503 when $UNHEALTHY is set), /env/NAME (the
// variable's value), /file?path=P (the file's content). At start it prints
// the value of the variable named by $LOG_VAR, to test log redaction.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "check" {
		c := &http.Client{Timeout: 2 * time.Second}
		resp, err := c.Get(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			fmt.Fprintln(os.Stderr, resp.Status)
			os.Exit(1)
		}
		return
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if v := os.Getenv("LOG_VAR"); v != "" {
		fmt.Printf("starting with %s=%s\n", v, os.Getenv(v))
	}
	fmt.Fprintln(os.Stderr, "listening on :"+port)
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if os.Getenv("UNHEALTHY") != "" {
			http.Error(w, "unhealthy on purpose", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("/env/", func(w http.ResponseWriter, r *http.Request) {
		v, ok := os.LookupEnv(strings.TrimPrefix(r.URL.Path, "/env/"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, v)
	})
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(r.URL.Query().Get("path"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Write(b)
	})
	srv := &http.Server{Addr: ":" + port, Handler: mux}
	// As PID 1 of a container, the server must handle SIGTERM itself.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
