package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// pollPeriod spaces status polls while a deploy waits for readiness.
const pollPeriod = 200 * time.Millisecond

// failureLogLines is how many log lines a failed deploy shows.
const failureLogLines = 20

// Deploy runs d's workloads as processes, stops those of the previous
// deployment that d no longer has, and waits until every workload is ready.
func (t *Target) Deploy(ctx context.Context, cfg target.Config, d *target.Deployment, progress target.Progress) error {
	if !supported {
		return errUnsupportedSystem()
	}
	if d == nil {
		return errs.New(errs.Invalid, "process target: no deployment")
	}
	if progress == nil {
		progress = func(target.Event) {}
	}
	s, err := parseConfig(cfg)
	if err != nil {
		return err
	}
	l, err := newLayout(t.opts.StateDir, d.App, d.Env)
	if err != nil {
		return err
	}
	spec, err := buildSpec(d, s, l, os.Getenv)
	if err != nil {
		return err
	}
	var secrets []string
	for i := range spec.Containers {
		secrets = append(secrets, spec.Containers[i].secrets()...)
	}
	red := newRedactor(secrets)

	before, _, err := t.status(ctx, l)
	if err != nil {
		return err
	}
	if len(spec.Containers) == 0 && len(before) == 0 {
		return nil // nothing runs and nothing is to run
	}
	for _, w := range d.Workloads {
		progress(target.Event{Time: time.Now(), Workload: w.Name, Phase: "applying"})
	}
	resp, err := t.apply(ctx, l, spec)
	if err != nil {
		return err
	}
	reportActions(d, resp.Actions, progress)
	if len(resp.Conflicts) > 0 {
		return portsInUse(l, s, resp.Conflicts, progress)
	}
	if len(spec.Containers) == 0 {
		return nil
	}
	return t.waitReady(ctx, l, s, d, red, progress)
}

// apply sends the spec to the supervisor, starting one if needed; a
// supervisor that exited between the two (it had nothing to run) is
// started again once. Ports found in use are returned in the response's
// Conflicts, with no error.
func (t *Target) apply(ctx context.Context, l layout, spec *applySpec) (*response, error) {
	for attempt := 0; ; attempt++ {
		if err := t.ensureSupervisor(ctx, l); err != nil {
			return nil, err
		}
		resp, err := call(ctx, l.socketPath(), &request{Op: opApply, Apply: spec})
		if err == nil || (resp != nil && len(resp.Conflicts) > 0) {
			return resp, nil
		}
		var re *remoteError
		if attempt > 0 || ctx.Err() != nil || (errors.As(err, &re) && !strings.Contains(re.msg, "shutting down")) {
			return nil, errs.Wrap(errs.Transient, err, "process target: apply to the supervisor of %s/%s: %s", l.app, l.env, describeCallError(err))
		}
		if err := waitUnlocked(ctx, l, startTimeout); err != nil {
			return nil, err
		}
	}
}

// reportActions turns what the supervisor did into one event per workload.
func reportActions(d *target.Deployment, actions []action, progress target.Progress) {
	deployed := map[string]bool{}
	for _, w := range d.Workloads {
		deployed[w.Name] = true
	}
	did := map[string][]string{}
	var order []string
	for _, a := range actions {
		if _, ok := did[a.Workload]; !ok {
			order = append(order, a.Workload)
		}
		did[a.Workload] = append(did[a.Workload], fmt.Sprintf("%s %s", a.Container, a.Did))
	}
	for _, w := range order {
		phase := "applying"
		if !deployed[w] {
			phase = "pruned"
		}
		progress(target.Event{Time: time.Now(), Workload: w, Phase: phase, Message: strings.Join(did[w], ", ")})
	}
}

// waitReady polls the supervisor until every workload of d is ready, one
// fails, or the ready timeout passes.
func (t *Target) waitReady(ctx context.Context, l layout, s settings, d *target.Deployment, red *redactor, progress target.Progress) error {
	deadline := time.Now().Add(s.readyTimeout)
	announced := map[string]string{}
	for {
		sts, live, err := t.status(ctx, l)
		if err != nil {
			return err
		}
		if !live {
			return errs.New(errs.Transient, "process target: the supervisor of %s/%s stopped during the deployment", l.app, l.env)
		}
		byName := map[string]target.WorkloadStatus{}
		for _, ws := range aggregate(sts) {
			byName[ws.Workload] = ws
		}
		allReady := true
		for _, w := range d.Workloads {
			ws := byName[w.Name]
			phase := "waiting"
			switch {
			case ws.State == "failed":
				progress(target.Event{Time: time.Now(), Workload: w.Name, Phase: "failed", Message: ws.Message})
				return t.notReady(l, w.Name, fmt.Sprintf("workload %q failed: %s", w.Name, ws.Message), red)
			case ws.Desired > 0 && ws.Ready == ws.Desired:
				phase = "ready"
			default:
				allReady = false
			}
			if announced[w.Name] != phase {
				announced[w.Name] = phase
				progress(target.Event{Time: time.Now(), Workload: w.Name, Phase: phase, Message: ws.Message})
			}
		}
		if allReady {
			return nil
		}
		if time.Now().After(deadline) {
			for _, w := range d.Workloads {
				if ws := byName[w.Name]; ws.Ready < ws.Desired || ws.Desired == 0 {
					msg := fmt.Sprintf("workload %q is not ready after %s", w.Name, s.readyTimeout)
					if ws.Message != "" {
						msg += ": " + ws.Message
					}
					progress(target.Event{Time: time.Now(), Workload: w.Name, Phase: "failed", Message: msg})
					return t.notReady(l, w.Name, msg, red)
				}
			}
		}
		select {
		case <-ctx.Done():
			return errs.Wrap(errs.Transient, ctx.Err(), "process target: deployment of %s/%s interrupted while waiting for readiness", l.app, l.env)
		case <-time.After(pollPeriod):
		}
	}
}

// notReady is the error of a workload that did not get ready, with the
// last lines of its log, every secret value redacted.
func (t *Target) notReady(l layout, workload, msg string, red *redactor) error {
	var b strings.Builder
	b.WriteString(red.String(msg))
	lines, err := workloadLogs(l, workload, failureLogLines)
	if err == nil && len(lines) > 0 {
		fmt.Fprintf(&b, "\nlast %d log lines of workload %q:", len(lines), workload)
		for _, line := range lines {
			b.WriteString("\n  ")
			b.WriteString(red.String(line))
		}
	}
	return errs.New(errs.Transient, "%s", b.String())
}
