package kubernetes

import (
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// service renders the Service "<workload>" for the workload's ports.
func service(ns string, w *target.Workload, labels, selector map[string]any) (map[string]any, error) {
	ports := make([]any, 0, len(w.Ports))
	names := map[string]string{}
	for _, p := range w.Ports {
		where := "workload " + strconv.Quote(w.Name) + ": port " + strconv.Quote(p.Name)
		if p.Port < 1 || p.Port > 65535 {
			return nil, errs.New(errs.Invalid, "%s: port %d is not between 1 and 65535", where, p.Port)
		}
		targetPort := p.TargetPort
		if targetPort == 0 {
			targetPort = p.Port
		}
		if targetPort < 1 || targetPort > 65535 {
			return nil, errs.New(errs.Invalid, "%s: target port %d is not between 1 and 65535", where, targetPort)
		}
		protocol := strings.ToUpper(p.Protocol)
		switch protocol {
		case "":
			protocol = "TCP"
		case "TCP", "UDP", "SCTP":
		default:
			return nil, errs.New(errs.Invalid, "%s: protocol %q is not TCP, UDP or SCTP", where, p.Protocol)
		}
		name := portName(p.Name, p.Port)
		if other, dup := names[name]; dup {
			return nil, errs.New(errs.Invalid, "workload %q: ports %q and %q both get the Service port name %q; rename one", w.Name, other, p.Name, name)
		}
		names[name] = p.Name
		ports = append(ports, map[string]any{
			"name":       name,
			"port":       int64(p.Port),
			"targetPort": int64(targetPort),
			"protocol":   protocol,
		})
	}
	svc := object("v1", "Service", ns, w.Name, labels)
	svc["spec"] = map[string]any{"selector": selector, "ports": ports}
	return svc, nil
}

// portName makes a Score port name a Kubernetes port name (an IANA service
// name: at most 15 lower-case letters, digits and '-', with a letter, no
// "--"): other characters become '-', and an unusable result becomes
// "port-<port>".
func portName(name string, port int) string {
	n := dnsLabel(name)
	for strings.Contains(n, "--") {
		n = strings.ReplaceAll(n, "--", "-")
	}
	if len(n) > 15 {
		n = strings.TrimRight(n[:15], "-")
	}
	if !strings.ContainsFunc(n, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
		return "port-" + strconv.Itoa(port)
	}
	return n
}

// probe renders a liveness or readiness probe.
func probe(p *target.Probe, where string) (map[string]any, error) {
	switch {
	case p.HTTPGet != nil && p.Exec != nil:
		return nil, errs.New(errs.Invalid, "%s: set either httpGet or exec, not both", where)
	case p.Exec != nil:
		if len(p.Exec.Command) == 0 {
			return nil, errs.New(errs.Invalid, "%s: exec command is empty", where)
		}
		cmd := make([]any, len(p.Exec.Command))
		for i, s := range p.Exec.Command {
			cmd[i] = s
		}
		return map[string]any{"exec": map[string]any{"command": cmd}}, nil
	case p.HTTPGet != nil:
		g := p.HTTPGet
		if g.Port < 1 || g.Port > 65535 {
			return nil, errs.New(errs.Invalid, "%s: port %d is not between 1 and 65535", where, g.Port)
		}
		get := map[string]any{"port": int64(g.Port)}
		path := g.Path
		if path == "" {
			path = "/"
		}
		get["path"] = path
		if g.Scheme != "" {
			scheme := strings.ToUpper(g.Scheme)
			if scheme != "HTTP" && scheme != "HTTPS" {
				return nil, errs.New(errs.Invalid, "%s: scheme %q is not HTTP or HTTPS", where, g.Scheme)
			}
			get["scheme"] = scheme
		}
		if g.Host != "" {
			get["host"] = g.Host
		}
		if len(g.HTTPHeaders) > 0 {
			hs := make([]any, len(g.HTTPHeaders))
			for i, h := range g.HTTPHeaders {
				hs[i] = map[string]any{"name": h.Name, "value": h.Value}
			}
			get["httpHeaders"] = hs
		}
		return map[string]any{"httpGet": get}, nil
	}
	return nil, errs.New(errs.Invalid, "%s: set httpGet or exec", where)
}
