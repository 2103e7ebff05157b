package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"

	"github.com/pavedev/pave/internal/errs"
)

// formatV1 is the first byte of every value sealed by this version of pave.
const formatV1 byte = 1

// headerSize is the size of a sealed value's header: the format byte and the
// id of the key that sealed it.
const headerSize = 1 + idSize

// Sealer seals and opens values with AES-256-GCM. It seals with one key (the
// first it was given) and opens values sealed with any of its keys, so that
// keys can be rotated: a sealed value is
//
//	format (1 byte, 1) | key id (8 bytes) | nonce (12 bytes) | ciphertext and tag
//
// with the format byte and key id authenticated as additional data, so that no
// part of it can be altered unnoticed. A Sealer is safe for concurrent use.
type Sealer struct {
	keys    []Key
	primary cipher.AEAD
	pid     [idSize]byte
	byID    map[[idSize]byte]cipher.AEAD
}

// NewSealer returns a Sealer that seals with primary and opens values sealed
// with primary or any of older.
func NewSealer(primary Key, older ...Key) (*Sealer, error) {
	if primary.IsZero() {
		return nil, errs.New(errs.Invalid, "secrets: no sealing key")
	}
	s := &Sealer{byID: map[[idSize]byte]cipher.AEAD{}, pid: primary.id}
	for _, k := range append([]Key{primary}, older...) {
		if _, dup := s.byID[k.id]; dup {
			continue
		}
		block, err := aes.NewCipher(k.raw[:])
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "secrets: %s", k)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "secrets: %s", k)
		}
		s.byID[k.id] = aead
		s.keys = append(s.keys, k)
	}
	s.primary = s.byID[primary.id]
	return s, nil
}

// KeyID returns the id of the key the Sealer seals with.
func (s *Sealer) KeyID() string { return hex.EncodeToString(s.pid[:]) }

// Keys returns the Sealer's keys, the sealing key first. Handle them as
// secrets.
func (s *Sealer) Keys() []Key { return append([]Key(nil), s.keys...) }

// Seal encrypts plaintext with the sealing key and a random nonce.
func (s *Sealer) Seal(plaintext []byte) ([]byte, error) {
	ns := s.primary.NonceSize()
	out := make([]byte, headerSize+ns, headerSize+ns+len(plaintext)+s.primary.Overhead())
	out[0] = formatV1
	copy(out[1:headerSize], s.pid[:])
	if _, err := rand.Read(out[headerSize:]); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "secrets: seal: read random nonce")
	}
	return s.primary.Seal(out, out[headerSize:], plaintext, out[:headerSize]), nil
}

// Open decrypts a value sealed by Seal with any of the Sealer's keys. It fails
// on a value sealed with another key, or altered in any way.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	if len(sealed) < headerSize {
		return nil, errs.New(errs.Internal, "secrets: open: sealed value is too short (%d bytes)", len(sealed))
	}
	if sealed[0] != formatV1 {
		return nil, errs.New(errs.Internal, "secrets: open: unknown sealed format %d", sealed[0])
	}
	var id [idSize]byte
	copy(id[:], sealed[1:headerSize])
	aead, ok := s.byID[id]
	if !ok {
		return nil, errs.New(errs.Internal, "secrets: open: value was sealed with key %x, which is not loaded (wrong PAVE_SECRET_KEY or key file?)", id)
	}
	ns := aead.NonceSize()
	if len(sealed) < headerSize+ns+aead.Overhead() {
		return nil, errs.New(errs.Internal, "secrets: open: sealed value is too short (%d bytes)", len(sealed))
	}
	nonce := sealed[headerSize : headerSize+ns]
	plain, err := aead.Open(nil, nonce, sealed[headerSize+ns:], sealed[:headerSize])
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "secrets: open: sealed value failed authentication (altered or corrupt)")
	}
	return plain, nil
}

// SealedKeyID returns the id of the key a sealed value was sealed with, or ""
// if the value is not in a known sealed format.
func SealedKeyID(sealed []byte) string {
	if len(sealed) < headerSize || sealed[0] != formatV1 {
		return ""
	}
	return hex.EncodeToString(sealed[1:headerSize])
}

// DeriveKey returns a 32-byte key for purpose, derived one-way from the
// sealing key (HMAC-SHA256), for keyed digests pave writes where others
// can read them. It is stable while the sealing key is, and changes when
// the sealing key is rotated.
func (s *Sealer) DeriveKey(purpose string) []byte {
	m := hmac.New(sha256.New, s.keys[0].raw[:])
	m.Write([]byte("pave derived key v1\x00" + purpose))
	return m.Sum(nil)
}
