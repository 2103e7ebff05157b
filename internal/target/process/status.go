package process

import (
	"context"
	"fmt"
	"strings"

	"github.com/pavedev/pave/internal/target"
)

// Status reports every workload of app in env: "running" when all its
// processes are ready, "starting" while one is not yet, "failed" when one
// keeps exiting before it gets ready, "stopped" when no supervisor runs
// them. Restarts counts restarts since the workload was last changed.
func (t *Target) Status(ctx context.Context, cfg target.Config, app, env string) ([]target.WorkloadStatus, error) {
	if _, err := parseConfig(cfg); err != nil {
		return nil, err
	}
	l, err := newLayout(t.opts.StateDir, app, env)
	if err != nil {
		return nil, err
	}
	sts, _, err := t.status(ctx, l)
	if err != nil {
		return nil, err
	}
	return aggregate(sts), nil
}

// aggregate folds container statuses, sorted by workload, into workload
// statuses.
func aggregate(sts []containerStatus) []target.WorkloadStatus {
	sortStatuses(sts)
	var out []target.WorkloadStatus
	for i := 0; i < len(sts); {
		j := i
		for j < len(sts) && sts[j].Workload == sts[i].Workload {
			j++
		}
		out = append(out, aggregateOne(sts[i:j]))
		i = j
	}
	return out
}

func aggregateOne(cs []containerStatus) target.WorkloadStatus {
	ws := target.WorkloadStatus{Workload: cs[0].Workload, Desired: len(cs)}
	failed, stopped := false, 0
	var msgs []string
	for _, c := range cs {
		ws.Restarts += c.Restarts
		if c.Ready {
			ws.Ready++
		}
		switch c.State {
		case "failed":
			failed = true
		case "stopped":
			stopped++
		}
		if !c.Ready && c.Message != "" {
			m := c.Message
			if len(cs) > 1 {
				m = fmt.Sprintf("container %q: %s", c.Container, m)
			}
			msgs = append(msgs, m)
		}
	}
	switch {
	case failed:
		ws.State = "failed"
	case stopped == len(cs):
		ws.State = "stopped"
	case ws.Ready == len(cs):
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
