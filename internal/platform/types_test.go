package platform

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

func TestBuiltinTypes(t *testing.T) {
	// The outputs of Score's default provisioners (score-compose, score-k8s),
	// secret ones marked with *.
	want := map[string]string{
		"amqp":          "host port password* username* vhost",
		"dns":           "host",
		"elasticsearch": "host port password* username*",
		"kafka-topic":   "host name num_partitions port",
		"mongodb":       "connection* host port password* username*",
		"mysql":         "database host name port password* username*",
		"postgres":      "database host name port password* username*",
		"redis":         "host port password* prefix username*",
		"route":         "",
		"s3":            "access_key_id* bucket endpoint region secret_key*",
		"service-port":  "hostname port",
		"volume":        "source",
	}
	types := BuiltinTypes()
	if len(types) != len(want) {
		t.Errorf("%d built-in types, want %d", len(types), len(want))
	}
	for name, outs := range want {
		typ, ok := types[name]
		if !ok {
			t.Errorf("no built-in type %s", name)
			continue
		}
		var got []string
		for _, o := range typ.OutputNames() {
			if typ.Outputs[o].Secret {
				o += "*"
			}
			got = append(got, o)
		}
		if !sameWords(strings.Join(got, " "), outs) {
			t.Errorf("%s outputs %v, want %s", name, got, outs)
		}
		if !typ.BuiltIn || typ.Description == "" || typ.Name != name {
			t.Errorf("%s: %+v", name, typ)
		}
		for o, spec := range typ.Outputs {
			if spec.Type == "" || spec.Description == "" {
				t.Errorf("%s output %s: %+v", name, o, spec)
			}
		}
	}
	if pg := types["postgres"]; pg.Outputs["port"].Type != OutputInteger || strings.Join(pg.SecretOutputs(), ",") != "password,username" {
		t.Errorf("postgres: %+v", pg.Outputs)
	}
	// BuiltinTypes returns a new map each time.
	delete(types, "postgres")
	if _, ok := BuiltinTypes()["postgres"]; !ok {
		t.Error("deleting from BuiltinTypes() changed the built-ins")
	}
}

