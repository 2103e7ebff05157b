package secrets

import (
	"bytes"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"none known", nil, "password=hunter2", "password=hunter2"},
		{"plain", []string{"hunter2"}, "password=hunter2 again hunter2", "password=*** again ***"},
		{"empty secret ignored", []string{""}, "abc", "abc"},
		{"longest wins", []string{"abc", "abcdef"}, "xabcdefx abc", "x***x ***"},
		{"overlapping", []string{"aaa"}, "aaaaa", "***aa"},
		{"url escaped", []string{"p@ss w/rd"}, "postgres://u:p%40ss+w%2Frd@h/db and /p@ss%20w%2Frd/", "postgres://u:***@h/db and /***/"},
		{"json escaped", []string{`a"b\c`}, `{"pw":"a\"b\\c"}`, `{"pw":"***"}`},
		{"base64", []string{"supersecret"}, "data: " + base64.StdEncoding.EncodeToString([]byte("supersecret")), "data: ***"},
		{"multi-line", []string{"-----BEGIN KEY-----\nMIIB\n-----END KEY-----"}, "key: -----BEGIN KEY-----\nMIIB\n-----END KEY-----\n", "key: ***\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRedactor(tt.secrets...)
			if got := r.Redact(tt.in); got != tt.want {
				t.Errorf("Redact = %q, want %q", got, tt.want)
			}
			if got := string(r.RedactBytes([]byte(tt.in))); got != tt.want {
				t.Errorf("RedactBytes = %q, want %q", got, tt.want)
			}
			var b bytes.Buffer
			w := r.Writer(&b)
			for i := range len(tt.in) { // one byte a write: the worst split
				w.Write([]byte{tt.in[i]})
			}
			w.Close()
			if b.String() != tt.want {
				t.Errorf("Writer = %q, want %q", b.String(), tt.want)
			}
		})
	}
}

func TestNilRedactor(t *testing.T) {
	var r *Redactor
	if r.Redact("x") != "x" || r.Len() != 0 {
		t.Fatal("nil redactor changed its input")
	}
	var b bytes.Buffer
	w := r.Writer(&b)
	w.Write([]byte("abc"))
	w.Close()
	if b.String() != "abc" {
		t.Fatalf("nil redactor writer wrote %q", b.String())
	}
}

func TestRedactorAddLater(t *testing.T) {
	r := NewRedactor()
	if r.Redact("token123") != "token123" {
		t.Fatal("redacted before the value was known")
	}
	r.Add("token123")
	if r.Redact("token123") != Mask {
		t.Fatal("not redacted after Add")
	}
	n := r.Len()
	r.Add("token123")
	if r.Len() != n {
		t.Fatal("adding a known value again grew the redactor")
	}
}

func TestWriterHoldsBackOnlyPossibleSecrets(t *testing.T) {
	r := NewRedactor("secret")
	var b bytes.Buffer
	w := r.Writer(&b)
	w.Write([]byte("hello sec"))
	if b.String() != "hello " {
		t.Fatalf("after a partial match wrote %q, want %q", b.String(), "hello ")
	}
	w.Write([]byte("ret and sec"))
	w.Write([]byte("ond\n"))
	if b.String() != "hello *** and second\n" {
		t.Fatalf("wrote %q", b.String())
	}
}

func TestRedactorConcurrent(t *testing.T) {
	r := NewRedactor("a1")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			var b bytes.Buffer
			w := r.Writer(&b)
			for j := range 200 {
				r.Add(strings.Repeat("z", i+j%7+2))
				w.Write([]byte("xa1y"))
				_ = r.Redact("a1 zz")
			}
			w.Close()
			if strings.Contains(b.String(), "a1") {
				t.Error("writer leaked a secret")
			}
		})
	}
	wg.Wait()
}

// FuzzRedactWriter checks that however a text is split into writes, the
// writer outputs exactly what Redact makes of the whole text, so no secret
// escapes through a split.
func FuzzRedactWriter(f *testing.F) {
	f.Add("password hunter2 hunter", "hunter2", "ter", uint8(3))
	f.Add("aaaaaaa", "aa", "aaa", uint8(1))
	f.Add("x", "", "x", uint8(0))
	f.Fuzz(func(t *testing.T, text, s1, s2 string, chunk uint8) {
		r := NewRedactor(s1, s2)
		want := r.Redact(text)
		var b bytes.Buffer
		w := r.Writer(&b)
		n := int(chunk%16) + 1
		for i := 0; i < len(text); i += n {
			w.Write([]byte(text[i:min(i+n, len(text))]))
		}
		w.Close()
		if b.String() != want {
			t.Fatalf("writer (chunks of %d) = %q, Redact = %q", n, b.String(), want)
		}
		if len(s1) > 0 && strings.Contains(want, s1) && !strings.Contains(strings.ReplaceAll(text, s1, ""), s1) {
			t.Fatalf("Redact left %q in %q", s1, want)
		}
	})
}

func BenchmarkRedact(b *testing.B) {
	var vals []string
	for i := range 50 {
		vals = append(vals, strings.Repeat(string(rune('a'+i%26)), 8+i))
	}
	r := NewRedactor(vals...)
	line := strings.Repeat("an ordinary log line with nothing secret in it, ", 4)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		_ = r.Redact(line)
	}
}
