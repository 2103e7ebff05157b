package process

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// Destroy stops every process of app in env, its supervisor, and removes
// the directory holding their files, logs and state. Nothing to remove is
// success.
func (t *Target) Destroy(ctx context.Context, cfg target.Config, app, env string) error {
	s, err := parseConfig(cfg)
	if err != nil {
		return err
	}
	l, err := newLayout(t.opts.StateDir, app, env)
	if err != nil {
		return err
	}
	if _, err := os.Stat(l.root); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	// The supervisor stops its processes (each given the stop timeout)
	// before it answers, then exits.
	if _, err := call(ctx, l.socketPath(), &request{Op: opShutdown}); err != nil && ctx.Err() != nil {
		return errs.Wrap(errs.Transient, err, "process target: stop the processes of %s/%s", app, env)
	}
	if err := waitUnlocked(ctx, l, s.stopTimeout+10*time.Second); err != nil {
		return err
	}
	t.mu.Lock()
	in := t.inproc[l.root]
	t.mu.Unlock()
	if in != nil {
		<-in.done
	}
	// A supervisor that was killed may have left processes behind.
	if st, err := readState(l.statePath()); err == nil {
		killLeftovers(st, func(string, ...any) {})
	}
	sock := l.socketPath()
	if err := os.RemoveAll(l.root); err != nil {
		return errs.Wrap(errs.Internal, err, "process target: remove %s", l.root)
	}
	os.Remove(sock)
	os.Remove(filepath.Dir(l.root)) // the app's directory, if now empty
	return nil
}
