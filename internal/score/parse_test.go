package score

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

// golden is what TestParseValid renders for each valid file.
type golden struct {
	Workload   *Workload     `json:"workload"`
	References []goldenRef   `json:"references"`
	Locations  []goldenPlace `json:"locations"`
}

type goldenRef struct {
	Pointer string   `json:"pointer"`
	Parts   []string `json:"parts"`
	Offset  int      `json:"offset"`
}

type goldenPlace struct {
	Pointer string `json:"pointer"`
	Line    int    `json:"line"`
}

func TestParseValid(t *testing.T) {
	files, err := filepath.Glob("testdata/valid/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			w, err := Parse(name, data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			g := golden{Workload: w, References: []goldenRef{}, Locations: []goldenPlace{}}
			for _, r := range w.References() {
				g.References = append(g.References, goldenRef{r.Pointer, r.Parts, r.Offset})
				_, line := w.Locate(r.Pointer)
				g.Locations = append(g.Locations, goldenPlace{r.Pointer, line})
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", strings.TrimSuffix(name, filepath.Ext(name))+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("golden mismatch for %s (run go test -update and review the diff):\n%s", path, got)
			}
		})
	}
}

func TestParseDefaultsAndNormalisation(t *testing.T) {
	data, err := os.ReadFile("testdata/valid/deprecated-lists.score.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Parse("d.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	main := w.Containers["main"]
	f, ok := main.Files["/etc/app/config.json"]
	if !ok || f.Source == nil || *f.Source != "./config.json" || f.Mode != "0644" || f.Pointer != "/containers/main/files/1" {
		t.Errorf("list-form file not normalised: %+v", f)
	}
	if file, line := w.Locate(f.Pointer + "/source"); file != "d.yaml" || line != 12 {
		t.Errorf("Locate = %s:%d, want d.yaml:12", file, line)
	}
	v, ok := main.Volumes["/mnt/vol"]
	if !ok || v.Source != "${resources.vol}" || !v.ReadOnly || v.Target != "/mnt/vol" {
		t.Errorf("list-form volume not normalised: %+v", v)
	}
	if got := w.Resources["vol"].Class; got != DefaultClass {
		t.Errorf("class = %q, want default", got)
	}

	data, _ = os.ReadFile("testdata/valid/full.score.yaml")
	w, err = Parse("full.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if p := w.Service.Ports["port-two2"]; p.TargetPort != 8000 || p.Protocol != "TCP" {
		t.Errorf("port defaults: %+v", p)
	}
	c := w.Containers["container-one1"]
	if c.LivenessProbe.HTTPGet.Scheme != "HTTP" || c.ReadinessProbe.HTTPGet.Scheme != "HTTPS" {
		t.Errorf("scheme defaults: %+v %+v", c.LivenessProbe.HTTPGet, c.ReadinessProbe.HTTPGet)
	}
	if b, ok := c.Files["/my/other/binaryfile"].Inline(); !ok || !bytes.Equal(b, []byte{0x00, 0x30, 0x60, 0xc2, 0x90}) {
		t.Errorf("binary content = %x, %v", b, ok)
	}
	if w.Name != "example-workload-name123" || w.Annotations["team"] != "payments" {
		t.Errorf("metadata: %q %v", w.Name, w.Annotations)
	}
	if err := w.Errorf("/containers/container-one1/image", "image %q not allowed", "x"); err.Error() != `full.yaml:19: /containers/container-one1/image: image "x" not allowed` {
		t.Errorf("Errorf = %v", err)
	}
}

// header is the valid start that most invalid cases build on.
const header = "apiVersion: score.dev/v1b1\nmetadata:\n  name: web\n"

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"not an object", "- a\n", []string{
			"t.yaml:1: /: a Score workload must be an object, not array"}},
		{"empty", "", []string{"t.yaml: empty document"}},
		{"syntax", "a: [\n", []string{"t.yaml:1: syntax error: did not find expected node content"}},
		{"missing everything", "foo: 1\n", []string{
			"t.yaml:1: /apiVersion: required",
			"t.yaml:1: /containers: required",
			"t.yaml:1: /foo: unknown field (expected one of: apiVersion, metadata, service, containers, resources)",
			"t.yaml:1: /metadata: required"}},
		{"api version", "apiVersion: score.dev/v1\nmetadata: {name: web}\ncontainers: {app: {image: x}}\n", []string{
			`t.yaml:1: /apiVersion: must be "score.dev/v1b1", not "score.dev/v1"`}},
		{"api version type", "apiVersion: 1\nmetadata: {name: web}\ncontainers: {app: {image: x}}\n", []string{
			"t.yaml:1: /apiVersion: must be a string, not number"}},
		{"name missing", "apiVersion: score.dev/v1b1\nmetadata:\n  team: x\ncontainers: {app: {image: x}}\n", []string{
			"t.yaml:2: /metadata/name: required"}},
		{"metadata not object", "apiVersion: score.dev/v1b1\nmetadata: web\ncontainers: {app: {image: x}}\n", []string{
			"t.yaml:2: /metadata: must be an object, not string"}},
		{"name not label", "apiVersion: score.dev/v1b1\nmetadata:\n  name: Web_App\ncontainers: {app: {image: x}}\n", []string{
			`t.yaml:3: /metadata/name: invalid workload name "Web_App": ` + labelRule}},
		{"name too long", "apiVersion: score.dev/v1b1\nmetadata:\n  name: " + strings.Repeat("a", 64) + "\ncontainers: {app: {image: x}}\n", []string{
			`t.yaml:3: /metadata/name: invalid workload name "` + strings.Repeat("a", 40) + `…": ` + labelRule}},
		{"name one char", "apiVersion: score.dev/v1b1\nmetadata:\n  name: a\ncontainers: {app: {image: x}}\n", []string{
			`t.yaml:3: /metadata/name: invalid workload name "a": ` + labelRule}},
		{"name ends with dash", "apiVersion: score.dev/v1b1\nmetadata:\n  name: web-\ncontainers: {app: {image: x}}\n", []string{
			`t.yaml:3: /metadata/name: invalid workload name "web-": ` + labelRule}},
		{"annotations", header + "  annotations:\n    -bad: x\n    good: 1\ncontainers: {app: {image: x}}\n", []string{
			`t.yaml:5: /metadata/annotations/-bad: invalid key "-bad": ` + annotateRule,
			"t.yaml:6: /metadata/annotations/good: must be a string, not number (quote the value to make it a string)"}},
		{"containers empty", header + "containers: {}\n", []string{
			"t.yaml:4: /containers: must hold at least one container"}},
		{"container name", header + "containers:\n  API:\n    image: x\n", []string{
			`t.yaml:5: /containers/API: invalid container name "API": ` + labelRule}},
		{"image required", header + "containers:\n  api:\n    command: [run]\n", []string{
			"t.yaml:5: /containers/api/image: required"}},
		{"image empty", header + "containers:\n  api:\n    image: \"\"\n", []string{
			`t.yaml:6: /containers/api/image: must not be empty (use "." for an image supplied at deploy time)`}},
		{"container unknown field", header + "containers:\n  api:\n    image: x\n    ports: [80]\n", []string{
			"t.yaml:7: /containers/api/ports: unknown field (expected one of: image, command, args, variables, files, volumes, before, resources, livenessProbe, readinessProbe)"}},
		{"command and args", header + "containers:\n  api:\n    image: x\n    command: run\n    args: [a, 1]\n", []string{
			"t.yaml:7: /containers/api/command: must be an array of strings, not string",
			"t.yaml:8: /containers/api/args/1: must be a string, not number"}},
		{"variables", header + "containers:\n  api:\n    image: x\n    variables:\n      A=B: x\n      PORT: 8080\n      DEBUG: true\n      OK: \"1\"\n", []string{
			`t.yaml:8: /containers/api/variables/A=B: invalid key "A=B": must not be empty or contain '='`,
			"t.yaml:9: /containers/api/variables/PORT: must be a string, not number (quote the value to make it a string)",
			"t.yaml:10: /containers/api/variables/DEBUG: must be a string, not boolean (quote the value to make it a string)"}},
		{"variables not object", header + "containers:\n  api:\n    image: x\n    variables: [A]\n", []string{
			"t.yaml:7: /containers/api/variables: must be an object, not array"}},
		{"service ports", header + "containers: {api: {image: x}}\nservice:\n  ports:\n    www:\n      port: 0\n    api:\n      port: \"80\"\n    udp:\n      port: 53\n      protocol: udp\n      targetPort: 70000\n    big:\n      port: 65536\n      extra: 1\n    Bad:\n      port: 1\n", []string{
			"t.yaml:8: /service/ports/www/port: must be a port number from 1 to 65535, not 0",
			"t.yaml:10: /service/ports/api/port: must be a whole number, not a string (remove the quotes)",
			`t.yaml:13: /service/ports/udp/protocol: must be TCP or UDP, not "udp"`,
			"t.yaml:14: /service/ports/udp/targetPort: must be a port number from 1 to 65535, not 70000",
			"t.yaml:16: /service/ports/big/port: must be a port number from 1 to 65535, not 65536",
			"t.yaml:17: /service/ports/big/extra: unknown field (expected one of: port, protocol, targetPort)",
			"t.yaml:18: /service/ports/Bad: invalid port name \"Bad\": " + labelRule}},
		{"service port missing", header + "containers: {api: {image: x}}\nservice:\n  ports:\n    www:\n      targetPort: 80\n  host: x\n", []string{
			"t.yaml:7: /service/ports/www/port: required",
			"t.yaml:9: /service/host: unknown field (expected one of: ports)"}},
		{"port fraction", header + "containers: {api: {image: x}}\nservice:\n  ports:\n    www:\n      port: 80.5\n", []string{
			"t.yaml:8: /service/ports/www/port: must be a whole number, not number"}},
		{"files map", header + "containers:\n  api:\n    image: x\n    files:\n      /a:\n        content: x\n        source: y\n      /b:\n        mode: \"0999\"\n      /c:\n        target: /c\n        content: x\n      /d:\n        binaryContent: \"not base64!\"\n      /e:\n        source: \"\"\n      /f:\n        content: 1\n        noExpand: yes please\n", []string{
			"t.yaml:8: /containers/api/files/~1a: must set exactly one of source, content and binaryContent",
			"t.yaml:11: /containers/api/files/~1b: must set exactly one of source, content and binaryContent",
			`t.yaml:12: /containers/api/files/~1b/mode: must be an octal mode such as "0644", not "0999"`,
			"t.yaml:14: /containers/api/files/~1c/target: not allowed when files are keyed by target path (only in the deprecated list form)",
			"t.yaml:17: /containers/api/files/~1d/binaryContent: must be standard base64",
			"t.yaml:19: /containers/api/files/~1e/source: must not be empty",
			"t.yaml:21: /containers/api/files/~1f/content: must be a string, not number",
			"t.yaml:22: /containers/api/files/~1f/noExpand: must be a boolean, not string"}},
		{"files list", header + "containers:\n  api:\n    image: x\n    files:\n      - content: x\n      - target: /a\n        content: x\n      - target: /a\n        source: y\n      - target: \"\"\n        content: x\n      - nope\n", []string{
			"t.yaml:8: /containers/api/files/0/target: required",
			`t.yaml:11: /containers/api/files/2/target: duplicate target "/a" (also at /containers/api/files/1)`,
			"t.yaml:13: /containers/api/files/3/target: must not be empty",
			"t.yaml:15: /containers/api/files/4: must be an object, not string"}},
		{"files wrong type", header + "containers:\n  api:\n    image: x\n    files: /a\n", []string{
			"t.yaml:7: /containers/api/files: must be an object keyed by target path, not string"}},
		{"volumes", header + "containers:\n  api:\n    image: x\n    volumes:\n      /data:\n        path: sub\n        readOnly: \"true\"\n      /other:\n        source: x\n        target: /other\n", []string{
			"t.yaml:8: /containers/api/volumes/~1data/source: required",
			"t.yaml:10: /containers/api/volumes/~1data/readOnly: must be a boolean, not string",
			"t.yaml:13: /containers/api/volumes/~1other/target: not allowed when volumes are keyed by target path (only in the deprecated list form)"}},
		{"volumes list", header + "containers:\n  api:\n    image: x\n    volumes:\n      - source: a\n      - source: a\n        target: /a\n        size: 1\n      - source: b\n        target: /a\n", []string{
			"t.yaml:8: /containers/api/volumes/0/target: required",
			"t.yaml:11: /containers/api/volumes/1/size: unknown field (expected one of: target, source, path, readOnly)",
			`t.yaml:13: /containers/api/volumes/2/target: duplicate target "/a" (also at /containers/api/volumes/1)`}},
		{"resources limits", header + "containers:\n  api:\n    image: x\n    resources:\n      limits:\n        cpu: lots\n        memory: 128MB\n        gpu: 1\n      requests:\n        cpu: 2\n        memory: -1Gi\n", []string{
			`t.yaml:9: /containers/api/resources/limits/cpu: "lots" is not a quantity (examples: 500m, 0.5, 2, 128Mi, 1G, 1e3)`,
			`t.yaml:10: /containers/api/resources/limits/memory: "128MB" is not a quantity (examples: 500m, 0.5, 2, 128Mi, 1G, 1e3)`,
			"t.yaml:11: /containers/api/resources/limits/gpu: unknown field (expected one of: cpu, memory)",
			"t.yaml:13: /containers/api/resources/requests/cpu: must be a string, not number",
			`t.yaml:14: /containers/api/resources/requests/memory: quantity "-1Gi" must not be negative`}},
		{"request above limit", header + "containers:\n  api:\n    image: x\n    resources:\n      limits:\n        cpu: 500m\n        memory: 1Gi\n      requests:\n        cpu: \"1\"\n        memory: \"1e9\"\n", []string{
			`t.yaml:12: /containers/api/resources/requests/cpu: request "1" is more than the limit "500m"`}},
		{"probes", header + "containers:\n  api:\n    image: x\n    livenessProbe: {}\n    readinessProbe:\n      httpGet:\n        path: /\n        scheme: http\n        host: \"\"\n        httpHeaders:\n          - name: \"X Bad\"\n            value: \"\"\n          - name: ok\n      tcp: {}\n", []string{
			"t.yaml:7: /containers/api/livenessProbe: must set httpGet or exec",
			"t.yaml:9: /containers/api/readinessProbe/httpGet/port: required",
			`t.yaml:11: /containers/api/readinessProbe/httpGet/scheme: must be HTTP or HTTPS, not "http"`,
			`t.yaml:12: /containers/api/readinessProbe/httpGet/host: must not be empty`,
			`t.yaml:14: /containers/api/readinessProbe/httpGet/httpHeaders/0/name: invalid header name "X Bad": must be A-Z, a-z, 0-9, '_' and '-'`,
			"t.yaml:15: /containers/api/readinessProbe/httpGet/httpHeaders/0/value: must not be empty",
			"t.yaml:16: /containers/api/readinessProbe/httpGet/httpHeaders/1/value: required",
			"t.yaml:17: /containers/api/readinessProbe/tcp: unknown field (expected one of: httpGet, exec)"}},
		{"exec probe", header + "containers:\n  api:\n    image: x\n    livenessProbe:\n      exec: {}\n    readinessProbe:\n      exec:\n        command: []\n      httpGet:\n        port: 8080\n", []string{
			"t.yaml:8: /containers/api/livenessProbe/exec/command: required",
			"t.yaml:11: /containers/api/readinessProbe/exec/command: must not be empty",
			"t.yaml:12: /containers/api/readinessProbe/httpGet/path: required"}},
		{"before", header + "containers:\n  api:\n    image: x\n    before:\n      api: {ready: started}\n      db: {ready: healthy}\n      worker: {ready: soon}\n  worker:\n    image: y\n", []string{
			"t.yaml:8: /containers/api/before/api: a container cannot start before itself",
			`t.yaml:9: /containers/api/before/db: no container named "db" in this workload`,
			`t.yaml:10: /containers/api/before/worker/ready: must be started, healthy or complete, not "soon"`}},
		{"before cycle", header + "containers:\n  aa:\n    image: x\n    before: {bb: {ready: started}}\n  bb:\n    image: x\n    before: {aa: {ready: started}}\n", []string{
			"t.yaml:7: /containers/aa/before: containers wait for each other in a cycle"}},
		{"resources", header + "containers: {api: {image: x}}\nresources:\n  db:\n    class: a\n    id: Shared\n    kind: x\n  cache:\n    type: -redis\n    params: [1]\n    metadata:\n      annotations: {x: y}\n  q.q:\n    type: amqp\n  s3:\n    type: s3\n    id: a..b\n", []string{
			"t.yaml:6: /resources/db/type: required",
			`t.yaml:7: /resources/db/class: invalid resource class "a": ` + typeRule,
			`t.yaml:8: /resources/db/id: invalid resource id "Shared": ` + idRule,
			"t.yaml:9: /resources/db/kind: unknown field (expected one of: type, class, id, metadata, params)",
			`t.yaml:11: /resources/cache/type: invalid resource type "-redis": ` + typeRule,
			"t.yaml:12: /resources/cache/params: must be an object, not array",
			`t.yaml:14: /resources/cache/metadata/annotations/x: invalid key "x": ` + annotateRule,
			`t.yaml:15: /resources/q.q: invalid resource name "q.q": ` + labelRule,
			`t.yaml:19: /resources/s3/id: invalid resource id "a..b": ` + idRule}},
		{"resources not object", header + "containers: {api: {image: x}}\nresources: [db]\n", []string{
			"t.yaml:5: /resources: must be an object, not array"}},
		{"placeholders", header + "  team: core\ncontainers:\n  api:\n    image: x\n    variables:\n      A: ${metadata.team}\n      B: ${metadata.nope}\n      C: ${resources.cache.host}\n      D: ${HOME}\n      E: ${metadata\n      F: ${}\n      G: ${resources.db..host}\n      H: ${metadata}\n      I: ${resources}\n      J: $${HOME} and $HOME\n    files:\n      /raw:\n        content: ${HOME}\n        noExpand: true\n      /cooked:\n        content: ${HOME}\n    volumes:\n      /data:\n        source: ${resources.vol}\nresources:\n  db:\n    type: postgres\n    params:\n      self: ${resources.db.host}\n      list: [\"${nope.x}\"]\n", []string{
			`t.yaml:10: /containers/api/variables/B: ${metadata.nope}: metadata has no key "nope"`,
			`t.yaml:11: /containers/api/variables/C: ${resources.cache.host}: no resource named "cache" in this workload`,
			`t.yaml:12: /containers/api/variables/D: ${HOME}: unknown placeholder root "HOME" (expected metadata or resources; write $$ for a literal "$")`,
			`t.yaml:13: /containers/api/variables/E: placeholder at offset 0: "${" has no closing "}" (write $$ for a literal "$")`,
			`t.yaml:14: /containers/api/variables/F: placeholder at offset 0: "${}" is empty (write $$ for a literal "$")`,
			`t.yaml:15: /containers/api/variables/G: placeholder at offset 0: "${resources.db..host}" has an empty key`,
			"t.yaml:16: /containers/api/variables/H: ${metadata}: needs a metadata key, as in ${metadata.name}",
			"t.yaml:17: /containers/api/variables/I: ${resources}: needs a resource name, as in ${resources.db.host}",
			`t.yaml:24: /containers/api/files/~1cooked/content: ${HOME}: unknown placeholder root "HOME" (expected metadata or resources; write $$ for a literal "$")`,
			`t.yaml:27: /containers/api/volumes/~1data/source: ${resources.vol}: no resource named "vol" in this workload`,
			"t.yaml:32: /resources/db/params/self: ${resources.db.host}: a resource's params cannot refer to the resource itself",
			`t.yaml:33: /resources/db/params/list/0: ${nope.x}: unknown placeholder root "nope" (expected metadata or resources; write $$ for a literal "$")`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Parse("t.yaml", []byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", w)
			}
			if w != nil {
				t.Errorf("Parse returned a workload with an error")
			}
			checkErrors(t, err, tt.want)
		})
	}
}

