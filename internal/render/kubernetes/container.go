package kubernetes

import (
	"cmp"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// container renders one container, adding its files and secret variables
// to the workload's ConfigMap and Secret and its claims to the pod volumes.
func (wr *workloadRender) container(c *target.Container) (map[string]any, error) {
	where := "workload " + strconv.Quote(wr.w.Name) + ": container " + strconv.Quote(c.Name)
	if !isDNSLabel(c.Name) {
		return nil, errs.New(errs.Invalid, "%s: name must be a DNS label (lower-case letters, digits and '-', at most 63)", where)
	}
	switch c.Image {
	case "":
		return nil, errs.New(errs.Invalid, "%s: image is empty", where)
	case ".":
		return nil, errs.New(errs.Invalid, "%s: image \".\" means \"build from source\"; Kubernetes needs a pushed image, so set the image or build and push it first", where)
	}
	out := map[string]any{"name": c.Name, "image": c.Image}
	if len(c.Command) > 0 {
		out["command"] = expandSafe(c.Command)
	}
	if len(c.Args) > 0 {
		out["args"] = expandSafe(c.Args)
	}
	if env := wr.env(c); len(env) > 0 {
		out["env"] = env
	}
	mounts, err := wr.mounts(c, where)
	if err != nil {
		return nil, err
	}
	if len(mounts) > 0 {
		out["volumeMounts"] = mounts
	}
	res := map[string]any{}
	if r := resources(c.Limits); r != nil {
		res["limits"] = r
	}
	if r := resources(c.Requests); r != nil {
		res["requests"] = r
	}
	if len(res) > 0 {
		out["resources"] = res
	}
	if c.Liveness != nil {
		p, err := probe(c.Liveness, where+": liveness probe")
		if err != nil {
			return nil, err
		}
		out["livenessProbe"] = p
	}
	if c.Readiness != nil {
		p, err := probe(c.Readiness, where+": readiness probe")
		if err != nil {
			return nil, err
		}
		out["readinessProbe"] = p
	}
	return out, nil
}

// expandSafe doubles every "$" so that Kubernetes' $(VAR) expansion, which
// turns "$$" into "$", leaves the resolved text as it is.
func expandSafe(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = escapeDollar(s)
	}
	return out
}

func escapeDollar(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return strings.ReplaceAll(s, "$", "$$")
}

// env lists the container's variables: plain values inline, secret values
// only as references to the workload's Secret.
func (wr *workloadRender) env(c *target.Container) []any {
	env := make([]any, 0, len(c.Variables))
	for _, v := range c.Variables {
		if !v.Value.Secret {
			env = append(env, map[string]any{"name": v.Name, "value": escapeDollar(v.Value.Text)})
			continue
		}
		key := wr.secretVarKey(c.Name, v.Name, v.Value.Text)
		env = append(env, map[string]any{"name": v.Name, "valueFrom": map[string]any{
			"secretKeyRef": map[string]any{"name": wr.w.Name + "-secrets", "key": key},
		}})
	}
	return env
}

// secretVarKey stores a secret variable in the Secret and returns its key:
// the variable name, shared by every container with the same name and
// value; a container with the same name but another value gets
// "<container>.<name>".
func (wr *workloadRender) secretVarKey(container, name, value string) string {
	if sv, ok := wr.secretVars[name]; ok {
		if sv.value == value {
			return sv.key
		}
		key := wr.secret.keys.alloc(container+"."+name, "var:"+container+"."+name)
		wr.secret.binary[key] = []byte(value)
		return key
	}
	key := wr.secret.keys.alloc(name, "var:"+name)
	wr.secret.binary[key] = []byte(value)
	wr.secretVars[name] = secretVar{key: key, value: value}
	return key
}

// mounts stores the container's files and lists its volume mounts (files
// and volumes) by mount path.
func (wr *workloadRender) mounts(c *target.Container, where string) ([]any, error) {
	type mount struct {
		path string
		obj  map[string]any
	}
	var ms []mount
	seen := map[string]bool{}
	for _, f := range c.Files {
		p, err := mountPath(f.Path)
		if err != nil {
			return nil, errs.New(errs.Invalid, "%s: file %q: %s", where, f.Path, err.Error())
		}
		if seen[p] {
			return nil, errs.New(errs.Invalid, "%s: two files or volumes are mounted at %q", where, p)
		}
		seen[p] = true
		mode, err := fileMode(f.Mode)
		if err != nil {
			return nil, errs.New(errs.Invalid, "%s: file %q: %s", where, f.Path, err.Error())
		}
		set, volume := wr.config, filesVolume
		if f.Secret {
			set, volume = wr.secret, secretFilesVolume
		}
		key := set.keys.alloc(c.Name+"."+strings.ReplaceAll(strings.TrimPrefix(p, "/"), "/", "_"), "file:"+c.Name+":"+p)
		if f.Secret {
			set.binary[key] = f.Content
		} else {
			set.putConfig(key, f.Content)
		}
		set.files[key] = mode
		ms = append(ms, mount{p, map[string]any{"name": volume, "mountPath": p, "subPath": key, "readOnly": true}})
	}
	for _, v := range c.Volumes {
		p, err := mountPath(v.Path)
		if err != nil {
			return nil, errs.New(errs.Invalid, "%s: volume %q: %s", where, v.Path, err.Error())
		}
		if seen[p] {
			return nil, errs.New(errs.Invalid, "%s: two files or volumes are mounted at %q", where, p)
		}
		seen[p] = true
		if v.Source == "" {
			return nil, errs.New(errs.Invalid, "%s: volume %q has no source", where, v.Path)
		}
		name := wr.volumes.alloc("vol-"+v.Source, v.Source)
		wr.pvcs[name] = v.Source
		m := map[string]any{"name": name, "mountPath": p}
		if v.SubPath != "" {
			m["subPath"] = v.SubPath
		}
		if v.ReadOnly {
			m["readOnly"] = true
		}
		ms = append(ms, mount{p, m})
	}
	slices.SortFunc(ms, func(a, b mount) int { return cmp.Compare(a.path, b.path) })
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m.obj
	}
	return out, nil
}

// mountPath cleans an absolute path in a container.
func mountPath(p string) (string, error) {
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
func fileMode(s string) (int64, error) {
	if s == "" {
		return defaultFileMode, nil
	}
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o777 {
		return 0, errs.New(errs.Invalid, "mode %q is not an octal file mode such as 0644", s)
	}
	return int64(m), nil
}

func resources(r *target.Resources) map[string]any {
	if r == nil || (r.CPU == "" && r.Memory == "") {
		return nil
	}
	out := map[string]any{}
	if r.CPU != "" {
		out["cpu"] = r.CPU
	}
	if r.Memory != "" {
		out["memory"] = r.Memory
	}
	return out
}
