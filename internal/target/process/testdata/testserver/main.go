// Command testserver is the process the process target's tests run: a small
// HTTP server that shows what it was given (environment, files, working
// directory) and can crash, ignore SIGTERM or start a grandchild on demand.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
)

func main() {
	exit := flag.Int("exit", -1, "print a few lines and exit with this status")
	ignoreTerm := flag.Bool("ignore-term", false, "ignore SIGTERM")
	flag.Parse()

	fmt.Println("testserver starting, pid", os.Getpid())
	if s := os.Getenv("SECRET_TOKEN"); s != "" && os.Getenv("PRINT_SECRET") != "" {
		fmt.Println("the token is", s)
		fmt.Fprintln(os.Stderr, "connecting with token="+s)
	}
	if *exit >= 0 {
		fmt.Fprintln(os.Stderr, "fatal: exiting on purpose")
		os.Exit(*exit)
	}
	if *ignoreTerm {
		signal.Ignore(syscall.SIGTERM)
	}

	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if os.Getenv("UNHEALTHY") != "" {
			http.Error(w, "unhealthy", http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		v, ok := os.LookupEnv(r.URL.Query().Get("name"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, v)
	})
	http.HandleFunc("/environ", func(w http.ResponseWriter, r *http.Request) {
		for _, kv := range os.Environ() {
			fmt.Fprintln(w, kv)
		}
	})
	http.HandleFunc("/pid", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, os.Getpid()) })
	http.HandleFunc("/cwd", func(w http.ResponseWriter, r *http.Request) {
		d, _ := os.Getwd()
		fmt.Fprint(w, d)
	})
	http.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		data, err := os.ReadFile(filepath.Join(os.Getenv("PAVE_FILES_DIR"), r.URL.Query().Get("path")))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Write(data)
	})
	http.HandleFunc("/spawn", func(w http.ResponseWriter, r *http.Request) {
		cmd := exec.Command("sleep", "300")
		if err := cmd.Start(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		go cmd.Wait()
		fmt.Fprint(w, cmd.Process.Pid)
	})
	http.HandleFunc("/log", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		for i := range n {
			fmt.Printf("line %d %s\n", i, r.URL.Query().Get("text"))
		}
	})
	addr := "127.0.0.1:" + os.Getenv("PORT")
	fmt.Println("listening on", addr)
	if err := http.ListenAndServe(addr, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
