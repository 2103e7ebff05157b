package score

import (
	"github.com/pavedev/pave/internal/yamldoc"
)

// decodeWorkload validates a (possibly overridden) document and builds the
// Workload. It reports every problem it finds.
func decodeWorkload(tree map[string]any, loc *locator) (*Workload, error) {
	c := &checker{loc: loc}
	w := &Workload{File: loc.file, loc: loc}
	c.known("", tree, "apiVersion", "metadata", "service", "containers", "resources")

	if v, ok := c.str("", tree, "apiVersion", true); ok && v != APIVersion {
		c.fail("/apiVersion", "must be %q, not %q", APIVersion, clip(v))
	}
	w.APIVersion = APIVersion

	if md, ok := tree["metadata"]; !ok {
		c.fail("/metadata", "required")
	} else {
		decodeMetadata(c, w, md)
	}
	if svc, ok := tree["service"]; ok {
		decodeService(c, w, svc)
	}
	if cs, ok := tree["containers"]; !ok {
		c.fail("/containers", "required")
	} else {
		decodeContainers(c, w, cs)
	}
	if rs, ok := tree["resources"]; ok {
		decodeResources(c, w, rs)
	}
	// Placeholders are checked last: they need metadata and resources.
	checkPlaceholders(c, w)

	if len(c.errs) > 0 {
		c.errs.Sort()
		return nil, c.errs
	}
	return w, nil
}

func decodeMetadata(c *checker, w *Workload, v any) {
	md, ok := c.object("/metadata", v)
	if !ok {
		return
	}
	w.Metadata = md
	if name, ok := c.str("/metadata", md, "name", true); ok {
		if IsLabel(name) {
			w.Name = name
		} else {
			c.fail("/metadata/name", "invalid workload name %q: %s", clip(name), labelRule)
		}
	}
	if a, ok := md["annotations"]; ok {
		w.Annotations = c.stringMap("/metadata/annotations", a, isAnnotationKey, annotateRule)
	}
}

func decodeService(c *checker, w *Workload, v any) {
	svc, ok := c.object("/service", v)
	if !ok {
		return
	}
	c.known("/service", svc, "ports")
	pv, ok := svc["ports"]
	if !ok {
		return
	}
	ports, ok := c.object("/service/ports", pv)
	if !ok {
		return
	}
	w.Service.Ports = make(map[string]ServicePort, len(ports))
	for name, item := range ports {
		p := join("/service/ports", name)
		c.label(p, "port", name)
		m, ok := c.object(p, item)
		if !ok {
			continue
		}
		c.known(p, m, "port", "protocol", "targetPort")
		sp := ServicePort{Protocol: DefaultProtocol}
		port, portOK := c.port(p, m, "port", true)
		sp.Port = port
		sp.TargetPort = port
		if t, ok := c.port(p, m, "targetPort", false); ok {
			sp.TargetPort = t
		}
		if proto, ok := c.str(p, m, "protocol", false); ok {
			if proto != "TCP" && proto != "UDP" {
				c.fail(p+"/protocol", "must be TCP or UDP, not %q", clip(proto))
			} else {
				sp.Protocol = proto
			}
		}
		if portOK {
			w.Service.Ports[name] = sp
		}
	}
}

func decodeResources(c *checker, w *Workload, v any) {
	rs, ok := c.object("/resources", v)
	if !ok {
		return
	}
	w.Resources = make(map[string]ResourceRequest, len(rs))
	for name, item := range rs {
		p := join("/resources", name)
		c.label(p, "resource", name)
		m, ok := c.object(p, item)
		if !ok {
			// Keep the name so that placeholders naming it do not add
			// errors of their own.
			w.Resources[name] = ResourceRequest{Name: name, Class: DefaultClass}
			continue
		}
		c.known(p, m, "type", "class", "id", "metadata", "params")
		r := ResourceRequest{Name: name, Class: DefaultClass}
		if t, ok := c.str(p, m, "type", true); ok {
			if !IsResourceType(t) {
				c.fail(p+"/type", "invalid resource type %q: %s", clip(t), typeRule)
			}
			r.Type = t
		}
		if cl, ok := c.str(p, m, "class", false); ok {
			if !IsResourceType(cl) {
				c.fail(p+"/class", "invalid resource class %q: %s", clip(cl), typeRule)
			}
			r.Class = cl
		}
		if id, ok := c.str(p, m, "id", false); ok {
			if !IsResourceID(id) {
				c.fail(p+"/id", "invalid resource id %q: %s", clip(id), idRule)
			}
			r.ID = id
		}
		if md, ok := m["metadata"]; ok {
			if mm, ok := c.object(p+"/metadata", md); ok {
				r.Metadata = mm
				if a, ok := mm["annotations"]; ok {
					c.stringMap(p+"/metadata/annotations", a, isAnnotationKey, annotateRule)
				}
			}
		}
		if pv, ok := m["params"]; ok {
			if pm, ok := c.object(p+"/params", pv); ok {
				r.Params = pm
			}
		}
		w.Resources[name] = r
	}
}

// sortedKeys is yamldoc.SortedKeys, for brevity.
func sortedKeys[V any](m map[string]V) []string { return yamldoc.SortedKeys(m) }
