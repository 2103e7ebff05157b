package platform

import (
	"github.com/pavedev/pave/internal/errs"
)

// The roots a placeholder in platform config may use.
const (
	RootContext   = "context"
	RootSecrets   = "secrets"
	RootResources = "resources"
)

// InputRef is one placeholder of definition inputs or target config, parsed:
// ${context.<key>}, ${secrets.<name>} or
// ${resources.<type>[.<class>][#<id>].<output>}.
type InputRef struct {
	Root string
	// Key is the context key or the secret name.
	Key string
	// Resource and Output are set for the resources root.
	Resource ResourceRef
	Output   string
}

// ParseInputRef parses the expression inside "${…}" of a placeholder in
// platform config, with the same rules the loader checked it by.
func ParseInputRef(expr string) (InputRef, error) {
	ph, err := parsePlaceholder(expr, RootContext, RootSecrets, RootResources)
	if err != nil {
		return InputRef{}, errs.New(errs.Invalid, "%s", err.Error())
	}
	return InputRef{Root: ph.root, Key: ph.key, Resource: ph.ref, Output: ph.output}, nil
}
