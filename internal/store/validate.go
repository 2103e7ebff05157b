package store

import (
	"fmt"
	"regexp"
	"unicode"

	"github.com/pavedev/pave/internal/errs"
)

// maxName bounds the length of names and ids.
const maxName = 253

func invalid(what, field, format string, args ...any) *errs.Error {
	return errs.New(errs.Invalid, "%s: %s %s", what, field, fmt.Sprintf(format, args...))
}

// checkName requires a non-empty name of printable characters without white
// space, at most maxName bytes long.
func checkName(what, field, v string) error {
	if v == "" {
		return invalid(what, field, "is required")
	}
	if len(v) > maxName {
		return invalid(what, field, "is longer than %d bytes", maxName)
	}
	for _, r := range v {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return invalid(what, field, "%q holds white space or a control character", v)
		}
	}
	return nil
}

var secretName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,127}$`)

// CheckSecretName checks that name may name a platform secret: a letter,
// then letters, digits, '_' or '-', at most 128 in all, so that it can be
// written ${secrets.<name>}.
func CheckSecretName(name string) error {
	if !secretName.MatchString(name) {
		return invalid("secret", "name", "%q must start with a letter and hold only letters, digits, '_' and '-' (at most 128)", name)
	}
	return nil
}

func firstErr(errors ...error) error {
	for _, err := range errors {
		if err != nil {
			return err
		}
	}
	return nil
}
