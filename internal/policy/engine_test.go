package policy

import (
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
)

func TestGoldenPolicies(t *testing.T) {
	e := goldenEngine(t)
	want := []string{"agent_production_approval", "container_resources", "ephemeral_ttl", "image_tags", "no_public_database"}
	if got := e.Policies(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Policies() = %v, want %v", got, want)
	}
	tests := []struct {
		name   string
		modify func(in *Input)
		want   Result
	}{
		{
			name:   "compliant production deploy by a person",
			modify: func(in *Input) {},
		},
		{
			name: "agent deploys to production",
			modify: func(in *Input) {
				in.Actor = Actor{ID: "claude", Kind: ActorAgent}
			},
			want: Result{Approval: []Finding{{"agent_production_approval", `agent "claude" may deploy production environment "production" only with the approval of a person`}}},
		},
		{
			name: "agent plans production",
			modify: func(in *Input) {
				in.Actor = Actor{ID: "claude", Kind: ActorAgent}
				in.Action = ActionPlan
			},
		},
		{
			name: "agent rolls back staging",
			modify: func(in *Input) {
				in.Actor = Actor{ID: "claude", Kind: ActorAgent}
				in.Action = ActionRollback
				in.Environment = Environment{Name: "staging", Type: "staging"}
			},
		},
		{
			name: "public database",
			modify: func(in *Input) {
				in.Plan.Resources[0].Inputs["publiclyAccessible"] = true
			},
			want: Result{Deny: []Finding{{"no_public_database", `postgres resource "postgres.default#shop.db" is reachable from the internet (inputs.publiclyAccessible is true): databases must stay private`}}},
		},
		{
			name: "route to the cache",
			modify: func(in *Input) {
				in.Environment = Environment{Name: "staging", Type: "staging"}
				in.Plan.Resources[2].Params["target"] = "redis.default#web.cache"
			},
			want: Result{Deny: []Finding{{"no_public_database", `route "route.default#web.route" exposes redis resource "redis.default#web.cache" to the internet: databases must stay private`}}},
		},
		{
			name: "missing memory limit in production",
			modify: func(in *Input) {
				in.Plan.Workloads[1].Containers[1].Limits.Memory = ""
			},
			want: Result{Deny: []Finding{{"container_resources", `workload "worker" container "metrics" has no memory limit: limits are required in production`}}},
		},
		{
			name: "missing limits in development warn",
			modify: func(in *Input) {
				in.Environment = Environment{Name: "dev", Type: "development"}
				in.Plan.Workloads[1].Containers[0].Limits = Resources{}
			},
			want: Result{
				Deny: []Finding{},
				Warn: []Finding{
					{"container_resources", `workload "worker" container "main" has no cpu limit: set one, it will be required in staging and production`},
					{"container_resources", `workload "worker" container "main" has no memory limit: set one, it will be required in staging and production`},
				},
			},
		},
		{
			name: "limits above the staging maximum",
			modify: func(in *Input) {
				in.Environment = Environment{Name: "staging", Type: "staging"}
				in.Plan.Workloads[1].Containers[0].Limits = Resources{CPU: "2500m", Memory: "6Gi"}
			},
			want: Result{Deny: []Finding{
				{"container_resources", `workload "worker" container "main": cpu limit "2500m" exceeds the staging maximum of 2`},
				{"container_resources", `workload "worker" container "main": memory limit "6Gi" exceeds the staging maximum of 4Gi`},
			}},
		},
		{
			name: "invalid memory quantity",
			modify: func(in *Input) {
				in.Plan.Workloads[0].Containers[0].Limits.Memory = "512MB"
			},
			want: Result{Deny: []Finding{{"container_resources", `workload "web" container "main": memory limit "512MB" is not a quantity such as "500m", "2" or "512Mi"`}}},
		},
		{
			name: "latest image in production",
			modify: func(in *Input) {
				in.Plan.Workloads[0].Containers[0].Image = "ghcr.io/acme/shop-web:latest"
			},
			want: Result{Deny: []Finding{{"image_tags", `workload "web" container "main": image "ghcr.io/acme/shop-web:latest" uses the latest tag: production images must be pinned to a version tag or a digest`}}},
		},
		{
			name: "untagged and built images in production",
			modify: func(in *Input) {
				in.Plan.Workloads[0].Containers[0].Image = "localhost:5000/shop-web"
				in.Plan.Workloads[1].Containers[1].Image = "."
			},
			want: Result{Deny: []Finding{
				{"image_tags", `workload "web" container "main": image "localhost:5000/shop-web" has no tag: production images must be pinned to a version tag or a digest`},
				{"image_tags", `workload "worker" container "metrics": image "." is built from source at deploy time: production images must be pinned to a version tag or a digest`},
			}},
		},
		{
			name: "latest image in development",
			modify: func(in *Input) {
				in.Environment = Environment{Name: "dev", Type: "development"}
				in.Plan.Workloads[0].Containers[0].Image = "ghcr.io/acme/shop-web:latest"
				in.Plan.Workloads[1].Containers[0].Limits = Resources{CPU: "1", Memory: "2Gi"}
			},
		},
		{
			name: "ephemeral environment without ttl",
			modify: func(in *Input) {
				in.Action = ActionCreateEnv
				in.Environment = Environment{Name: "pr-123", Type: "development", Ephemeral: true}
				in.Plan.Workloads[1].Containers[0].Limits = Resources{CPU: "1", Memory: "1Gi"}
			},
			want: Result{Deny: []Finding{{"ephemeral_ttl", `ephemeral environment "pr-123" has no ttl: set one, such as "72h", so that it is cleaned up`}}},
		},
		{
			name: "ephemeral environment with ttl",
			modify: func(in *Input) {
				in.Environment = Environment{Name: "pr-123", Type: "development", Ephemeral: true, TTL: "72h"}
				in.Plan.Workloads[1].Containers[0].Limits = Resources{CPU: "1", Memory: "1Gi"}
			},
		},
		{
			name: "agent destroys production with a public database",
			modify: func(in *Input) {
				in.Actor = Actor{ID: "claude", Kind: ActorAgent}
				in.Action = ActionDestroy
				in.Plan.Resources[0].Params["public"] = true
				in.Plan.Workloads[0].Containers[0].Image = "web:latest"
			},
			want: Result{Approval: []Finding{{"agent_production_approval", `agent "claude" may destroy production environment "production" only with the approval of a person`}}},
		},
		{
			name: "everything wrong at once",
			modify: func(in *Input) {
				in.Actor = Actor{ID: "claude", Kind: ActorAgent}
				in.Action = ActionPromote
				in.Environment.Ephemeral = true
				in.Plan.Resources[1].Params["public"] = true
				in.Plan.Workloads[0].Containers[0] = Container{Name: "main", Image: "web"}
			},
			want: Result{
				Deny: []Finding{
					{"container_resources", `workload "web" container "main" has no cpu limit: limits are required in production`},
					{"container_resources", `workload "web" container "main" has no memory limit: limits are required in production`},
					{"image_tags", `workload "web" container "main": image "web" has no tag: production images must be pinned to a version tag or a digest`},
					{"no_public_database", `redis resource "redis.default#web.cache" is reachable from the internet (params.public is true): databases must stay private`},
				},
				Approval: []Finding{{"agent_production_approval", `agent "claude" may promote production environment "production" only with the approval of a person`}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := shopInput()
			tt.modify(&in)
			got, err := e.Eval(t.Context(), in)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			want := normalized(tt.want)
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("Eval:\n got %s\nwant %s", toJSON(got), toJSON(want))
			}
			if got.Allowed() != (len(want.Deny) == 0) || got.NeedsApproval() != (len(want.Approval) > 0) {
				t.Errorf("Allowed() = %v, NeedsApproval() = %v", got.Allowed(), got.NeedsApproval())
			}
		})
	}
}

