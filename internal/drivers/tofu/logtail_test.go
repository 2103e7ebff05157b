package tofu

import (
	"strings"
	"testing"
)

func TestTail(t *testing.T) {
	tests := []struct {
		name   string
		limit  int
		writes []string
		want   string
	}{
		{name: "under the limit", limit: 16, writes: []string{"ab\n", "cd\n"}, want: "ab\ncd\n"},
		{name: "exactly the limit", limit: 6, writes: []string{"ab\n", "cd\n"}, want: "ab\ncd\n"},
		{name: "cut at a line start", limit: 8, writes: []string{"first\n", "second\n"}, want: "[... earlier output cut ...]\nsecond\n"},
		{name: "one big write", limit: 8, writes: []string{"aaaa\nbbbbbbbbbb\ncc\n"}, want: "[... earlier output cut ...]\ncc\n"},
		{name: "no line start left", limit: 4, writes: []string{"abcdefgh"}, want: "[... earlier output cut ...]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newTail(tt.limit)
			for _, w := range tt.writes {
				if n, err := tl.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if got := tl.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRedactor(t *testing.T) {
	values := map[string]any{
		"password": "s3cr3t-pa55",
		"short":    "abc",
		"port":     int64(5432),
		"nested":   map[string]any{"token": "tok-123456", "list": []any{"item-secret-1", true}},
		"quoted":   `he said "hi there"`,
		"multi":    "line-one-secret\nline-two-secret",
		"outer":    "tok-123456-and-more",
	}
	r := newRedactor(values)
	tests := []struct{ in, want string }{
		{"password is s3cr3t-pa55.", "password is [redacted]."},
		{"short abc stays, 5432 stays", "short abc stays, 5432 stays"},
		{"t=tok-123456 l=item-secret-1", "t=[redacted] l=[redacted]"},
		{`json: "he said \"hi there\""`, `json: "[redacted]"`},
		{"line-two-secret alone", "[redacted] alone"},
		{"tok-123456-and-more", "[redacted]"},
	}
	for _, tt := range tests {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := newRedactor(nil, map[string]any{}).Redact("anything"); got != "anything" {
		t.Errorf("empty redactor changed text: %q", got)
	}
}

func BenchmarkRedact(b *testing.B) {
	vars := map[string]any{}
	for i := range 50 {
		vars[strings.Repeat("k", i+1)] = strings.Repeat("v", 6+i)
	}
	r := newRedactor(vars)
	text := strings.Repeat("random_password.password: Creating...\nvvvvvvvvvvv\n", 300)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		r.Redact(text)
	}
}
