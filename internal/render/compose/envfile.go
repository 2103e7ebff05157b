package compose

import (
	"strings"
	"unicode/utf8"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// envFile encodes variables as a Compose env file that reads back exactly:
// every value double-quoted, with '\\', '"', '$' and control characters
// escaped, since Compose expands escapes and "${VAR}" in double quotes.
func envFile(service string, vars []target.Variable) ([]byte, error) {
	var b strings.Builder
	b.WriteString("# pave: secret variables of service " + service + ". Do not commit or share.\n")
	for _, v := range vars {
		if !isEnvName(v.Name) {
			return nil, errs.New(errs.Invalid, "variable %q: an env file name must be letters, digits, '_', '.' or '-'", v.Name)
		}
		if !utf8.ValidString(v.Value.Text) {
			return nil, errs.New(errs.Invalid, "variable %q: value is not valid UTF-8", v.Name)
		}
		b.WriteString(v.Name)
		b.WriteString(`="`)
		writeEnvValue(&b, v.Value.Text)
		b.WriteString("\"\n")
	}
	return []byte(b.String()), nil
}

func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// writeEnvValue escapes s for a double-quoted env file value. Compose
// reads "\n", "\t", "\r", "\\", "\"", "\$" and octal "\0ooo" escapes.
func writeEnvValue(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '$':
			b.WriteString(`\$`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\0`)
				b.WriteByte('0' + c>>6)
				b.WriteByte('0' + c>>3&7)
				b.WriteByte('0' + c&7)
				continue
			}
			b.WriteByte(c)
		}
	}
}
