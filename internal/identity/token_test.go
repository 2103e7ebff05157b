package identity

import (
	"strings"
	"testing"
)

func TestToken(t *testing.T) {
	tok, hash, err := NewToken("01JABCDEF")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "pave_01JABCDEF_") || !strings.HasPrefix(hash, "sha256:") || strings.Contains(hash, tok) {
		t.Fatalf("token %q hash %q", tok, hash)
	}
	id, ok := TokenID(tok)
	if !ok || id != "01JABCDEF" {
		t.Fatalf("TokenID = %q %v", id, ok)
	}
	if !TokenMatches(tok, hash) {
		t.Fatal("token does not match its hash")
	}
	other, _, _ := NewToken("01JABCDEF")
	if other == tok || TokenMatches(other, hash) {
		t.Fatal("two tokens are alike")
	}
	for _, bad := range []string{"", "pave_", "pave__x", "bearer " + tok, tok + "x", tok[:len(tok)-1], "pave_a b_" + tok[len(tok)-43:], strings.Replace(tok, "pave_", "pavx_", 1)} {
		if _, ok := TokenID(bad); ok {
			t.Errorf("TokenID(%q) accepted", bad)
		}
	}
}

func FuzzTokenID(f *testing.F) {
	tok, _, _ := NewToken("01JABCDEF")
	f.Add(tok)
	f.Add("pave__")
	f.Add("pave_x_" + strings.Repeat("A", 43))
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := TokenID(s)
		if ok && (id == "" || !strings.HasPrefix(s, TokenPrefix+id+"_")) {
			t.Fatalf("TokenID(%q) = %q", s, id)
		}
	})
}
