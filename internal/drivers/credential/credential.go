// Package credential makes the names and passwords of the accounts drivers
// create (databases, roles, users, key prefixes) and keeps those passwords
// out of error messages: names derived stably from a resource's UID within a
// server's identifier limits, random passwords from crypto/rand, and
// redaction of known secrets from error text.
package credential

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// HashLen is the number of hex digits of the UID's SHA-256 that end every
// name, so that UIDs that sanitize alike still get distinct names.
const HashLen = 8

// MinNameLen is the smallest limit Name accepts: one letter, "_", the hash.
const MinNameLen = HashLen + 2

// Name derives an identifier from uid of at most max bytes (at least
// MinNameLen): the UID lower-cased with every run of characters other than
// a-z and 0-9 turned into one "_", starting with a letter, truncated, then
// "_" and HashLen hex digits of the UID's SHA-256. The result is a valid
// unquoted identifier in PostgreSQL, MySQL and Redis, and Name is stable: the
// same uid always gives the same name.
func Name(uid string, max int) string {
	if max < MinNameLen {
		max = MinNameLen
	}
	sum := sha256.Sum256([]byte(uid))
	suffix := "_" + hex.EncodeToString(sum[:])[:HashLen]

	var b strings.Builder
	under := false
	for _, c := range strings.ToLower(uid) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(c)
		default:
			under = true
		}
	}
	base := b.String()
	if base == "" || base[0] < 'a' || base[0] > 'z' {
		base = "r" + base
	}
	if keep := max - len(suffix); len(base) > keep {
		base = strings.TrimRight(base[:keep], "_")
	}
	return base + suffix
}

const alphaNum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// Password returns n random letters and digits from crypto/rand, without
// modulo bias: about 5.95 bits each, so 32 give about 190 bits.
func Password(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+16)
	for len(out) < n {
		rand.Read(buf) // never fails: crypto/rand aborts the program instead
		for _, c := range buf {
			// 248 = 4*62: bytes at or above it would favour some letters.
			if c < 248 && len(out) < n {
				out = append(out, alphaNum[c%62])
			}
		}
	}
	return string(out)
}

// Redacted replaces secrets in text.
const Redacted = "[redacted]"

// Redact returns s with every occurrence of each non-empty secret replaced
// by Redacted, longest first so that a secret containing another is
// replaced whole.
func Redact(s string, secrets ...string) string {
	sorted := make([]string, 0, len(secrets))
	for _, sec := range secrets {
		if sec != "" {
			sorted = append(sorted, sec)
		}
	}
	// Insertion sort by length, descending: lists are short.
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && len(sorted[j]) > len(sorted[j-1]); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	for _, sec := range sorted {
		s = strings.ReplaceAll(s, sec, Redacted)
	}
	return s
}

// RedactError returns err with secrets replaced in its message. The result
// unwraps to err, so errors.Is and errors.As still see the original, but
// its Error(), which is what logs print, never shows a secret.
func RedactError(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	return &redacted{msg: Redact(err.Error(), secrets...), err: err}
}

type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
