package score

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/yamldoc"
)

var containerFields = []string{"image", "command", "args", "variables", "files", "volumes",
	"before", "resources", "livenessProbe", "readinessProbe"}

func decodeContainers(c *checker, w *Workload, v any) {
	cs, ok := c.object("/containers", v)
	if !ok {
		return
	}
	if len(cs) == 0 {
		c.fail("/containers", "must hold at least one container")
	}
	w.Containers = make(map[string]Container, len(cs))
	for name, item := range cs {
		p := join("/containers", name)
		c.label(p, "container", name)
		m, ok := c.object(p, item)
		if !ok {
			continue
		}
		w.Containers[name] = decodeContainer(c, p, m)
	}
	checkBefore(c, w)
}

func decodeContainer(c *checker, p string, m map[string]any) Container {
	c.known(p, m, containerFields...)
	var ct Container
	if img, ok := c.str(p, m, "image", true); ok {
		if img == "" {
			c.fail(p+"/image", "must not be empty (use \".\" for an image supplied at deploy time)")
		}
		ct.Image = img
	}
	ct.Command, _ = c.strList(p, m, "command")
	ct.Args, _ = c.strList(p, m, "args")
	if vars, ok := m["variables"]; ok {
		ct.Variables = c.stringMap(p+"/variables", vars, validVariableName,
			"must not be empty or contain '='")
	}
	if f, ok := m["files"]; ok {
		ct.Files = decodeFiles(c, p+"/files", f)
	}
	if vol, ok := m["volumes"]; ok {
		ct.Volumes = decodeVolumes(c, p+"/volumes", vol)
	}
	if b, ok := m["before"]; ok {
		ct.Before = decodeBefore(c, p+"/before", b)
	}
	if r, ok := m["resources"]; ok {
		ct.Resources = decodeContainerResources(c, p+"/resources", r)
	}
	if pr, ok := m["livenessProbe"]; ok {
		ct.LivenessProbe = decodeProbe(c, p+"/livenessProbe", pr)
	}
	if pr, ok := m["readinessProbe"]; ok {
		ct.ReadinessProbe = decodeProbe(c, p+"/readinessProbe", pr)
	}
	return ct
}

func validVariableName(k string) bool { return k != "" && strings.IndexByte(k, '=') < 0 }

// decodeFiles reads files in the map form (keyed by target) or the
// deprecated list form (items with a target), into the map form.
func decodeFiles(c *checker, p string, v any) map[string]File {
	return decodeByTarget(c, p, v, "files", []string{"target", "mode", "source", "content", "binaryContent", "noExpand"}, decodeFile,
		func(f *File, target string) { f.Target = target })
}

// decodeVolumes reads volumes in the map form (keyed by target) or the
// deprecated list form, into the map form.
func decodeVolumes(c *checker, p string, v any) map[string]Volume {
	return decodeByTarget(c, p, v, "volumes", []string{"target", "source", "path", "readOnly"}, decodeVolume,
		func(vol *Volume, target string) { vol.Target = target })
}

// decodeByTarget reads what Score keys by target path (files, volumes)
// in either form, into the map form: decode reads one item's body with
// keys known, and setTarget records its target.
func decodeByTarget[T any](c *checker, p string, v any, what string, keys []string,
	decode func(*checker, string, map[string]any) (T, bool), setTarget func(*T, string)) map[string]T {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]T, len(x))
		for target, item := range x {
			ip := join(p, target)
			if target == "" {
				c.fail(ip, "target path must not be empty")
				continue
			}
			m, ok := c.object(ip, item)
			if !ok {
				continue
			}
			if _, has := m["target"]; has {
				c.fail(ip+"/target", "not allowed when %s are keyed by target path (only in the deprecated list form)", what)
			}
			c.known(ip, m, keys...)
			if item, ok := decode(c, ip, m); ok {
				setTarget(&item, target)
				out[target] = item
			}
		}
		return out
	case []any:
		out := make(map[string]T, len(x))
		seen := make(map[string]string, len(x))
		for i, raw := range x {
			ip := p + "/" + strconv.Itoa(i)
			m, ok := c.object(ip, raw)
			if !ok {
				continue
			}
			c.known(ip, m, keys...)
			target, tok := c.str(ip, m, "target", true)
			if tok && target == "" {
				c.fail(ip+"/target", "must not be empty")
				tok = false
			}
			if tok {
				if prev, dup := seen[target]; dup {
					c.fail(ip+"/target", "duplicate target %q (also at %s)", clip(target), prev)
					tok = false
				} else {
					seen[target] = ip
				}
			}
			if item, ok := decode(c, ip, m); ok && tok {
				setTarget(&item, target)
				out[target] = item
			}
		}
		return out
	default:
		c.fail(p, "must be an object keyed by target path, not %s", yamldoc.TypeName(v))
		return nil
	}
}

