package yamldoc

import (
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

func TestDecodeLines(t *testing.T) {
	src := "a:\n  b: 1\n  list:\n    - x\n    - y: true\nc: ~\n"
	d, err := DecodeOne("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for ptr, want := range map[string]int{"/a": 1, "/a/b": 2, "/a/list/0": 4, "/a/list/1/y": 5, "/c": 6, "/a/b/nope": 2} {
		if got := d.Line(ptr); got != want {
			t.Errorf("Line(%q) = %d, want %d", ptr, got, want)
		}
	}
	m := d.Value.(map[string]any)
	if m["c"] != nil || m["a"].(map[string]any)["b"] != int64(1) {
		t.Errorf("values: %#v", m)
	}
}

func TestDecodeRejects(t *testing.T) {
	bomb := "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	cases := []struct{ name, src, want string }{
		{"duplicate key", "a: 1\na: 2\n", "f.yaml:2: /a: duplicate key"},
		{"syntax", "a: [1,\n", "f.yaml:1: syntax error"},
		{"alias bomb", bomb, "more than 200000 values"},
		{"deep", strings.Repeat("[", 100) + strings.Repeat("]", 100), "nested deeper"},
		{"merge key", "a: &x {b: 1}\nc:\n  <<: *x\n", "merge keys"},
		{"complex key", "? [a]\n: 1\n", "mapping keys must be strings"},
		{"oversized", "a: " + strings.Repeat("x", MaxBytes), "larger than"},
		{"infinite", "a: .inf\n", "not finite"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode("f.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("code = %s, want invalid", errs.CodeOf(err))
			}
		})
	}
}

func TestMultiDocument(t *testing.T) {
	docs, err := Decode("m.yaml", []byte("a: 1\n---\n---\nb: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[1].Start != 4 {
		t.Fatalf("docs = %d, second starts at %d", len(docs), docs[len(docs)-1].Start)
	}
}

func TestReaderCollectsAllErrors(t *testing.T) {
	d, err := DecodeOne("r.yaml", []byte("name: 3\nextra: x\nport: 1.5\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(d)
	m, _ := r.Map("", d.Value)
	r.Known("", m, "name", "port")
	r.String("", m, "name", true)
	r.Int("", m, "port", true)
	r.String("", m, "missing", true)
	got := r.Err().Error()
	want := "r.yaml:1: /missing: required\nr.yaml:1: /name: must be a string, not number\nr.yaml:2: /extra: unknown field (expected one of: name, port)\nr.yaml:3: /port: must be a whole number, not number"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestPointerEscaping(t *testing.T) {
	if got := Join("/a", "b/c", "d~e", 3); got != "/a/b~1c/d~0e/3" {
		t.Errorf("Join = %q", got)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"a: 1", "- [x, {y: z}]", "a: &a {b: *a}", "{\"json\": [1, 2.5, null, true]}", "---\n---\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Decode("fuzz.yaml", data)
		if err != nil {
			for _, e := range errs.Errors(err) {
				if e.File != "fuzz.yaml" {
					t.Fatalf("error without file: %v", e)
				}
			}
			return
		}
		for _, d := range docs {
			d.Line("/x/y")
		}
	})
}
