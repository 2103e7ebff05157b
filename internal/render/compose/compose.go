// Package compose renders a resolved deployment (target.Deployment) into a
// Docker Compose project: the compose.yaml model and the files it refers
// to. It is pure: the caller writes Project.Files under the project
// directory (creating parent directories, with each file's mode) before
// running `docker compose`.
//
// Conventions, following score-compose where it has one:
//
//   - The project is named "<app>-<env>" made a Compose project name (lower
//     case; other characters become '-').
//   - Each container is a service named "<workload>-<container>", or just
//     "<workload>" when the workload has one container. In a workload with
//     several containers the first container by name owns the network and
//     the published ports and carries the network alias "<workload>"; the
//     others join its network namespace (network_mode "service:<first>"),
//     so containers of a workload reach each other on localhost, as in a
//     Kubernetes pod.
//   - Score's command is the Compose entrypoint and Score's args the
//     Compose command (as score-compose maps them).
//   - The image "." means "build from source": Options.Builds gives the
//     build context; without one it is an error naming the container.
//   - Plain variables are in compose.yaml; secret variables only in the env
//     file "secrets/<service>.env" (mode 0600), referenced by env_file.
//   - Files are written under "files/<service>/<path>" and bind-mounted
//     read-only at <path>; secret files are written under
//     "secrets/files/<service>/<path>" with mode 0600 (or stricter), so that
//     everything secret sits under "secrets/", which holds a .gitignore
//     that ignores it all.
//   - A volume whose source is a path (starting with "/", "./" or "../")
//     is a bind mount; any other source names a Docker volume, declared at
//     the top level with that exact name.
//   - Service ports are published on Options.HostIP (default 127.0.0.1) at
//     the service port, targeting the target port. When two services would
//     publish the same host port, the later one by name gets an ephemeral
//     host port and a warning.
//   - The readiness probe (or, without one, the liveness probe) becomes the
//     healthcheck: exec probes run as ["CMD", …]; HTTP probes as
//     ["CMD-SHELL", "wget -q -O- 'http://localhost:<port><path>' || exit 1"],
//     which needs wget in the image (busybox and alpine have it; HTTPS
//     needs a wget built with TLS).
//   - Extra manifests (Deployment.Manifests) are Kubernetes objects; they
//     are left out, with a warning.
//   - Every "$" in compose.yaml values is doubled, as Compose interpolates
//     "${VAR}" there; env files quote and escape values so that they are
//     read back exactly.
//
// Secret values never appear in compose.yaml, in errors, or in files not
// marked Secret. Note that Docker itself shows a container's environment
// to anyone who may run `docker inspect`.
package compose

import (
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/render"
	"github.com/pavedev/pave/internal/target"
)

// Labels pave puts on every service.
const (
	LabelApp       = "pave.dev/app"
	LabelEnv       = "pave.dev/env"
	LabelWorkload  = "pave.dev/workload"
	LabelContainer = "pave.dev/container"
)

// DefaultHostIP is where ports are published unless Options.HostIP says
// otherwise: only this machine can reach them.
const DefaultHostIP = "127.0.0.1"

// Options tune Render.
type Options struct {
	// Builds gives the build context directory (relative to the project
	// directory, or absolute) of containers built from source, keyed by
	// "<workload>.<container>" or, for every workload, "<container>"; the
	// first form wins. A container with a build keeps its image, if not
	// ".", as the tag of the built image.
	Builds map[string]string
	// HostIP is the address ports are published on; empty means
	// DefaultHostIP, "0.0.0.0" every interface.
	HostIP string
}

// Project is a rendered Compose project.
type Project struct {
	// Name is the Compose project name.
	Name string
	// Services are sorted by name.
	Services []Service
	// Volumes are the Docker volumes the services use, sorted.
	Volumes []string
	// Files are written under the project directory, sorted by path.
	Files []File
	// Warnings are things the caller should tell the user.
	Warnings []string
}

