package kubernetes

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// shortHash is 8 hex digits of SHA-256 of s, used to keep shortened or
// de-duplicated names unique and deterministic. s never holds secret values.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isLowerAlnum(c) || c >= 'A' && c <= 'Z' }

// isDNSLabel reports whether s is an RFC 1123 label: at most 63 lower-case
// letters, digits and '-', starting and ending with a letter or digit.
func isDNSLabel(s string) bool {
	if s == "" || len(s) > 63 || !isLowerAlnum(s[0]) || !isLowerAlnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLowerAlnum(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

// isDNS1035 reports whether s is an RFC 1035 label (an RFC 1123 label that
// starts with a letter), as Service names must be.
func isDNS1035(s string) bool {
	return isDNSLabel(s) && s[0] >= 'a' && s[0] <= 'z'
}

// dnsLabel makes s an RFC 1123 label: lower case, runs of other characters
// become one '-', ends trimmed; a label longer than 63 is cut and given a
// hash of s so that different long inputs stay different.
func dnsLabel(s string) string {
	var b strings.Builder
	dash := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if isLowerAlnum(c) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteByte(c)
			continue
		}
		dash = true
	}
	out := b.String()
	if len(out) > 63 {
		out = strings.TrimRight(out[:54], "-") + "-" + shortHash(s)
	}
	return out
}

// isLabelValue reports whether s is a valid Kubernetes label value.
func isLabelValue(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 63 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// labelValue returns s when it is a valid label value and otherwise a
// deterministic valid one derived from it (invalid characters become '-',
// and a hash of s keeps it distinct).
func labelValue(s string) string {
	if isLabelValue(s) {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			b[i] = '-'
		}
	}
	out := strings.Trim(string(b), "-_.")
	if len(out) > 54 {
		out = strings.Trim(out[:54], "-_.")
	}
	if out == "" {
		return "x" + shortHash(s)
	}
	return out + "-" + shortHash(s)
}

// isDataKey reports whether s is a valid ConfigMap or Secret key.
func isDataKey(s string) bool {
	if s == "" || len(s) > 253 || s == "." || strings.HasPrefix(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// dataKey makes s a valid ConfigMap or Secret key.
func dataKey(s string) string {
	if isDataKey(s) {
		return s
	}
	b := []byte(strings.TrimLeft(s, "."))
	for i, c := range b {
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			b[i] = '_'
		}
	}
	out := string(b)
	if len(out) > 240 {
		out = out[:240]
	}
	if out == "" {
		out = "key"
	}
	return out
}

// allocator hands out unique names: the wanted name when it is free or
// already held by the same identity, else the name with a hash of the
// identity appended. Identities never hold secret values.
type allocator struct {
	used map[string]string // name -> identity
	// fit makes a candidate valid (for example a DNS label).
	fit func(string) string
}

func newAllocator(fit func(string) string) *allocator {
	return &allocator{used: map[string]string{}, fit: fit}
}

func (a *allocator) alloc(want, identity string) string {
	name := a.fit(want)
	for i := 0; ; i++ {
		held, taken := a.used[name]
		if !taken || held == identity {
			a.used[name] = identity
			return name
		}
		suffix := "-" + shortHash(identity)
		if i > 0 {
			suffix += strconv.Itoa(i)
		}
		name = a.fit(trimTo(a.fit(want), 40) + suffix)
	}
}

func trimTo(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
