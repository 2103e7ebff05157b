package compose

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	rendercompose "github.com/pavedev/pave/internal/render/compose"
)

// container is one container of the project as `docker compose ps` and
// `docker inspect` describe it.
type container struct {
	ID      string
	Name    string
	Service string
	// Workload and Container come from pave's labels.
	Workload  string
	Container string
	// State is Docker's: created, running, paused, restarting, removing,
	// exited or dead.
	State string
	// Health is "", starting, healthy or unhealthy.
	Health   string
	ExitCode int
	// Status is Docker's human summary ("Up 3 minutes (healthy)").
	Status   string
	Restarts int
}

// psEntry is one container in `docker compose ps --format json`: one JSON
// object per line since Compose 2.21, one JSON array before.
type psEntry struct {
	ID       string          `json:"ID"`
	Name     string          `json:"Name"`
	Service  string          `json:"Service"`
	State    string          `json:"State"`
	Health   string          `json:"Health"`
	ExitCode int             `json:"ExitCode"`
	Status   string          `json:"Status"`
	Labels   json.RawMessage `json:"Labels"`
}

// parsePS reads `docker compose ps --format json` output.
func parsePS(out []byte) ([]container, error) {
	out = bytes.TrimSpace(out)
	if len(out) == 0 {
		return nil, nil
	}
	var entries []psEntry
	if out[0] == '[' {
		if err := json.Unmarshal(out, &entries); err != nil {
			return nil, fmt.Errorf("read docker compose ps output: %w", err)
		}
	} else {
		dec := json.NewDecoder(bytes.NewReader(out))
		for dec.More() {
			var e psEntry
			if err := dec.Decode(&e); err != nil {
				return nil, fmt.Errorf("read docker compose ps output: %w", err)
			}
			entries = append(entries, e)
		}
	}
	cs := make([]container, 0, len(entries))
	for _, e := range entries {
		if e.Service == "" {
			return nil, fmt.Errorf("read docker compose ps output: container %q has no service", e.Name)
		}
		c := container{
			ID: e.ID, Name: e.Name, Service: e.Service, State: strings.ToLower(e.State),
			Health: strings.ToLower(e.Health), ExitCode: e.ExitCode, Status: e.Status,
		}
		labels := psLabels(e.Labels)
		c.Workload, c.Container = labels[rendercompose.LabelWorkload], labels[rendercompose.LabelContainer]
		cs = append(cs, c)
	}
	return cs, nil
}

// psLabels reads the Labels of a ps entry: a map, or the docker CLI's
// "k=v,k=v" string (ambiguous when a value holds a comma, which pave's
// workload and container names never do).
func psLabels(raw json.RawMessage) map[string]string {
	var m map[string]string
	if json.Unmarshal(raw, &m) == nil {
		return m
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil
	}
	m = map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// inspectEntry is what the target reads of `docker inspect`.
type inspectEntry struct {
	ID           string `json:"Id"`
	RestartCount int    `json:"RestartCount"`
	Config       struct {
		Labels map[string]string `json:"Labels"`
	} `json:"Config"`
}

// containers lists every container of the project, stopped ones too. With
// the docker CLI at hand, `docker inspect` adds restart counts and exact
// labels.
func (c *composeCLI) containers(ctx context.Context, name string) ([]container, error) {
	out, err := c.run(ctx, runOpts{args: []string{"-p", name, "ps", "--all", "--format", "json"}})
	if err != nil {
		return nil, errs.Wrap(errs.Transient, err, "compose target: list the containers of project %q: %s", name, firstLine(err.Error()))
	}
	cs, err := parsePS(out)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "compose target: %s", err.Error())
	}
	if len(cs) == 0 {
		return nil, nil
	}
	docker, err := lookPath("docker", c.env)
	if err != nil {
		return cs, nil
	}
	ids := make([]string, 0, len(cs))
	for _, ct := range cs {
		ids = append(ids, ct.ID)
	}
	d := &composeCLI{argv: []string{docker, "inspect"}, env: c.env}
	out, err = d.run(ctx, runOpts{args: ids})
	if err != nil {
		// A container removed between ps and inspect: the ps data stands.
		return cs, nil
	}
	var entries []inspectEntry
	if err := json.Unmarshal(out, &entries); err != nil {
		return cs, nil
	}
	byID := make(map[string]inspectEntry, len(entries))
	for _, e := range entries {
		byID[e.ID] = e
	}
	for i := range cs {
		e, ok := byID[cs[i].ID]
		if !ok {
			for id, ie := range byID {
				if strings.HasPrefix(id, cs[i].ID) {
					e, ok = ie, true
				}
			}
		}
		if !ok {
			continue
		}
		cs[i].Restarts = e.RestartCount
		if w := e.Config.Labels[rendercompose.LabelWorkload]; w != "" {
			cs[i].Workload = w
			cs[i].Container = e.Config.Labels[rendercompose.LabelContainer]
		}
	}
	return cs, nil
}