func normalized(r Result) Result {
	for _, l := range []*[]Finding{&r.Deny, &r.Warn, &r.Approval} {
		if *l == nil {
			*l = []Finding{}
		}
	}
	return r
}

func toJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func TestEvalSortedAndDeterministic(t *testing.T) {
	e, err := Compile(files(
		"b.rego", `package pave.beta

deny contains sprintf("workload %s", [w.name]) if some w in input.plan.workloads

warn contains {"code": 7, "text": "structured"}

approval contains "second" if true
`,
		"a1.rego", `package pave.alpha

deny contains "zeta" if input.action == "deploy"

approval contains "first" if true
`,
		"a2.rego", `package pave.alpha

deny contains "eta" if input.action == "deploy"

deny contains "zeta" if true
`,
	))
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Action: ActionDeploy, Plan: Plan{Workloads: []Workload{{Name: "z"}, {Name: "a"}, {Name: "m"}}}}
	want := Result{
		Deny: []Finding{
			{"alpha", "eta"}, {"alpha", "zeta"},
			{"beta", "workload a"}, {"beta", "workload m"}, {"beta", "workload z"},
		},
		Warn:     []Finding{{"beta", `{"code":7,"text":"structured"}`}},
		Approval: []Finding{{"alpha", "first"}, {"beta", "second"}},
	}
	for range 20 {
		got, err := e.Eval(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("Eval:\n got %s\nwant %s", toJSON(got), toJSON(want))
		}
	}
}

