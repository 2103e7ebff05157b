package yamlout

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/pavedev/pave/internal/render/rendertest"
)

// roundTrip decodes out with yaml.v3 and compares it with want, after
// normalising want to the types yaml.v3 decodes into.
func roundTrip(t *testing.T, want any, out []byte) {
	t.Helper()
	var got any
	if err := yaml.Unmarshal(out, &got); err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(normal(want), got) {
		t.Fatalf("round trip mismatch\nwant %#v\ngot  %#v\nyaml:\n%s", normal(want), got, out)
	}
}

func normal(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = normal(x)
		}
		return m
	case map[string]string:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = x
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = normal(x)
		}
		return l
	case []string:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = x
		}
		return l
	case []map[string]any:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = normal(x)
		}
		return l
	case int64:
		return int(t)
	case int32:
		return int(t)
	case uint16:
		return int(t)
	}
	return v
}

var tricky = []string{
	"", " ", "a", "true", "True", "TRUE", "yes", "No", "on", "OFF", "y", "N", "null", "Null", "~",
	"1", "-1", "+1", "0x1F", "0o17", "017", "1e3", "1_000", ".5", ".inf", "-.inf", ".nan", "1:20",
	"2001-12-14", "2001-12-14t21:59:43.10-05:00", "<<", "=", "-", "--", "---", "...", "- a", "? a",
	"a: b", "a:b", "a:", "a #b", "a#b", "#a", "&a", "*a", "!a", "!!str", "%a", "@a", "`a", "|", ">",
	"'a'", "\"a\"", "a'b", "a\"b", "{a}", "[a]", "a,b", "a, b", "[", "]", "{", "}",
	"a\nb", "a\nb\n", "a\nb\n\n", "a\n\n\nb", "\na", " a\nb", "a\n b\n  c", "a\n\n", "\n", "\n\n",
	"a\r\nb", "a\tb", "\ta\nb", "a\n\t\nb", "a \nb ", "a\n \n  \nb", "x\u0085y", "x\u2028y\nz", "\ufeffa",
	"a\u00a0b", "\u0080\n", "x\u009f\ny", "\ufffe", "a\uffff\nb", "\U0001fffe", "héllo wörld", "日本語", "😀", "a\x00b", "a\x7fb", "a\x1bb", "\\", "a\\nb",
	"http://localhost:8080/healthz?x=1&y=2", "nginx:1.25", "$(FOO)", "$${A}", "a  b", "a b ", " a",
	"500m", "1Gi", "6.5Gi", "30s", "12h", "0x1F", "0xfg", "1e5m", "0o7k", "1t", "1:2m", "-c", "--flag", "-1", "--1", "---x",
	"-.5", "./a", "./", "../a", ".//", "- a", "-", "a#b", "a #b", "a'b\"c", "a[b]{c}", "a`b", "a\\b", "a\tb", "1 Gi", "0644", "08", "1.0", "1.", "-0", "+.inf", "NaN", "Infinity", "0b101", "a\n- b\n---\n...\n",
}

func TestStringsRoundTrip(t *testing.T) {
	for _, s := range tricky {
		v := map[string]any{"k": s, "list": []any{s, map[string]any{"n": s}}}
		if len(s) <= maxKey/6 {
			v[s+"key"] = s
			v[s] = "value"
		}
		out, err := Marshal(v)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		roundTrip(t, v, out)
	}
}

func TestShapes(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"scalar", "x", "x\n"},
		{"empty map", map[string]any{}, "{}\n"},
		{"empty list", []any{}, "[]\n"},
		{"nested", map[string]any{
			"b": map[string]any{"y": int64(2), "x": true},
			"a": []any{"one", map[string]any{"k": "v", "j": []string{"p", "q"}}, []any{"n1", "n2"}, []any{}},
			"c": map[string]string{},
			"d": nil,
			"e": 1.5,
			"f": float64(3),
		}, `a:
  - one
  - j:
      - p
      - q
    k: v
  - - n1
    - n2
  - []
b:
  x: true
  "y": 2
c: {}
d: null
e: 1.5
f: 3.0
`},
		{"literal", map[string]any{"f": "line one\n  two\n\nthree\n", "g": "no end\nx", "h": "keep\n\n"},
			"f: |\n  line one\n    two\n\n  three\ng: |-\n  no end\n  x\nh: |+\n  keep\n\n"},
		{"quoted", []string{"yes", "8080", "a: b", "x\ry"}, "- \"yes\"\n- \"8080\"\n- \"a: b\"\n- \"x\\ry\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Fatalf("got\n%q\nwant\n%q", out, tt.want)
			}
			roundTrip(t, tt.in, out)
		})
	}
}

func TestFloats(t *testing.T) {
	for _, f := range []float64{0, -0.5, 1e21, 1e-9, 123456789, math.Inf(1), math.Inf(-1)} {
		out, err := Marshal(map[string]any{"f": f})
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := yaml.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if g, ok := got["f"].(float64); !ok || g != f {
			t.Fatalf("%v: got %#v from %s", f, got["f"], out)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"type", map[string]any{"a": []any{struct{}{}}}, "yaml /a/0: unsupported value of type struct {}"},
		{"utf8", map[string]any{"a/b": "\xff"}, "yaml /a~1b: string is not valid UTF-8"},
		{"utf8 key", map[string]any{"\xff": "x"}, "yaml /\xff: string is not valid UTF-8"},
		{"long key", map[string]any{strings.Repeat("k", maxKey+1): "x"}, "key is longer than 1000 bytes once quoted"},
		{"long escaped key", map[string]any{strings.Repeat("\x1b", 300): "x"}, "key is longer than 1000 bytes once quoted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Marshal(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzString(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := map[string]any{"k": s, "l": []any{s, []any{s}}, "m": map[string]any{"n": s}}
		if utf8.ValidString(s) && len(s) <= maxKey/6 {
			v[s] = s
		}
		out, err := Marshal(v)
		if !utf8.ValidString(s) {
			if err == nil {
				t.Fatalf("invalid UTF-8 accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, v, out)
	})
}

func BenchmarkMarshal(b *testing.B) {
	obj := map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "api", "labels": map[string]any{"app.kubernetes.io/name": "api", "pave.dev/app": "shop"}},
		"spec": map[string]any{"replicas": int64(1), "template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{"name": "main", "image": "nginx:1.25", "args": []any{"-c", "echo hello world"},
				"env": []any{map[string]any{"name": "A", "value": "1"}, map[string]any{"name": "B", "value": "x: y"}}}},
		}}},
	}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf, _ = Append(buf[:0], obj)
	}
}

// TestPure keeps the package free of I/O imports.
func TestPure(t *testing.T) { rendertest.AssertPure(t) }
