//go:build unix

package process

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/target"
)

// TestReadyOnlyWhileAlive probes a container whose readiness probe is
// answered by another server: the container is ready only if its process
// has not exited when the probe succeeds.
func TestReadyOnlyWhileAlive(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }))
	defer other.Close()
	u, _ := url.Parse(other.URL)
	port, _ := strconv.Atoi(u.Port())

	for _, alive := range []bool{true, false} {
		t.Run(fmt.Sprintf("alive=%v", alive), func(t *testing.T) {
			l, err := newLayout(t.TempDir(), "shop", "dev")
			if err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(l.root, 0o700)
			sup := &supervisor{l: l, logger: log.New(io.Discard, "", 0), children: map[string]*child{}}
			spec := &containerSpec{Workload: "api", Container: "main", Port: port,
				Readiness: &target.Probe{HTTPGet: &target.HTTPGet{Path: "/healthz"}}}
			lf, err := openLog(l.logPath("api", "main"), "main", DefaultLogMaxBytes, newRedactor(nil))
			if err != nil {
				t.Fatal(err)
			}
			defer lf.close()
			c := &child{sup: sup, spec: spec, log: lf, redact: newRedactor(nil), st: containerStatus{State: "starting"}}
			gone := make(chan struct{})
			if !alive {
				close(gone)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); c.watch(ctx, gone, make(chan string, 1)) }()
			if alive {
				eventually(t, 10*time.Second, "the container to be ready", func() bool {
					sup.mu.Lock()
					defer sup.mu.Unlock()
					return c.st.Ready
				})
				cancel()
				<-done
				return
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("watch goes on probing for a process that has exited")
			}
			cancel()
			if c.st.Ready || c.st.State != "starting" {
				t.Errorf("a container whose process exited is %+v", c.st)
			}
		})
	}
}