func TestEvalRuntimeErrorLocated(t *testing.T) {
	e, err := Compile(files("conflict.rego", `package pave.conflict

size := "small" if input.action == "deploy"

size := "large" if input.app == "shop"

deny contains size if true
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Eval(t.Context(), Input{Action: ActionDeploy, App: "shop"})
	if err == nil {
		t.Fatal("Eval succeeded, want a conflict error")
	}
	var e2 *errs.Error
	list := errs.Errors(err)
	if len(list) != 1 {
		t.Fatalf("errors: %v", err)
	}
	e2 = list[0]
	if e2.Code != errs.Invalid || e2.File != "conflict.rego" || e2.Line == 0 || !strings.Contains(e2.Message, "conflict") {
		t.Errorf("error = %+v", e2)
	}
}

// slowPolicy loops for a very long time unless cancelled.
const slowPolicy = `package pave.slow

deny contains "never" if {
	some i in numbers.range(1, 5000)
	some j in numbers.range(1, 5000)
	some k in numbers.range(1, 5000)
	i + j + k < 0
}
`

func TestEvalTimeLimit(t *testing.T) {
	e, err := Compile(files("slow.rego", slowPolicy), WithTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Eval(context.Background(), Input{})
	if err == nil {
		t.Fatal("Eval succeeded, want a time limit error")
	}
	if errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), "exceeded its time limit of 50ms") {
		t.Errorf("error = %v (%s)", err, errs.CodeOf(err))
	}
}

func TestEvalCancelled(t *testing.T) {
	e, err := Compile(files("slow.rego", slowPolicy))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err = e.Eval(ctx, Input{})
	if errs.CodeOf(err) != errs.Transient {
		t.Errorf("error = %v (%s), want transient", err, errs.CodeOf(err))
	}
}

func TestEvalEmptyInputHasNoNulls(t *testing.T) {
	e, err := Compile(files("shape.rego", `package pave.shape

deny contains "roles is not a list" if not is_array(input.actor.roles)

deny contains "params is not an object" if {
	some r in input.plan.resources
	not is_object(r.params)
}

deny contains "limits is not an object" if {
	some w in input.plan.workloads
	some c in w.containers
	not is_object(c.limits)
}

deny contains "ttl is present" if input.environment.ttl
`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Eval(t.Context(), Input{Plan: Plan{
		Resources: []Resource{{UID: "x"}},
		Workloads: []Workload{{Name: "w", Containers: []Container{{Name: "c"}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Allowed() {
		t.Errorf("deny: %v", res.Deny)
	}
}

func TestEvalConcurrent(t *testing.T) {
	e := goldenEngine(t)
	inputs := []Input{shopInput(), shopInput(), shopInput(), bigInput(20)}
	inputs[1].Actor.Kind = ActorAgent
	inputs[2].Plan.Workloads[0].Containers[0].Image = "web:latest"
	want := make([]*Result, len(inputs))
	for i, in := range inputs {
		r, err := e.Eval(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = r
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for n := range 25 {
				i := (g + n) % len(inputs)
				got, err := e.Eval(t.Context(), inputs[i])
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(got, want[i]) {
					t.Errorf("input %d: concurrent result differs:\n got %s\nwant %s", i, toJSON(got), toJSON(want[i]))
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkEvalGolden100Workloads evaluates all golden policies ("all"),
// then each alone, on a compliant production plan of 100 workloads with two
// containers each and 103 resources.
func BenchmarkEvalGolden100Workloads(b *testing.B) {
	golden := goldenFiles(b)
	in := bigInput(100)
	bench := func(b *testing.B, files map[string][]byte) {
		e, err := Compile(files)
		if err != nil {
			b.Fatal(err)
		}
		res, err := e.Eval(b.Context(), in)
		if err != nil {
			b.Fatal(err)
		}
		if !res.Allowed() || len(res.Warn) != 0 {
			b.Fatalf("benchmark input is not compliant: %s", toJSON(res))
		}
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			if _, err := e.Eval(b.Context(), in); err != nil {
				b.Fatal(err)
			}
		}
		// The machine may be shared: CPU time says more than wall time.
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
	b.Run("all", func(b *testing.B) { bench(b, golden) })
	for _, name := range slices.Sorted(maps.Keys(golden)) {
		if isTestFile(name) {
			continue
		}
		b.Run(strings.TrimSuffix(name, ".rego"), func(b *testing.B) {
			bench(b, map[string][]byte{name: golden[name]})
		})
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
