package credential

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	tests := []struct {
		uid  string
		max  int
		want string
	}{
		{"pavetest_abc.shop.db", 63, "pavetest_abc_shop_db_"},
		{"postgres.default#Shop.DB", 63, "postgres_default_shop_db_"},
		{"..a--b..", 63, "a_b_"},
		{"123", 63, "r123_"},
		{"", 63, "r_"},
		{"ÜBER straße", 63, "ber_stra_e_"},
		{"_leading", 63, "leading_"},
		{strings.Repeat("abcdefghij", 10), 32, "abcdefghijabcdefghijabc_"},
		{"abcdefghijklmnopqrstuv..wxyz", 32, "abcdefghijklmnopqrstuv_"},
		{"anything", 3, "a_"},
	}
	for _, tt := range tests {
		t.Run(tt.uid, func(t *testing.T) {
			got := Name(tt.uid, tt.max)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("Name(%q, %d) = %q, want prefix %q", tt.uid, tt.max, got, tt.want)
			}
			if len(got) != len(tt.want)+HashLen {
				t.Errorf("Name(%q, %d) = %q: want %d hash digits after %q", tt.uid, tt.max, got, HashLen, tt.want)
			}
			checkName(t, tt.uid, tt.max, got)
		})
	}
}

func TestNameDistinguishesLookalikes(t *testing.T) {
	a, b := Name("shop.db", 63), Name("shop_db", 63)
	if a == b {
		t.Fatalf("Name gives %q for both shop.db and shop_db", a)
	}
	if Name("shop.db", 63) != a {
		t.Fatal("Name is not stable")
	}
}

func checkName(t *testing.T, uid string, max int, got string) {
	t.Helper()
	if max < MinNameLen {
		max = MinNameLen
	}
	if len(got) > max {
		t.Errorf("Name(%q, %d) = %q is %d bytes", uid, max, got, len(got))
	}
	if got == "" || got[0] < 'a' || got[0] > 'z' {
		t.Errorf("Name(%q, %d) = %q does not start with a letter", uid, max, got)
	}
	for _, c := range got {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			t.Errorf("Name(%q, %d) = %q holds %q", uid, max, got, c)
		}
	}
	if strings.Contains(got, "__") {
		t.Errorf("Name(%q, %d) = %q holds a double underscore", uid, max, got)
	}
}

func FuzzName(f *testing.F) {
	f.Add("pavetest_abc.shop.db", 63)
	f.Add("", 0)
	f.Add("\xff\x00日本", 16)
	f.Fuzz(func(t *testing.T, uid string, max int) {
		if max > 1000 {
			max = 1000
		}
		got := Name(uid, max)
		checkName(t, uid, max, got)
		if Name(uid, max) != got {
			t.Fatal("not stable")
		}
	})
}

func TestPassword(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range []int{0, 1, 32, 100} {
		p := Password(n)
		if len(p) != n {
			t.Errorf("Password(%d) has %d characters", n, len(p))
		}
		for _, c := range p {
			if !strings.ContainsRune(alphaNum, c) {
				t.Errorf("Password(%d) holds %q", n, c)
			}
		}
		if n >= 32 && seen[p] {
			t.Errorf("Password(%d) repeated", n)
		}
		seen[p] = true
	}
}

func TestRedact(t *testing.T) {
	tests := []struct {
		s       string
		secrets []string
		want    string
	}{
		{"connect as bob with hunter2", []string{"hunter2"}, "connect as bob with [redacted]"},
		{"url postgres://u:pw@h/db", []string{"pw", "postgres://u:pw@h/db"}, "url [redacted]"},
		{"nothing here", []string{"", "x1"}, "nothing here"},
	}
	for _, tt := range tests {
		if got := Redact(tt.s, tt.secrets...); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestRedactError(t *testing.T) {
	base := fmt.Errorf("login with s3cret: %w", context.Canceled)
	err := RedactError(base, "s3cret")
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("secret in %q", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatal("RedactError lost the chain")
	}
	if RedactError(nil, "x") != nil {
		t.Fatal("RedactError(nil) is not nil")
	}
}
