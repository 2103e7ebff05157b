package kubernetes

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/pavedev/pave/internal/errs"
)

var namespaceGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

// ensureNamespace creates the run's namespace when it is missing, labelled
// with the app environment's labels: that is how Destroy knows pave created
// it. An existing namespace is left as it is. A user who may not read
// namespaces is trusted to deploy into an existing one.
func (r *run) ensureNamespace(ctx context.Context) error {
	nsc := r.c.dyn.Resource(namespaceGVR)
	cur, err := nsc.Get(ctx, r.ns, metav1.GetOptions{})
	switch {
	case err == nil:
		if phase, _, _ := unstructured.NestedString(cur.Object, "status", "phase"); phase == "Terminating" {
			return errs.New(errs.Conflict, "kubernetes target: namespace %q is being deleted; deploy again once it is gone", r.ns)
		}
		return nil
	case apierrors.IsForbidden(err):
		return nil
	case !apierrors.IsNotFound(err):
		return apiError(err, "kubernetes target: read namespace %q", r.ns)
	}
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace"}}
	ns.SetName(r.ns)
	ns.SetLabels(r.labels)
	if _, err := nsc.Create(ctx, ns, metav1.CreateOptions{FieldManager: FieldManager}); err != nil && !apierrors.IsAlreadyExists(err) {
		return apiError(err, "kubernetes target: create namespace %q", r.ns)
	}
	r.emit("", "applying", "created namespace %s", r.ns)
	return nil
}

// ownsNamespace reports whether pave created ns for this app environment.
func (r *run) ownsNamespace(ns *unstructured.Unstructured) bool {
	return hasLabels(ns.GetLabels(), r.labels)
}

// hasLabels reports whether have holds every label of want.
func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}
