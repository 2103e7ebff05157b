package score

import "strings"

// The name rules of the Score schema, written out by hand rather than as
// regular expressions: they run for every key of every workload.

// IsLabel reports whether s is an RFC 1123 label as Score uses it for
// workload, container, port and resource names: 2 to 63 characters of a-z,
// 0-9 and "-", starting and ending with a letter or digit.
func IsLabel(s string) bool {
	if len(s) < 2 || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLowerAlnum(c) && (c != '-' || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}

// IsResourceType reports whether s is a valid resource type or class: 2 to
// 63 characters of A-Z, a-z, 0-9 and "-", starting and ending with a letter
// or digit.
func IsResourceType(s string) bool {
	if len(s) < 2 || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && (c != '-' || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}

// IsResourceID reports whether s is a valid shared resource id: 2 to 63
// characters forming one or more "."-separated labels of a-z, 0-9 and "-",
// each starting and ending with a letter or digit ("shared.db-main").
func IsResourceID(s string) bool {
	if len(s) < 2 || len(s) > 63 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isLowerAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

// isAnnotationKey checks an annotation key: an optional DNS-name prefix of
// labels (each 2 to 63 of a-z, 0-9, "-") and "/", then a name of 2 to 63
// characters of A-Z, a-z, 0-9, ".", "_", "-" starting and ending with a
// letter or digit; 316 characters at most.
func isAnnotationKey(s string) bool {
	if len(s) < 2 || len(s) > 316 {
		return false
	}
	name := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		prefix := s[:i]
		name = s[i+1:]
		for label := range strings.SplitSeq(prefix, ".") {
			if !IsLabel(label) {
				return false
			}
		}
	}
	if len(name) < 2 || len(name) > 63 || !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// isHeaderName checks an HTTP probe header name: A-Z, a-z, 0-9, "_", "-".
func isHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// isFileMode checks an octal mode: three octal digits with an optional
// leading zero.
func isFileMode(s string) bool {
	if len(s) == 4 {
		if s[0] != '0' {
			return false
		}
		s = s[1:]
	}
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return true
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isLowerAlnum(c) || c >= 'A' && c <= 'Z' }