// decodeFile reads the body common to both forms of a file.
func decodeFile(c *checker, p string, m map[string]any) (File, bool) {
	f := File{Pointer: p}
	good := true
	n := 0
	if s, ok := c.str(p, m, "source", false); ok {
		n++
		if s == "" {
			c.fail(p+"/source", "must not be empty")
			good = false
		}
		f.Source = &s
	} else if _, has := m["source"]; has {
		n++
		good = false
	}
	if s, ok := c.str(p, m, "content", false); ok {
		n++
		f.Content = &s
	} else if _, has := m["content"]; has {
		n++
		good = false
	}
	if s, ok := c.str(p, m, "binaryContent", false); ok {
		n++
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			c.fail(p+"/binaryContent", "must be standard base64")
			good = false
		}
		f.BinaryContent = &s
	} else if _, has := m["binaryContent"]; has {
		n++
		good = false
	}
	if n != 1 {
		c.fail(p, "must set exactly one of source, content and binaryContent")
		good = false
	}
	if mode, ok := c.str(p, m, "mode", false); ok {
		if !isFileMode(mode) {
			c.fail(p+"/mode", "must be an octal mode such as \"0644\", not %q", clip(mode))
			good = false
		} else {
			f.Mode = "0" + mode[len(mode)-3:]
		}
	}
	f.NoExpand, _ = c.boolean(p, m, "noExpand")
	return f, good
}

func decodeVolume(c *checker, p string, m map[string]any) (Volume, bool) {
	vol := Volume{Pointer: p}
	src, ok := c.str(p, m, "source", true)
	vol.Source = src
	if ok && src == "" {
		c.fail(p+"/source", "must not be empty")
		ok = false
	}
	vol.Path, _ = c.str(p, m, "path", false)
	vol.ReadOnly, _ = c.boolean(p, m, "readOnly")
	return vol, ok
}

func decodeBefore(c *checker, p string, v any) map[string]Before {
	m, ok := c.object(p, v)
	if !ok {
		return nil
	}
	out := make(map[string]Before, len(m))
	for name, item := range m {
		ip := join(p, name)
		c.label(ip, "container", name)
		bm, ok := c.object(ip, item)
		if !ok {
			continue
		}
		c.known(ip, bm, "ready")
		ready, ok := c.str(ip, bm, "ready", true)
		if !ok {
			continue
		}
		switch ready {
		case "started", "healthy", "complete":
			out[name] = Before{Ready: ready}
		default:
			c.fail(ip+"/ready", "must be started, healthy or complete, not %q", clip(ready))
		}
	}
	return out
}

// checkBefore checks that before names other containers of the workload
// and that the order has no cycle.
func checkBefore(c *checker, w *Workload) {
	names := sortedKeys(w.Containers)
	for _, name := range names {
		for _, dep := range sortedKeys(w.Containers[name].Before) {
			p := join(join(join("/containers", name), "before"), dep)
			if dep == name {
				c.fail(p, "a container cannot start before itself")
			} else if _, ok := w.Containers[dep]; !ok {
				c.fail(p, "no container named %q in this workload", clip(dep))
			}
		}
	}
	const (
		unvisited = iota
		visiting
		done
	)
	state := make(map[string]int, len(names))
	var visit func(string) bool
	visit = func(n string) bool {
		state[n] = visiting
		for _, dep := range sortedKeys(w.Containers[n].Before) {
			if _, ok := w.Containers[dep]; !ok || dep == n {
				continue
			}
			if state[dep] == visiting || state[dep] == unvisited && visit(dep) {
				return true
			}
		}
		state[n] = done
		return false
	}
	for _, n := range names {
		if state[n] == unvisited && visit(n) {
			c.fail(join(join("/containers", n), "before"), "containers wait for each other in a cycle")
			return
		}
	}
}

func decodeContainerResources(c *checker, p string, v any) *ContainerResources {
	m, ok := c.object(p, v)
	if !ok {
		return nil
	}
	c.known(p, m, "limits", "requests")
	r := &ContainerResources{}
	if l, ok := m["limits"]; ok {
		r.Limits = decodeLimits(c, p+"/limits", l)
	}
	if q, ok := m["requests"]; ok {
		r.Requests = decodeLimits(c, p+"/requests", q)
	}
	if r.Limits != nil && r.Requests != nil {
		checkRequestWithinLimit(c, p+"/requests/cpu", r.Requests.CPU, r.Limits.CPU)
		checkRequestWithinLimit(c, p+"/requests/memory", r.Requests.Memory, r.Limits.Memory)
	}
	return r
}

func decodeLimits(c *checker, p string, v any) *ResourcesLimits {
	m, ok := c.object(p, v)
	if !ok {
		return nil
	}
	c.known(p, m, "cpu", "memory")
	l := &ResourcesLimits{}
	for _, key := range []string{"cpu", "memory"} {
		s, ok := c.str(p, m, key, false)
		if !ok {
			continue
		}
		if _, err := ParseQuantity(s); err != nil {
			c.fail(p+"/"+key, "%s", errMessage(err))
			continue
		}
		if key == "cpu" {
			l.CPU = s
		} else {
			l.Memory = s
		}
	}
	return l
}

// checkRequestWithinLimit reports a request above its limit, which
// Kubernetes would refuse.
func checkRequestWithinLimit(c *checker, p, request, limit string) {
	if request == "" || limit == "" {
		return
	}
	rq, err1 := ParseQuantity(request)
	lq, err2 := ParseQuantity(limit)
	if err1 == nil && err2 == nil && rq.Cmp(lq) > 0 {
		c.fail(p, "request %q is more than the limit %q", request, limit)
	}
}
