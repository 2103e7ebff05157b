//go:build unix

package process

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

func deploymentIn(env string, ws ...target.Workload) *target.Deployment {
	return &target.Deployment{App: "shop", Env: env, EnvType: env, Workloads: ws}
}

// freeOffset returns a portOffset that moves port to a port free now.
func freeOffset(t *testing.T, port int) int {
	t.Helper()
	for off := 1000; off <= MaxPortOffset && port+off <= 65535; off++ {
		if portFree(listenPort{Port: port + off, Protocol: "tcp"}) {
			return off
		}
	}
	t.Fatalf("no free port above %d", port)
	return 0
}

// TestSameWorkloadInTwoEnvironments deploys one workload to development,
// then to staging: on the same port staging fails at once with the port
// error instead of a false ready, and with a portOffset both run, each
// answering on its own port.
func TestSameWorkloadInTwoEnvironments(t *testing.T) {
	tg, stateDir := newTarget(t)
	port := freePort(t)
	w := server("api", port, nil)
	deploy(t, tg, nil, deploymentIn("development", w))
	t.Cleanup(func() { tg.Destroy(context.Background(), nil, "shop", "development") })
	devPID := pidOf(t, port)

	ev := newEvents()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := tg.Deploy(ctx, nil, deploymentIn("staging", w), ev.progress)
	if err == nil {
		t.Fatal("deploy of staging on development's port succeeded")
	}
	es := errs.Errors(err)
	if len(es) != 1 || es[0].Code != errs.Invalid || es[0].Path != "/service/ports/web/targetPort" {
		t.Errorf("error = %#v", es)
	}
	for _, want := range []string{
		fmt.Sprintf(`workload "api": port %d is already in use on 127.0.0.1 by workload "api" of environment "development"`, port),
		`set portOffset in the process target config of environment "staging" (such as portOffset: 1000)`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	evs := ev.all()
	if !has(evs, "api", "failed") || has(evs, "api", "ready") {
		t.Errorf("events = %+v", evs)
	}
	if st := statusOf(t, tg, "shop", "staging"); len(st) != 0 {
		t.Errorf("staging runs something: %+v", st)
	}
	l, _ := newLayout(stateDir, "shop", "staging")
	eventually(t, 10*time.Second, "the idle staging supervisor to exit", func() bool { free, _ := lockFree(l); return free })
	if pidOf(t, port) != devPID || statusOf(t, tg, "shop", "development")["api"].State != "running" {
		t.Errorf("development was disturbed")
	}

	// With an offset, both run side by side.
	off := freeOffset(t, port)
	cfg := target.Config{"portOffset": int64(off)}
	deploy(t, tg, cfg, deploymentIn("staging", w))
	t.Cleanup(func() { tg.Destroy(context.Background(), nil, "shop", "staging") })
	for p, want := range map[int]string{port: strconv.Itoa(port), port + off: strconv.Itoa(port + off)} {
		if body, _ := get(t, p, "/env?name=PORT"); body != want {
			t.Errorf("PORT of the process on %d = %q", p, body)
		}
	}
	stagingPID := pidOf(t, port+off)
	if stagingPID == devPID {
		t.Errorf("one process answers on both ports")
	}
	for _, env := range []string{"development", "staging"} {
		if s := statusOf(t, tg, "shop", env)["api"]; s.State != "running" || s.Ready != 1 {
			t.Errorf("status in %s = %+v", env, s)
		}
	}

	// A changed workload replaces its own process on its own port.
	w.Containers[0].Variables = []target.Variable{{Name: "GREETING", Value: plain("hi")}}
	deploy(t, tg, cfg, deploymentIn("staging", w))
	if pid := pidOf(t, port+off); pid == stagingPID {
		t.Errorf("the changed staging process was not restarted")
	}
	if body, _ := get(t, port+off, "/env?name=GREETING"); body != "hi" {
		t.Errorf("GREETING = %q", body)
	}
	if pidOf(t, port) != devPID {
		t.Errorf("development was disturbed")
	}
}

// TestPortHeldByAnotherProgram deploys workloads whose ports another
// program of this machine holds: each deploy fails at once, even though
// the HTTP server holding the port answers the readiness probe.
func TestPortHeldByAnotherProgram(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	held := ln.Addr().(*net.TCPAddr).Port
	udp, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { udp.Close() })
	heldUDP := udp.LocalAddr().(*net.UDPAddr).Port

	tests := []struct {
		name     string
		cfg      target.Config
		workload func() target.Workload
		path     string
		want     string
	}{
		{"service port", nil, func() target.Workload { return server("api", held, nil) },
			"/service/ports/web/targetPort",
			fmt.Sprintf(`process target: workload "api": port %d is already in use on 127.0.0.1 by another program`, held)},
		{"offset service port", target.Config{"portOffset": 7}, func() target.Workload { return server("api", held-7, nil) },
			"/service/ports/web/targetPort",
			fmt.Sprintf(`port %d is already in use on 127.0.0.1 by another program, so its process could not listen there and readiness probes would reach the wrong process; `+
				`processes of every environment share this machine's network: choose another portOffset than 7`, held)},
		{"udp port", nil, func() target.Workload {
			w := server("dns", freePort(t), nil)
			w.Ports = append(w.Ports, target.Port{Name: "wire", Port: 53, TargetPort: heldUDP, Protocol: "UDP"})
			return w
		}, "/service/ports/wire/targetPort", fmt.Sprintf(`workload "dns": port %d/udp is already in use`, heldUDP)},
		{"own PORT", target.Config{"portOffset": 1}, func() target.Workload {
			w := server("api", freePort(t)-1, map[string]target.Value{"PORT": plain(strconv.Itoa(held))})
			w.Containers[0].Readiness.HTTPGet.Port = held - 1 // offset: the held port, answered by the other program
			return w
		}, "/containers/main/variables/PORT",
			fmt.Sprintf(`workload "api" container "main": port %d, which it sets as PORT itself, is already in use on 127.0.0.1 by another program; `+
				`the portOffset of the process target does not change a PORT the workload sets`, held)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, _ := newTarget(t)
			ev := newEvents()
			cfg := target.Config{"readyTimeout": "10s"} // only if the check fails
			for k, v := range tt.cfg {
				cfg[k] = v
			}
			err := tg.Deploy(context.Background(), cfg, deployment(tt.workload()), ev.progress)
			if err == nil {
				t.Fatal("deploy on a port in use succeeded")
			}
			es := errs.Errors(err)
			if es[0].Code != errs.Invalid || es[0].Path != tt.path || !strings.Contains(es[0].Message, tt.want) {
				t.Errorf("error = %s %s: %s\nwant %s: %s", es[0].Code, es[0].Path, es[0].Message, tt.path, tt.want)
			}
			if evs := ev.all(); has(evs, "api", "ready") || has(evs, "dns", "ready") {
				t.Errorf("a workload was ready: %+v", evs)
			}
			if st := statusOf(t, tg, "shop", "dev"); len(st) != 0 {
				t.Errorf("something runs: %+v", st)
			}
			tg.Destroy(context.Background(), nil, "shop", "dev")
		})
	}
}

