package compose

import (
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/render/yamlout"
)

// YAML encodes the project as compose.yaml: keys sorted, services and
// volumes by name, every "$" in a value doubled so that Compose reads it
// literally.
func (p *Project) YAML() ([]byte, error) {
	services := make(map[string]any, len(p.Services))
	for i := range p.Services {
		services[p.Services[i].Name] = p.Services[i].model()
	}
	doc := map[string]any{"name": lit(p.Name), "services": services}
	if len(p.Volumes) > 0 {
		vols := make(map[string]any, len(p.Volumes))
		for _, v := range p.Volumes {
			vols[v] = map[string]any{"name": lit(v)}
		}
		doc["volumes"] = vols
	}
	b, err := yamlout.Append(make([]byte, 0, 1024*len(p.Services)), doc)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "encode compose.yaml: %s", err.Error())
	}
	return b, nil
}

// lit escapes "$" against Compose interpolation.
func lit(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return strings.ReplaceAll(s, "$", "$$")
}

func lits(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = lit(s)
	}
	return out
}

func litMap(in map[string]string) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = lit(v)
	}
	return out
}

// model is the service as Compose's long syntax.
func (s *Service) model() map[string]any {
	m := map[string]any{"labels": litMap(s.Labels)}
	if s.Image != "" {
		m["image"] = lit(s.Image)
	}
	if s.Build != "" {
		m["build"] = map[string]any{"context": lit(s.Build)}
	}
	if len(s.Entrypoint) > 0 {
		m["entrypoint"] = lits(s.Entrypoint)
	}
	if len(s.Command) > 0 {
		m["command"] = lits(s.Command)
	}
	if len(s.Environment) > 0 {
		m["environment"] = litMap(s.Environment)
	}
	if s.EnvFile != "" {
		m["env_file"] = []any{map[string]any{"path": lit(s.EnvFile), "required": true}}
	}
	if len(s.Ports) > 0 {
		ports := make([]any, len(s.Ports))
		for i, p := range s.Ports {
			pm := map[string]any{"target": int64(p.Target), "protocol": p.Protocol}
			if p.HostIP != "" {
				pm["host_ip"] = lit(p.HostIP)
			}
			if p.Published != 0 {
				pm["published"] = strconv.Itoa(p.Published)
			}
			ports[i] = pm
		}
		m["ports"] = ports
	}
	if len(s.Mounts) > 0 {
		vols := make([]any, len(s.Mounts))
		for i, v := range s.Mounts {
			vm := map[string]any{"type": v.Type, "source": lit(v.Source), "target": lit(v.Target)}
			if v.ReadOnly {
				vm["read_only"] = true
			}
			if v.SubPath != "" {
				vm["volume"] = map[string]any{"subpath": lit(v.SubPath)}
			}
			vols[i] = vm
		}
		m["volumes"] = vols
	}
	if len(s.Healthcheck) > 0 {
		hc := map[string]any{"test": lits(s.Healthcheck)}
		if s.HealthInterval != "" {
			hc["interval"] = lit(s.HealthInterval)
		}
		m["healthcheck"] = hc
	}
	if s.NetworkMode != "" {
		m["network_mode"] = lit(s.NetworkMode)
	}
	if s.Restart != "" {
		m["restart"] = lit(s.Restart)
	}
	if len(s.Aliases) > 0 {
		m["networks"] = map[string]any{"default": map[string]any{"aliases": lits(s.Aliases)}}
	}
	return m
}
