package compose

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/pavedev/pave/internal/errs"
	rendercompose "github.com/pavedev/pave/internal/render/compose"
	"github.com/pavedev/pave/internal/target"
)

// Status reports every workload of app in env: "running" when each of its
// containers runs and is healthy (or has no healthcheck), "starting" while
// one is created or its healthcheck has not passed yet, "failed" when one
// is unhealthy, restarting or exited with an error, "stopped" when none
// runs. Restarts is Docker's restart count, summed over the containers.
// Workloads are those of the compose.yaml last written and those that
// still have containers.
func (t *Target) Status(ctx context.Context, cfg target.Config, app, env string) ([]target.WorkloadStatus, error) {
	o, err := t.observe(ctx, cfg, app, env)
	if err != nil {
		return nil, err
	}
	return workloadStatuses(o.desired, o.containers), nil
}

// observed is a project as pave last wrote it and as Docker runs it.
type observed struct {
	p          project
	c          *composeCLI
	desired    []service   // of the compose.yaml last written
	containers []container // the project's, as Docker has them
}

// observe reads the project of app and env: what was written, what runs.
func (t *Target) observe(ctx context.Context, cfg target.Config, app, env string) (*observed, error) {
	s, err := parseConfig(cfg)
	if err != nil {
		return nil, err
	}
	p, err := t.project(s, app, env)
	if err != nil {
		return nil, err
	}
	c, err := t.compose(ctx, s)
	if err != nil {
		return nil, err
	}
	desired, err := readServices(p.dir)
	if err != nil {
		return nil, err
	}
	cs, err := c.containers(ctx, p.name)
	if err != nil {
		return nil, err
	}
	return &observed{p: p, c: c, desired: desired, containers: cs}, nil
}

// service is a service of compose.yaml and what it runs.
type service struct {
	Name, Workload, Container string
}

// readServices reads the services of the project directory's compose.yaml;
// none when there is no such file.
func readServices(dir string) ([]service, error) {
	b, err := os.ReadFile(filepath.Join(dir, composeFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "compose target: read %s", filepath.Join(dir, composeFile))
	}
	var doc struct {
		Services map[string]struct {
			Labels map[string]string `yaml:"labels"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "compose target: read %s: %s", filepath.Join(dir, composeFile), err.Error())
	}
	var out []service
	for name, s := range doc.Services {
		w := s.Labels[rendercompose.LabelWorkload]
		if w == "" {
			continue // not pave's
		}
		out = append(out, service{Name: name, Workload: w, Container: s.Labels[rendercompose.LabelContainer]})
	}
	slices.SortFunc(out, func(a, b service) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// containerState is one service's state as the target reports it.
type containerState struct {
	container string
	state     string
	ready     bool
	restarts  int
	message   string
}

// classify says what a container's Docker state means for pave.
func classify(c container) containerState {
	cs := containerState{container: c.Container, restarts: c.Restarts}
	if cs.container == "" {
		cs.container = c.Service
	}
	switch c.State {
	case "running":
		switch c.Health {
		case "starting":
			cs.state, cs.message = "starting", "healthcheck has not passed yet"
		case "unhealthy":
			cs.state, cs.message = "failed", "unhealthy"
		default:
			cs.state, cs.ready = "running", true
		}
	case "restarting":
		cs.state, cs.message = "failed", fmt.Sprintf("restarting after exiting with code %d", c.ExitCode)
	case "created":
		cs.state, cs.message = "starting", "created, not started"
	case "exited", "dead":
		if c.ExitCode == 0 && c.State == "exited" {
			cs.state, cs.message = "stopped", "exited with code 0"
		} else {
			cs.state, cs.message = "failed", fmt.Sprintf("%s with code %d", c.State, c.ExitCode)
		}
	default: // paused, removing
		cs.state, cs.message = "stopped", c.State
	}
	return cs
}

// workloadStatuses folds the desired services and the containers found
// into one status per workload, sorted by name.
func workloadStatuses(desired []service, cs []container) []target.WorkloadStatus {
	type entry struct {
		services map[string]bool
		states   []containerState
	}
	byWorkload := map[string]*entry{}
	get := func(w string) *entry {
		e, ok := byWorkload[w]
		if !ok {
			e = &entry{services: map[string]bool{}}
			byWorkload[w] = e
		}
		return e
	}
	for _, s := range desired {
		get(s.Workload).services[s.Name] = true
	}
	found := map[string]bool{}
	for _, c := range cs {
		if c.Workload == "" {
			continue // not pave's
		}
		e := get(c.Workload)
		e.services[c.Service] = true
		e.states = append(e.states, classify(c))
		found[c.Service] = true
	}
	for _, s := range desired {
		if !found[s.Name] {
			name := s.Container
			if name == "" {
				name = s.Name
			}
			get(s.Workload).states = append(get(s.Workload).states, containerState{container: name, state: "stopped", message: "no container"})
		}
	}
	names := make([]string, 0, len(byWorkload))
	for w := range byWorkload {
		names = append(names, w)
	}
	slices.Sort(names)
	out := make([]target.WorkloadStatus, 0, len(names))
	for _, w := range names {
		e := byWorkload[w]
		slices.SortStableFunc(e.states, func(a, b containerState) int { return strings.Compare(a.container, b.container) })
		out = append(out, aggregate(w, len(e.services), e.states))
	}
	return out
}

func aggregate(workload string, desired int, states []containerState) target.WorkloadStatus {
	ws := target.WorkloadStatus{Workload: workload, Desired: desired}
	failed, stopped := false, 0
	var msgs []string
	for _, s := range states {
		ws.Restarts += s.restarts
		if s.ready {
			ws.Ready++
		}
		switch s.state {
		case "failed":
			failed = true
		case "stopped":
			stopped++
		}
		if !s.ready && s.message != "" {
			m := s.message
			if len(states) > 1 {
				m = fmt.Sprintf("container %q: %s", s.container, m)
			}
			msgs = append(msgs, m)
		}
	}
	// A service may briefly have two containers (one being replaced).
	ws.Ready = min(ws.Ready, ws.Desired)
	switch {
	case failed:
		ws.State = "failed"
	case stopped == len(states):
		ws.State = "stopped"
	case ws.Ready == ws.Desired:
		ws.State = "running"
	default:
		ws.State = "starting"
	}
	ws.Message = strings.Join(msgs, "; ")
	if ws.Restarts > 0 && ws.State != "running" {
		ws.Message = strings.TrimPrefix(fmt.Sprintf("%s (%d restarts)", ws.Message, ws.Restarts), " ")
	}
	return ws
}
