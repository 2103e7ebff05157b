package secrets

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

func mustKey(t testing.TB) Key {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSealer(t testing.TB, primary Key, older ...Key) *Sealer {
	t.Helper()
	s, err := NewSealer(primary, older...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealOpen(t *testing.T) {
	s := mustSealer(t, mustKey(t))
	for _, plain := range [][]byte{nil, {}, []byte("x"), []byte("hunter2"), bytes.Repeat([]byte{0, 1, 2, 255}, 10000)} {
		sealed, err := s.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) >= 4 && bytes.Contains(sealed, plain) {
			t.Fatalf("sealed value contains the plaintext")
		}
		if got := SealedKeyID(sealed); got != s.KeyID() {
			t.Errorf("SealedKeyID = %q, want %q", got, s.KeyID())
		}
		got, err := s.Open(sealed)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("Open = %q, want %q", got, plain)
		}
	}
}

func TestSealUsesRandomNonce(t *testing.T) {
	s := mustSealer(t, mustKey(t))
	a, _ := s.Seal([]byte("same"))
	b, _ := s.Seal([]byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are equal")
	}
}

func TestOpenFailures(t *testing.T) {
	k1, k2 := mustKey(t), mustKey(t)
	s1 := mustSealer(t, k1)
	sealed, err := s1.Seal([]byte("the secret"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 0x40
		return b
	}
	tests := []struct {
		name   string
		sealer *Sealer
		in     []byte
		want   string
	}{
		{"wrong key", mustSealer(t, k2), sealed, "not loaded"},
		{"empty", s1, nil, "too short"},
		{"header only", s1, sealed[:headerSize], "too short"},
		{"truncated", s1, sealed[:len(sealed)-1], "authentication"},
		{"unknown format", s1, flip(0), "unknown sealed format"},
		{"key id altered", s1, flip(1), "not loaded"},
		{"nonce altered", s1, flip(headerSize), "authentication"},
		{"ciphertext altered", s1, flip(headerSize + 12), "authentication"},
		{"tag altered", s1, flip(len(sealed) - 1), "authentication"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.sealer.Open(tt.in)
			if err == nil {
				t.Fatalf("Open succeeded: %q", got)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "the secret") {
				t.Errorf("error leaks the plaintext: %q", err)
			}
		})
	}
}

func TestEveryBitIsAuthenticated(t *testing.T) {
	s := mustSealer(t, mustKey(t))
	sealed, _ := s.Seal([]byte("abc"))
	for i := range sealed {
		for bit := range 8 {
			b := bytes.Clone(sealed)
			b[i] ^= 1 << bit
			if _, err := s.Open(b); err == nil {
				t.Fatalf("flipping bit %d of byte %d went unnoticed", bit, i)
			}
		}
	}
}

func TestRotation(t *testing.T) {
	oldK, newK := mustKey(t), mustKey(t)
	old := mustSealer(t, oldK)
	next := mustSealer(t, newK, oldK)
	sealedOld, _ := old.Seal([]byte("v1"))
	sealedNew, _ := next.Seal([]byte("v2"))
	if SealedKeyID(sealedNew) != newK.ID() {
		t.Fatalf("next seals with %s, want %s", SealedKeyID(sealedNew), newK.ID())
	}
	if got, err := next.Open(sealedOld); err != nil || string(got) != "v1" {
		t.Fatalf("next cannot open a value sealed with the old key: %q, %v", got, err)
	}
	if _, err := old.Open(sealedNew); err == nil {
		t.Fatal("the old sealer opened a value sealed with the new key")
	}
	if ks := next.Keys(); len(ks) != 2 || !ks[0].Equal(newK) || !ks[1].Equal(oldK) {
		t.Fatalf("Keys = %v", ks)
	}
}

func TestNewSealerNeedsKey(t *testing.T) {
	if _, err := NewSealer(Key{}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("NewSealer(zero key) = %v, want invalid", err)
	}
}

func TestKeyNeverPrints(t *testing.T) {
	k := mustKey(t)
	for _, format := range []string{"%v", "%s", "%+v", "%#v", "%q", "%x"} {
		out := fmt.Sprintf(format, k)
		if strings.Contains(out, k.Encode()) || strings.Contains(out, fmt.Sprintf("%x", k.raw[:])) {
			t.Errorf("%s prints the key material: %s", format, out)
		}
	}
}

func TestParseKey(t *testing.T) {
	k := mustKey(t)
	std := k.Encode()
	raw := strings.TrimRight(std, "=")
	tests := []struct {
		in      string
		wantErr string
	}{
		{std, ""},
		{raw, ""},
		{"  " + std + "\n", ""},
		{strings.NewReplacer("+", "-", "/", "_").Replace(std), ""},
		{"", "no key given"},
		{"!!!", "not valid base64"},
		{"c2hvcnQ=", "is 5 bytes, want 32"},
	}
	for _, tt := range tests {
		got, err := ParseKey(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseKey(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !got.Equal(k) || got.ID() != k.ID() {
			t.Errorf("ParseKey(%q) = %v, %v", tt.in, got, err)
		}
	}
	k2 := mustKey(t)
	ks, err := ParseKeys(k.Encode() + ", " + k2.Encode())
	if err != nil || len(ks) != 2 || !ks[0].Equal(k) || !ks[1].Equal(k2) {
		t.Fatalf("ParseKeys = %v, %v", ks, err)
	}
	if _, err := ParseKeys(k.Encode() + ",nope"); err == nil || !strings.Contains(err.Error(), "key 2") {
		t.Fatalf("ParseKeys with a bad second key: %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	k, _ := ParseKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	s, _ := NewSealer(k)
	good, _ := s.Seal([]byte("hello"))
	f.Add(good)
	f.Add([]byte{1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := s.Open(in)
		// Only values this key sealed open (each fuzz worker seals its own
		// seed, with its own nonce); forging a GCM tag by chance does not
		// happen.
		if err == nil && string(got) != "hello" {
			t.Fatalf("Open accepted forged input %x -> %q", in, got)
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	s := mustSealer(b, mustKey(b))
	p := bytes.Repeat([]byte("x"), 1024)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		if _, err := s.Seal(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	s := mustSealer(b, mustKey(b))
	p := bytes.Repeat([]byte("x"), 1024)
	sealed, _ := s.Seal(p)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		if _, err := s.Open(sealed); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseKeys(f *testing.F) {
	f.Add("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	f.Add("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8, AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	f.Add("")
	f.Add(",,,")
	f.Fuzz(func(t *testing.T, in string) {
		keys, err := ParseKeys(in)
		if err != nil {
			if strings.Contains(err.Error(), in) && len(in) > 8 {
				t.Fatalf("error quotes the key material: %v", err)
			}
			return
		}
		if len(keys) == 0 {
			t.Fatal("no error and no key")
		}
		for _, k := range keys {
			if k.IsZero() && k.ID() == "" {
				t.Fatal("zero key")
			}
			back, err := ParseKey(k.Encode())
			if err != nil || !back.Equal(k) {
				t.Fatalf("key does not round-trip: %v", err)
			}
		}
	})
}

func TestDeriveKey(t *testing.T) {
	k1, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := NewSealer(k1)
	s1again, _ := NewSealer(k1, k2)
	s2, _ := NewSealer(k2, k1)
	a := s1.DeriveKey("targets/hash")
	if len(a) != 32 {
		t.Fatalf("derived key has %d bytes", len(a))
	}
	if !bytes.Equal(a, s1again.DeriveKey("targets/hash")) {
		t.Error("the same sealing key derives different keys")
	}
	if bytes.Equal(a, s1.DeriveKey("other")) {
		t.Error("two purposes derive the same key")
	}
	if bytes.Equal(a, s2.DeriveKey("targets/hash")) {
		t.Error("another sealing key derives the same key")
	}
	if bytes.Contains(a, k1.raw[:8]) {
		t.Error("the derived key shows the sealing key")
	}
}
