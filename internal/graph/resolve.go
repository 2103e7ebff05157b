package graph

import (
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/yamldoc"
)

// Outputs are the outputs of one provisioned resource and which of them are
// secret (as its type says).
type Outputs struct {
	Values map[string]any
	Secret map[string]bool
}

// DecodeWorkloads decodes the plan's workloads (those not being deleted), each
// named by a pseudo file "plan:<name>" in errors.
func (p *Plan) DecodeWorkloads() ([]*score.Workload, error) {
	if p.decoded != nil {
		return p.decoded, nil
	}
	var out []*score.Workload
	var list errs.List
	for _, pw := range p.Workloads {
		if pw.Action == Delete {
			continue
		}
		w, err := score.Parse("plan:"+pw.Name, pw.Spec)
		if err != nil {
			list.Add(err)
			continue
		}
		out = append(out, w)
	}
	return out, list.Err()
}

// Deployment resolves every placeholder of the plan's workloads with the
// outputs of their resources (by UID) and returns what a target deploys.
// images supplies the image of containers whose image is ".", keyed
// "workload.container" or "container".
func (p *Plan) Deployment(outputs map[string]Outputs, images map[string]string, manifests []map[string]any) (*target.Deployment, error) {
	ws, err := p.DecodeWorkloads()
	if err != nil {
		return nil, err
	}
	return p.DeploymentOf(ws, outputs, images, manifests)
}

// DeploymentOf is Deployment for workloads the caller already decoded with
// DecodeWorkloads.
func (p *Plan) DeploymentOf(ws []*score.Workload, outputs map[string]Outputs, images map[string]string, manifests []map[string]any) (*target.Deployment, error) {
	d := &target.Deployment{App: p.App, Env: p.Env, EnvType: p.EnvType, PlanHash: p.Hash, Manifests: manifests}
	var list errs.List
	for _, w := range ws {
		pw := p.workload(w.Name)
		tw, err := resolveWorkload(w, pw.Resources, outputs, images)
		if err != nil {
			list.Add(err)
			continue
		}
		d.Workloads = append(d.Workloads, *tw)
	}
	if len(list) > 0 {
		return nil, list
	}
	return d, nil
}

func (p *Plan) workload(name string) *Workload {
	for i := range p.Workloads {
		if p.Workloads[i].Name == name {
			return &p.Workloads[i]
		}
	}
	return &Workload{}
}

func resolveWorkload(w *score.Workload, uids map[string]string, outputs map[string]Outputs, images map[string]string) (*target.Workload, error) {
	resolver := w.Resolver(func(resource string, keys []string) (any, bool, error) {
		o, ok := outputs[uids[resource]]
		if !ok {
			return nil, false, errs.New(errs.Internal, "resource %q (%s) has no outputs", resource, uids[resource])
		}
		if len(keys) == 0 { // ${resources.vol}: a volume's source
			if v, ok := o.Values["source"]; ok {
				return v, o.Secret["source"], nil
			}
			return uids[resource], false, nil
		}
		v, ok := score.Lookup(o.Values, keys)
		if !ok {
			return nil, false, errs.New(errs.Invalid, "resource %q has no output %q", resource, strings.Join(keys, "."))
		}
		return v, o.Secret[keys[0]], nil
	})
	var list errs.List
	render := func(ptr, s string) target.Value {
		t, err := score.ParseTemplate(s)
		if err != nil {
			list = append(list, w.Errorf(ptr, "%s", errs.Errors(err)[0].Message))
			return target.Value{}
		}
		text, secret, err := t.Render(resolver)
		if err != nil {
			list = append(list, w.Errorf(ptr, "%s", errs.Errors(err)[0].Message))
		}
		return target.Value{Text: text, Secret: secret}
	}
	tw := &target.Workload{Name: w.Name, Annotations: w.Annotations}
	for _, pn := range yamldoc.SortedKeys(w.Service.Ports) {
		sp := w.Service.Ports[pn]
		tw.Ports = append(tw.Ports, target.Port{Name: pn, Port: sp.Port, TargetPort: sp.TargetPort, Protocol: sp.Protocol})
	}
	for _, cn := range yamldoc.SortedKeys(w.Containers) {
		c := w.Containers[cn]
		base := "/containers/" + cn
		tc := target.Container{Name: cn, Image: c.Image, Command: c.Command, Args: c.Args}
		if tc.Image == "." {
			img := images[w.Name+"."+cn]
			if img == "" {
				img = images[cn]
			}
			if img == "" {
				list = append(list, w.Errorf(base+"/image", `image "." is supplied at deploy time: pass --image %s.%s=IMAGE`, w.Name, cn))
			}
			tc.Image = img
		}
		for _, k := range yamldoc.SortedKeys(c.Variables) {
			tc.Variables = append(tc.Variables, target.Variable{Name: k, Value: render(base+"/variables/"+k, c.Variables[k])})
		}
		for _, path := range yamldoc.SortedKeys(c.Files) {
			f := c.Files[path]
			tf := target.File{Path: path, Mode: f.Mode}
			content, inline := f.Inline()
			switch {
			case !inline:
				list = append(list, w.Errorf(f.Pointer+"/source", "file source %q was not read before planning", *f.Source))
			case f.Content != nil && !f.NoExpand:
				v := render(f.Pointer+"/content", *f.Content)
				tf.Content, tf.Secret = []byte(v.Text), v.Secret
			default:
				tf.Content = content
			}
			tc.Files = append(tc.Files, tf)
		}
		for _, path := range yamldoc.SortedKeys(c.Volumes) {
			v := c.Volumes[path]
			src := render(v.Pointer+"/source", v.Source)
			tc.Volumes = append(tc.Volumes, target.Volume{Path: path, Source: src.Text, SubPath: v.Path, ReadOnly: v.ReadOnly})
		}
		if c.Resources != nil {
			tc.Limits = quantities(c.Resources.Limits)
			tc.Requests = quantities(c.Resources.Requests)
		}
		tc.Liveness = probe(c.LivenessProbe)
		tc.Readiness = probe(c.ReadinessProbe)
		tw.Containers = append(tw.Containers, tc)
	}
	if len(list) > 0 {
		list.Sort()
		return nil, list
	}
	return tw, nil
}

func quantities(l *score.ResourcesLimits) *target.Resources {
	if l == nil {
		return nil
	}
	return &target.Resources{CPU: l.CPU, Memory: l.Memory}
}

func probe(p *score.Probe) *target.Probe {
	switch {
	case p == nil:
		return nil
	case p.Exec != nil: // Score: prefer exec when both are given
		return &target.Probe{Exec: &target.ExecProbe{Command: p.Exec.Command}}
	default:
		h := p.HTTPGet
		tp := &target.Probe{HTTPGet: &target.HTTPGet{Scheme: h.Scheme, Host: h.Host, Path: h.Path, Port: h.Port}}
		for _, hh := range h.HTTPHeaders {
			tp.HTTPGet.HTTPHeaders = append(tp.HTTPGet.HTTPHeaders, target.HTTPHeader{Name: hh.Name, Value: hh.Value})
		}
		return tp
	}
}
