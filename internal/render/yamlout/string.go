package yamlout

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxKey is the longest key, in bytes as written, quotes and escapes
// included; YAML allows simple keys of up to 1024 characters.
const maxKey = 1000

// str writes s as a plain, literal block or double-quoted scalar.
func (e *encoder) str(s string, indent int, key bool) error {
	if !utf8.ValidString(s) {
		return fail("string is not valid UTF-8")
	}
	start := len(e.b)
	switch {
	case plain(s):
		e.b = append(e.b, s...)
	case !key && literal(s):
		e.literal(s, indent)
	default:
		e.quoted(s)
	}
	if key && len(e.b)-start > maxKey {
		e.b = e.b[:start]
		return fail("key is longer than %d bytes once quoted", maxKey)
	}
	return nil
}

// plain reports whether s can be written without quotes and read back as
// the same string under YAML 1.1 and 1.2. It is deliberately conservative:
// anything that could start an indicator, look like a number, boolean,
// null, timestamp or merge key, or hold ": " or " #" is quoted.
func plain(s string) bool {
	if s == "" || s[len(s)-1] == ' ' || s[len(s)-1] == ':' {
		return false
	}
	switch c := s[0]; {
	case c >= '0' && c <= '9':
		if !unnumeric(s) {
			return false
		}
	case c == '-':
		// "-c" and "--flag" are plain; "-1", "- x" and "---" are not.
		rest := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "-")
		if rest == "" || !(rest[0] >= 'a' && rest[0] <= 'z' || rest[0] >= 'A' && rest[0] <= 'Z') {
			return false
		}
	case c == '.':
		// "./dir" is plain; ".5", ".inf" and "..." are not.
		if len(s) < 2 || s[1] != '/' {
			return false
		}
	case !plainStart(c):
		return false
	}
	if reserved(s) {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
			i += n
			continue
		}
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == ':':
			if s[i+1] == ' ' {
				return false
			}
		case c == ' ':
			if s[i+1] == ' ' || s[i+1] == '#' {
				return false
			}
		default:
			if !plainInner(c) {
				return false
			}
		}
		i++
	}
	return true
}

func plainStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '_' || c >= utf8.RuneSelf
}

func plainInner(c byte) bool {
	switch c {
	case '-', '_', '.', '/', '@', '+', '=', ',', '~', '%', '(', ')', '$', ';', '^', '?', '<', '>', '!', '*', '&', '|',
		'\'', '"', '#', '[', ']', '{', '}', '`', '\\':
		return true
	}
	return false
}

// unnumeric reports whether s, which starts with a digit, can never
// resolve to a number, timestamp or sexagesimal value: it holds no ':' and
// holds a letter that no number form uses (not a hex digit, not one of the
// e, o, x, b, t, z markers), as in "500m", "1Gi" or "30s".
func unnumeric(s string) bool {
	if strings.ContainsRune(s, ':') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			continue
		}
		switch l := s[i] | 0x20; l {
		case 'o', 't', 'x', 'z':
		default:
			if l >= 'g' {
				return true
			}
		}
	}
	return false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// reserved reports words that YAML 1.1 or 1.2 resolves to booleans or null.
func reserved(s string) bool {
	if len(s) > 5 {
		return false
	}
	var low [5]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	switch string(low[:len(s)]) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		return true
	}
	return false
}

// literal reports whether s, which holds a line break, reads back the same
// from a literal block scalar.
func literal(s string) bool {
	if len(s) < 2 {
		return false
	}
	hasBreak := false
	switch s[0] {
	case ' ', '\t', '\n':
		return false
	}
	for _, r := range s {
		switch {
		case r == '\n':
			hasBreak = true
		case r == '\t':
		case r < 0x20, r >= 0x7f && r <= 0xa0, r == 0x2028, r == 0x2029, r == 0xfeff, r == 0xfffe, r == 0xffff, r == utf8.RuneError:
			return false
		}
	}
	return hasBreak
}

// literal writes s as "|", "|-" or "|+" followed by its lines indented by
// indent (at least 2).
func (e *encoder) literal(s string, indent int) {
	indent = max(indent, 2)
	trailing := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\n'; i-- {
		trailing++
	}
	switch trailing {
	case 0:
		e.b = append(e.b, "|-"...)
	case 1:
		e.b = append(e.b, '|')
	default:
		e.b = append(e.b, "|+"...)
	}
	body := s[:len(s)-trailing]
	start := 0
	for i := 0; i <= len(body); i++ {
		if i < len(body) && body[i] != '\n' {
			continue
		}
		e.b = append(e.b, '\n')
		if line := body[start:i]; line != "" {
			e.pad(indent)
			e.b = append(e.b, line...)
		}
		start = i + 1
	}
	// The last line's break is written by the caller; the others are the
	// trailing breaks kept by "|+".
	for i := 1; i < trailing; i++ {
		e.b = append(e.b, '\n')
	}
}

const hexDigits = "0123456789ABCDEF"

// quoted writes s as a double-quoted scalar on one line.
func (e *encoder) quoted(s string) {
	e.b = append(e.b, '"')
	for _, r := range s {
		switch r {
		case '"':
			e.b = append(e.b, `\"`...)
		case '\\':
			e.b = append(e.b, `\\`...)
		case '\n':
			e.b = append(e.b, `\n`...)
		case '\t':
			e.b = append(e.b, `\t`...)
		case '\r':
			e.b = append(e.b, `\r`...)
		case 0x85:
			e.b = append(e.b, `\N`...)
		case 0xa0:
			e.b = append(e.b, `\_`...)
		case 0x2028:
			e.b = append(e.b, `\L`...)
		case 0x2029:
			e.b = append(e.b, `\P`...)
		case 0xfeff:
			e.b = append(e.b, `\uFEFF`...)
		case 0xfffe:
			e.b = append(e.b, `\uFFFE`...)
		case 0xffff:
			e.b = append(e.b, `\uFFFF`...)
		default:
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				e.b = append(e.b, '\\', 'x', hexDigits[r>>4], hexDigits[r&0xf])
				continue
			}
			e.b = utf8.AppendRune(e.b, r)
		}
	}
	e.b = append(e.b, '"')
}
