package process

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// Logs returns the last tail lines the processes of a workload wrote, all
// its containers merged in time order; tail <= 0 returns every line kept.
// A line is "<time> <container> <stream> <text>", stream being out, err,
// or pave for the supervisor's notes (started, exited, restarting). Secret
// values were redacted when the lines were written.
func (t *Target) Logs(ctx context.Context, cfg target.Config, app, env, workload string, tail int) ([]string, error) {
	if _, err := parseConfig(cfg); err != nil {
		return nil, err
	}
	l, err := newLayout(t.opts.StateDir, app, env)
	if err != nil {
		return nil, err
	}
	if err := checkName("workload", workload); err != nil {
		return nil, err
	}
	lines, err := workloadLogs(l, workload, tail)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errs.New(errs.NotFound, "process target: workload %q has no logs in app %q environment %q", workload, app, env)
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "process target: read the logs of workload %q", workload)
	}
	return lines, nil
}

// workloadLogs merges the last n lines of each container of a workload.
func workloadLogs(l layout, workload string, n int) ([]string, error) {
	if n <= 0 {
		n = math.MaxInt32
	}
	entries, err := os.ReadDir(filepath.Join(l.root, workload))
	if err != nil {
		return nil, err
	}
	var all []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		lines, err := tailLog(l.logPath(workload, e.Name()), n)
		if err != nil {
			return nil, err
		}
		all = append(all, lines...)
	}
	// Lines start with a fixed-width time: sorting by it merges containers
	// and keeps each one's order.
	slices.SortStableFunc(all, func(a, b string) int { return compareTime(a, b) })
	if len(all) > n {
		all = all[len(all)-n:]
	}
	return all, nil
}

func compareTime(a, b string) int {
	w := len(logTimeFormat)
	ta, tb := a[:min(w, len(a))], b[:min(w, len(b))]
	switch {
	case ta < tb:
		return -1
	case ta > tb:
		return 1
	}
	return 0
}
