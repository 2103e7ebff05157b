// Package target is the contract between pave's engine and the places
// workloads run (process, kubernetes, gitops, compose), and the resolved
// workload model they all receive: every placeholder substituted, every
// secret value marked so that each target can keep it out of plain fields.
package target

// Value is a resolved string that may carry secret material. A value is
// secret when any part of it came from a secret output or platform secret.
type Value struct {
	Text   string `json:"-"`
	Secret bool   `json:"secret,omitempty"`
}

// Deployment is one app in one environment, ready to run.
type Deployment struct {
	App          string `json:"app"`
	Env          string `json:"env"`
	EnvType      string `json:"envType"`
	DeploymentID string `json:"deploymentId,omitempty"`
	PlanHash     string `json:"planHash,omitempty"`
	// Workloads are sorted by name.
	Workloads []Workload `json:"workloads"`
	// Manifests are extra objects from resources (template driver).
	Manifests []map[string]any `json:"manifests,omitempty"`
}

// Workload is one Score workload with every placeholder resolved.
type Workload struct {
	Name        string            `json:"name"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	// Containers are sorted by name.
	Containers []Container `json:"containers"`
	// Ports are the service ports, sorted by name; empty when the workload
	// exposes none.
	Ports []Port `json:"ports,omitempty"`
}

// Port is one service port.
type Port struct {
	Name       string `json:"name"`
	Port       int    `json:"port"`
	TargetPort int    `json:"targetPort"`
	Protocol   string `json:"protocol"`
}

// Container is one resolved container.
type Container struct {
	Name    string   `json:"name"`
	Image   string   `json:"image"`
	Command []string `json:"command,omitempty"`
	Args    []string `json:"args,omitempty"`
	// Variables are sorted by name.
	Variables []Variable `json:"variables,omitempty"`
	// Files are sorted by path.
	Files []File `json:"files,omitempty"`
	// Volumes are sorted by path.
	Volumes   []Volume   `json:"volumes,omitempty"`
	Limits    *Resources `json:"limits,omitempty"`
	Requests  *Resources `json:"requests,omitempty"`
	Liveness  *Probe     `json:"livenessProbe,omitempty"`
	Readiness *Probe     `json:"readinessProbe,omitempty"`
}

// Variable is one environment variable.
type Variable struct {
	Name  string `json:"name"`
	Value Value  `json:"value"`
}

// File is one file mounted into a container.
type File struct {
	Path    string `json:"path"`
	Content []byte `json:"-"`
	// Mode is an octal string such as "0644"; empty means the target's default.
	Mode   string `json:"mode,omitempty"`
	Secret bool   `json:"secret,omitempty"`
}

// Volume mounts a volume resource's source at a path.
type Volume struct {
	Path     string `json:"path"`
	Source   string `json:"source"`
	SubPath  string `json:"subPath,omitempty"`
	ReadOnly bool   `json:"readOnly,omitempty"`
}

// Resources are CPU and memory quantities in Kubernetes grammar.
type Resources struct {
	CPU    string `json:"cpu,omitempty"`
	Memory string `json:"memory,omitempty"`
}

// Probe is a liveness or readiness probe: exactly one of HTTPGet and Exec.
type Probe struct {
	HTTPGet *HTTPGet   `json:"httpGet,omitempty"`
	Exec    *ExecProbe `json:"exec,omitempty"`
}

// HTTPGet probes with an HTTP GET.
type HTTPGet struct {
	Scheme      string       `json:"scheme,omitempty"`
	Host        string       `json:"host,omitempty"`
	Path        string       `json:"path"`
	Port        int          `json:"port"`
	HTTPHeaders []HTTPHeader `json:"httpHeaders,omitempty"`
}

// HTTPHeader is one probe request header.
type HTTPHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ExecProbe probes by running a command.
type ExecProbe struct {
	Command []string `json:"command"`
}
