package gitops

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// Deploy commits d's manifests under the configured path, replacing what
// the path held, and pushes; see the package documentation. It returns
// once the commit is pushed: syncing it to the cluster is Argo CD's or
// Flux's, and pave does not wait for it.
func (t *Target) Deploy(ctx context.Context, cfg target.Config, d *target.Deployment, progress target.Progress) error {
	if d == nil {
		return errs.New(errs.Invalid, "gitops target: no deployment")
	}
	if progress == nil {
		progress = func(target.Event) {}
	}
	s, err := parseConfig(cfg, d.App, d.Env)
	if err != nil {
		return err
	}
	r, err := t.renderDeployment(d, s)
	if err != nil {
		return err
	}
	where := fmt.Sprintf("path %s of branch %s of %s", s.dir, s.branch, s.display)
	for _, w := range d.Workloads {
		progress(target.Event{Time: time.Now(), Workload: w.Name, Phase: "applying", Message: "writing its manifests to " + where})
	}
	build := func(existing existingFile) (map[string][]byte, error) {
		files := maps.Clone(r.files)
		enc, err := t.secretFiles(r, s, existing)
		if err != nil {
			return nil, err
		}
		maps.Copy(files, enc)
		return files, nil
	}
	// Repository-wide events (a rebase) are every workload's.
	perWorkload := func(ev target.Event) {
		if ev.Workload != "" || len(d.Workloads) == 0 {
			progress(ev)
			return
		}
		for _, w := range d.Workloads {
			ev.Workload = w.Name
			progress(ev)
		}
	}
	out, err := t.commit(ctx, s, deployMessage(d, s), build, perWorkload)
	if err != nil {
		return errs.Prefix(fmt.Sprintf("deploy %s to %s", d.App, d.Env), err)
	}
	phase, msg := "committed", fmt.Sprintf("commit %s at %s: %s", short(out.head), where, plural(r.objects, "object"))
	if out.unchanged {
		phase, msg = "unchanged", fmt.Sprintf("%s already holds these manifests (commit %s); nothing committed", where, short(out.head))
	} else if len(r.secrets) > 0 {
		msg += ", " + plural(len(r.secrets), "Secret") + " encrypted with age"
	}
	if out.attempts > 1 {
		msg += fmt.Sprintf(" (pushed at attempt %d)", out.attempts)
	}
	if len(d.Workloads) == 0 {
		progress(target.Event{Time: time.Now(), Phase: phase, Message: msg})
	}
	for _, w := range d.Workloads {
		progress(target.Event{Time: time.Now(), Workload: w.Name, Phase: phase, Message: msg})
	}
	return nil
}

// Destroy removes the configured path in one commit and pushes; it commits
// nothing when the path is already gone.
func (t *Target) Destroy(ctx context.Context, cfg target.Config, app, env string) error {
	s, err := parseConfig(cfg, app, env)
	if err != nil {
		return err
	}
	remove := func(existingFile) (map[string][]byte, error) { return nil, nil }
	if _, err := t.commit(ctx, s, destroyMessage(app, env, s), remove, func(target.Event) {}); err != nil {
		return errs.Prefix(fmt.Sprintf("destroy %s in %s", app, env), err)
	}
	return nil
}

// outcome is what commit did.
type outcome struct {
	// head is the branch's head after the commit: the new commit, or the
	// head found when nothing changed (zero when there is no branch).
	head      plumbing.Hash
	unchanged bool
	attempts  int
}

