package score

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestSplitOverridePath(t *testing.T) {
	tests := map[string][]string{
		"a":                  {"a"},
		"a.b.c":              {"a", "b", "c"},
		`a\.b.c`:             {"a.b", "c"},
		`metadata.x\.io/y`:   {"metadata", "x.io/y"},
		`a\\.b`:              {`a\`, "b"},
		`a\\\.b`:             {`a\.b`},
		`a\b`:                {`a\b`},
		"a..b":               {"a", "", "b"},
		"containers.web.env": {"containers", "web", "env"},
	}
	for in, want := range tests {
		if got := SplitOverridePath(in); !reflect.DeepEqual(got, want) {
			t.Errorf("SplitOverridePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestApplyOverrideProperty(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{
			"metadata": map[string]any{"name": "web"},
			"containers": map[string]any{
				"api": map[string]any{"image": "nginx", "args": []any{"a", "b"}},
			},
		}
	}
	tests := []struct {
		prop    string
		want    string // JSON of the result
		wantErr string
	}{
		{prop: "containers.api.image=nginx:1",
			want: `{"containers":{"api":{"args":["a","b"],"image":"nginx:1"}},"metadata":{"name":"web"}}`},
		{prop: `containers.api.variables.PORT="8080"`,
			want: `{"containers":{"api":{"args":["a","b"],"image":"nginx","variables":{"PORT":"8080"}}},"metadata":{"name":"web"}}`},
		{prop: "containers.api.variables.PORT=8080",
			want: `{"containers":{"api":{"args":["a","b"],"image":"nginx","variables":{"PORT":8080}}},"metadata":{"name":"web"}}`},
		{prop: `metadata.annotations.example\.com/team=core`,
			want: `{"containers":{"api":{"args":["a","b"],"image":"nginx"}},"metadata":{"annotations":{"example.com/team":"core"},"name":"web"}}`},
		{prop: "containers.api.image=",
			want: `{"containers":{"api":{"args":["a","b"]}},"metadata":{"name":"web"}}`},
		{prop: "containers.api.image=null",
			want: `{"containers":{"api":{"args":["a","b"]}},"metadata":{"name":"web"}}`},
		{prop: "containers.api.image=  ",
			want: `{"containers":{"api":{"args":["a","b"]}},"metadata":{"name":"web"}}`},
		{prop: "resources.nope.params=",
			want: `{"containers":{"api":{"args":["a","b"],"image":"nginx"}},"metadata":{"name":"web"}}`},
		{prop: "containers.api.args.1=c",
			want: `{"containers":{"api":{"args":["a","c"],"image":"nginx"}},"metadata":{"name":"web"}}`},
		{prop: "containers.api.args.-1=c",
			want: `{"containers":{"api":{"args":["a","b","c"],"image":"nginx"}},"metadata":{"name":"web"}}`},
		{prop: "containers.api.args.0=",
			want: `{"containers":{"api":{"args":["b"],"image":"nginx"}},"metadata":{"name":"web"}}`},
		{prop: "containers.api.command=[sh, -c]",
			want: `{"containers":{"api":{"args":["a","b"],"command":["sh","-c"],"image":"nginx"}},"metadata":{"name":"web"}}`},
		{prop: "service={ports: {www: {port: 80}}}",
			want: `{"containers":{"api":{"args":["a","b"],"image":"nginx"}},"metadata":{"name":"web"},"service":{"ports":{"www":{"port":80}}}}`},
		{prop: "a=b=c",
			want: `{"a":"b=c","containers":{"api":{"args":["a","b"],"image":"nginx"}},"metadata":{"name":"web"}}`},
		{prop: "containers.api.args.5=x", wantErr: `override property "containers.api.args.5": index 5 is out of range (the array has 2 items)`},
		{prop: "containers.api.args.x=x", wantErr: `override property "containers.api.args.x": "x" is not an array index`},
		{prop: "containers.api.image.tag=1", wantErr: `override property "containers.api.image.tag": cannot set "tag" inside a string`},
		{prop: "containers.api.image", wantErr: `override property "containers.api.image" must be path=value`},
		{prop: "=x", wantErr: `override property "=x" has an empty path`},
		{prop: "metadata.\xbe=1", wantErr: `override property is not valid UTF-8`},
		{prop: strings.Repeat("a.", 64) + "a=1", wantErr: `override property "` + strings.Repeat("a.", 20) + `…" is deeper than 64 keys`},
		{prop: "containers.api.image=[unclosed", wantErr: `override property "containers.api.image": value is not valid YAML: syntax error: did not find expected ',' or ']'`},
		{prop: "containers.api.image=a\n---\nb", wantErr: `override property "containers.api.image": value holds more than one YAML document`},
	}
	for _, tt := range tests {
		t.Run(tt.prop, func(t *testing.T) {
			in := base()
			got, err := ApplyOverrideProperty(in, tt.prop)
			if !reflect.DeepEqual(in, base()) {
				t.Errorf("input changed: %v", in)
			}
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g, _ := json.Marshal(got); string(g) != tt.want {
				t.Errorf("got  %s\nwant %s", g, tt.want)
			}
		})
	}
}

func TestMergeOverrides(t *testing.T) {
	// The examples of RFC 7396, section 3, plus sharing checks.
	tests := []struct{ target, patch, want string }{
		{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{`{"a":"b"}`, `{"a":null}`, `{}`},
		{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{`{"e":null}`, `{"a":1}`, `{"a":1,"e":null}`},
		{`{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
		{`{"a":"x"}`, `{"a":{"b":null,"c":1}}`, `{"a":{"c":1}}`},
	}
	for _, tt := range tests {
		var target, patch map[string]any
		if err := json.Unmarshal([]byte(tt.target), &target); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tt.patch), &patch); err != nil {
			t.Fatal(err)
		}
		before, _ := json.Marshal(target)
		got := MergeOverrides(target, patch)
		if g, _ := json.Marshal(got); string(g) != tt.want {
			t.Errorf("merge %s with %s = %s, want %s", tt.target, tt.patch, g, tt.want)
		}
		if after, _ := json.Marshal(target); string(after) != string(before) {
			t.Errorf("target changed: %s", after)
		}
	}
}

