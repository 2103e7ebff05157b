package compose

import (
	"reflect"
	"testing"

	"github.com/pavedev/pave/internal/target"
)

// psLine is a line of `docker compose ps --all --format json` by Compose
// 2.40.3 against Docker 20.10 (shortened).
const psLine = `{"Command":"\"/server\"","ExitCode":0,"Health":"healthy","ID":"3ed2cd0a6464","Image":"shop-dev-web",` +
	`"Labels":"com.docker.compose.service=web,pave.dev/workload=web,pave.dev/container=main,com.docker.compose.project=shop-dev",` +
	`"Name":"shop-dev-web-1","Project":"shop-dev","Service":"web","State":"running","Status":"Up 6 seconds (healthy)"}`

func TestParsePS(t *testing.T) {
	web := container{ID: "3ed2cd0a6464", Name: "shop-dev-web-1", Service: "web", Workload: "web", Container: "main", State: "running", Health: "healthy", Status: "Up 6 seconds (healthy)"}
	cases := []struct {
		name string
		out  string
		want []container
		err  bool
	}{
		{name: "nothing", out: "", want: nil},
		{name: "blank", out: "\n  \n", want: nil},
		{name: "one per line", out: psLine + "\n" + psLine + "\n", want: []container{web, web}},
		{name: "array (Compose before 2.21)", out: "[" + psLine + "]", want: []container{web}},
		{
			name: "labels as a map, upper-case state",
			out:  `{"ID":"1","Name":"n","Service":"s","State":"Exited","ExitCode":3,"Labels":{"pave.dev/workload":"w","pave.dev/container":"c"}}`,
			want: []container{{ID: "1", Name: "n", Service: "s", Workload: "w", Container: "c", State: "exited", ExitCode: 3}},
		},
		{
			name: "not pave's",
			out:  `{"ID":"1","Name":"n","Service":"s","State":"running","Labels":"a=b"}`,
			want: []container{{ID: "1", Name: "n", Service: "s", State: "running"}},
		},
		{name: "garbage", out: "Error response from daemon", err: true},
		{name: "truncated", out: psLine[:40], err: true},
		{name: "no service", out: `{"ID":"1","Name":"n"}`, err: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parsePS([]byte(c.out))
			if (err != nil) != c.err {
				t.Fatalf("error %v, want error %v", err, c.err)
			}
			if !c.err && !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func FuzzParsePS(f *testing.F) {
	f.Add([]byte(psLine))
	f.Add([]byte("[" + psLine + "]"))
	f.Add([]byte(`{"Service":"s","Labels":{"a":"b"}}`))
	f.Fuzz(func(t *testing.T, out []byte) {
		cs, err := parsePS(out)
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.Service == "" {
				t.Fatalf("container without service: %+v", c)
			}
		}
		workloadStatuses(nil, cs)
	})
}

func TestWorkloadStatuses(t *testing.T) {
	ctr := func(svc, w, state, health string, exit, restarts int) container {
		return container{Service: svc, Workload: w, Container: "main", State: state, Health: health, ExitCode: exit, Restarts: restarts}
	}
	cases := []struct {
		name    string
		desired []service
		cs      []container
		want    []target.WorkloadStatus
	}{
		{name: "nothing", want: []target.WorkloadStatus{}},
		{
			name:    "healthy and without healthcheck",
			desired: []service{{Name: "api", Workload: "api", Container: "main"}, {Name: "web", Workload: "web", Container: "main"}},
			cs:      []container{ctr("web", "web", "running", "healthy", 0, 0), ctr("api", "api", "running", "", 0, 0)},
			want: []target.WorkloadStatus{
				{Workload: "api", State: "running", Ready: 1, Desired: 1},
				{Workload: "web", State: "running", Ready: 1, Desired: 1},
			},
		},
		{
			name:    "health starting",
			desired: []service{{Name: "web", Workload: "web"}},
			cs:      []container{ctr("web", "web", "running", "starting", 0, 0)},
			want:    []target.WorkloadStatus{{Workload: "web", State: "starting", Desired: 1, Message: "healthcheck has not passed yet"}},
		},
		{
			name:    "unhealthy after restarts",
			desired: []service{{Name: "web", Workload: "web"}},
			cs:      []container{ctr("web", "web", "running", "unhealthy", 0, 2)},
			want:    []target.WorkloadStatus{{Workload: "web", State: "failed", Desired: 1, Restarts: 2, Message: "unhealthy (2 restarts)"}},
		},
		{
			name:    "crash loop",
			desired: []service{{Name: "web", Workload: "web"}},
			cs:      []container{ctr("web", "web", "restarting", "", 1, 5)},
			want:    []target.WorkloadStatus{{Workload: "web", State: "failed", Desired: 1, Restarts: 5, Message: "restarting after exiting with code 1 (5 restarts)"}},
		},
		{
			name:    "exited cleanly, and no container yet",
			desired: []service{{Name: "job", Workload: "job"}, {Name: "new", Workload: "new", Container: "main"}},
			cs:      []container{ctr("job", "job", "exited", "", 0, 0)},
			want: []target.WorkloadStatus{
				{Workload: "job", State: "stopped", Desired: 1, Message: "exited with code 0"},
				{Workload: "new", State: "stopped", Desired: 1, Message: "no container"},
			},
		},
		{
			name: "two containers, one not ready, orphan workload with no compose.yaml entry",
			desired: []service{
				{Name: "web-a", Workload: "web", Container: "a"}, {Name: "web-b", Workload: "web", Container: "b"},
			},
			cs: []container{
				{Service: "web-a", Workload: "web", Container: "a", State: "running"},
				{Service: "web-b", Workload: "web", Container: "b", State: "created"},
				{Service: "old", Workload: "old", Container: "main", State: "running"},
				{Service: "foreign", State: "running"},
			},
			want: []target.WorkloadStatus{
				{Workload: "old", State: "running", Ready: 1, Desired: 1},
				{Workload: "web", State: "starting", Ready: 1, Desired: 2, Message: `container "b": created, not started`},
			},
		},
		{
			name:    "dead",
			desired: []service{{Name: "web", Workload: "web"}},
			cs:      []container{ctr("web", "web", "dead", "", 137, 0)},
			want:    []target.WorkloadStatus{{Workload: "web", State: "failed", Desired: 1, Message: "dead with code 137"}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := workloadStatuses(c.desired, c.cs)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestProgressEvent(t *testing.T) {
	workloads := map[string]string{"web": "web", "web-api": "web", "worker-main": "worker"}
	cases := []struct {
		line          string
		ok            bool
		workload      string
		phase, detail string
	}{
		{line: " Container shop-dev-web-1  Recreated", ok: true, workload: "web", phase: "applying", detail: "service web: recreated"},
		{line: " Container shop-dev-web-api-1  Started", ok: true, workload: "web", phase: "applying", detail: "service web-api: started"},
		{line: " Container shop-dev-worker-main-1  Waiting", ok: true, workload: "worker", phase: "waiting", detail: "service worker-main: waiting"},
		{line: " Container shop-dev-web-1  Healthy", ok: true, workload: "web", phase: "ready", detail: "service web: healthy"},
		{line: " Container shop-dev-web-1  Error dependency web failed to start", ok: true, workload: "web", phase: "failed", detail: "service web: error dependency web failed to start"},
		{line: " Container shop-dev-old-1  Removed"},
		{line: " Container other-web-1  Started"},
		{line: " Network shop-dev_default  Created"},
		{line: "#4 [web 1/1] COPY server /server"},
		{line: ""},
	}
	for _, c := range cases {
		ev, ok := progressEvent("shop-dev", c.line, workloads)
		if ok != c.ok || ev.Workload != c.workload || ev.Phase != c.phase || ev.Message != c.detail {
			t.Errorf("%q: %v %+v", c.line, ok, ev)
		}
	}
}

func TestParseLogLine(t *testing.T) {
	l, ok := parseLogLine("2026-11-23T11:46:23.818855462Z listening on :8080\r", "main")
	if !ok || l.text != "listening on :8080" || l.stamp != "2026-11-23T11:46:23.818855462Z" || l.container != "main" {
		t.Fatalf("%+v %v", l, ok)
	}
	for _, bad := range []string{"", "WARN[0000] something", "time=\"x\" level=warning"} {
		if _, ok := parseLogLine(bad, "main"); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestAtLeast(t *testing.T) {
	for v, want := range map[string]bool{
		"2.40.3": true, "2.17.0": true, "2.17.0-desktop.1": true, "3.0.0": true, "2.16.9": false,
		"1.29.2": false, "": false, "2": false, "x.y": false, "10.0": true,
	} {
		if got := atLeast(v, minVersion); got != want {
			t.Errorf("atLeast(%q) = %v", v, got)
		}
	}
}