// Service is one Compose service: one container of a workload.
type Service struct {
	Name      string
	Workload  string
	Container string
	// Image is empty when the service is only built.
	Image string
	// Build is the build context directory, or empty.
	Build      string
	Entrypoint []string
	Command    []string
	// Environment holds the plain variables only.
	Environment map[string]string
	// EnvFile is the project-relative path of the env file holding the
	// secret variables, or empty.
	EnvFile string
	Ports   []Port
	// Mounts are sorted by target.
	Mounts []Mount
	// Healthcheck is the healthcheck test, or nil.
	Healthcheck []string
	// HealthInterval is the time between healthchecks as Compose writes
	// durations ("5s"); Render leaves it empty, which is Docker's 30s.
	HealthInterval string
	// NetworkMode is "service:<name>" for a workload's other containers.
	NetworkMode string
	// Aliases are extra names of the service on the default network.
	Aliases []string
	Labels  map[string]string
	// Restart is the restart policy ("no", "always", "on-failure",
	// "unless-stopped"); Render leaves it empty, which is Compose's "no".
	Restart string
}

// Port is one published port.
type Port struct {
	Target int
	// Published is the host port; 0 lets Docker pick one.
	Published int
	HostIP    string
	// Protocol is "tcp" or "udp".
	Protocol string
}

// Mount is a bind mount or a Docker volume in a service.
type Mount struct {
	// Type is "bind" or "volume".
	Type string
	// Source is a project-relative or absolute path for binds, a volume
	// name for volumes.
	Source   string
	Target   string
	SubPath  string
	ReadOnly bool
}

// File is a file the caller writes under the project directory.
type File struct {
	// Path is relative to the project directory, with '/' separators.
	Path    string
	Content []byte
	Mode    fs.FileMode
	// Secret files hold secret values: never log, print or commit them.
	Secret bool
}

// Render turns d into a Compose project. Invalid input is an errs.Invalid
// error naming the workload, container and field at fault.
func Render(d *target.Deployment, opts Options) (*Project, error) {
	if d == nil {
		return nil, errs.New(errs.Invalid, "deployment is missing")
	}
	if d.App == "" || d.Env == "" {
		return nil, errs.New(errs.Invalid, "deployment needs an app and an environment")
	}
	if err := render.CheckText(d); err != nil {
		return nil, err
	}
	if !utf8.ValidString(opts.HostIP) {
		return nil, errs.New(errs.Invalid, "host IP %q is not valid UTF-8", opts.HostIP)
	}
	name := ProjectName(d.App, d.Env)
	if name == "" {
		return nil, errs.New(errs.Invalid, "app %q and environment %q give no usable Compose project name", d.App, d.Env)
	}
	if opts.HostIP == "" {
		opts.HostIP = DefaultHostIP
	}
	r := &renderer{
		d:       d,
		opts:    opts,
		p:       &Project{Name: name},
		owners:  map[string]string{},
		volumes: map[string]bool{},
		ports:   map[string]string{},
	}
	var problems errs.List
	seen := map[string]bool{}
	for i := range d.Workloads {
		w := &d.Workloads[i]
		if seen[w.Name] {
			problems.Add(errs.New(errs.Invalid, "workload %q is listed twice", w.Name))
			continue
		}
		seen[w.Name] = true
		problems.Add(r.workload(w))
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	p := r.p
	slices.SortFunc(p.Services, func(a, b Service) int { return strings.Compare(a.Name, b.Name) })
	for v := range r.volumes {
		p.Volumes = append(p.Volumes, v)
	}
	slices.Sort(p.Volumes)
	if slices.ContainsFunc(p.Files, func(f File) bool { return f.Secret }) {
		p.Files = append(p.Files, File{Path: "secrets/.gitignore", Content: []byte("# pave: secret values live here; never commit them.\n*\n"), Mode: 0o644})
	}
	slices.SortFunc(p.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	r.publish()
	if n := len(d.Manifests); n > 0 {
		p.Warnings = append(p.Warnings, strconv.Itoa(n)+" extra Kubernetes manifests from resources are not part of a Compose project and are left out")
	}
	return p, nil
}

// renderer carries the state of one Render call.
type renderer struct {
	d    *target.Deployment
	opts Options
	p    *Project
	// owners maps service names to the workload and container that took
	// them, to report collisions.
	owners  map[string]string
	volumes map[string]bool
	// ports maps "hostIP/port/protocol" to the service publishing it.
	ports map[string]string
}

// ProjectName is the Compose project name of app in env: "<app>-<env>" in
// lower case, other characters than letters, digits and '_' made '-',
// starting with a letter or digit. It is empty when nothing usable is left.
func ProjectName(app, env string) string {
	s := app + "-" + env
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
			b.WriteByte(c)
		default:
			if n := b.Len(); n > 0 && b.String()[n-1] != '-' {
				b.WriteByte('-')
			}
		}
	}
	return strings.TrimLeft(strings.TrimRight(b.String(), "-"), "_-")
}
