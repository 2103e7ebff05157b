package score

import (
	"strconv"

	"github.com/pavedev/pave/internal/yamldoc"
)

func decodeProbe(c *checker, p string, v any) *Probe {
	m, ok := c.object(p, v)
	if !ok {
		return nil
	}
	c.known(p, m, "httpGet", "exec")
	pr := &Probe{}
	if h, ok := m["httpGet"]; ok {
		pr.HTTPGet = decodeHTTPProbe(c, p+"/httpGet", h)
	}
	if e, ok := m["exec"]; ok {
		pr.Exec = decodeExecProbe(c, p+"/exec", e)
	}
	if _, h := m["httpGet"]; !h {
		if _, e := m["exec"]; !e {
			c.fail(p, "must set httpGet or exec")
		}
	}
	return pr
}

func decodeHTTPProbe(c *checker, p string, v any) *HTTPProbe {
	m, ok := c.object(p, v)
	if !ok {
		return nil
	}
	c.known(p, m, "scheme", "host", "path", "port", "httpHeaders")
	h := &HTTPProbe{Scheme: DefaultScheme}
	h.Port, _ = c.port(p, m, "port", true)
	h.Path, _ = c.str(p, m, "path", true)
	if host, ok := c.str(p, m, "host", false); ok {
		if host == "" {
			c.fail(p+"/host", "must not be empty")
		}
		h.Host = host
	}
	if s, ok := c.str(p, m, "scheme", false); ok {
		if s != "HTTP" && s != "HTTPS" {
			c.fail(p+"/scheme", "must be HTTP or HTTPS, not %q", clip(s))
		} else {
			h.Scheme = s
		}
	}
	hv, ok := m["httpHeaders"]
	if !ok {
		return h
	}
	items, ok := hv.([]any)
	if !ok {
		c.fail(p+"/httpHeaders", "must be an array, not %s", yamldoc.TypeName(hv))
		return h
	}
	for i, item := range items {
		ip := p + "/httpHeaders/" + strconv.Itoa(i)
		hm, ok := c.object(ip, item)
		if !ok {
			continue
		}
		c.known(ip, hm, "name", "value")
		name, nok := c.str(ip, hm, "name", true)
		if nok && !isHeaderName(name) {
			c.fail(ip+"/name", "invalid header name %q: must be A-Z, a-z, 0-9, '_' and '-'", clip(name))
		}
		value, vok := c.str(ip, hm, "value", true)
		if vok && value == "" {
			c.fail(ip+"/value", "must not be empty")
		}
		h.HTTPHeaders = append(h.HTTPHeaders, HTTPHeader{Name: name, Value: value})
	}
	return h
}

func decodeExecProbe(c *checker, p string, v any) *ExecProbe {
	m, ok := c.object(p, v)
	if !ok {
		return nil
	}
	c.known(p, m, "command")
	cmd, present := c.strList(p, m, "command")
	if !present {
		c.fail(p+"/command", "required")
	} else if len(cmd) == 0 {
		if items, ok := m["command"].([]any); ok && len(items) == 0 {
			c.fail(p+"/command", "must not be empty")
		}
	}
	return &ExecProbe{Command: cmd}
}