// TestPortConflicts checks which holders of a port in use let a container
// start.
func TestPortConflicts(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	held := listenPort{Port: ln.Addr().(*net.TCPAddr).Port, Protocol: "tcp", Pointer: "/service/ports/web/targetPort"}
	free := listenPort{Port: freePort(t), Protocol: "tcp", Pointer: "/service/ports/admin/targetPort"}
	spec := func(workload, container string, ports ...listenPort) *containerSpec {
		return &containerSpec{Workload: workload, Container: container, Ports: ports}
	}
	holder := func(workload, container string) *child {
		return &child{spec: spec(workload, container, held)}
	}
	tests := []struct {
		name           string
		starting       []*containerSpec
		kept, replaced []*child
		want           []string
	}{
		{"free", []*containerSpec{spec("api", "main", free)}, nil, nil, nil},
		{"in use", []*containerSpec{spec("api", "main", free, held)}, nil, nil, []string{"api/main " + held.key()}},
		{"once per workload", []*containerSpec{spec("api", "main", held), spec("api", "side", held), spec("web", "main", held)}, nil, nil,
			[]string{"api/main " + held.key(), "web/main " + held.key()}},
		{"replaced", []*containerSpec{spec("api", "main", held)}, nil, []*child{holder("api", "main")}, nil},
		{"replaced other workload", []*containerSpec{spec("api", "main", held)}, nil, []*child{holder("old", "main")}, nil},
		{"kept same workload", []*containerSpec{spec("api", "side", held)}, []*child{holder("api", "main")}, nil, nil},
		{"kept other workload", []*containerSpec{spec("api", "main", held)}, []*child{holder("web", "main")}, nil, []string{"api/main " + held.key()}},
		{"udp of the same number", []*containerSpec{spec("api", "main", listenPort{Port: held.Port, Protocol: "udp"})}, nil, nil, nil},
		{"unchecked protocol", []*containerSpec{spec("api", "main", listenPort{Port: held.Port, Protocol: "sctp"})}, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range portConflicts(tt.starting, tt.kept, tt.replaced) {
				got = append(got, c.Workload+"/"+c.Container+" "+c.key())
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("conflicts = %q, want %q", got, tt.want)
			}
		})
	}
}
