package process

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLogFileRotatesAndTails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "output.log")
	l, err := openLog(path, "main", 4096, newRedactor([]string{"hunter2"}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		l.line("out", []byte(fmt.Sprintf("line %03d password=hunter2\n", i)))
	}
	l.close()
	for _, p := range []string{path, path + ".1"} {
		st, err := os.Stat(p)
		if err != nil || st.Size() > 4096 || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v", p, st, err)
		}
		if data, _ := os.ReadFile(p); strings.Contains(string(data), "hunter2") {
			t.Errorf("%s holds the secret", p)
		}
	}
	tests := []struct {
		n     int
		first string
	}{
		{1, "line 199"},
		{5, "line 195"},
		{60, "line 140"}, // reaches into the rotated file
	}
	for _, tt := range tests {
		lines, err := tailLog(path, tt.n)
		if err != nil || len(lines) != tt.n {
			t.Fatalf("tail %d: %d lines, %v", tt.n, len(lines), err)
		}
		if f := strings.SplitN(lines[0], " ", 4); f[1] != "main" || f[2] != "out" || !strings.HasPrefix(f[3], tt.first) {
			t.Errorf("tail %d starts with %q, want %q", tt.n, lines[0], tt.first)
		}
		if last := lines[len(lines)-1]; !strings.HasSuffix(last, "line 199 password="+Redacted) {
			t.Errorf("tail %d ends with %q", tt.n, last)
		}
	}
	all, _ := tailLog(path, 1<<30)
	if len(all) < 60 || len(all) >= 200 {
		t.Errorf("all lines kept: %d", len(all))
	}
	if lines, err := tailLog(filepath.Join(t.TempDir(), "none"), 5); err != nil || len(lines) != 0 {
		t.Errorf("tail of a missing log: %q, %v", lines, err)
	}
}

func TestTailFileChunks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "%06d %s\n", i, strings.Repeat("x", i%50))
	}
	os.WriteFile(path, []byte(b.String()), 0o600)
	for _, n := range []int{1, 2, 999, 5000, 20000, 30000} {
		lines, err := tailFile(path, n)
		if err != nil {
			t.Fatal(err)
		}
		want := min(n, 20000)
		if len(lines) != want || !strings.HasPrefix(lines[0], fmt.Sprintf("%06d", 20000-want)) {
			t.Errorf("tail %d: %d lines starting %q", n, len(lines), lines[0])
		}
	}
}

func TestRedactor(t *testing.T) {
	r := newRedactor([]string{"ab", "secret", "secret-long", "", "secret"})
	tests := map[string]string{
		"user=ab pass=secret-long": "user=ab pass=" + Redacted,
		"secret and secret":        Redacted + " and " + Redacted,
		"nothing":                  "nothing",
	}
	for in, want := range tests {
		if got := r.String(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
	var none *redactor
	if none.String("x") != "x" || newRedactor(nil).String("x") != "x" {
		t.Error("empty redactor changed text")
	}
}

func BenchmarkLogLine(b *testing.B) {
	l, err := openLog(filepath.Join(b.TempDir(), "out.log"), "main", 1<<20, newRedactor([]string{"hunter2", "password-123456"}))
	if err != nil {
		b.Fatal(err)
	}
	defer l.close()
	line := []byte("GET /items 200 1.2ms user=alice token=hunter2\n")
	b.ReportAllocs()
	for b.Loop() {
		l.line("out", line)
	}
}

func BenchmarkTail(b *testing.B) {
	path := filepath.Join(b.TempDir(), "out.log")
	var sb strings.Builder
	for i := range 100000 {
		fmt.Fprintf(&sb, "2026-01-01T00:00:00.000000Z main out line %d\n", i)
	}
	os.WriteFile(path, []byte(sb.String()), 0o600)
	for b.Loop() {
		tailLog(path, 100)
	}
}
