package process

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/target"
)

// probeTimeout bounds one probe attempt.
const probeTimeout = 5 * time.Second

// probeClient checks over HTTP the way the kubelet does: redirects are not
// followed (a 3xx passes) and HTTPS certificates are not verified, since
// the process is local and its certificate is rarely for 127.0.0.1.
var probeClient = &http.Client{
	Timeout: probeTimeout,
	Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // a local health check
		DisableKeepAlives: true,
		Proxy:             nil,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// probe runs p once against the container c and returns why it failed.
func probe(ctx context.Context, p *target.Probe, c *containerSpec) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if p.HTTPGet != nil {
		return probeHTTP(ctx, p.HTTPGet, c.Port)
	}
	return probeExec(ctx, p.Exec, c)
}

func probeHTTP(ctx context.Context, h *target.HTTPGet, defPort int) error {
	scheme := strings.ToLower(h.Scheme)
	if scheme == "" {
		scheme = "http"
	}
	host := h.Host
	if host == "" {
		host = "127.0.0.1"
	}
	port := h.Port
	if port == 0 {
		port = defPort
	}
	p := h.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	url := scheme + "://" + net.JoinHostPort(host, strconv.Itoa(port)) + p
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("readiness URL %s: %v", url, err)
	}
	for _, hd := range h.HTTPHeaders {
		if strings.EqualFold(hd.Name, "Host") {
			req.Host = hd.Value
			continue
		}
		req.Header.Add(hd.Name, hd.Value)
	}
	req.Header.Set("User-Agent", "pave-probe/1")
	resp, err := probeClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %s", url, shortNetError(err))
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 400 {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return nil
}

// shortNetError keeps the telling end of a network error ("connection
// refused") rather than its whole chain.
func shortNetError(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && i+2 < len(s) {
		return s[i+2:]
	}
	return s
}

// probeExec runs the probe command in the container's environment and
// working directory; exit status 0 passes.
func probeExec(ctx context.Context, e *target.ExecProbe, c *containerSpec) error {
	exe, err := lookPath(e.Command[0], c.env("PATH"), c.Dir)
	if err != nil {
		return fmt.Errorf("exec probe: %v", err)
	}
	cmd := exec.CommandContext(ctx, exe, e.Command[1:]...)
	cmd.Args[0] = e.Command[0]
	cmd.Env = c.environ()
	cmd.Dir = c.Dir
	cmd.SysProcAttr = childAttr()
	cmd.Cancel = func() error { return signalGroup(cmd.Process.Pid, true) }
	cmd.WaitDelay = time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		if msg != "" {
			return fmt.Errorf("exec probe %q: %v: %s", e.Command[0], err, msg)
		}
		return fmt.Errorf("exec probe %q: %v", e.Command[0], err)
	}
	return nil
}