func sameWords(a, b string) bool {
	wa, wb := strings.Fields(a), strings.Fields(b)
	if len(wa) != len(wb) {
		return false
	}
	set := map[string]int{}
	for _, w := range wa {
		set[w]++
	}
	for _, w := range wb {
		set[w]--
	}
	for _, n := range set {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestValidateParams(t *testing.T) {
	p, err := loadCase(t, `apiVersion: pave.dev/v1
kind: ResourceType
metadata: {name: bucket}
spec:
  params:
    type: object
    required: [name]
    properties:
      name: {type: string, pattern: "^[a-z]+$"}
      size: {type: integer, minimum: 1, maximum: 100}
      tier: {enum: [hot, cold]}
      tags: {type: array, items: {type: string}}
      owner: {$ref: "#/$defs/email"}
    additionalProperties: false
    $defs:
      email: {type: string, format: email}
  outputs:
    name: {}
`, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bucket, _ := p.Type("bucket")
	route, _ := p.Type("route")
	pg, _ := p.Type("postgres")
	tests := []struct {
		name   string
		typ    *ResourceType
		params string
		want   []string
	}{
		{"valid", bucket, `{"name": "logs", "size": 10, "tier": "hot", "tags": ["a"], "owner": "a@example.com"}`, nil},
		{"every problem", bucket, `{"name": "Logs", "size": 1000, "tier": "warm", "tags": [1], "owner": "nobody", "colour": "red"}`, []string{
			"/: additional properties 'colour' not allowed",
			"/name: 'Logs' does not match pattern '^[a-z]+$'",
			"/owner: 'nobody' is not valid email: missing @",
			"/size: maximum: got 1,000, want 100",
			"/tags/0: got number, want string",
			"/tier: value must be one of 'hot', 'cold'",
		}},
		{"nil params are an empty object", bucket, ``, []string{"/: missing property 'name'"}},
		{"float where integer is required", bucket, `{"name": "a", "size": 1.5}`, []string{"/size: got number, want integer"}},
		{"route", route, `{"host": "shop.example.com", "path": "/", "port": 8080}`, nil},
		{"route port by name", route, `{"host": "shop.example.com", "path": "/api", "port": "web"}`, nil},
		{"route missing", route, `{"path": "api"}`, []string{
			"/: missing properties 'host', 'port'",
			"/path: 'api' does not match pattern '^/'",
		}},
		{"type without schema takes anything", pg, `{"anything": [1, 2]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var params map[string]any
			if tt.params != "" {
				if err := json.Unmarshal([]byte(tt.params), &params); err != nil {
					t.Fatal(err)
				}
			}
			err := tt.typ.ValidateParams(params)
			if got := errLines(err); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if err != nil && !errs.Is(err, errs.Invalid) {
				t.Errorf("code %s", errs.CodeOf(err))
			}
		})
	}
}

func TestCheckOutputs(t *testing.T) {
	pg := BuiltinTypes()["postgres"]
	good := map[string]any{"host": "h", "port": int64(5432), "name": "n", "database": "n", "username": "u", "password": "hunter2"}
	if err := pg.CheckOutputs(good); err != nil {
		t.Errorf("good outputs: %v", err)
	}
	for _, port := range []any{5432, 5432.0, json.Number("5432")} {
		good["port"] = port
		if err := pg.CheckOutputs(good); err != nil {
			t.Errorf("port %T: %v", port, err)
		}
	}
	bad := map[string]any{"host": 1, "port": 54.5, "name": "n", "username": "u", "password": true, "extra": "x"}
	want := []string{
		`resource type postgres: output "database" missing`,
		`resource type postgres: output "host" must be string, not number`,
		`resource type postgres: output "password" must be string, not boolean`,
		`resource type postgres: output "port" must be integer, not number`,
	} // "extra" is not an error: undeclared outputs are dropped by the engine
	err := pg.CheckOutputs(bad)
	if got := errLines(err); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(err.Error(), "true") {
		t.Error("error shows a secret output's value")
	}
	typ := &ResourceType{Name: "x", Outputs: map[string]Output{"n": {Type: OutputNumber}, "b": {Type: OutputBoolean}}}
	if err := typ.CheckOutputs(map[string]any{"n": 1.5, "b": false}); err != nil {
		t.Error(err)
	}
	if err := typ.CheckOutputs(map[string]any{"n": "1.5", "b": "false"}); len(errs.Errors(err)) != 2 {
		t.Errorf("strings for number and boolean: %v", err)
	}
}

func TestConfigTypeIsUsable(t *testing.T) {
	p := loadExamples(t)
	smtp, err := p.Type("smtp")
	if err != nil {
		t.Fatal(err)
	}
	if smtp.BuiltIn || smtp.Source.File != "types/smtp.yaml" || smtp.Outputs["port"].Type != OutputInteger || !smtp.Outputs["password"].Secret {
		t.Errorf("smtp: %+v", smtp)
	}
	if err := smtp.ValidateParams(map[string]any{"from": "not an address"}); err == nil {
		t.Error("smtp params: bad email accepted")
	}
	var names []string
	for _, typ := range p.Types() {
		names = append(names, typ.Name)
	}
	if len(names) != len(builtinSpecs)+1 || !strings.Contains(strings.Join(names, ","), "service-port,smtp,volume") {
		t.Errorf("types %v", names)
	}
}

func TestSecretParams(t *testing.T) {
	p, err := loadCase(t, `apiVersion: pave.dev/v1
kind: ResourceType
metadata: {name: smtp}
spec:
  params:
    type: object
    properties:
      from: {type: string}
      apiKey: {type: string, writeOnly: true}
      token: {type: string, writeOnly: false}
  outputs:
    host: {type: string}
`, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	typ, err := p.Type("smtp")
	if err != nil {
		t.Fatal(err)
	}
	if got := typ.SecretParams(); len(got) != 1 || got[0] != "apiKey" {
		t.Errorf("SecretParams = %v", got)
	}
	pg, _ := p.Type("postgres")
	if got := pg.SecretParams(); len(got) != 0 {
		t.Errorf("postgres SecretParams = %v", got)
	}
}
