package examples

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// score mirrors Score v1b1 (score.dev/v1b1) closely enough to decode the
// examples strictly: an unknown field is an error.
type score struct {
	APIVersion string `yaml:"apiVersion"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Containers map[string]container `yaml:"containers"`
	Service    *struct {
		Ports map[string]struct {
			Port       int    `yaml:"port"`
			TargetPort int    `yaml:"targetPort"`
			Protocol   string `yaml:"protocol"`
		} `yaml:"ports"`
	} `yaml:"service"`
	Resources map[string]struct {
		Type     string         `yaml:"type"`
		Class    string         `yaml:"class"`
		ID       string         `yaml:"id"`
		Metadata map[string]any `yaml:"metadata"`
		Params   map[string]any `yaml:"params"`
	} `yaml:"resources"`
}

type container struct {
	Image          string            `yaml:"image"`
	Command        []string          `yaml:"command"`
	Args           []string          `yaml:"args"`
	Variables      map[string]string `yaml:"variables"`
	ReadinessProbe *probe            `yaml:"readinessProbe"`
	LivenessProbe  *probe            `yaml:"livenessProbe"`
	Resources      struct {
		Limits, Requests map[string]string
	} `yaml:"resources"`
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port int    `yaml:"port"`
	} `yaml:"httpGet"`
}

var (
	labelRE       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$`)
	typeRE        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]$`)
	idRE          = regexp.MustCompile(`^[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)*$`)
	placeholderRE = regexp.MustCompile(`\$\{([^}]*)\}`)
)

func loadScore(t *testing.T, path string) *score {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s score
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &s
}

// problems lists what makes s invalid Score v1b1, or a placeholder pave
// could not resolve.
func (s *score) problems() []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if s.APIVersion != "score.dev/v1b1" {
		bad("apiVersion %q is not score.dev/v1b1", s.APIVersion)
	}
	if !labelRE.MatchString(s.Metadata.Name) {
		bad("metadata.name %q is not an RFC 1123 label", s.Metadata.Name)
	}
	if len(s.Containers) == 0 {
		bad("no containers")
	}
	check := func(where, text string) {
		for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
			parts := strings.Split(m[1], ".")
			switch {
			case parts[0] == "metadata" && len(parts) == 2:
			case parts[0] == "resources" && len(parts) == 3:
				if _, ok := s.Resources[parts[1]]; !ok {
					bad("%s: ${%s} names no resource of this workload", where, m[1])
				}
			default:
				bad("%s: ${%s} is not a Score placeholder", where, m[1])
			}
		}
	}
	for name, c := range s.Containers {
		if !labelRE.MatchString(name) {
			bad("container name %q is not an RFC 1123 label", name)
		}
		if c.Image == "" {
			bad("container %s: image is required", name)
		}
		if len(c.Command) == 0 {
			bad("container %s: the examples run on the process target, which needs a command", name)
		}
		for k, v := range c.Variables {
			if k == "" || strings.Contains(k, "=") {
				bad("container %s: variable name %q", name, k)
			}
			check("containers."+name+".variables."+k, v)
		}
		for _, p := range []*probe{c.ReadinessProbe, c.LivenessProbe} {
			if p != nil && (p.HTTPGet.Port < 1 || p.HTTPGet.Port > 65535) {
				bad("container %s: probe port %d", name, p.HTTPGet.Port)
			}
		}
	}
	if s.Service != nil {
		for name, p := range s.Service.Ports {
			if !labelRE.MatchString(name) || p.Port < 1 || p.Port > 65535 || p.TargetPort < 0 || p.TargetPort > 65535 ||
				(p.Protocol != "" && p.Protocol != "TCP" && p.Protocol != "UDP") {
				bad("service port %q: %+v", name, p)
			}
		}
	}
	for name, r := range s.Resources {
		if !labelRE.MatchString(name) || !typeRE.MatchString(r.Type) {
			bad("resource %q of type %q", name, r.Type)
		}
		if r.ID != "" && (!idRE.MatchString(r.ID) || len(r.ID) < 2) {
			bad("resource %s: id %q", name, r.ID)
		}
		for k, v := range r.Params {
			if str, ok := v.(string); ok {
				check("resources."+name+".params."+k, str)
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestScoreFiles(t *testing.T) {
	files, _ := filepath.Glob("*/*.score.yaml")
	if len(files) < 4 {
		t.Fatalf("found only %v", files)
	}
	names := map[string]string{}
	for _, f := range files {
		s := loadScore(t, f)
		for _, p := range s.problems() {
			t.Errorf("%s: %s", f, p)
		}
		if other, dup := names[s.Metadata.Name]; dup {
			t.Errorf("%s and %s are both workload %q", f, other, s.Metadata.Name)
		}
		names[s.Metadata.Name] = f
	}
	// Workloads of one app share their database by id.
	for _, pair := range [][2]string{{"shop/api.score.yaml", "shop/worker.score.yaml"}, {"blog/web.score.yaml", "blog/feed.score.yaml"}} {
		a, b := loadScore(t, pair[0]), loadScore(t, pair[1])
		ra, rb := a.Resources["db"], b.Resources["db"]
		if ra.ID == "" || ra.ID != rb.ID || ra.Type != rb.Type || ra.Class != rb.Class {
			t.Errorf("%s and %s do not share their db: %+v, %+v", pair[0], pair[1], a.Resources["db"], b.Resources["db"])
		}
	}
}

func TestScoreProblems(t *testing.T) {
	s := &score{APIVersion: "score.dev/v1b2"}
	s.Metadata.Name = "Shop"
	s.Containers = map[string]container{"a": {Variables: map[string]string{"X": "${resources.nope.host} ${env.Y}"}}}
	got := strings.Join(s.problems(), "\n")
	for _, want := range []string{`apiVersion "score.dev/v1b2"`, `metadata.name "Shop"`, `container name "a"`, "image is required",
		"needs a command", "${resources.nope.host} names no resource", "${env.Y} is not a Score placeholder"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}
