package score

import "encoding/base64"

// Container is one container of a workload.
type Container struct {
	// Image is the image reference; "." means the image is supplied when
	// the workload is deployed.
	Image   string   `json:"image"`
	Command []string `json:"command,omitempty"`
	Args    []string `json:"args,omitempty"`
	// Variables are environment variables; values may hold placeholders.
	// As the Score schema says, values must be strings in the file: a
	// number or boolean is rejected with a hint to quote it, never coerced.
	Variables map[string]string `json:"variables,omitempty"`
	// Files are keyed by target path.
	Files map[string]File `json:"files,omitempty"`
	// Volumes are keyed by target path.
	Volumes map[string]Volume `json:"volumes,omitempty"`
	// Before names containers of the same workload that must reach a state
	// before this one starts.
	Before         map[string]Before   `json:"before,omitempty"`
	Resources      *ContainerResources `json:"resources,omitempty"`
	LivenessProbe  *Probe              `json:"livenessProbe,omitempty"`
	ReadinessProbe *Probe              `json:"readinessProbe,omitempty"`
}

// File is a file mounted into a container. Exactly one of Source, Content
// and BinaryContent is set.
type File struct {
	// Target is the path in the container (the key in Container.Files).
	Target string `json:"-"`
	// Mode is the octal access mode normalised to four digits ("0600"), or
	// empty for the target's default.
	Mode string `json:"mode,omitempty"`
	// Source is a path, relative to the Score file, to read the content
	// from. Reading it is the caller's business.
	Source *string `json:"source,omitempty"`
	// Content is inline UTF-8 text; placeholders in it are expanded unless
	// NoExpand is set.
	Content *string `json:"content,omitempty"`
	// BinaryContent is inline standard base64 (checked when parsed); it is
	// never expanded.
	BinaryContent *string `json:"binaryContent,omitempty"`
	NoExpand      bool    `json:"noExpand,omitempty"`
	// Pointer is the JSON pointer of the file in the source document, for
	// errors (it keeps the list index of the deprecated form).
	Pointer string `json:"-"`
}

// Inline returns the file's inline bytes (Content, or BinaryContent decoded)
// and false when the content is to be read from Source.
func (f File) Inline() ([]byte, bool) {
	switch {
	case f.Content != nil:
		return []byte(*f.Content), true
	case f.BinaryContent != nil:
		b, err := base64.StdEncoding.DecodeString(*f.BinaryContent)
		if err != nil {
			// Parse rejects invalid base64; a hand-built File may not.
			return nil, false
		}
		return b, true
	}
	return nil, false
}

// Volume mounts a volume at a target path.
type Volume struct {
	// Target is the mount path in the container (the key in
	// Container.Volumes).
	Target string `json:"-"`
	// Source names the volume, usually as a placeholder such as
	// ${resources.data}.
	Source string `json:"source"`
	// Path is an optional sub path within the volume.
	Path     string `json:"path,omitempty"`
	ReadOnly bool   `json:"readOnly,omitempty"`
	// Pointer is the JSON pointer of the volume in the source document.
	Pointer string `json:"-"`
}

// Before is a start-up dependency on another container.
type Before struct {
	// Ready is "started", "healthy" or "complete".
	Ready string `json:"ready"`
}

// ContainerResources are a container's compute limits and requests.
type ContainerResources struct {
	Limits   *ResourcesLimits `json:"limits,omitempty"`
	Requests *ResourcesLimits `json:"requests,omitempty"`
}

// ResourcesLimits are CPU and memory as Kubernetes quantities ("500m",
// "128Mi"); see ParseQuantity.
type ResourcesLimits struct {
	CPU    string `json:"cpu,omitempty"`
	Memory string `json:"memory,omitempty"`
}

// Probe is a liveness or readiness probe. At least one of HTTPGet and Exec
// is set; the Score schema allows both, and says implementations that
// support both should prefer Exec.
type Probe struct {
	HTTPGet *HTTPProbe `json:"httpGet,omitempty"`
	Exec    *ExecProbe `json:"exec,omitempty"`
}

// HTTPProbe probes with an HTTP GET. Scheme defaults to HTTP.
type HTTPProbe struct {
	Scheme      string       `json:"scheme"`
	Host        string       `json:"host,omitempty"`
	Path        string       `json:"path"`
	Port        int          `json:"port"`
	HTTPHeaders []HTTPHeader `json:"httpHeaders,omitempty"`
}

// HTTPHeader is one header sent by an HTTP probe.
type HTTPHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ExecProbe probes by running a command in the container.
type ExecProbe struct {
	Command []string `json:"command"`
}
