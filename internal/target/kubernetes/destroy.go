package kubernetes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/pavedev/pave/internal/errs"
	kube "github.com/pavedev/pave/internal/render/kubernetes"
	"github.com/pavedev/pave/internal/target"
)

// Destroy deletes every object of app in env, waits until they are gone
// (at most the rollout timeout), then deletes the namespace when pave
// created it for this app environment and no other app environment's
// objects are in it. It does not wait for the namespace to finish
// terminating: that is the cluster's namespace controller's work.
func (t *Target) Destroy(ctx context.Context, cfg target.Config, app, env string) error {
	r, err := t.newRun(cfg, app, env, nil, nil)
	if err != nil {
		return err
	}
	r.red = newRedactor(secretValues(nil, nil, r.s.hashKey))
	return r.red.err(r.destroy(ctx))
}

func (r *run) destroy(ctx context.Context) error {
	inv, err := r.readInventory(ctx)
	if err != nil {
		return err
	}
	kinds := inv.groupKinds(false)
	keep := map[objKey]bool{r.inventoryKey(): true}
	if _, err := r.prune(ctx, keep, kinds, inv.Namespaces); err != nil {
		return err
	}
	if err := r.waitGone(ctx, keep, kinds, inv.Namespaces); err != nil {
		return err
	}
	err = r.c.dyn.Resource(configMapGVR).Namespace(r.ns).Delete(ctx, r.inventoryName(), metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return apiError(err, "kubernetes target: delete inventory ConfigMap %s/%s", r.ns, r.inventoryName())
	}
	return r.deleteNamespace(ctx)
}

// waitGone polls until no object of the app environment but those in
// keep is left, for at most the rollout timeout.
func (r *run) waitGone(ctx context.Context, keep map[objKey]bool, kinds []schema.GroupKind, namespaces []string) error {
	deadline := time.Now().Add(r.s.rolloutTimeout)
	for {
		items, err := r.owned(ctx, kinds, namespaces)
		if err != nil {
			return err
		}
		var left []string
		for _, u := range items {
			if !keep[keyOf(u)] && metav1.GetControllerOfNoCopy(u) == nil {
				item := keyOf(u).String()
				if fin := u.GetFinalizers(); len(fin) > 0 {
					item += " (finalizers " + strings.Join(fin, ", ") + ")"
				}
				left = append(left, item)
			}
		}
		if len(left) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			slices.Sort(left)
			return errs.New(errs.Transient, "kubernetes target: %d objects of %s/%s are still being deleted after %s: %s",
				len(left), r.app, r.env, r.s.rolloutTimeout, strings.Join(left, "; "))
		}
		select {
		case <-ctx.Done():
			return errs.Wrap(errs.Transient, ctx.Err(), "kubernetes target: destroy of %s/%s interrupted while objects were being deleted", r.app, r.env)
		case <-time.After(r.t.poll):
		}
	}
}

// deleteNamespace deletes the run's namespace when pave created it for
// this app environment and no object of another pave app environment is
// in it.
func (r *run) deleteNamespace(ctx context.Context) error {
	nsc := r.c.dyn.Resource(namespaceGVR)
	ns, err := nsc.Get(ctx, r.ns, metav1.GetOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsForbidden(err) {
		return nil
	}
	if err != nil {
		return apiError(err, "kubernetes target: read namespace %q", r.ns)
	}
	if !r.ownsNamespace(ns) || ns.GetDeletionTimestamp() != nil {
		return nil
	}
	others, err := r.otherAppEnvs(ctx)
	if err != nil {
		return err
	}
	if len(others) > 0 {
		return nil
	}
	uid := ns.GetUID()
	err = nsc.Delete(ctx, r.ns, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return apiError(err, "kubernetes target: delete namespace %q", r.ns)
	}
	return nil
}

// otherAppEnvs lists the other pave app environments with objects of the
// managed kinds in the run's namespace, as "app/env".
func (r *run) otherAppEnvs(ctx context.Context) ([]string, error) {
	sel := labels.SelectorFromSet(labels.Set{kube.LabelManagedBy: kube.ManagedByPave}).String()
	seen := map[string]bool{}
	for _, gk := range managedKinds {
		m, err := r.c.mapper.RESTMappingWithContext(ctx, gk)
		if err != nil {
			return nil, apiError(err, "kubernetes target: find kind %s", gk)
		}
		items, err := r.listIn(ctx, m, r.ns, sel)
		if err != nil {
			return nil, err
		}
		for _, u := range items {
			l := u.GetLabels()
			if l[kube.LabelApp] != r.labels[kube.LabelApp] || l[kube.LabelEnv] != r.labels[kube.LabelEnv] {
				seen[fmt.Sprintf("%s/%s", l[kube.LabelApp], l[kube.LabelEnv])] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}
