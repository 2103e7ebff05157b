package compose

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/errs"
	rendercompose "github.com/pavedev/pave/internal/render/compose"
	"github.com/pavedev/pave/internal/secrets"
	"github.com/pavedev/pave/internal/target"
)

// failureLogLines is how many log lines of each failing service a failed
// deploy shows.
const failureLogLines = 20

// Deploy renders d, checks and writes the project, runs `docker compose up`
// and waits until every container runs and is healthy. A deployment with
// no workloads removes the project's containers and keeps its volumes.
func (t *Target) Deploy(ctx context.Context, cfg target.Config, d *target.Deployment, progress target.Progress) error {
	if d == nil {
		return errs.New(errs.Invalid, "compose target: no deployment")
	}
	if progress == nil {
		progress = func(target.Event) {}
	}
	s, err := parseConfig(cfg)
	if err != nil {
		return err
	}
	p, err := t.project(s, d.App, d.Env)
	if err != nil {
		return err
	}
	defer t.lock(p.dir)()
	rp, err := renderProject(d, s, p.dir)
	if err != nil {
		return err
	}
	composeYAML, err := rp.YAML()
	if err != nil {
		return errs.Prefix("compose target", err)
	}
	if err := validate(ctx, p.dir, rp, composeYAML); err != nil {
		return err
	}
	c, err := t.compose(ctx, s)
	if err != nil {
		return err
	}
	red := deploymentRedactor(d)
	before, err := c.containers(ctx, p.name)
	if err != nil {
		return err
	}
	for _, w := range rp.Warnings {
		progress(target.Event{Time: time.Now(), Phase: "warning", Message: red.Redact(w)})
	}
	if err := writeProject(p.dir, rp, composeYAML); err != nil {
		return err
	}
	deployed := map[string]bool{}
	for _, w := range d.Workloads {
		deployed[w.Name] = true
		progress(target.Event{Time: time.Now(), Workload: w.Name, Phase: "applying"})
	}
	if len(rp.Services) == 0 {
		_, err = c.run(ctx, runOpts{args: []string{"-p", p.name, "--progress", "plain", "--ansi", "never", "down", "--remove-orphans"}})
	} else if err = t.up(ctx, c, p, s, rp, red, progress); err == nil {
		err = checkReady(ctx, c, p, s, rp)
	}
	pruneErr := pruneProject(p.dir, rp)
	if err != nil {
		return t.failed(ctx, c, p, d, err, red, progress)
	}
	for _, w := range d.Workloads {
		progress(target.Event{Time: time.Now(), Workload: w.Name, Phase: "ready"})
	}
	var gone []string
	for _, ct := range before {
		if ct.Workload != "" && !deployed[ct.Workload] && !slices.Contains(gone, ct.Workload) {
			gone = append(gone, ct.Workload)
		}
	}
	slices.Sort(gone)
	for _, w := range gone {
		progress(target.Event{Time: time.Now(), Workload: w, Phase: "pruned"})
	}
	return pruneErr
}

// up runs `docker compose up`, turning its progress lines about the
// deployment's containers into events.
func (t *Target) up(ctx context.Context, c *composeCLI, p project, s settings, rp *rendercompose.Project, red *secrets.Redactor, progress target.Progress) error {
	args := []string{
		"-p", p.name, "-f", filepath.Join(p.dir, composeFile), "--progress", "plain", "--ansi", "never",
		"up", "--detach", "--remove-orphans", "--wait", "--wait-timeout", strconv.Itoa(int(s.readyTimeout / time.Second)),
	}
	if slices.ContainsFunc(rp.Services, func(s rendercompose.Service) bool { return s.Build != "" }) {
		args = append(args, "--build")
	}
	workloads := map[string]string{} // service -> workload
	for _, svc := range rp.Services {
		workloads[svc.Name] = svc.Workload
	}
	_, err := c.run(ctx, runOpts{
		args: args,
		dir:  p.dir,
		onStderr: func(line string) {
			if ev, ok := progressEvent(p.name, line, workloads); ok {
				ev.Message = red.Redact(ev.Message)
				progress(ev)
			}
		},
	})
	return err
}

