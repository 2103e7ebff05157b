package compose

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// Logs returns the last tail lines the containers of a workload wrote,
// merged in time order; tail <= 0 returns every line Docker keeps. A line
// is "<time> <container> <text>", time in RFC 3339 with nanoseconds as
// Docker keeps it. Standard output and error are merged (Compose does not
// tell them apart). Every secret value found in the project directory's
// secrets (env files and secret files) is masked.
func (t *Target) Logs(ctx context.Context, cfg target.Config, app, env, workload string, tail int) ([]string, error) {
	if err := checkName("workload", workload); err != nil {
		return nil, err
	}
	o, err := t.observe(ctx, cfg, app, env)
	if err != nil {
		return nil, err
	}
	p, c, desired, cs := o.p, o.c, o.desired, o.containers
	names := map[string]string{} // service -> container name
	for _, d := range desired {
		if d.Workload == workload {
			names[d.Name] = d.Container
		}
	}
	for _, ct := range cs {
		if ct.Workload == workload {
			names[ct.Service] = ct.Container
		}
	}
	if len(names) == 0 {
		return nil, errs.New(errs.NotFound, "compose target: workload %q is not deployed in app %q environment %q", workload, app, env)
	}
	red, err := projectRedactor(p.dir)
	if err != nil {
		return nil, err
	}
	var all []logLine
	for svc, ctr := range names {
		if ctr == "" {
			ctr = svc
		}
		lines, err := c.serviceLogs(ctx, p.name, svc, ctr, tail)
		if err != nil {
			return nil, errs.Wrap(errs.Transient, err, "compose target: logs of workload %q: %s", workload, red.Redact(firstLine(err.Error())))
		}
		all = append(all, lines...)
	}
	slices.SortStableFunc(all, func(a, b logLine) int {
		if c := a.time.Compare(b.time); c != 0 {
			return c
		}
		return strings.Compare(a.container, b.container)
	})
	if tail > 0 && len(all) > tail {
		all = all[len(all)-tail:]
	}
	out := make([]string, len(all))
	for i, l := range all {
		out[i] = red.Redact(l.stamp + " " + l.container + " " + l.text)
	}
	return out, nil
}

// logLine is one line a container wrote.
type logLine struct {
	time      time.Time
	stamp     string
	container string
	text      string
}

// serviceLogs reads the last tail lines of one service with Docker's
// timestamps. Compose writes them on its standard output; lines with a
// timestamp on its standard error are taken too, its own warnings (which
// have none) dropped.
func (c *composeCLI) serviceLogs(ctx context.Context, project, svc, ctr string, tail int) ([]logLine, error) {
	n := "all"
	if tail > 0 {
		n = strconv.Itoa(tail)
	}
	var mu sync.Mutex
	var errLines []logLine
	out, err := c.run(ctx, runOpts{
		args: []string{"-p", project, "logs", "--no-color", "--no-log-prefix", "--timestamps", "--tail", n, svc},
		onStderr: func(line string) {
			if l, ok := parseLogLine(line, ctr); ok {
				mu.Lock()
				errLines = append(errLines, l)
				mu.Unlock()
			}
		},
	})
	if err != nil {
		return nil, err
	}
	var lines []logLine
	for _, raw := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		if len(raw) == 0 {
			continue
		}
		if l, ok := parseLogLine(string(raw), ctr); ok {
			lines = append(lines, l)
		}
	}
	mu.Lock()
	lines = append(lines, errLines...)
	mu.Unlock()
	slices.SortStableFunc(lines, func(a, b logLine) int { return a.time.Compare(b.time) })
	return lines, nil
}

// parseLogLine reads "<RFC 3339 time> <text>".
func parseLogLine(line, ctr string) (logLine, bool) {
	stamp, text, _ := strings.Cut(line, " ")
	ts, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return logLine{}, false
	}
	return logLine{time: ts, stamp: stamp, container: ctr, text: strings.TrimSuffix(text, "\r")}, true
}
