package platform

import (
	"regexp"
	"strconv"
)

// DefaultClass is the class of a resource request or definition that names none.
const DefaultClass = "default"

var (
	// nameRE is for names of objects, types and classes: a DNS label, so
	// that names fit in URLs, Kubernetes labels and placeholders (no dots).
	nameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	// resIDRE is for resource ids, which may be "workload.resource".
	resIDRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$`)
	// outputNameRE is for output names: one placeholder segment.
	outputNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,62}$`)
)

const (
	nameRule   = "must be a lower-case name of letters, digits and '-' (at most 63 characters, no leading or trailing '-')"
	resIDRule  = "must be a resource id of letters, digits, '.', '_' and '-' (at most 253 characters)"
	outputRule = "must be an output name of letters, digits, '_' and '-' starting with a letter or '_' (at most 63 characters)"
)

// Source is where an object was defined in platform config.
type Source struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// String renders "file:line".
func (s Source) String() string {
	if s.File == "" {
		return "built in"
	}
	return s.File + ":" + strconv.Itoa(s.Line)
}
