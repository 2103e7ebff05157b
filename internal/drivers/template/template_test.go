package template

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/driver/drivertest"
	"github.com/pavedev/pave/internal/errs"
)

func conformanceRequest(uid string) *driver.Request {
	return &driver.Request{
		Type: "postgres", Class: "default", ID: "shop.db",
		Params: map[string]any{"size": "small"},
		Inputs: map[string]any{
			"outputs": map[string]any{
				"host": "{{ .Context.App }}-{{ .Context.Env }}.db.internal",
				"port": int64(5432),
				"name": "db_{{ .Uid | hash 10 }}",
				"size": `{{ index .Params "size" | default "medium" }}`,
			},
			"secrets":   "username: u{{ .Uid | hash 6 }}\npassword: {{ randAlphaNum 24 }}\n",
			"manifests": "- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: {{ .Uid | hash 12 }}\n  stringData:\n    size: {{ index .Params \"size\" | quote }}\n",
			"values":    map[string]any{"team": "shop"},
		},
	}
}

func TestConformance(t *testing.T) {
	drivertest.Run(t, New(), drivertest.Case{
		Request: conformanceRequest,
		Update:  func(req *driver.Request) { req.Params["size"] = "large" },
		VerifyUpdate: func(t *testing.T, _ *driver.Request, outputs map[string]any) {
			if outputs["size"] != "large" {
				t.Errorf("size = %v after the update", outputs["size"])
			}
		},
		Outputs: []drivertest.Output{
			{Name: "host", Kind: drivertest.String},
			{Name: "port", Kind: drivertest.Number},
			{Name: "name", Kind: drivertest.String},
			{Name: "username", Kind: drivertest.String, Secret: true},
			{Name: "password", Kind: drivertest.String, Secret: true},
		},
		Verify: func(t *testing.T, outputs map[string]any) {
			if p, _ := outputs["password"].(string); len(p) != 24 {
				t.Errorf("password has %d characters, want 24", len(p))
			}
		},
	})
}

func provision(t *testing.T, req *driver.Request) (*driver.Result, error) {
	t.Helper()
	if req.UID == "" {
		req.UID = "pavetest.shop.db"
	}
	return New().Provision(context.Background(), req)
}