// checkReady checks that every service of rp has a container that runs
// and is healthy. `up --wait` says so when it succeeds, except when its
// wait timeout ends between two polls: Compose 2.40 then returns success
// with services still starting.
func checkReady(ctx context.Context, c *composeCLI, p project, s settings, rp *rendercompose.Project) error {
	cs, err := c.containers(ctx, p.name)
	if err != nil {
		return err
	}
	byService := map[string][]container{}
	for _, ct := range cs {
		byService[ct.Service] = append(byService[ct.Service], ct)
	}
	var problems []string
	for _, svc := range rp.Services {
		ready := false
		why := "no container"
		for _, ct := range byService[svc.Name] {
			st := classify(ct)
			if st.ready {
				ready = true
				break
			}
			why = st.message
		}
		if !ready {
			problems = append(problems, fmt.Sprintf("service %q: %s", svc.Name, why))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("not ready after %s: %s", s.readyTimeout, strings.Join(problems, "; "))
	}
	return nil
}

// progressEvent reads a Compose progress line such as
// "Container shop-dev-web-1  Recreated" about a container of the
// deployment.
func progressEvent(project, line string, workloads map[string]string) (target.Event, bool) {
	f := strings.Fields(line)
	if len(f) < 3 || f[0] != "Container" {
		return target.Event{}, false
	}
	svc, ok := strings.CutPrefix(f[1], project+"-")
	if !ok {
		return target.Event{}, false
	}
	if i := strings.LastIndexByte(svc, '-'); i > 0 {
		if _, err := strconv.Atoi(svc[i+1:]); err == nil {
			svc = svc[:i]
		}
	}
	w, ok := workloads[svc]
	if !ok {
		return target.Event{}, false
	}
	status := strings.Join(f[2:], " ")
	phase := "applying"
	switch {
	case strings.HasPrefix(status, "Waiting"):
		phase = "waiting"
	case strings.HasPrefix(status, "Healthy"):
		phase = "ready"
	case strings.HasPrefix(status, "Error"), strings.Contains(status, "unhealthy"), strings.HasPrefix(status, "Exited"):
		phase = "failed"
	}
	return target.Event{Time: time.Now(), Workload: w, Phase: phase, Message: "service " + svc + ": " + strings.ToLower(status)}, true
}

// failed explains a failed `docker compose up`: Compose's last words, the
// state of each container and the last log lines of those not ready, every
// secret value masked.
func (t *Target) failed(ctx context.Context, c *composeCLI, p project, d *target.Deployment, upErr error, red *secrets.Redactor, progress target.Progress) error {
	if ctx.Err() != nil {
		for _, w := range d.Workloads {
			progress(target.Event{Time: time.Now(), Workload: w.Name, Phase: "failed", Message: "interrupted"})
		}
		return errs.Wrap(errs.Transient, ctx.Err(), "compose target: deployment of %s/%s interrupted", d.App, d.Env)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "compose target: deployment of %s/%s failed", d.App, d.Env)
	if ce, ok := upErr.(*commandError); ok && ce.stderr != "" {
		b.WriteString(": ")
		b.WriteString(lastLines(ce.stderr, 10))
	} else {
		b.WriteString(": ")
		b.WriteString(upErr.Error())
	}
	// Diagnostics get a context of their own: the deploy's may be nearly
	// spent, and they matter most then.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	cs, err := c.containers(dctx, p.name)
	if err == nil && len(cs) > 0 {
		b.WriteString("\ncontainers:")
		for _, ct := range cs {
			status := ct.Status
			if status == "" {
				status = ct.State
			}
			fmt.Fprintf(&b, "\n  %s: %s", ct.Service, status)
		}
	}
	failing := map[string]bool{}
	for _, ct := range cs {
		st := classify(ct)
		if st.ready {
			continue
		}
		failing[ct.Workload] = true
		lines, err := c.serviceLogs(dctx, p.name, ct.Service, st.container, failureLogLines)
		if err != nil || len(lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\nlast %d log lines of service %q:", len(lines), ct.Service)
		for _, l := range lines {
			b.WriteString("\n  ")
			b.WriteString(l.text)
		}
	}
	msg := red.Redact(b.String())
	for _, w := range d.Workloads {
		if failing[w.Name] || len(failing) == 0 {
			progress(target.Event{Time: time.Now(), Workload: w.Name, Phase: "failed", Message: red.Redact(firstLine(msg))})
		}
	}
	return &errs.Error{Code: errs.Transient, Message: msg, Cause: fmt.Errorf("%s", red.Redact(upErr.Error()))}
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
