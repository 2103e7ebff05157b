package process

import (
	"cmp"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// Environment variables pave sets for every process, unless the workload
// sets them itself.
const (
	// EnvFilesDir names the directory holding the container's files: a
	// Score file at /etc/app/config.yaml is $PAVE_FILES_DIR/etc/app/config.yaml.
	EnvFilesDir = "PAVE_FILES_DIR"
	// EnvPort is the targetPort of the workload's first service port (by
	// name) plus the target's portOffset, the port the process is expected
	// to listen on.
	EnvPort = "PORT"
)

// inherited are the only variables a process gets from pave's environment.
var inherited = []string{"PATH", "HOME"}

// buildSpec turns a deployment into what the supervisor runs, checking
// everything a process needs. environ reads pave's own environment.
func buildSpec(d *target.Deployment, s settings, l layout, environ func(string) string) (*applySpec, error) {
	spec := &applySpec{StopTimeout: s.stopTimeout, LogMaxBytes: s.logMaxBytes}
	var list errs.List
	seen := map[string]bool{}
	ports := map[string]string{} // "tcp/8080" -> workload
	for i := range d.Workloads {
		w := &d.Workloads[i]
		if err := checkName("workload", w.Name); err != nil {
			list.Add(err)
			continue
		}
		if seen[w.Name] {
			list.Add(errs.New(errs.Invalid, "process target: workload %q appears twice", w.Name))
			continue
		}
		seen[w.Name] = true
		port, svc := checkPorts(w, s.portOffset, ports, &list)
		if len(w.Containers) == 0 {
			list.Add(errs.New(errs.Invalid, "workload %q: no containers", w.Name))
		}
		for j := range w.Containers {
			c, err := buildContainer(w, &w.Containers[j], port, svc, s, l, environ)
			if err != nil {
				list.Add(err)
				continue
			}
			checkOwnPort(c, ports, &list)
			spec.Containers = append(spec.Containers, *c)
		}
	}
	if err := list.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(spec.Containers, func(a, b containerSpec) int {
		return cmp.Or(cmp.Compare(a.Workload, b.Workload), cmp.Compare(a.Container, b.Container))
	})
	return spec, nil
}

// checkPorts records the workload's ports, refusing one another workload
// already listens on, and returns the port passed as PORT (0 for none) and
// the ports the workload listens on, offset by the target's portOffset.
func checkPorts(w *target.Workload, offset int, used map[string]string, list *errs.List) (int, []listenPort) {
	ps := slices.Clone(w.Ports)
	slices.SortFunc(ps, func(a, b target.Port) int { return cmp.Compare(a.Name, b.Name) })
	first := 0
	var out []listenPort
	for _, p := range ps {
		n := p.TargetPort
		if n == 0 {
			n = p.Port
		}
		ptr := "/service/ports/" + p.Name
		if n < 1 || n > 65535 {
			list.Add(&errs.Error{Code: errs.Invalid, Path: ptr, Message: fmt.Sprintf("workload %q: port %d is out of range", w.Name, n)})
			continue
		}
		if n+offset > 65535 {
			list.Add(&errs.Error{Code: errs.Invalid, Path: ptr + "/targetPort", Message: fmt.Sprintf(
				"workload %q: port %d plus the process target's portOffset %d is %d, above 65535", w.Name, n, offset, n+offset)})
			continue
		}
		n += offset
		if first == 0 {
			first = n
		}
		lp := listenPort{Port: n, Protocol: strings.ToLower(cmp.Or(p.Protocol, "TCP")), Pointer: ptr + "/targetPort"}
		if other, ok := used[lp.key()]; ok && other != w.Name {
			list.Add(&errs.Error{Code: errs.Invalid, Path: lp.Pointer, Message: fmt.Sprintf(
				"workload %q: port %d is also the port of workload %q, and processes share this machine's network", w.Name, n, other)})
			continue
		}
		used[lp.key()] = w.Name
		if !slices.ContainsFunc(out, func(o listenPort) bool { return o.key() == lp.key() }) {
			out = append(out, lp)
		}
	}
	return first, out
}

// checkOwnPort records the PORT a container sets itself, refusing one
// another workload listens on.
func checkOwnPort(c *containerSpec, used map[string]string, list *errs.List) {
	for _, p := range c.Ports {
		if !p.Own {
			continue
		}
		if other, ok := used[p.key()]; ok && other != c.Workload {
			list.Add(&errs.Error{Code: errs.Invalid, Path: p.Pointer, Message: fmt.Sprintf(
				"workload %q container %q: PORT %d is also the port of workload %q, and processes share this machine's network", c.Workload, c.Container, p.Port, other)})
			continue
		}
		used[p.key()] = c.Workload
	}
}

func buildContainer(w *target.Workload, c *target.Container, port int, svc []listenPort, s settings, l layout, environ func(string) string) (*containerSpec, error) {
	what := fmt.Sprintf("workload %q container %q", w.Name, c.Name)
	ptr := "/containers/" + c.Name
	if err := checkName("container", c.Name); err != nil {
		return nil, err
	}
	var list errs.List
	bad := func(field, format string, args ...any) {
		list.Add(&errs.Error{Code: errs.Invalid, Path: ptr + field, Message: what + ": " + fmt.Sprintf(format, args...)})
	}
	cs := &containerSpec{
		Workload: w.Name, Container: c.Name, Port: port,
		Dir:      cmp.Or(s.workdir, l.containerDir(w.Name, c.Name)),
		FilesDir: l.filesDir(w.Name, c.Name),
		LogPath:  l.logPath(w.Name, c.Name),
		Ports:    slices.Clone(svc),
	}

	set := map[string]bool{}
	for _, v := range c.Variables {
		if v.Name == "" || strings.ContainsAny(v.Name, "=\x00") {
			bad("/variables", "variable name %q is not valid in an environment", v.Name)
			continue
		}
		if strings.ContainsRune(v.Value.Text, 0) {
			bad("/variables/"+v.Name, "the value holds a NUL byte, which an environment cannot carry")
			continue
		}
		set[v.Name] = true
		cs.Env = append(cs.Env, envVar{Name: v.Name, Value: v.Value.Text, Secret: v.Value.Secret})
	}
	add := func(name, value string) {
		if !set[name] && value != "" {
			set[name] = true
			cs.Env = append(cs.Env, envVar{Name: name, Value: value})
		}
	}
	for _, name := range inherited {
		add(name, environ(name))
	}
	if port > 0 {
		add(EnvPort, strconv.Itoa(port))
	}
	add(EnvFilesDir, cs.FilesDir)
	slices.SortFunc(cs.Env, func(a, b envVar) int { return cmp.Compare(a.Name, b.Name) })
	if own, ok := ownPort(c); ok {
		lp := listenPort{Port: own, Protocol: "tcp", Pointer: ptr + "/variables/" + EnvPort, Own: true}
		if !slices.ContainsFunc(cs.Ports, func(o listenPort) bool { return o.key() == lp.key() }) {
			cs.Ports = append(cs.Ports, lp)
		}
	}

	if len(c.Command) == 0 || c.Command[0] == "" {
		bad("/command", "the process target runs the container's command and never its image %q, and there is no command", c.Image)
	} else {
		exe, err := lookPath(c.Command[0], cs.env("PATH"), cs.Dir)
		if err != nil {
			bad("/command/0", "%v", err)
		} else {
			cs.Path = exe
			cs.Argv0 = c.Command[0]
			cs.Args = append(slices.Clone(c.Command[1:]), c.Args...)
			if st, err := os.Stat(exe); err == nil {
				cs.Stamp = fmt.Sprintf("%d:%d", st.Size(), st.ModTime().UnixNano())
			}
		}
	}
	for _, a := range cs.Args {
		if strings.ContainsRune(a, 0) {
			bad("/args", "an argument holds a NUL byte")
			break
		}
	}
	if s.workdir != "" {
		if st, err := os.Stat(s.workdir); err != nil || !st.IsDir() {
			list.Add(&errs.Error{Code: errs.Invalid, Path: "/workdir", Message: fmt.Sprintf("process target config: workdir %q is not a directory", s.workdir)})
		}
	}

	buildFiles(cs, c, bad)
	cs.Readiness = checkProbe(c.Readiness, port, s.portOffset, "/readinessProbe", bad)
	cs.Liveness = checkProbe(c.Liveness, port, s.portOffset, "/livenessProbe", bad)
	if err := list.Err(); err != nil {
		return nil, err
	}
	return cs, nil
}

// env returns the value of a variable of the container's environment.
func (c *containerSpec) env(name string) string {
	for _, v := range c.Env {
		if v.Name == name {
			return v.Value
		}
	}
	return ""
}

// environ returns the container's environment as os/exec wants it.
func (c *containerSpec) environ() []string {
	out := make([]string, len(c.Env))
	for i, v := range c.Env {
		out[i] = v.Name + "=" + v.Value
	}
	return out
}

func buildFiles(cs *containerSpec, c *target.Container, bad func(field, format string, args ...any)) {
	taken := map[string]string{} // rel -> "file" or "volume"
	for i, f := range c.Files {
		field := "/files/" + strconv.Itoa(i)
		rel, ok := cleanRel(f.Path)
		if !ok {
			bad(field+"/target", "file path %q is not a file path", f.Path)
			continue
		}
		mode, err := parseMode(f.Mode, f.Secret)
		if err != nil {
			bad(field+"/mode", "%v", err)
			continue
		}
		if taken[rel] != "" {
			bad(field+"/target", "file %q is given twice", f.Path)
			continue
		}
		taken[rel] = "file"
		cs.Files = append(cs.Files, fileSpec{Rel: rel, Content: f.Content, Mode: mode, Secret: f.Secret})
	}
	for i, v := range c.Volumes {
		field := "/volumes/" + strconv.Itoa(i)
		rel, ok := cleanRel(v.Path)
		if !ok {
			bad(field+"/target", "volume path %q is not a path", v.Path)
			continue
		}
		if !filepath.IsAbs(v.Source) {
			bad(field+"/source", "the process target links volumes to a directory of this machine, and %q is not an absolute path", v.Source)
			continue
		}
		if taken[rel] != "" {
			bad(field+"/target", "path %q is given twice", v.Path)
			continue
		}
		taken[rel] = "volume"
		dest := v.Source
		if v.SubPath != "" {
			sub, ok := cleanRel(v.SubPath)
			if !ok {
				bad(field+"/path", "sub path %q is not a path", v.SubPath)
				continue
			}
			dest = filepath.Join(dest, filepath.FromSlash(sub))
		}
		cs.Links = append(cs.Links, linkSpec{Rel: rel, Target: dest})
	}
	// A path below another one would be written into a file or, worse,
	// through a volume's link into the volume.
	for rel := range taken {
		for dir := path.Dir(rel); dir != "."; dir = path.Dir(dir) {
			if taken[dir] != "" {
				bad("/files", "%q is below %q, which is a %s", "/"+rel, "/"+dir, taken[dir])
			}
		}
	}
}

// cleanRel maps a container path to a clean relative path below the files
// directory: "/etc/app/x.yaml" and "etc/../etc/app/x.yaml" both become
// "etc/app/x.yaml"; nothing can climb out.
func cleanRel(p string) (string, bool) {
	if p == "" || strings.ContainsRune(p, 0) {
		return "", false
	}
	c := path.Clean("/" + strings.ReplaceAll(p, "\\", "/"))
	if c == "/" {
		return "", false
	}
	return c[1:], true
}

// parseMode reads an octal mode such as "0644" or "644". Secret files are
// never readable by group or others, and default to 0600; others to 0644.
func parseMode(s string, secret bool) (uint32, error) {
	mode := uint64(0o644)
	if s != "" {
		var err error
		mode, err = strconv.ParseUint(s, 8, 32)
		if err != nil || len(s) > 4 || mode > 0o777 {
			return 0, fmt.Errorf("mode %q is not an octal file mode such as \"0644\"", s)
		}
	}
	if secret {
		if s == "" {
			mode = 0o600
		}
		mode &^= 0o077
	}
	return uint32(mode), nil
}

// checkProbe checks a probe and returns it as the supervisor runs it: an
// httpGet probe's own port moved by offset (port, its default, is moved
// already). The deployment's probe is left as it is.
func checkProbe(p *target.Probe, port, offset int, ptr string, bad func(field, format string, args ...any)) *target.Probe {
	if p == nil {
		return nil
	}
	switch {
	case (p.HTTPGet == nil) == (p.Exec == nil):
		bad(ptr, "a probe needs exactly one of httpGet and exec")
	case p.HTTPGet != nil:
		h := p.HTTPGet
		if sc := strings.ToUpper(h.Scheme); sc != "" && sc != "HTTP" && sc != "HTTPS" {
			bad(ptr+"/httpGet/scheme", "scheme %q is neither HTTP nor HTTPS", h.Scheme)
		}
		if h.Port == 0 && port == 0 {
			bad(ptr+"/httpGet/port", "the probe names no port and the workload has no service port")
		}
		switch {
		case h.Port < 0 || h.Port > 65535:
			bad(ptr+"/httpGet/port", "port %d is out of range", h.Port)
		case h.Port > 0 && h.Port+offset > 65535:
			bad(ptr+"/httpGet/port", "port %d plus the process target's portOffset %d is %d, above 65535", h.Port, offset, h.Port+offset)
		case h.Port > 0 && offset > 0:
			hc := *h
			hc.Port += offset
			pc := *p
			pc.HTTPGet = &hc
			return &pc
		}
	default:
		if len(p.Exec.Command) == 0 || p.Exec.Command[0] == "" {
			bad(ptr+"/exec/command", "the exec probe has no command")
		}
	}
	return p
}

// lookPath finds an executable the way a shell would with the given PATH;
// a command with a slash is taken as a path, relative to dir.
func lookPath(command, pathEnv, dir string) (string, error) {
	if strings.ContainsRune(command, '/') {
		p := command
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if err := executable(p); err != nil {
			return "", fmt.Errorf("command %q: %v", command, err)
		}
		return p, nil
	}
	for _, d := range filepath.SplitList(pathEnv) {
		if d == "" || !filepath.IsAbs(d) {
			continue // a relative PATH entry would depend on the working directory
		}
		p := filepath.Join(d, command)
		if executable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("command %q is not found in PATH (the process target runs commands of this machine, not images)", command)
}

func executable(p string) error {
	st, err := os.Stat(p)
	switch {
	case err != nil:
		return fmt.Errorf("not found")
	case st.IsDir():
		return fmt.Errorf("is a directory")
	case st.Mode()&0o111 == 0:
		return fmt.Errorf("is not executable")
	}
	return nil
}
