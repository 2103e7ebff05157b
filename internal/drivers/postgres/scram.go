package postgres

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// scramIterations is PostgreSQL's default SCRAM-SHA-256 iteration count.
const scramIterations = 4096

// scramVerifier returns the SCRAM-SHA-256 verifier PostgreSQL stores for
// password, with a fresh salt, in the form ALTER ROLE ... PASSWORD accepts:
// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>". Sending the
// verifier instead of the password keeps the password out of server logs.
// Generated passwords are ASCII letters and digits, which SASLprep leaves
// as they are.
func scramVerifier(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	return scramCompute(password, salt, scramIterations)
}

func scramCompute(password string, salt []byte, iterations int) string {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		// Only a key length or iteration count out of range fails, and
		// these are fixed here.
		panic(fmt.Sprintf("postgres: pbkdf2: %v", err))
	}
	clientKey := hmacSHA256(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	serverKey := hmacSHA256(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations, b64(salt), b64(storedKey[:]), b64(serverKey))
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// scramMatches reports whether verifier, as PostgreSQL stores it, is one
// of password.
func scramMatches(verifier, password string) bool {
	rest, ok := strings.CutPrefix(verifier, "SCRAM-SHA-256$")
	if !ok {
		return false
	}
	params, _, ok := strings.Cut(rest, "$")
	if !ok {
		return false
	}
	iterText, saltText, ok := strings.Cut(params, ":")
	if !ok {
		return false
	}
	iterations, err := strconv.Atoi(iterText)
	if err != nil || iterations < 1 || iterations > 1<<20 {
		return false
	}
	salt, err := base64.StdEncoding.DecodeString(saltText)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(scramCompute(password, salt, iterations)), []byte(verifier)) == 1
}