func TestRender(t *testing.T) {
	req := func(outputs any) *driver.Request {
		return &driver.Request{
			UID: "pavetest.app#Shop.DB", Type: "postgres", Class: "large", ID: "shop.db",
			Context: driver.Context{App: "shop", Env: "pr-1", EnvType: "development", ResID: "shop.db"},
			Params:  map[string]any{"size": "10Gi", "tags": []any{"a", "b"}},
			Outputs: map[string]any{"old": "before"},
			Inputs:  map[string]any{"outputs": outputs, "values": map[string]any{"team": "payments"}},
		}
	}
	tests := []struct {
		name string
		tmpl string
		want string
	}{
		{"request fields", "{{.Uid}} {{.Type}} {{.Class}} {{.Id}}", "pavetest.app#Shop.DB postgres large shop.db"},
		{"context", "{{.Context.App}}/{{.Context.Env}}/{{.Context.EnvType}}/{{.Context.ResId}}", "shop/pr-1/development/shop.db"},
		{"params", "{{.Params.size}}", "10Gi"},
		{"previous outputs", "{{.Outputs.old}}", "before"},
		{"inputs values", "{{.Inputs.values.team}}", "payments"},
		{"lower upper", `{{ lower "AbC" }}{{ upper "AbC" }}`, "abcABC"},
		{"trim", `{{ trim "  x " }}|{{ trimPrefix "pre-" "pre-x" }}|{{ trimSuffix ".db" "shop.db" }}`, "x|x|shop"},
		{"replace", `{{ .Uid | replace "." "-" }}`, "pavetest-app#Shop-DB"},
		{"default absent", `{{ index .Params "missing" | default "1Gi" }}`, "1Gi"},
		{"default present", `{{ .Params.size | default "1Gi" }}`, "10Gi"},
		{"quote", `{{ quote "a\"b" }} {{ quote 5 }}`, `"a\"b" "5"`},
		{"toJson", `{{ toJson .Params.tags }}`, `["a","b"]`},
		{"toYaml", `{{ toYaml .Params.tags }}`, "- a\n- b"},
		{"indent", `{{ indent 2 "a\nb" }}`, "  a\n  b"},
		{"join", `{{ join "," .Params.tags }}`, "a,b"},
		{"hash", `{{ hash 8 "shop" }}`, "8d9001d3"},
		{"hash pipe", `{{ "shop" | hash 4 }}`, "8d90"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := provision(t, req(map[string]any{"v": tt.tmpl}))
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Outputs["v"]; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestYAMLForms(t *testing.T) {
	res, err := provision(t, &driver.Request{
		Params: map[string]any{"replicas": int64(3)},
		Inputs: map[string]any{
			"outputs":   "port: 5432\nreplicas: {{ .Params.replicas }}\nname: x\n",
			"manifests": "{{ range $i := list }}{{ end }}",
		},
	})
	if err == nil || !strings.Contains(err.Error(), `function "list" not defined`) {
		t.Fatalf("got %v, want an undefined-function error", err)
	}
	res, err = provision(t, &driver.Request{
		Params: map[string]any{"replicas": int64(3)},
		Inputs: map[string]any{
			"outputs":   "port: 5432\nreplicas: {{ .Params.replicas }}\nname: x\n",
			"manifests": "- kind: ConfigMap\n  data: {a: '{{ .Params.replicas }}'}\n- kind: Service\n",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"port": int64(5432), "replicas": int64(3), "name": "x"}
	if !reflect.DeepEqual(res.Outputs, want) {
		t.Errorf("outputs = %#v, want %#v", res.Outputs, want)
	}
	wantM := []map[string]any{{"kind": "ConfigMap", "data": map[string]any{"a": "3"}}, {"kind": "Service"}}
	if !reflect.DeepEqual(res.Manifests, wantM) {
		t.Errorf("manifests = %#v, want %#v", res.Manifests, wantM)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		inputs map[string]any
		want   string
	}{
		{"parse error names template and line", map[string]any{"outputs": map[string]any{"host": "a\n{{ .Uid "}},
			"/inputs/outputs/host: template: outputs.host:2: unclosed action"},
		{"missing key", map[string]any{"outputs": map[string]any{"x": "{{ .Params.nope }}"}},
			`/inputs/outputs/x: template: outputs.x:1:10: executing "outputs.x" at <.Params.nope>: map has no entry for key "nope"`},
		{"unknown field", map[string]any{"secrets": map[string]any{"x": "{{ .Nope }}"}},
			"/inputs/secrets/x: template: secrets.x:1:3: executing"},
		{"required", map[string]any{"outputs": map[string]any{"x": `{{ required "size is required" (index .Params "size") }}`}},
			"size is required"},
		{"yaml of one template", map[string]any{"outputs": "a: [\n"},
			"outputs (rendered):"},
		{"yaml not an object", map[string]any{"outputs": "- a\n"},
			"/inputs/outputs: renders YAML array, want an object"},
		{"manifests not objects", map[string]any{"manifests": "- a\n- b\n"},
			"manifests (rendered):1: /0: must be an object, not string"},
		{"manifests not a list", map[string]any{"manifests": "a: b\n"},
			"/inputs/manifests: renders YAML object, want an array of objects"},
		{"secret clash", map[string]any{"outputs": map[string]any{"a": "1"}, "secrets": map[string]any{"a": "2"}},
			`/inputs/secrets/a: "a" is also in outputs`},
		{"rendered clash", map[string]any{"outputs": "a: 1", "secrets": "a: 2"},
			`/inputs/secrets: renders "a", which outputs renders too`},
		{"output bomb", map[string]any{"outputs": map[string]any{"x": `{{ range 2000000 }}xxxxxxxxxx{{ end }}`}},
			"/inputs/outputs/x: renders more than 1 MiB"},
		{"random too long", map[string]any{"outputs": map[string]any{"x": `{{ randAlphaNum 1000 }}`}},
			"randAlphaNum takes a length from 1 to 256, not 1000"},
		{"hash range", map[string]any{"outputs": map[string]any{"x": `{{ hash 0 "a" }}`}},
			"hash takes from 1 to 64 digits, not 0"},
		{"unknown input", map[string]any{"output": "x"}, "/inputs/output: unknown field"},
		{"manifests type", map[string]any{"manifests": []any{}}, "/inputs/manifests: must be a string, not array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := provision(t, &driver.Request{Inputs: tt.inputs})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("code %s, want invalid", errs.CodeOf(err))
			}
		})
	}
}

func TestValidateInputsParsesTemplates(t *testing.T) {
	d := New()
	if err := d.ValidateInputs(map[string]any{"outputs": map[string]any{"h": "${resources.db.host}-{{ .Uid }}"}}); err != nil {
		t.Fatalf("valid inputs: %v", err)
	}
	err := d.ValidateInputs(map[string]any{"outputs": map[string]any{"h": "{{ .Uid"}, "manifests": "{{ end }}"})
	if err == nil || !strings.Contains(err.Error(), "outputs.h:1") || !strings.Contains(err.Error(), "manifests:1") {
		t.Fatalf("got %v, want both parse errors", err)
	}
}

func TestRandomIsStable(t *testing.T) {
	inputs := func(n int) map[string]any {
		return map[string]any{"secrets": map[string]any{
			"a": "{{ randAlphaNum 16 }}",
			"b": "{{ randAlphaNum 8 }}-{{ randAlphaNum " + strings.Repeat("1", n) + " }}",
		}}
	}
	first, err := provision(t, &driver.Request{Inputs: inputs(1)})
	if err != nil {
		t.Fatal(err)
	}
	if first.Outputs["a"] == first.Outputs["b"] || len(first.Outputs["a"].(string)) != 16 {
		t.Fatalf("unexpected outputs %v", first.Outputs)
	}
	again, err := provision(t, &driver.Request{Inputs: inputs(1), State: first.State})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first.Outputs, again.Outputs) {
		t.Fatal("random values changed between runs with the same state")
	}
	// Changing the length of one call regenerates that value only.
	changed, err := provision(t, &driver.Request{Inputs: inputs(2), State: first.State})
	if err != nil {
		t.Fatal(err)
	}
	if changed.Outputs["a"] != first.Outputs["a"] {
		t.Error("an unchanged call site got a new value")
	}
	if b := changed.Outputs["b"].(string); b[:8] != first.Outputs["b"].(string)[:8] || len(b) != 8+1+11 {
		t.Errorf("b = %q: want the first part kept and the second regenerated with 11 characters", b)
	}
	var st state
	if err := json.Unmarshal(changed.State, &st); err != nil || len(st.Random) != 3 {
		t.Errorf("state holds %v (%v), want the 3 values in use", st.Random, err)
	}
	fresh, err := provision(t, &driver.Request{Inputs: inputs(1)})
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Outputs["a"] == first.Outputs["a"] {
		t.Error("without state, random values repeat")
	}
}

func TestContextEndsLongTemplate(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := New().Provision(ctx, &driver.Request{Inputs: map[string]any{
		"outputs": map[string]any{"x": "{{ range 2000000000 }}{{ end }}"},
	}})
	if !errs.Is(err, errs.Transient) {
		t.Fatalf("got %v, want a transient error for the ended context", err)
	}
}

func FuzzProvision(f *testing.F) {
	f.Add("{{ .Uid | hash 8 }}", "a: {{ randAlphaNum 4 }}")
	f.Add("{{ range .Params }}{{ . }}{{ end }}", "- {a: b}")
	f.Add("{{ toYaml .Inputs }}", "{{ indent 4 (toJson .) }}")
	f.Fuzz(func(t *testing.T, output, manifests string) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, _ = New().Provision(ctx, &driver.Request{
			UID: "pavetest.fuzz", Params: map[string]any{"a": "b", "n": int64(2)},
			Inputs: map[string]any{"outputs": map[string]any{"x": output}, "secrets": output, "manifests": manifests},
		})
	})
}
