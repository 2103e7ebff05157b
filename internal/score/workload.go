package score

import (
	"github.com/pavedev/pave/internal/errs"
)

// APIVersion is the only Score version pave accepts.
const APIVersion = "score.dev/v1b1"

// Defaults filled in by the decoder where a Score file leaves a field out.
const (
	DefaultClass    = "default"
	DefaultProtocol = "TCP"
	DefaultScheme   = "HTTP"
)

// Workload is one decoded, validated Score file. Maps are keyed as in the
// file; deprecated list forms (files, volumes) are normalised to maps keyed
// by target path. Marshalled to JSON it is the normalised Score document.
type Workload struct {
	// File names the source, as given to Parse; it is used in errors.
	File       string `json:"-"`
	APIVersion string `json:"apiVersion"`
	// Name is metadata.name.
	Name string `json:"-"`
	// Metadata is the whole metadata object, name and annotations included,
	// with any other keys the author added.
	Metadata map[string]any `json:"metadata"`
	// Annotations is metadata.annotations; nil when absent.
	Annotations map[string]string    `json:"-"`
	Service     Service              `json:"service,omitzero"`
	Containers  map[string]Container `json:"containers"`
	// Resources are the workload's resource requests by name.
	Resources map[string]ResourceRequest `json:"resources,omitempty"`

	loc  *locator
	refs []Placeholder
}

// Service is the set of named network ports the workload publishes.
type Service struct {
	Ports map[string]ServicePort `json:"ports,omitempty"`
}

// ServicePort is one published port. TargetPort defaults to Port and
// Protocol to TCP.
type ServicePort struct {
	Port       int    `json:"port"`
	TargetPort int    `json:"targetPort"`
	Protocol   string `json:"protocol"`
}

// ResourceRequest is one entry of a workload's resources: what it needs,
// not how it is provided. Class defaults to "default".
type ResourceRequest struct {
	// Name is the key under resources.
	Name  string `json:"-"`
	Type  string `json:"type"`
	Class string `json:"class"`
	// ID, when set, makes the resource shared by every workload that asks
	// for the same type, class and id.
	ID string `json:"id,omitempty"`
	// Params may hold placeholders; see Workload.References and Substitute.
	Params   map[string]any `json:"params,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// Locate returns the file and line of the value at a JSON pointer of the
// workload as written (before deprecated forms were normalised). With
// overrides applied, a value set by the overrides file is located in that
// file.
func (w *Workload) Locate(pointer string) (file string, line int) {
	if w.loc == nil {
		return w.File, 0
	}
	file, line, _ = w.loc.locate(pointer)
	return file, line
}

// Errorf returns an Invalid error located at pointer in the workload's
// source, for problems found after parsing (at plan time).
func (w *Workload) Errorf(pointer, format string, args ...any) *errs.Error {
	if w.loc == nil {
		p := pointer
		if p == "" {
			p = "/"
		}
		return errs.At(w.File, 0, p, format, args...)
	}
	return w.loc.errorf(pointer, format, args...)
}

// References lists every placeholder in the workload with the JSON pointer of
// the string it appears in: container variables, inline file content (unless
// noExpand), volume sources and resource params. They are sorted by pointer,
// then by position. Placeholders in files read from a source path are not
// included, since this package does not read them: parse that content with
// ParseTemplate.
func (w *Workload) References() []Placeholder {
	out := make([]Placeholder, len(w.refs))
	copy(out, w.refs)
	return out
}
