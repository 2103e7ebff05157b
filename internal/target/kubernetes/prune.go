package kubernetes

import (
	"context"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/pavedev/pave/internal/errs"
	kube "github.com/pavedev/pave/internal/render/kubernetes"
)

// listPage is the page size of list requests.
const listPage = 500

// selector selects the app environment's objects: managed by pave, with
// its pave.dev/app and pave.dev/env.
func (r *run) selector() string {
	return labels.SelectorFromSet(labels.Set{
		kube.LabelManagedBy: r.labels[kube.LabelManagedBy],
		kube.LabelApp:       r.labels[kube.LabelApp],
		kube.LabelEnv:       r.labels[kube.LabelEnv],
	}).String()
}

// owned lists the app environment's objects of the given kinds: across
// all namespaces when the credentials allow it, else in namespaces. Kinds
// the cluster no longer serves are skipped.
func (r *run) owned(ctx context.Context, kinds []schema.GroupKind, namespaces []string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, gk := range kinds {
		m, err := r.c.mapper.RESTMappingWithContext(ctx, gk)
		if meta.IsNoMatchError(err) {
			continue
		}
		if err != nil {
			return nil, apiError(err, "kubernetes target: find kind %s", gk)
		}
		items, err := r.list(ctx, m, r.selector(), namespaces)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// list lists the objects of m's resource that match sel, across all
// namespaces, or in each of namespaces when that is forbidden.
func (r *run) list(ctx context.Context, m *meta.RESTMapping, sel string, namespaces []string) ([]*unstructured.Unstructured, error) {
	if !namespaced(m) {
		return r.listIn(ctx, m, "", sel)
	}
	items, err := r.listIn(ctx, m, "", sel)
	if err == nil || !errs.Is(err, errs.Forbidden) {
		return items, err
	}
	items = nil
	for _, ns := range namespaces {
		got, err := r.listIn(ctx, m, ns, sel)
		if err != nil {
			return nil, err
		}
		items = append(items, got...)
	}
	return items, nil
}

func (r *run) listIn(ctx context.Context, m *meta.RESTMapping, ns, sel string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	opts := metav1.ListOptions{LabelSelector: sel, Limit: listPage}
	for {
		l, err := r.c.resource(m, ns).List(ctx, opts)
		if err != nil {
			where := "all namespaces"
			if ns != "" {
				where = "namespace " + ns
			}
			return nil, apiError(err, "kubernetes target: list %s in %s", m.Resource.Resource, where)
		}
		for i := range l.Items {
			item := &l.Items[i]
			item.SetGroupVersionKind(m.GroupVersionKind)
			out = append(out, item)
		}
		if opts.Continue = l.GetContinue(); opts.Continue == "" {
			return out, nil
		}
	}
}

// prune deletes the app environment's objects of kinds that keep does not
// hold, in reverse apply order, and returns what it deleted. Objects a
// controller owns (Pods and ReplicaSets inherit a workload's labels) are
// the controller's business and left alone.
func (r *run) prune(ctx context.Context, keep map[objKey]bool, kinds []schema.GroupKind, namespaces []string) ([]objKey, error) {
	items, err := r.owned(ctx, kinds, namespaces)
	if err != nil {
		return nil, err
	}
	var victims []*unstructured.Unstructured
	for _, u := range items {
		// The selector found it; the check guards against a server that
		// ignored it: pave never deletes what it does not own.
		if !keep[keyOf(u)] && hasLabels(u.GetLabels(), r.labels) && u.GetDeletionTimestamp() == nil &&
			metav1.GetControllerOfNoCopy(u) == nil {
			victims = append(victims, u)
		}
	}
	slices.SortStableFunc(victims, func(a, b *unstructured.Unstructured) int {
		return kube.Compare(b.Object, a.Object)
	})
	var gone []objKey
	for _, u := range victims {
		m, err := r.c.mapping(ctx, u.GroupVersionKind())
		if err != nil {
			return gone, err
		}
		uid := u.GetUID()
		policy := metav1.DeletePropagationBackground
		err = r.c.resource(m, u.GetNamespace()).Delete(ctx, u.GetName(), metav1.DeleteOptions{
			Preconditions:     &metav1.Preconditions{UID: &uid},
			PropagationPolicy: &policy,
		})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			return gone, apiError(err, "kubernetes target: delete %s", keyOf(u))
		}
		r.emit(u.GetLabels()[kube.LabelWorkload], "pruned", "%s", keyOf(u))
		gone = append(gone, keyOf(u))
	}
	return gone, nil
}