// commit makes the path hold exactly the files build returns (none: the
// path is removed) in one commit on the branch's head, and pushes it. When
// the push fails because the branch moved, it fetches the new head and
// does it again on top of that, at most maxAttempts times in all.
func (t *Target) commit(ctx context.Context, s *settings, message string, build func(existingFile) (map[string][]byte, error), progress target.Progress) (outcome, error) {
	ss, err := openSession(s)
	if err != nil {
		return outcome{}, err
	}
	st := ss.r.Storer
	path := strings.Split(s.dir, "/")
	base, err := ss.fetch(ctx)
	if err != nil {
		return outcome{}, err
	}
	for attempt := 1; ; attempt++ {
		var baseTree plumbing.Hash
		if !base.IsZero() {
			c, err := object.GetCommit(st, base)
			if err != nil {
				return outcome{}, errs.Wrap(errs.Internal, err, "gitops target: read the head commit %s", short(base))
			}
			baseTree = c.TreeHash
		}
		files, err := build(treeReader(st, baseTree, s.dir))
		if err != nil {
			return outcome{}, err
		}
		var sub plumbing.Hash
		if files != nil {
			if sub, err = buildTree(st, files); err != nil {
				return outcome{}, errs.Wrap(errs.Internal, err, "gitops target: build the tree of %s", s.dir)
			}
		}
		root, err := splice(st, baseTree, path, sub)
		if err != nil {
			var pc *pathConflictError
			if errors.As(err, &pc) {
				return outcome{}, errs.New(errs.Conflict, "gitops target: path %s: %s", s.dir, pc.Error())
			}
			return outcome{}, errs.Wrap(errs.Internal, err, "gitops target: build the tree")
		}
		if root == baseTree {
			return outcome{head: base, unchanged: true, attempts: attempt}, nil
		}
		if root.IsZero() {
			if root, err = writeTree(st, nil); err != nil {
				return outcome{}, errs.Wrap(errs.Internal, err, "gitops target: build the tree")
			}
		}
		head, err := writeCommit(st, root, base, s, message)
		if err != nil {
			return outcome{}, errs.Wrap(errs.Internal, err, "gitops target: make the commit")
		}
		if t.beforePush != nil {
			t.beforePush(attempt)
		}
		pushErr := ss.push(ctx, head)
		if pushErr == nil {
			return outcome{head: head, attempts: attempt}, nil
		}
		if ctx.Err() != nil {
			return outcome{}, pushErr
		}
		// A rejected push is told apart from other failures by the branch
		// having moved since it was fetched.
		moved, err := ss.fetch(ctx)
		if err != nil || moved == base {
			return outcome{}, pushErr
		}
		if attempt >= maxAttempts {
			return outcome{}, errs.Wrap(errs.Conflict, pushErr, "gitops target: %s branch %s moved under each of %d pushes; giving up", s.display, s.branch, attempt)
		}
		progress(target.Event{Time: time.Now(), Phase: "rebasing", Message: fmt.Sprintf("branch %s moved to %s; applying %s onto it again (attempt %d of %d)", s.branch, short(moved), s.dir, attempt+1, maxAttempts)})
		base = moved
		select {
		case <-ctx.Done():
			return outcome{}, errs.Wrap(errs.Transient, ctx.Err(), "gitops target: %s", ctx.Err().Error())
		case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
		}
	}
}

func short(h plumbing.Hash) string {
	if h.IsZero() {
		return "(no commit)"
	}
	return h.String()[:12]
}

// deployMessage names the app, environment, deployment and plan, in the
// subject and as trailers tools can read.
func deployMessage(d *target.Deployment, s *settings) string {
	app, env := commentSafe(d.App), commentSafe(d.Env)
	id, plan := orNone(d.DeploymentID), orNone(d.PlanHash)
	return fmt.Sprintf("pave: deploy %s to %s\n\nDeployment %s of app %s to environment %s, plan %s,\nwritten to %s.\n\nPave-App: %s\nPave-Environment: %s\nPave-Deployment: %s\nPave-Plan: %s\n",
		app, env, id, app, env, plan, s.dir, app, env, id, plan)
}

func destroyMessage(app, env string, s *settings) string {
	app, env = commentSafe(app), commentSafe(env)
	return fmt.Sprintf("pave: destroy %s in %s\n\nRemove %s, the manifests of app %s in environment %s.\n\nPave-App: %s\nPave-Environment: %s\n",
		app, env, s.dir, app, env, app, env)
}

func orNone(s string) string {
	if s = strings.TrimSpace(commentSafe(s)); s == "" {
		return "(none)"
	}
	return s
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
