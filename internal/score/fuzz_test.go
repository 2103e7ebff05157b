package score

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

// seedFiles returns the valid testdata files.
func seedFiles(tb testing.TB) map[string][]byte {
	tb.Helper()
	paths, err := filepath.Glob("testdata/valid/*")
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no testdata: %v", err)
	}
	out := make(map[string][]byte, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

// FuzzParse checks that Parse (with an override property) never panics,
// that every error is located in a file, and that a workload that parses
// marshals to a normalised document that parses to the same workload.
func FuzzParse(f *testing.F) {
	for _, b := range seedFiles(f) {
		f.Add(b, "")
		f.Add(b, "containers.web.image=nginx:1")
		f.Add(b, "metadata.annotations.a\\.b/c=x")
	}
	f.Add([]byte(overrideBase), "containers.api.variables.X=${resources.db.host}")
	f.Add([]byte("apiVersion: score.dev/v1b1\nmetadata: {name: a1}\ncontainers: {c1: {image: x, files: [{target: /a, content: '${'}]}}\n"), "")
	f.Add([]byte("a: &a [*a]\n"), "x=1")
	f.Add([]byte("{\"apiVersion\": 1}"), "=")
	f.Fuzz(func(t *testing.T, data []byte, prop string) {
		var props []string
		if prop != "" {
			props = []string{prop}
		}
		w, err := ParseWithOverrides("fuzz.yaml", data, "", nil, props)
		if err != nil {
			if w != nil {
				t.Fatal("workload returned with an error")
			}
			items := errs.Errors(err)
			if len(items) == 0 {
				t.Fatal("empty error list")
			}
			for _, e := range items {
				if e.File == "" {
					t.Fatalf("error without a file: %v", e)
				}
				if e.Code != errs.Invalid {
					t.Fatalf("error with code %s: %v", e.Code, e.LogString())
				}
			}
			return
		}
		if !IsLabel(w.Name) || len(w.Containers) == 0 {
			t.Fatalf("invalid workload accepted: %+v", w)
		}
		for _, p := range w.References() {
			w.Locate(p.Pointer)
		}
		first, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		w2, err := Parse("normalised.json", first)
		if err != nil {
			t.Fatalf("normalised workload does not parse: %v\n%s", err, first)
		}
		second, _ := json.Marshal(w2)
		if string(first) != string(second) {
			t.Fatalf("normalising is not stable:\n%s\n%s", first, second)
		}
	})
}

// FuzzTemplate checks that parsing and rendering never panic, that
// reference positions are right, and that Escape round-trips through $$.
func FuzzTemplate(f *testing.F) {
	for _, b := range seedFiles(f) {
		for line := range strings.SplitSeq(string(b), "\n") {
			f.Add(line)
		}
	}
	for _, s := range []string{"", "$", "$$", "${", "${}", "${a..b}", `${a\.b.c}`, "$${a}", "$$${a}", "${a}}", "${a${b}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tpl, err := ParseTemplate(Escape(s))
		if err != nil {
			t.Fatalf("escaped text does not parse: %v", err)
		}
		if got, ok := tpl.Literal(); !ok || got != s {
			t.Fatalf("Escape round trip: %q -> %q", s, got)
		}

		tpl, err = ParseTemplate(s)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("code %s", errs.CodeOf(err))
			}
			return
		}
		for _, r := range tpl.References() {
			if s[r.Offset:r.End] != r.String() || len(r.Parts) == 0 {
				t.Fatalf("reference %+v misplaced in %q", r, s)
			}
			for _, p := range r.Parts {
				if p == "" {
					t.Fatalf("empty part in %q", s)
				}
			}
		}
		text, _, err := tpl.Render(func(r Reference) (any, bool, error) { return r.Parts, true, nil })
		if err != nil {
			t.Fatal(err)
		}
		// With no references, rendering only unescapes: re-escaping gives
		// a template that renders the same text.
		if len(tpl.References()) == 0 {
			again, err := ParseTemplate(Escape(text))
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := again.Literal(); got != text {
				t.Fatalf("re-escaped %q renders %q", text, got)
			}
		}
		refs, err := FindReferences(s, "/x")
		if err != nil || len(refs) != len(tpl.References()) {
			t.Fatalf("FindReferences = %d, %v; template has %d", len(refs), err, len(tpl.References()))
		}
	})
}
