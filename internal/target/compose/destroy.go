package compose

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// Destroy removes the project's containers, networks and the volumes
// Compose created for it, checks that none is left, then removes what the
// target wrote in the project directory (and the directory, when nothing
// else is in it). It succeeds when there is nothing to remove.
func (t *Target) Destroy(ctx context.Context, cfg target.Config, app, env string) error {
	s, err := parseConfig(cfg)
	if err != nil {
		return err
	}
	p, err := t.project(s, app, env)
	if err != nil {
		return err
	}
	defer t.lock(p.dir)()
	c, err := t.compose(ctx, s)
	if err != nil {
		return err
	}
	red, err := projectRedactor(p.dir)
	if err != nil {
		return err
	}
	// No -f: Compose finds the project's resources by their labels, so a
	// volume it did not create is not removed, and a missing or changed
	// compose.yaml changes nothing.
	if _, err := c.run(ctx, runOpts{args: []string{"-p", p.name, "--progress", "plain", "--ansi", "never", "down", "--remove-orphans", "--volumes"}}); err != nil {
		if ctx.Err() != nil {
			return errs.Wrap(errs.Transient, ctx.Err(), "compose target: destroy of %s/%s interrupted", app, env)
		}
		msg := err.Error()
		if ce, ok := err.(*commandError); ok && ce.stderr != "" {
			msg = lastLines(ce.stderr, 10)
		}
		return &errs.Error{Code: errs.Transient, Message: red.Redact("compose target: destroy of " + app + "/" + env + ": " + msg), Cause: errors.New(red.Redact(err.Error()))}
	}
	left, err := c.leftovers(ctx, p.name)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		return errs.New(errs.Transient, "compose target: destroy of %s/%s left %s", app, env, strings.Join(left, ", "))
	}
	if err := removeProjectDir(p.dir); err != nil {
		return err
	}
	removeEmptyParents(p)
	return nil
}

// leftovers lists what of the project still exists: containers, and, when
// the docker CLI is at hand, networks and volumes labelled with it.
func (c *composeCLI) leftovers(ctx context.Context, name string) ([]string, error) {
	cs, err := c.containers(ctx, name)
	if err != nil {
		return nil, err
	}
	var left []string
	for _, ct := range cs {
		left = append(left, "container "+ct.Name)
	}
	docker, err := lookPath("docker", c.env)
	if err != nil {
		return left, nil
	}
	d := &composeCLI{argv: []string{docker}, env: c.env}
	for _, kind := range []string{"network", "volume"} {
		out, err := d.run(ctx, runOpts{args: []string{kind, "ls", "--quiet", "--filter", "label=com.docker.compose.project=" + name}})
		if err != nil {
			return nil, errs.Wrap(errs.Transient, err, "compose target: list the %ss of project %q: %s", kind, name, firstLine(err.Error()))
		}
		for _, id := range strings.Fields(string(out)) {
			left = append(left, kind+" "+id)
		}
	}
	return left, nil
}

// removeProjectDir removes what the target writes in dir, then dir when
// it is empty: a project directory given in the config may hold other
// things, which stay.
func removeProjectDir(dir string) error {
	removeTemps(dir)
	for _, name := range []string{composeFile, filesDir, secretsDir} {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return errs.Wrap(errs.Internal, err, "compose target: remove %s", filepath.Join(dir, name))
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		if entries, rerr := os.ReadDir(dir); rerr == nil && len(entries) > 0 {
			return nil // someone else's files
		}
		return errs.Wrap(errs.Internal, err, "compose target: remove %s", dir)
	}
	return nil
}
