package kubernetes

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/pavedev/pave/internal/errs"
	kube "github.com/pavedev/pave/internal/render/kubernetes"
	"github.com/pavedev/pave/internal/target"
)

// run is one operation on one app environment of a cluster.
type run struct {
	t        *Target
	c        *cluster
	s        settings
	app, env string
	ns       string
	// labels select the app environment's objects (see kube.AppLabels).
	labels   map[string]string
	red      *redactor
	progress target.Progress
}

// newRun parses cfg and connects to the cluster for app in env.
func (t *Target) newRun(cfg target.Config, app, env string, red *redactor, progress target.Progress) (*run, error) {
	s, err := parseConfig(cfg)
	if err != nil {
		return nil, err
	}
	if app == "" || env == "" {
		return nil, errs.New(errs.Invalid, "kubernetes target: an app and an environment are needed")
	}
	ns := s.namespace
	if ns == "" {
		if ns = kube.DefaultNamespace(app, env); ns == "" {
			return nil, errs.New(errs.Invalid, "kubernetes target: app %q and environment %q give no usable namespace name; set namespace in the target config", app, env)
		}
	}
	c, err := connect(s)
	if err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(target.Event) {}
	}
	return &run{t: t, c: c, s: s, app: app, env: env, ns: ns,
		labels: kube.AppLabels(app, env), red: red, progress: progress}, nil
}

func (r *run) emit(workload, phase, format string, args ...any) {
	r.progress(target.Event{Time: time.Now(), Workload: workload, Phase: phase, Message: r.red.String(fmt.Sprintf(format, args...))})
}

// Deploy applies d to the cluster, prunes what the previous deployment of
// the app environment had and d has not, and waits for the rollout.
func (t *Target) Deploy(ctx context.Context, cfg target.Config, d *target.Deployment, progress target.Progress) error {
	if d == nil {
		return errs.New(errs.Invalid, "kubernetes target: no deployment")
	}
	s, err := parseConfig(cfg)
	if err != nil {
		return err
	}
	res, err := kube.Render(d, kube.Options{Namespace: s.namespace, OmitNamespace: true, HashKey: s.hashKey})
	if err != nil {
		return err
	}
	red := newRedactor(secretValues(d, res.Secrets, s.hashKey))
	r, err := t.newRun(cfg, d.App, d.Env, red, progress)
	if err != nil {
		return red.err(err)
	}
	return red.err(r.deploy(ctx, res))
}

func (r *run) deploy(ctx context.Context, res *kube.Result) error {
	objs := res.All()
	if err := r.ensureNamespace(ctx); err != nil {
		return err
	}
	prev, err := r.readInventory(ctx)
	if err != nil {
		return err
	}
	next := newInventory(r.ns)
	for _, o := range objs {
		u := &unstructured.Unstructured{Object: o}
		next.addKind(u.GroupVersionKind())
		if ns := u.GetNamespace(); ns != "" {
			next.addNamespace(ns)
		}
	}
	// Until the prune has run, the inventory lists what either deployment
	// used, so that an interrupted deploy still prunes next time.
	if err := r.writeInventory(ctx, prev.union(next)); err != nil {
		return err
	}
	applied, err := r.applyAll(ctx, objs)
	if err != nil {
		return err
	}
	keep := map[objKey]bool{r.inventoryKey(): true}
	var workloads []*unstructured.Unstructured
	for _, a := range applied {
		keep[a.key] = true
		if ns := a.obj.GetNamespace(); ns != "" {
			next.addNamespace(ns)
		}
		if isWorkload(a.key) {
			workloads = append(workloads, a.obj)
		}
	}
	kinds := prev.union(next).groupKinds(true)
	if _, err := r.prune(ctx, keep, kinds, prev.union(next).Namespaces); err != nil {
		return err
	}
	// Kinds never pruned stay listed: their objects are left, and Destroy
	// must still find them.
	for _, k := range prev.Kinds {
		if gvk := schema.FromAPIVersionAndKind(k.APIVersion, k.Kind); neverPruned(gvk.GroupKind()) {
			next.addKind(gvk)
		}
	}
	if err := r.writeInventory(ctx, next); err != nil {
		return err
	}
	return r.waitRollout(ctx, workloads)
}
