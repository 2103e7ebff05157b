// Package render holds what pave's renderers (render/kubernetes,
// render/compose) share: checks on the resolved workload model before it
// is turned into manifests. The renderers themselves live in the
// subpackages; like this one they are pure.
package render

import (
	"strconv"
	"unicode/utf8"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// CheckText returns an errs.Invalid error naming the first text of d's
// workloads that is not valid UTF-8 and so cannot be carried by YAML or
// JSON: names, labels, annotations, images, commands, arguments, plain
// variable values, paths, modes, sources and probe fields. Secret values
// and file contents are not checked, as renderers carry them as bytes
// (base64 or files); extra manifests are checked where they are copied.
func CheckText(d *target.Deployment) error {
	if err := first("deployment", "app or environment", d.App, d.Env, d.EnvType); err != nil {
		return err
	}
	for i := range d.Workloads {
		w := &d.Workloads[i]
		where := "workload " + strconv.Quote(w.Name)
		if err := first(where, "name", w.Name); err != nil {
			return err
		}
		for k, v := range w.Labels {
			if err := first(where, "label", k, v); err != nil {
				return err
			}
		}
		for k, v := range w.Annotations {
			if err := first(where, "annotation", k, v); err != nil {
				return err
			}
		}
		for _, p := range w.Ports {
			if err := first(where, "port", p.Name, p.Protocol); err != nil {
				return err
			}
		}
		for j := range w.Containers {
			if err := checkContainer(where, &w.Containers[j]); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkContainer(where string, c *target.Container) error {
	where += ": container " + strconv.Quote(c.Name)
	if err := first(where, "name", c.Name, c.Image); err != nil {
		return err
	}
	if err := first(where, "command", c.Command...); err != nil {
		return err
	}
	if err := first(where, "args", c.Args...); err != nil {
		return err
	}
	for _, v := range c.Variables {
		if err := first(where, "variable", v.Name); err != nil {
			return err
		}
		if !v.Value.Secret && !utf8.ValidString(v.Value.Text) {
			return errs.New(errs.Invalid, "%s: variable %q: value is not valid UTF-8", where, v.Name)
		}
	}
	for _, f := range c.Files {
		if err := first(where, "file", f.Path, f.Mode); err != nil {
			return err
		}
	}
	for _, v := range c.Volumes {
		if err := first(where, "volume", v.Path, v.Source, v.SubPath); err != nil {
			return err
		}
	}
	for _, p := range []*target.Probe{c.Liveness, c.Readiness} {
		if p == nil {
			continue
		}
		if p.Exec != nil {
			if err := first(where, "probe command", p.Exec.Command...); err != nil {
				return err
			}
		}
		if g := p.HTTPGet; g != nil {
			if err := first(where, "probe", g.Scheme, g.Host, g.Path); err != nil {
				return err
			}
			for _, h := range g.HTTPHeaders {
				if err := first(where, "probe header", h.Name, h.Value); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// first reports the first of texts that is not valid UTF-8.
func first(where, what string, texts ...string) error {
	for _, s := range texts {
		if !utf8.ValidString(s) {
			return errs.New(errs.Invalid, "%s: %s %q is not valid UTF-8", where, what, s)
		}
	}
	return nil
}
