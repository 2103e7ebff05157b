package platform

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pavedev/pave/internal/errs"
)

// base is a small valid config that the cases below add a file to.
const base = `apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: development}
---
apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: staging}
---
apiVersion: pave.dev/v1
kind: Environment
metadata: {name: staging}
spec:
  type: staging
  target: {kind: process}
---
apiVersion: pave.dev/v1
kind: Environment
metadata: {name: pr-1}
spec:
  type: development
  app: shop
  ttl: 24h
  target: {kind: process}
`

func loadCase(t *testing.T, file string, opts LoadOptions) (*Platform, error) {
	t.Helper()
	return LoadFiles(map[string][]byte{"base.yaml": []byte(base), "case.yaml": []byte(file)}, opts)
}

func errLines(err error) []string {
	var out []string
	for _, e := range errs.Errors(err) {
		out = append(out, e.Error())
	}
	return out
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		opts LoadOptions
		want []string
	}{
		{"syntax", "kind: [", LoadOptions{}, []string{
			"case.yaml:1: syntax error: did not find expected node content",
		}},
		{"not an object", "- 1\n", LoadOptions{}, []string{
			"case.yaml:1: /: must be an object, not array",
		}},
		{"envelope", `apiVersion: pave.dev/v2
kind: Gadget
metadata: {name: x}
extra: 1
`, LoadOptions{}, []string{
			"case.yaml:1: /apiVersion: unsupported apiVersion \"pave.dev/v2\" (expected pave.dev/v1)",
			"case.yaml:2: /kind: unknown kind \"Gadget\" (expected Environment, EnvironmentType, ResourceDefinition or ResourceType)",
			"case.yaml:4: /extra: unknown field (expected one of: apiVersion, kind, metadata, spec)",
		}},
		{"missing header", "spec: {}\n", LoadOptions{}, []string{
			"case.yaml:1: /apiVersion: required",
			"case.yaml:1: /kind: required",
			"case.yaml:1: /metadata: required",
		}},
		{"bad name", `apiVersion: pave.dev/v1
kind: EnvironmentType
metadata:
  name: Dev_Env
  owner: me
`, LoadOptions{}, []string{
			"case.yaml:4: /metadata/name: " + nameRule,
			"case.yaml:5: /metadata/owner: unknown field (expected one of: name)",
		}},
		{"duplicate name", `apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: staging}
`, LoadOptions{}, []string{
			"case.yaml:3: /metadata/name: duplicate EnvironmentType \"staging\" (first defined at base.yaml:5)",
		}},
		{"environment type", `apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: qa}
spec:
  approval: sometimes
  color: blue
`, LoadOptions{}, []string{
			"case.yaml:5: /spec/approval: must be required or none, not \"sometimes\"",
			"case.yaml:6: /spec/color: unknown field (expected one of: description, approval)",
		}},
		{"missing spec", `apiVersion: pave.dev/v1
kind: Environment
metadata: {name: qa}
`, LoadOptions{}, []string{
			"case.yaml:1: /spec: required",
		}},
		{"environment", `apiVersion: pave.dev/v1
kind: Environment
metadata: {name: qa}
spec:
  type: qa
  ttl: forever
  app: Shop
  target:
    kind: nomad
    config:
      token: ${secrets.qa token}
      ns: ${context.app}
      other: 1
  color: blue
`, LoadOptions{}, []string{
			"case.yaml:5: /spec/type: unknown environment type \"qa\" (environment types: [development staging])",
			"case.yaml:6: /spec/ttl: must be a positive duration like 72h, not \"forever\"",
			"case.yaml:7: /spec/app: " + nameRule,
			"case.yaml:9: /spec/target/kind: unknown target kind \"nomad\" (expected process, kubernetes, gitops or compose)",
			"case.yaml:11: /spec/target/config/token: placeholder ${secrets.qa token}: secret name \"qa token\" must be letters, digits, '_', '.' and '-'",
			"case.yaml:12: /spec/target/config/ns: placeholder ${context.app}: an environment's target knows only context.env and context.envType",
			"case.yaml:14: /spec/color: unknown field (expected one of: description, type, target, ttl, app)",
		}},
		{"environment without target", `apiVersion: pave.dev/v1
kind: Environment
metadata: {name: qa}
spec: {type: staging}
`, LoadOptions{}, []string{
			"case.yaml:4: /spec/target: required",
		}},
		{"resource type", `apiVersion: pave.dev/v1
kind: ResourceType
metadata: {name: smtp}
spec:
  params:
    type: objekt
  outputs:
    host: {type: text}
    port: {type: integer, secret: yes please}
    a.b: {}
    user: 1
    pass: {type: string, hidden: true}
`, LoadOptions{}, []string{
			"case.yaml:6: /spec/params/type: invalid JSON Schema: got string, want array",
			"case.yaml:6: /spec/params/type: invalid JSON Schema: value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'",
			"case.yaml:8: /spec/outputs/host/type: unknown output type \"text\" (expected string, integer, number or boolean)",
			"case.yaml:9: /spec/outputs/port/secret: must be a boolean, not string",
			"case.yaml:10: /spec/outputs/a.b: " + outputRule,
			"case.yaml:11: /spec/outputs/user: must be an object, not number",
			"case.yaml:12: /spec/outputs/pass/hidden: unknown field (expected one of: type, secret, description)",
		}},
		{"params schema not an object", `apiVersion: pave.dev/v1
kind: ResourceType
metadata: {name: smtp}
spec: {params: [1]}
`, LoadOptions{}, []string{
			"case.yaml:4: /spec/params: must be a JSON Schema object, not array",
		}},
		{"params schema with external ref", `apiVersion: pave.dev/v1
kind: ResourceType
metadata: {name: smtp}
spec:
  params: {$ref: "file:///etc/passwd"}
`, LoadOptions{}, []string{
			"case.yaml:5: /spec/params: invalid JSON Schema: failing loading \"file:///etc/passwd\": external schema references are not allowed",
		}},
		{"built-in type redefined", `apiVersion: pave.dev/v1
kind: ResourceType
metadata: {name: postgres}
spec: {}
`, LoadOptions{}, []string{
			"case.yaml:3: /metadata/name: resource type \"postgres\" is built in and cannot be redefined; choose another name",
		}},
		{"definition fields", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec:
  type: nosuch
  class: Big
  inputs: [1]
  timeout: -5s
  outputs: [host, host, "x.y"]
  driver: 3
  provide: []
`, LoadOptions{}, []string{
			"case.yaml:5: /spec/type: unknown resource type \"nosuch\"",
			"case.yaml:6: /spec/class: " + nameRule,
			"case.yaml:7: /spec/inputs: must be an object, not array",
			"case.yaml:8: /spec/timeout: must be a positive duration like 90s or 5m, not \"-5s\"",
			"case.yaml:9: /spec/outputs/1: duplicate output \"host\"",
			"case.yaml:9: /spec/outputs/2: " + outputRule,
			"case.yaml:10: /spec/driver: must be a string, not number",
			"case.yaml:11: /spec/provide: unknown field (expected one of: description, type, class, driver, inputs, criteria, provisions, outputs, timeout)",
		}},
		{"definition required fields", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec: {}
`, LoadOptions{}, []string{
			"case.yaml:4: /spec/driver: required",
			"case.yaml:4: /spec/type: required",
		}},
		{"unknown driver", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec: {type: postgres, driver: postgress}
`, LoadOptions{KnownDriver: knownTestDriver}, []string{
			"case.yaml:4: /spec/driver: unknown driver \"postgress\"",
		}},
		{"driver rejects inputs", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec:
  type: postgres
  driver: postgres
  inputs:
    adminURL: x
`, LoadOptions{KnownDriver: knownTestDriver, ValidateInputs: func(driver string, in map[string]any) error {
			var l errs.List
			if _, ok := in["adminUrl"]; !ok {
				l = append(l, &errs.Error{Code: errs.Invalid, Path: "/adminUrl", Message: "required"})
			}
			l = append(l, &errs.Error{Code: errs.Invalid, Path: "/adminURL", Message: "unknown input"})
			return l
		}}, []string{
			"case.yaml:7: /spec/inputs/adminUrl: driver postgres: required",
			"case.yaml:8: /spec/inputs/adminURL: driver postgres: unknown input",
		}},
		{"driver rejects inputs with a plain error", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec: {type: postgres, driver: postgres}
`, LoadOptions{ValidateInputs: func(string, map[string]any) error { return errors.New("adminUrl is required") }}, []string{
			"case.yaml:4: /spec/inputs: driver postgres: adminUrl is required",
		}},
		{"criteria", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec:
  type: dns
  driver: template
  inputs: {outputs: {host: x}}
  criteria:
    - env: staging
    - envType: prod
    - env: staging
    - resId: "a b"
      App: x
    - 7
    - env: staging
      envType: development
    - env: pr-1
      app: blog
`, LoadOptions{}, []string{
			"case.yaml:10: /spec/criteria/1/envType: unknown environment type \"prod\" (environment types: [development staging])",
			"case.yaml:11: /spec/criteria/2: duplicate criterion env=staging (same as /spec/criteria/0)",
			"case.yaml:12: /spec/criteria/3/resId: " + resIDRule,
			"case.yaml:13: /spec/criteria/3/App: unknown field (expected one of: app, env, envType, resId)",
			"case.yaml:14: /spec/criteria/4: must be an object, not number",
			"case.yaml:15: /spec/criteria/5: criterion env=staging,envType=development can never match: environment staging is of type staging",
			"case.yaml:17: /spec/criteria/6: criterion env=pr-1,app=blog can never match: environment pr-1 is only for app shop",
		}},
		{"outputs do not cover the type", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec:
  type: postgres
  driver: static
  inputs:
    outputs: {host: h, port: 1, name: n, db: n}
    secrets: {password: p}
`, LoadOptions{}, []string{
			"case.yaml:7: /spec/inputs: definition \"d\" does not give output(s) database, username of resource type postgres",
			"case.yaml:7: /spec/inputs: definition \"d\" gives output(s) db that resource type postgres does not have (outputs: [database host name password port username])",
		}},
		{"static without inputs gives nothing", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec: {type: dns, driver: static}
`, LoadOptions{}, []string{
			"case.yaml:4: /spec: definition \"d\" does not give output(s) host of resource type dns",
		}},
		{"explicit outputs of the wrong kind", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec:
  type: dns
  driver: tofu
  outputs: [host, 1, host]
`, LoadOptions{}, []string{
			"case.yaml:7: /spec/outputs/1: must be a string, not number",
			"case.yaml:7: /spec/outputs/2: duplicate output \"host\"",
		}},
		{"explicit outputs", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec:
  type: redis
  driver: tofu
  outputs: [host, port, password, prefix]
`, LoadOptions{}, []string{
			"case.yaml:7: /spec/outputs: definition \"d\" does not give output(s) username of resource type redis",
		}},
		{"placeholders", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec:
  type: dns
  driver: template
  inputs:
    outputs:
      host: ${context.app}.${context.cluster}
    a: ${secret.x}
    b: [ "${resources.postgres.hostname}", "${resources.nosuch.x}" ]
    c: "${resources.dns.host}"
    d: "${resources.dns#other.host} $${not.a.placeholder} ${resources.redis.Big#x.host}"
    e: "${unterminated"
    f: "${}"
    g: "${resources.postgres}"
`, LoadOptions{}, []string{
			"case.yaml:9: /spec/inputs/outputs/host: placeholder ${context.cluster}: unknown context key \"cluster\" (expected app, env, envType or resId)",
			"case.yaml:10: /spec/inputs/a: placeholder ${secret.x}: unknown root \"secret\" (expected context, secrets or resources)",
			"case.yaml:11: /spec/inputs/b/0: placeholder ${resources.postgres.hostname}: resource type postgres has no output \"hostname\" (outputs: database, host, name, password, port, username)",
			"case.yaml:11: /spec/inputs/b/1: placeholder ${resources.nosuch.x}: unknown resource type \"nosuch\"",
			"case.yaml:12: /spec/inputs/c: placeholder ${resources.dns.host}: a definition cannot use its own outputs (dns.default without an id is the resource being provisioned)",
			"case.yaml:13: /spec/inputs/d: placeholder ${resources.redis.Big#x.host}: invalid class \"Big\": expected resources.<type>[.<class>][#<id>].<output>",
			`case.yaml:14: /spec/inputs/e: placeholder at offset 0: "${" has no closing "}" (write $$ for a literal "$")`,
			`case.yaml:15: /spec/inputs/f: placeholder at offset 0: "${}" is empty (write $$ for a literal "$")`,
			"case.yaml:16: /spec/inputs/g: placeholder ${resources.postgres}: missing output: expected resources.<type>[.<class>][#<id>].<output>",
		}},
		{"provisions", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec:
  type: dns
  driver: template
  inputs: {outputs: {host: x}}
  provisions:
    - {type: route}
    - {type: route, class: default}
    - {type: dns}
    - {type: nosuch, id: x}
    - {class: x, id: "bad id", extra: 1}
`, LoadOptions{}, []string{
			"case.yaml:10: /spec/provisions/1: duplicate provision route.default",
			"case.yaml:11: /spec/provisions/2: definition provisions itself (dns.default without an id is the resource being provisioned)",
			"case.yaml:12: /spec/provisions/3/type: unknown resource type \"nosuch\"",
			"case.yaml:13: /spec/provisions/4/extra: unknown field (expected one of: type, class, id)",
			"case.yaml:13: /spec/provisions/4/id: " + resIDRule,
			"case.yaml:13: /spec/provisions/4/type: required",
		}},
		{"conflict", `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: a}
spec:
  type: dns
  driver: template
  inputs: {outputs: {host: x}}
  criteria: [{env: staging}, {app: shop}]
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: b}
spec:
  type: dns
  driver: template
  inputs: {outputs: {host: x}}
  criteria: [{app: shop, env: staging}, {env: staging}]
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: c}
spec:
  type: dns
  driver: template
  inputs: {outputs: {host: x}}
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: d}
spec:
  type: dns
  driver: template
  inputs: {outputs: {host: x}}
  criteria: []
`, LoadOptions{}, []string{
			"case.yaml:17: /spec/criteria/1: definitions \"b\" and \"a\" (case.yaml:1) are equally specific matches of dns.default under criterion env=staging (specificity 4): neither would win; make one more specific or remove one",
			"case.yaml:34: /spec/criteria: definitions \"d\" and \"c\" (case.yaml:19) are equally specific matches of dns.default under criterion * (specificity 0): neither would win; make one more specific or remove one",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := loadCase(t, tt.file, tt.opts)
			if err == nil {
				t.Fatalf("loaded, want errors:\n%s", strings.Join(tt.want, "\n"))
			}
			if p != nil {
				t.Errorf("got a platform along with errors")
			}
			if errs.CodeOf(err) != errs.Invalid {
				t.Errorf("code %s, want invalid", errs.CodeOf(err))
			}
			got := errLines(err)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestLoadSkipsFiles(t *testing.T) {
	bad := &fstest.MapFile{Data: []byte("this: is: not: platform config")}
	fsys := fstest.MapFS{
		"base.yaml":              {Data: []byte(base)},
		"README.md":              bad,
		"policies/deny.yaml":     bad,
		".git/config.yaml":       bad,
		"envs/.hidden.yml":       bad,
		"envs/.cache/x.yaml":     bad,
		"envs/qa.yml":            {Data: []byte("apiVersion: pave.dev/v1\nkind: EnvironmentType\nmetadata: {name: qa}\n")},
		"envs/policies/env.yaml": {Data: []byte("apiVersion: pave.dev/v1\nkind: EnvironmentType\nmetadata: {name: nested}\n")},
	}
	p, err := Load(fsys, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, et := range p.EnvironmentTypes() {
		names = append(names, et.Name)
	}
	if got := strings.Join(names, ","); got != "development,nested,qa,staging" {
		t.Errorf("environment types %s", got)
	}
}

// TestEnvironmentTypeApproval: developers change environments of a type
// directly only when its approval is none; required is the default.
func TestEnvironmentTypeApproval(t *testing.T) {
	p, err := loadCase(t, `apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: sandbox}
spec: {approval: none}
---
apiVersion: pave.dev/v1
kind: EnvironmentType
metadata: {name: production}
spec: {approval: required}
`, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"sandbox": true, "production": false, "development": false} {
		et, err := p.EnvironmentType(name)
		if err != nil {
			t.Fatal(err)
		}
		if et.DeveloperDirect() != want {
			t.Errorf("%s: DeveloperDirect = %v (approval %q), want %v", name, et.DeveloperDirect(), et.Approval, want)
		}
	}
}

func TestLoadReportsEveryFile(t *testing.T) {
	fsys := fstest.MapFS{
		"a.yaml": {Data: []byte("kind: [")},
		"b.yaml": {Data: []byte("apiVersion: pave.dev/v1\nkind: Nope\nmetadata: {name: x}\n")},
		"c.yml":  {Data: []byte("apiVersion: pave.dev/v1\nkind: Environment\nmetadata: {name: x}\nspec: {type: nope, target: {kind: process}}\n")},
	}
	_, err := Load(fsys, LoadOptions{})
	want := []string{
		"a.yaml:1: syntax error: did not find expected node content",
		"b.yaml:2: /kind: unknown kind \"Nope\" (expected Environment, EnvironmentType, ResourceDefinition or ResourceType)",
		"c.yml:4: /spec/type: unknown environment type \"nope\" (environment types: none)",
	}
	if got := errLines(err); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadEmpty(t *testing.T) {
	p, err := Load(fstest.MapFS{}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Types()) != len(builtinSpecs) || len(p.Definitions()) != 0 || len(p.Environments()) != 0 {
		t.Errorf("empty config: %d types, %d definitions, %d environments", len(p.Types()), len(p.Definitions()), len(p.Environments()))
	}
}

func TestLoadDefaults(t *testing.T) {
	p, err := loadCase(t, `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: pg}
spec:
  type: postgres
  driver: postgres
  inputs:
    adminUrl: ${secrets.pg-admin}
    user: ${secrets.pg-admin} ${resources.dns#site.host} ${resources.dns#site.host}
  timeout: 90s
  provisions: [{type: dns, id: site}]
---
apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata: {name: vol}
spec:
  type: volume
  class: fast
  driver: static
  inputs:
    outputs: {source: x}
  criteria:
    - resId: web.data
`, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pg, _ := p.Definition("pg")
	if pg.Class != "default" || pg.Timeout.Seconds() != 90 || len(pg.Criteria) != 1 || pg.Criteria[0] != (Criterion{}) {
		t.Errorf("pg: class %q, timeout %s, criteria %v", pg.Class, pg.Timeout, pg.Criteria)
	}
	if got := strings.Join(pg.Outputs, ","); got != "database,host,name,password,port,username" {
		t.Errorf("pg outputs %s, want the type's", got)
	}
	if len(pg.Uses) != 1 || pg.Uses[0] != (ResourceRef{Type: "dns", Class: "default", ID: "site"}) {
		t.Errorf("pg uses %v", pg.Uses)
	}
	if len(pg.Provisions) != 1 || pg.Provisions[0].String() != "dns.default#site" {
		t.Errorf("pg provisions %v", pg.Provisions)
	}
	if strings.Join(pg.Secrets, ",") != "pg-admin" {
		t.Errorf("pg secrets %v", pg.Secrets)
	}
	if pg.Source != (Source{File: "case.yaml", Line: 1}) {
		t.Errorf("pg source %v", pg.Source)
	}
	vol, _ := p.Definition("vol")
	if vol.Class != "fast" || strings.Join(vol.Outputs, ",") != "source" {
		t.Errorf("vol: class %q outputs %v", vol.Class, vol.Outputs)
	}
	env, err := p.Environment("pr-1")
	if err != nil || !env.Ephemeral() || env.Allows("blog") || !env.Allows("shop") {
		t.Errorf("pr-1: %+v, %v", env, err)
	}
	if _, err := p.Environment("nope"); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown environment: %v", err)
	}
	if _, err := p.Definition("nope"); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown definition: %v", err)
	}
	if _, err := p.Type("nope"); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := p.EnvironmentType("nope"); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown environment type: %v", err)
	}
}
