package compose

import (
	"cmp"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// isName reports whether s may be a workload or container name in a
// service name and a file path: ASCII letters, digits, '.', '_' and '-',
// starting with a letter or digit.
func isName(s string) bool {
	if s == "" || len(s) > 63 || !isAlnum(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// workload renders the services of one workload.
func (r *renderer) workload(w *target.Workload) error {
	if !isName(w.Name) {
		return errs.New(errs.Invalid, "workload %q: name must be letters, digits, '.', '_' or '-', starting with a letter or digit", w.Name)
	}
	if len(w.Containers) == 0 {
		return errs.New(errs.Invalid, "workload %q has no containers", w.Name)
	}
	containers := slices.Clone(w.Containers)
	slices.SortFunc(containers, func(a, b target.Container) int { return strings.Compare(a.Name, b.Name) })
	var problems errs.List
	var main string
	for i := range containers {
		c := &containers[i]
		if i > 0 && c.Name == containers[i-1].Name {
			problems.Add(errs.New(errs.Invalid, "workload %q: container %q is listed twice", w.Name, c.Name))
			continue
		}
		svc, err := r.service(w, c, len(containers) == 1)
		if err != nil {
			problems.Add(err)
			continue
		}
		if i == 0 {
			main = svc.Name
			ports, err := servicePorts(w, r.opts.HostIP)
			if err != nil {
				problems.Add(err)
				continue
			}
			svc.Ports = ports
			if svc.Name != w.Name {
				svc.Aliases = []string{w.Name}
			}
		} else {
			svc.NetworkMode = "service:" + main
		}
		r.p.Services = append(r.p.Services, *svc)
	}
	return problems.Err()
}

// service renders one container.
func (r *renderer) service(w *target.Workload, c *target.Container, only bool) (*Service, error) {
	where := "workload " + strconv.Quote(w.Name) + ": container " + strconv.Quote(c.Name)
	if !isName(c.Name) {
		return nil, errs.New(errs.Invalid, "%s: name must be letters, digits, '.', '_' or '-', starting with a letter or digit", where)
	}
	name := w.Name
	if !only {
		name = w.Name + "-" + c.Name
	}
	owner := where
	if other, taken := r.owners[name]; taken {
		return nil, errs.New(errs.Invalid, "%s and %s both become Compose service %q; rename one", other, owner, name)
	}
	r.owners[name] = owner
	svc := &Service{
		Name: name, Workload: w.Name, Container: c.Name,
		Entrypoint: slices.Clone(c.Command), Command: slices.Clone(c.Args),
		Labels: map[string]string{},
	}
	if err := r.image(svc, c, where); err != nil {
		return nil, err
	}
	for k, v := range w.Labels {
		svc.Labels[k] = v
	}
	svc.Labels[LabelApp] = r.d.App
	svc.Labels[LabelEnv] = r.d.Env
	svc.Labels[LabelWorkload] = w.Name
	svc.Labels[LabelContainer] = c.Name
	if err := r.environment(svc, c, where); err != nil {
		return nil, err
	}
	if err := r.mounts(svc, c, where); err != nil {
		return nil, err
	}
	hc, err := healthcheck(c, where)
	if err != nil {
		return nil, err
	}
	svc.Healthcheck = hc
	return svc, nil
}

// image sets the image and build of svc.
func (r *renderer) image(svc *Service, c *target.Container, where string) error {
	build, ok := r.opts.Builds[svc.Workload+"."+c.Name]
	if !ok {
		build, ok = r.opts.Builds[c.Name]
	}
	switch {
	case ok && build == "":
		return errs.New(errs.Invalid, "%s: build context is empty", where)
	case ok && !utf8.ValidString(build):
		return errs.New(errs.Invalid, "%s: build context %q is not valid UTF-8", where, build)
	case ok:
		svc.Build = build
	case c.Image == ".":
		return errs.New(errs.Invalid, "%s: image \".\" needs a build context; pass one for %q", where, svc.Workload+"."+c.Name)
	case c.Image == "":
		return errs.New(errs.Invalid, "%s: image is empty", where)
	}
	if c.Image != "." {
		svc.Image = c.Image
	}
	return nil
}

// environment puts plain variables in svc.Environment and secret ones in
// the service's env file.
func (r *renderer) environment(svc *Service, c *target.Container, where string) error {
	var secrets []target.Variable
	for _, v := range c.Variables {
		if v.Value.Secret {
			secrets = append(secrets, v)
			continue
		}
		if svc.Environment == nil {
			svc.Environment = map[string]string{}
		}
		svc.Environment[v.Name] = v.Value.Text
	}
	if len(secrets) == 0 {
		return nil
	}
	content, err := envFile(svc.Name, secrets)
	if err != nil {
		return errs.Prefix(where, err)
	}
	svc.EnvFile = "secrets/" + svc.Name + ".env"
	r.p.Files = append(r.p.Files, File{Path: svc.EnvFile, Content: content, Mode: 0o600, Secret: true})
	return nil
}

// mounts writes the container's files and lists its file and volume mounts.
func (r *renderer) mounts(svc *Service, c *target.Container, where string) error {
	seen := map[string]bool{}
	for _, f := range c.Files {
		p, err := containerPath(f.Path)
		if err != nil {
			return errs.New(errs.Invalid, "%s: file %q: %s", where, f.Path, err.Error())
		}
		if seen[p] {
			return errs.New(errs.Invalid, "%s: two files or volumes are mounted at %q", where, p)
		}
		seen[p] = true
		mode, err := fileMode(f.Mode)
		if err != nil {
			return errs.New(errs.Invalid, "%s: file %q: %s", where, f.Path, err.Error())
		}
		dir := "files/"
		if f.Secret {
			dir = "secrets/files/"
			mode = secretMode(mode, f.Mode != "")
		}
		rel := dir + svc.Name + p
		r.p.Files = append(r.p.Files, File{Path: rel, Content: f.Content, Mode: mode, Secret: f.Secret})
		svc.Mounts = append(svc.Mounts, Mount{Type: "bind", Source: "./" + rel, Target: p, ReadOnly: true})
	}
	for _, v := range c.Volumes {
		p, err := containerPath(v.Path)
		if err != nil {
			return errs.New(errs.Invalid, "%s: volume %q: %s", where, v.Path, err.Error())
		}
		if seen[p] {
			return errs.New(errs.Invalid, "%s: two files or volumes are mounted at %q", where, p)
		}
		seen[p] = true
		m, err := r.volume(v, p)
		if err != nil {
			return errs.New(errs.Invalid, "%s: volume %q: %s", where, v.Path, err.Error())
		}
		svc.Mounts = append(svc.Mounts, m)
	}
	slices.SortFunc(svc.Mounts, func(a, b Mount) int { return cmp.Compare(a.Target, b.Target) })
	return nil
}

// volume mounts a volume resource's source: a path is a bind mount, a name
// a Docker volume.
func (r *renderer) volume(v target.Volume, target string) (Mount, error) {
	if v.Source == "" {
		return Mount{}, errs.New(errs.Invalid, "source is empty")
	}
	if v.SubPath != "" && (strings.HasPrefix(v.SubPath, "/") || slices.Contains(strings.Split(v.SubPath, "/"), "..")) {
		return Mount{}, errs.New(errs.Invalid, "sub path %q must stay inside the volume", v.SubPath)
	}
	if strings.HasPrefix(v.Source, "/") || strings.HasPrefix(v.Source, "./") || strings.HasPrefix(v.Source, "../") {
		src := v.Source
		if v.SubPath != "" {
			src = strings.TrimSuffix(src, "/") + "/" + v.SubPath
		}
		return Mount{Type: "bind", Source: src, Target: target, ReadOnly: v.ReadOnly}, nil
	}
	if !isName(v.Source) {
		return Mount{}, errs.New(errs.Invalid, "source %q is neither a path nor a Docker volume name", v.Source)
	}
	r.volumes[v.Source] = true
	return Mount{Type: "volume", Source: v.Source, Target: target, SubPath: v.SubPath, ReadOnly: v.ReadOnly}, nil
}

// containerPath cleans an absolute path in a container.
func containerPath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", errs.New(errs.Invalid, "path must be absolute")
	}
	if strings.ContainsRune(p, 0) {
		return "", errs.New(errs.Invalid, "path holds a NUL byte")
	}
	c := path.Clean(p)
	if c == "/" {
		return "", errs.New(errs.Invalid, "path must not be the root directory")
	}
	return c, nil
}

// fileMode parses an octal mode such as "0644"; empty means 0644.
func fileMode(s string) (fs.FileMode, error) {
	if s == "" {
		return 0o644, nil
	}
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o777 {
		return 0, errs.New(errs.Invalid, "mode %q is not an octal file mode such as 0644", s)
	}
	return fs.FileMode(m), nil
}

// secretMode keeps a secret file from group and others: 0600 by default,
// else the given owner bits with read added.
func secretMode(m fs.FileMode, given bool) fs.FileMode {
	if !given {
		return 0o600
	}
	return m&0o700 | 0o400
}

// servicePorts lists the workload's ports, published at the service port.
// Host port clashes are resolved by publish after every service is known.
func servicePorts(w *target.Workload, hostIP string) ([]Port, error) {
	var ports []Port
	for _, p := range w.Ports {
		where := "workload " + strconv.Quote(w.Name) + ": port " + strconv.Quote(p.Name)
		if p.Port < 1 || p.Port > 65535 {
			return nil, errs.New(errs.Invalid, "%s: port %d is not between 1 and 65535", where, p.Port)
		}
		target := p.TargetPort
		if target == 0 {
			target = p.Port
		}
		if target < 1 || target > 65535 {
			return nil, errs.New(errs.Invalid, "%s: target port %d is not between 1 and 65535", where, target)
		}
		proto := strings.ToLower(p.Protocol)
		switch proto {
		case "":
			proto = "tcp"
		case "tcp", "udp":
		default:
			return nil, errs.New(errs.Invalid, "%s: protocol %q is not TCP or UDP", where, p.Protocol)
		}
		ports = append(ports, Port{Target: target, Published: p.Port, HostIP: hostIP, Protocol: proto})
	}
	return ports, nil
}

// publish gives each host port to the first service by name that asks for
// it; later ones get an ephemeral port and a warning.
func (r *renderer) publish() {
	for i := range r.p.Services {
		s := &r.p.Services[i]
		for j := range s.Ports {
			p := &s.Ports[j]
			key := p.HostIP + "/" + strconv.Itoa(p.Published) + "/" + p.Protocol
			if other, taken := r.ports[key]; taken {
				r.p.Warnings = append(r.p.Warnings, "service "+strconv.Quote(s.Name)+": host port "+
					strconv.Itoa(p.Published)+"/"+p.Protocol+" is already published by "+strconv.Quote(other)+
					"; Docker picks another (see `docker compose port`)")
				p.Published = 0
				continue
			}
			r.ports[key] = s.Name
		}
	}
}
