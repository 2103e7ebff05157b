package score

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		in   string
		refs [][]string
		// text is the render with every reference replaced by <parts>.
		text    string
		wantErr string
	}{
		{in: "", text: ""},
		{in: "plain", text: "plain"},
		{in: "${metadata.name}", refs: [][]string{{"metadata", "name"}}, text: "<metadata|name>"},
		{in: "a${resources.db.host}:${resources.db.port}b", refs: [][]string{{"resources", "db", "host"}, {"resources", "db", "port"}},
			text: "a<resources|db|host>:<resources|db|port>b"},
		{in: `${metadata.annotations.key\.with\.dots}`, refs: [][]string{{"metadata", "annotations", "key.with.dots"}},
			text: "<metadata|annotations|key.with.dots>"},
		{in: `${a.b\\.c}`, refs: [][]string{{"a", `b\.c`}}, text: `<a|b\.c>`},
		{in: `${a.b\c}`, refs: [][]string{{"a", `b\c`}}, text: `<a|b\c>`},
		{in: "$$", text: "$"},
		{in: "$${metadata.name}", text: "${metadata.name}"},
		{in: "$$$${x}", text: "$${x}"},
		{in: "$$${a.b}", refs: [][]string{{"a", "b"}}, text: "$<a|b>"},
		{in: "cost: $5, $HOME, end$", text: "cost: $5, $HOME, end$"},
		{in: "${a}}", refs: [][]string{{"a"}}, text: "<a>}"},
		{in: "${a${b}", refs: [][]string{{"a${b"}}, text: "<a${b>"},
		{in: "x ${metadata.name", wantErr: `placeholder at offset 2: "${" has no closing "}" (write $$ for a literal "$")`},
		{in: "${}", wantErr: `placeholder at offset 0: "${}" is empty (write $$ for a literal "$")`},
		{in: "${a.}", wantErr: `placeholder at offset 0: "${a.}" has an empty key`},
		{in: "${.a}", wantErr: `placeholder at offset 0: "${.a}" has an empty key`},
		{in: "ok ${a} then ${", wantErr: `placeholder at offset 13: "${" has no closing "}" (write $$ for a literal "$")`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tpl, err := ParseTemplate(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				if !errs.Is(err, errs.Invalid) {
					t.Errorf("code = %s", errs.CodeOf(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, r := range tpl.References() {
				got = append(got, r.Parts)
				if tt.in[r.Offset:r.End] != r.String() {
					t.Errorf("position %d:%d = %q, want %q", r.Offset, r.End, tt.in[r.Offset:r.End], r.String())
				}
			}
			if !reflect.DeepEqual(got, tt.refs) {
				t.Errorf("refs = %q, want %q", got, tt.refs)
			}
			text, secret, err := tpl.Render(func(r Reference) (any, bool, error) {
				return "<" + strings.Join(r.Parts, "|") + ">", false, nil
			})
			if err != nil || secret || text != tt.text {
				t.Errorf("Render = %q, %v, %v; want %q", text, secret, err, tt.text)
			}
		})
	}
}

func TestTemplateSingleAndLiteral(t *testing.T) {
	tpl, _ := ParseTemplate("${a.b}")
	if r, ok := tpl.Single(); !ok || r.Raw != "a.b" {
		t.Errorf("Single = %v, %v", r, ok)
	}
	for _, s := range []string{"x${a.b}", "${a.b}${c.d}", "${a.b} ", "plain", ""} {
		tpl, _ := ParseTemplate(s)
		if _, ok := tpl.Single(); ok {
			t.Errorf("Single(%q) = true", s)
		}
	}
	tpl, _ = ParseTemplate("a$$b")
	if s, ok := tpl.Literal(); !ok || s != "a$b" {
		t.Errorf("Literal = %q, %v", s, ok)
	}
	tpl, _ = ParseTemplate("${x}")
	if _, ok := tpl.Literal(); ok {
		t.Error("Literal of a template with a reference")
	}
	var zero Template
	if s, _, err := zero.Render(nil); s != "" || err != nil {
		t.Errorf("zero Template renders %q, %v", s, err)
	}
}

func TestRenderValues(t *testing.T) {
	values := map[string]any{
		"str":    "text",
		"int":    int64(5432),
		"float":  1.5,
		"bool":   true,
		"null":   nil,
		"map":    map[string]any{"b": 1, "a": "x"},
		"list":   []any{"a", int64(1)},
		"secret": "s3cr3t",
	}
	resolve := func(r Reference) (any, bool, error) {
		v, ok := values[r.Parts[0]]
		if !ok {
			return nil, false, errs.New(errs.NotFound, "no value %q", r.Parts[0])
		}
		return v, r.Parts[0] == "secret", nil
	}
	tests := []struct {
		in, want string
		secret   bool
		wantErr  string
	}{
		{in: "${str}", want: "text"},
		{in: "port=${int}", want: "port=5432"},
		{in: "${float} ${bool} ${null}", want: "1.5 true null"},
		{in: "m=${map}", want: `m={"a":"x","b":1}`},
		{in: "l=${list}", want: `l=["a",1]`},
		{in: "user:${secret}@host", want: "user:s3cr3t@host", secret: true},
		{in: "${nope} and ${str} and ${gone}", wantErr: "${nope}: no value \"nope\"\n${gone}: no value \"gone\""},
	}
	for _, tt := range tests {
		tpl, err := ParseTemplate(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		got, secret, err := tpl.Render(resolve)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%q: err = %v, want %q", tt.in, err, tt.wantErr)
			}
			if errs.CodeOf(err) != errs.NotFound {
				t.Errorf("%q: code %s, want the resolver's", tt.in, errs.CodeOf(err))
			}
			continue
		}
		if err != nil || got != tt.want || secret != tt.secret {
			t.Errorf("%q: got %q, %v, %v; want %q, %v", tt.in, got, secret, err, tt.want, tt.secret)
		}
	}
	// A foreign resolver error is internal, its text kept out of the message.
	tpl, _ := ParseTemplate("${x}")
	_, _, err := tpl.Render(func(Reference) (any, bool, error) { return nil, false, errorString("db password is hunter2") })
	if err == nil || strings.Contains(err.Error(), "hunter2") || errs.CodeOf(err) != errs.Internal {
		t.Errorf("foreign error: %v (%s)", err, errs.CodeOf(err))
	}
	// A value that cannot be JSON-encoded is an error, not a panic.
	_, _, err = tpl.Render(func(Reference) (any, bool, error) { return func() {}, false, nil })
	if err == nil {
		t.Error("func value rendered")
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestSubstitute(t *testing.T) {
	outputs := map[string]any{
		"host": "db", "port": int64(5432), "password": "pw",
		"tags": []any{"a", "b"}, "conf": map[string]any{"x": true},
	}
	resolve := func(r Reference) (any, bool, error) {
		if r.Parts[0] != "out" || len(r.Parts) != 2 {
			return nil, false, errs.New(errs.Invalid, "unknown root")
		}
		v, ok := outputs[r.Parts[1]]
		if !ok {
			return nil, false, errs.New(errs.Invalid, "no output %q", r.Parts[1])
		}
		return v, r.Parts[1] == "password", nil
	}
	in := map[string]any{
		"port":    "${out.port}",
		"url":     "postgres://${out.host}:${out.port}",
		"tags":    "${out.tags}",
		"conf":    []any{"${out.conf}", "n=${out.conf}", int64(3), nil, true},
		"escaped": "$${out.host}",
		"keep":    1.5,
		"${out.host}": map[string]any{
			"plain": "x",
		},
	}
	got, secret, err := Substitute(in, "/params", resolve)
	if err != nil {
		t.Fatal(err)
	}
	if secret {
		t.Error("secret without a secret value")
	}
	want := map[string]any{
		"port":    int64(5432),
		"url":     "postgres://db:5432",
		"tags":    []any{"a", "b"},
		"conf":    []any{map[string]any{"x": true}, `n={"x":true}`, int64(3), nil, true},
		"escaped": "${out.host}",
		"keep":    1.5,
		"${out.host}": map[string]any{
			"plain": "x",
		},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		t.Errorf("Substitute = %s", g)
	}
	if in["port"] != "${out.port}" {
		t.Error("Substitute changed its input")
	}

	_, secret, err = Substitute([]any{"${out.password}"}, "", resolve)
	if err != nil || !secret {
		t.Errorf("secret = %v, %v", secret, err)
	}

	_, _, err = Substitute(map[string]any{
		"a": "${out.nope}",
		"b": []any{"x ${out.gone} ${out.host}", "${broken"},
	}, "/resources/db/params", resolve)
	checkPaths(t, err, []string{
		`/resources/db/params/a: ${out.nope}: no output "nope"`,
		`/resources/db/params/b/0: ${out.gone}: no output "gone"`,
		`/resources/db/params/b/1: placeholder at offset 0: "${" has no closing "}" (write $$ for a literal "$")`,
	})
}

func checkPaths(t *testing.T, err error, want []string) {
	t.Helper()
	var got []string
	for _, e := range errs.Errors(err) {
		got = append(got, e.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n got:  %q\n want: %q", got, want)
	}
}

func TestFindReferences(t *testing.T) {
	refs, err := FindReferences(map[string]any{
		"b": []any{"${x.y} ${z}", int64(1)},
		"a": "$${no}",
		"c": map[string]any{"d/e": "${metadata.name}"},
	}, "/p")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range refs {
		got = append(got, r.Pointer+" "+r.String())
	}
	want := []string{"/p/b/0 ${x.y}", "/p/b/0 ${z}", "/p/c/d~1e ${metadata.name}"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("refs = %q, want %q", got, want)
	}
	_, err = FindReferences([]any{"${a", "ok", "${}"}, "")
	checkPaths(t, err, []string{
		`/0: placeholder at offset 0: "${" has no closing "}" (write $$ for a literal "$")`,
		`/2: placeholder at offset 0: "${}" is empty (write $$ for a literal "$")`,
	})
}

func TestEscape(t *testing.T) {
	for _, s := range []string{"", "plain", "$", "$$", "${metadata.name}", "a$b${", "}$}{$"} {
		tpl, err := ParseTemplate(Escape(s))
		if err != nil {
			t.Fatalf("Escape(%q): %v", s, err)
		}
		if got, ok := tpl.Literal(); !ok || got != s {
			t.Errorf("Escape round trip of %q = %q, %v", s, got, ok)
		}
	}
}

func TestLookup(t *testing.T) {
	md := map[string]any{"name": "web", "annotations": map[string]any{"a.b/c": "x"}, "n": int64(1)}
	if v, ok := Lookup(md, []string{"annotations", "a.b/c"}); !ok || v != "x" {
		t.Errorf("Lookup = %v, %v", v, ok)
	}
	if v, ok := Lookup(md, nil); !ok || !reflect.DeepEqual(v, md) {
		t.Errorf("Lookup(nil) = %v, %v", v, ok)
	}
	for _, keys := range [][]string{{"nope"}, {"name", "x"}, {"n", "x"}, {"annotations", "x"}} {
		if _, ok := Lookup(md, keys); ok {
			t.Errorf("Lookup(%q) found", keys)
		}
	}
}
