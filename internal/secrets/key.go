package secrets

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// KeySize is the size in bytes of a sealing key (AES-256).
const KeySize = 32

// EnvKey is the environment variable that may hold the sealing keys, base64
// encoded, the sealing key first and older keys (still accepted for opening)
// after it, separated by commas or white space.
const EnvKey = "PAVE_SECRET_KEY"

// idSize is the size of a key id in a sealed value's header.
const idSize = 8

// Key is one AES-256 sealing key. Its String method never shows the key
// material, so a Key printed by mistake leaks nothing.
type Key struct {
	id  [idSize]byte
	raw [KeySize]byte
}

// GenerateKey returns a new random key.
func GenerateKey() (Key, error) {
	var raw [KeySize]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Key{}, errs.Wrap(errs.Internal, err, "secrets: generate key")
	}
	return newKey(raw), nil
}

// ParseKey decodes a base64 (standard or URL alphabet, padded or not) key of
// exactly KeySize bytes.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Key{}, errs.New(errs.Invalid, "secrets: no key given")
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(b) != KeySize {
			return Key{}, errs.New(errs.Invalid, "secrets: key is %d bytes, want %d (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)", len(b), KeySize)
		}
		var raw [KeySize]byte
		copy(raw[:], b)
		clear(b)
		return newKey(raw), nil
	}
	return Key{}, errs.New(errs.Invalid, "secrets: key is not valid base64")
}

// ParseKeys decodes one or more keys separated by commas or white space, the
// sealing key first.
func ParseKeys(s string) ([]Key, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r'
	})
	if len(fields) == 0 {
		return nil, errs.New(errs.Invalid, "secrets: no key given")
	}
	keys := make([]Key, 0, len(fields))
	for i, f := range fields {
		k, err := ParseKey(f)
		if err != nil {
			return nil, errs.Prefix(fmt.Sprintf("key %d", i+1), err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func newKey(raw [KeySize]byte) Key {
	sum := sha256.Sum256(append([]byte("pave key id\x00"), raw[:]...))
	k := Key{raw: raw}
	copy(k.id[:], sum[:idSize])
	return k
}

// ID returns the key's public identifier: 16 hex digits derived from the key
// by a one-way hash. Sealed values carry it so the right key opens them.
func (k Key) ID() string { return hex.EncodeToString(k.id[:]) }

// Encode returns the key material, base64 encoded, as stored in a key file or
// PAVE_SECRET_KEY. Handle the result as a secret.
func (k Key) Encode() string { return base64.StdEncoding.EncodeToString(k.raw[:]) }

// String returns "key <id>", never the key material.
func (k Key) String() string { return "key " + k.ID() }

// GoString returns the same as String, so %#v leaks nothing either.
func (k Key) GoString() string { return k.String() }

// Equal reports whether k and o are the same key.
func (k Key) Equal(o Key) bool { return bytes.Equal(k.raw[:], o.raw[:]) }

// IsZero reports whether k is the zero Key (no key at all).
func (k Key) IsZero() bool { return k == Key{} }