const overrideBase = `apiVersion: score.dev/v1b1
metadata:
  name: web
containers:
  api:
    image: nginx
    variables:
      A: "1"
resources:
  db:
    type: postgres
`

func TestParseWithOverrides(t *testing.T) {
	overrides := "containers:\n  api:\n    image: nginx:1.27\n    variables:\n      DEBUG: \"true\"\n      A: null\n"
	w, err := ParseWithOverrides("web.yaml", []byte(overrideBase), "dev.yaml", []byte(overrides),
		[]string{"containers.api.variables.DB=${resources.db.host}", "resources.db.class=large"})
	if err != nil {
		t.Fatal(err)
	}
	c := w.Containers["api"]
	if c.Image != "nginx:1.27" || !reflect.DeepEqual(c.Variables, map[string]string{"DEBUG": "true", "DB": "${resources.db.host}"}) {
		t.Errorf("container = %+v", c)
	}
	if w.Resources["db"].Class != "large" {
		t.Errorf("class = %q", w.Resources["db"].Class)
	}
	if refs := w.References(); len(refs) != 1 || refs[0].Pointer != "/containers/api/variables/DB" {
		t.Errorf("references = %+v", refs)
	}
	if f, l := w.Locate("/containers/api/image"); f != "dev.yaml" || l != 3 {
		t.Errorf("image located at %s:%d, want dev.yaml:3", f, l)
	}
	if f, l := w.Locate("/containers/api"); f != "web.yaml" || l != 5 {
		t.Errorf("container located at %s:%d, want web.yaml:5", f, l)
	}

	// Empty overrides are nothing to apply.
	for _, empty := range []string{"", "# nothing\n", "null\n"} {
		if _, err := ParseWithOverrides("web.yaml", []byte(overrideBase), "o.yaml", []byte(empty), nil); err != nil {
			t.Errorf("overrides %q: %v", empty, err)
		}
	}

	tests := []struct {
		name      string
		overrides string
		props     []string
		want      []string
	}{
		{"overrides file errors are located in it", "containers:\n  api:\n    image: 42\n    ports: [80]\n", nil, []string{
			"dev.yaml:3: /containers/api/image: must be a string, not number",
			"dev.yaml:4: /containers/api/ports: unknown field (expected one of: image, command, args, variables, files, volumes, before, resources, livenessProbe, readinessProbe)"}},
		{"overrides file not an object", "- a\n", nil, []string{
			"dev.yaml:1: /: overrides must be an object, not array"}},
		{"overrides file syntax", "a: [\n", nil, []string{
			"dev.yaml:1: syntax error: did not find expected node content"}},
		{"property errors name the property", "", []string{"containers.api.image=", "containers.api.variables.B=${resources.nope.x}"}, []string{
			`web.yaml: /containers/api/image: required (set by override property "containers.api.image")`,
			`web.yaml: /containers/api/variables/B: ${resources.nope.x}: no resource named "nope" in this workload (set by override property "containers.api.variables.B")`}},
		{"bad property and bad document together", "", []string{"containers.api.image.x=1", "metadata.name=Web"}, []string{
			`web.yaml: override property "containers.api.image.x": cannot set "x" inside a string`,
			`web.yaml: /metadata/name: invalid workload name "Web": ` + labelRule + ` (set by override property "metadata.name")`}},
		{"later property wins over the file", "metadata:\n  name: Bad\n", []string{"metadata.name=worse_"}, []string{
			`web.yaml: /metadata/name: invalid workload name "worse_": ` + labelRule + ` (set by override property "metadata.name")`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseWithOverrides("web.yaml", []byte(overrideBase), "dev.yaml", []byte(tt.overrides), tt.props)
			checkErrors(t, err, tt.want)
		})
	}
}