// checkErrors compares every error line, in order (errors are sorted by
// file, line, path), and checks each carries
// the Invalid code and a file.
func checkErrors(t *testing.T, err error, want []string) {
	t.Helper()
	items := errs.Errors(err)
	got := make([]string, len(items))
	for i, e := range items {
		got[i] = e.Error()
		if e.Code != errs.Invalid {
			t.Errorf("error %q has code %s, want invalid", got[i], e.Code)
		}
		if e.File == "" {
			t.Errorf("error %q has no file", got[i])
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n got:\n  %s\n want:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestParseFiles(t *testing.T) {
	one := "apiVersion: score.dev/v1b1\nmetadata:\n  name: web\ncontainers: {api: {image: x}}\n"
	two := "apiVersion: score.dev/v1b1\nmetadata:\n  name: api\ncontainers: {api: {image: x}}\n"
	ws, err := ParseFiles(map[string][]byte{"b.yaml": []byte(one), "a.yaml": []byte(two)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 || ws[0].Name != "api" || ws[1].Name != "web" || ws[1].File != "b.yaml" {
		t.Fatalf("workloads not sorted by name: %v", ws)
	}

	ws, err = ParseFiles(map[string][]byte{
		"a.yaml": []byte(one),
		"b.yaml": []byte(two),
		"c.yaml": []byte("# copy\n" + one),
		"d.yaml": []byte("apiVersion: score.dev/v1b1\n"),
	})
	checkErrors(t, err, []string{
		`c.yaml:4: /metadata/name: workload "web" is already defined in a.yaml:3`,
		"d.yaml:1: /containers: required",
		"d.yaml:1: /metadata: required",
	})
	if len(ws) != 2 || ws[0].Name != "api" || ws[1].File != "a.yaml" {
		t.Errorf("valid workloads not returned: %v", ws)
	}

	// Three definitions of one name and two of another, checked after
	// parsing one by one.
	var parsed []*Workload
	for _, f := range []struct{ file, doc string }{{"z.yaml", one}, {"y.yaml", two}, {"x.yaml", one}, {"w.yaml", two}, {"v.yaml", one}} {
		w, err := Parse(f.file, []byte(f.doc))
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, w)
	}
	ws, err = CheckNames(parsed)
	checkErrors(t, err, []string{
		`x.yaml:3: /metadata/name: workload "web" is already defined in v.yaml:3`,
		`y.yaml:3: /metadata/name: workload "api" is already defined in w.yaml:3`,
		`z.yaml:3: /metadata/name: workload "web" is already defined in v.yaml:3`,
	})
	if len(ws) != 2 || ws[0].File != "w.yaml" || ws[1].File != "v.yaml" {
		t.Errorf("CheckNames kept %v", ws)
	}
}

func TestPlaceholdersInWorkload(t *testing.T) {
	data, err := os.ReadFile("testdata/valid/web-app.score.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Parse("web.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]map[string]any{
		"db":     {"host": "db.internal", "port": int64(5432), "name": "shop", "username": "u", "password": "p@ss"},
		"cache":  {"host": "cache", "port": int64(6379)},
		"dns":    {"host": "shop.example.com"},
		"assets": {"bucket": "assets-1"},
	}
	secret := map[string]bool{"password": true, "username": true}
	resolve := w.Resolver(func(res string, keys []string) (any, bool, error) {
		v, ok := Lookup(outputs[res], keys)
		if !ok {
			return nil, false, errs.New(errs.Invalid, "resource %q has no output %q", res, strings.Join(keys, "."))
		}
		return v, len(keys) == 1 && secret[keys[0]], nil
	})
	vars := w.Containers["web"].Variables
	tpl, err := ParseTemplate(vars["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	text, sec, err := tpl.Render(resolve)
	if err != nil || !sec || text != "postgresql://u:p@ss@db.internal:5432/shop" {
		t.Errorf("DATABASE_URL = %q, %v, %v", text, sec, err)
	}
	tpl, _ = ParseTemplate(vars["REDIS_ADDR"])
	text, sec, err = tpl.Render(resolve)
	if err != nil || sec || text != "cache:6379" {
		t.Errorf("REDIS_ADDR = %q, %v, %v", text, sec, err)
	}
	params, sec, err := Substitute(w.Resources["route"].Params, "/resources/route/params", resolve)
	if err != nil || sec {
		t.Fatal(err, sec)
	}
	want := map[string]any{"host": "shop.example.com", "path": "/", "port": int64(80)}
	if g, _ := json.Marshal(params); string(g) != mustJSON(want) {
		t.Errorf("params = %s", g)
	}
	// A reference to an output the resource does not have is an error
	// located by the planner through Errorf.
	for _, p := range w.References() {
		if _, _, err := resolve(p.Reference); err != nil {
			t.Errorf("%s: %v", p.Pointer, err)
		}
	}
	_, _, err = resolve(Reference{Parts: []string{"resources", "db", "hots"}, Raw: "resources.db.hots"})
	if err == nil || err.Error() != `resource "db" has no output "hots"` {
		t.Errorf("unknown output: %v", err)
	}
	_, _, err = resolve(Reference{Parts: []string{"resources", "nope", "x"}, Raw: "resources.nope.x"})
	if err == nil || !strings.Contains(err.Error(), `no resource named "nope"`) {
		t.Errorf("unknown resource: %v", err)
	}
	v, _, err := resolve(Reference{Parts: []string{"metadata", "annotations", "pave.dev/owner"}})
	if err != nil || v != "team-shop" {
		t.Errorf("metadata annotation = %v, %v", v, err)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
