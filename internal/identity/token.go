package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// TokenPrefix starts every pave API token, so that secret scanners can find
// leaked ones.
const TokenPrefix = "pave_"

// secretBytes is the entropy of a token's secret part.
const secretBytes = 32

// NewToken returns a new token for the token id: "pave_<id>_<secret>" with
// 256 random bits of secret from crypto/rand, and its hash to store. The
// token itself is shown once and never kept.
func NewToken(id string) (token, hash string, err error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = TokenPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns "sha256:" and the hex SHA-256 of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// TokenID returns the id part of a token, and false when the token is not
// of pave's form. The id only names the token; the whole token must still be
// checked with TokenMatches.
func TokenID(token string) (string, bool) {
	rest, ok := strings.CutPrefix(token, TokenPrefix)
	if !ok {
		return "", false
	}
	i := len(rest) - base64.RawURLEncoding.EncodedLen(secretBytes) - 1
	if i <= 0 || rest[i] != '_' {
		return "", false
	}
	id := rest[:i]
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-') {
			return "", false
		}
	}
	return id, true
}

// TokenMatches reports whether token hashes to hash, comparing in constant
// time.
func TokenMatches(token, hash string) bool {
	got := HashToken(token)
	return subtle.ConstantTimeCompare([]byte(got), []byte(hash)) == 1
}
