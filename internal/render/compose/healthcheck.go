package compose

import (
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// healthcheck turns the readiness probe, or else the liveness probe, into
// a Compose healthcheck test.
func healthcheck(c *target.Container, where string) ([]string, error) {
	p, what := c.Readiness, "readiness probe"
	if p == nil {
		p, what = c.Liveness, "liveness probe"
	}
	if p == nil {
		return nil, nil
	}
	where += ": " + what
	switch {
	case p.HTTPGet != nil && p.Exec != nil:
		return nil, errs.New(errs.Invalid, "%s: set either httpGet or exec, not both", where)
	case p.Exec != nil:
		if len(p.Exec.Command) == 0 {
			return nil, errs.New(errs.Invalid, "%s: exec command is empty", where)
		}
		return append([]string{"CMD"}, p.Exec.Command...), nil
	case p.HTTPGet != nil:
		return httpCheck(p.HTTPGet, where)
	}
	return nil, errs.New(errs.Invalid, "%s: set httpGet or exec", where)
}

// httpCheck is ["CMD-SHELL", "wget -q -O- [--header '…'] '<url>' || exit 1"].
func httpCheck(g *target.HTTPGet, where string) ([]string, error) {
	if g.Port < 1 || g.Port > 65535 {
		return nil, errs.New(errs.Invalid, "%s: port %d is not between 1 and 65535", where, g.Port)
	}
	scheme := strings.ToLower(g.Scheme)
	switch scheme {
	case "":
		scheme = "http"
	case "http", "https":
	default:
		return nil, errs.New(errs.Invalid, "%s: scheme %q is not HTTP or HTTPS", where, g.Scheme)
	}
	host := g.Host
	if host == "" {
		host = "localhost"
	}
	p := g.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	var b strings.Builder
	b.WriteString("wget -q -O-")
	for _, h := range g.HTTPHeaders {
		if strings.ContainsAny(h.Name, ":\r\n") || strings.ContainsAny(h.Value, "\r\n") {
			return nil, errs.New(errs.Invalid, "%s: header %q is not a valid HTTP header", where, h.Name)
		}
		b.WriteString(" --header ")
		b.WriteString(shellQuote(h.Name + ": " + h.Value))
	}
	b.WriteByte(' ')
	b.WriteString(shellQuote(scheme + "://" + host + ":" + strconv.Itoa(g.Port) + p))
	b.WriteString(" || exit 1")
	return []string{"CMD-SHELL", b.String()}, nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
