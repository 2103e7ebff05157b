package kubernetes

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/pavedev/pave/internal/errs"
	kube "github.com/pavedev/pave/internal/render/kubernetes"
)

// objKey identifies an object across API versions.
type objKey struct {
	Group, Kind, Namespace, Name string
}

func (k objKey) String() string {
	kind := k.Kind
	if k.Group != "" {
		kind += "." + k.Group
	}
	if k.Namespace == "" {
		return kind + " " + k.Name
	}
	return kind + " " + k.Namespace + "/" + k.Name
}

func keyOf(u *unstructured.Unstructured) objKey {
	gvk := u.GroupVersionKind()
	return objKey{Group: gvk.Group, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}

// isWorkload reports whether k is a Deployment or StatefulSet, whose
// rollout a deploy waits for.
func isWorkload(k objKey) bool {
	return k.Group == "apps" && (k.Kind == "Deployment" || k.Kind == "StatefulSet")
}

// applied is an object as the API server returned it after applying.
type applied struct {
	key objKey
	obj *unstructured.Unstructured
}

// crdWait bounds how long an object waits for its kind to be served when
// a CustomResourceDefinition applied by the same deploy defines it.
const crdWait = 30 * time.Second

// applyAll server-side applies objs in order. A namespaced object without
// a namespace goes into the run's namespace; a cluster-scoped one must not
// name a namespace.
func (r *run) applyAll(ctx context.Context, objs []map[string]any) ([]applied, error) {
	out := make([]applied, 0, len(objs))
	appliedCRD := false
	for _, o := range objs {
		u := &unstructured.Unstructured{Object: o}
		gvk := u.GroupVersionKind()
		m, err := r.mappingFor(ctx, gvk, appliedCRD)
		if err != nil {
			return nil, errs.Prefix(what(u), err)
		}
		if namespaced(m) {
			if u.GetNamespace() == "" {
				u.SetNamespace(r.ns)
			}
		} else if u.GetNamespace() != "" {
			return nil, errs.New(errs.Invalid, "%s: kind %s is cluster-scoped; remove metadata.namespace", what(u), gvk.Kind)
		}
		workload := u.GetLabels()[kube.LabelWorkload]
		r.emit(workload, "applying", "%s", keyOf(u))
		got, err := r.c.resource(m, u.GetNamespace()).Apply(ctx, u.GetName(), u,
			metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
		if err != nil {
			return nil, apiError(err, "kubernetes target: apply %s", keyOf(u))
		}
		if gvk.GroupKind() == (schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}) {
			appliedCRD = true
		}
		out = append(out, applied{key: keyOf(got), obj: got})
	}
	return out, nil
}

// mappingFor maps gvk; when a CustomResourceDefinition was applied just
// before, a kind not served yet is looked up again until it is, for at
// most crdWait.
func (r *run) mappingFor(ctx context.Context, gvk schema.GroupVersionKind, retry bool) (*meta.RESTMapping, error) {
	deadline := time.Now().Add(crdWait)
	for {
		m, err := r.c.mapping(ctx, gvk)
		if err == nil || !retry || !errs.Is(err, errs.Invalid) || time.Now().After(deadline) {
			return m, err
		}
		select {
		case <-ctx.Done():
			return nil, apiError(ctx.Err(), "kubernetes target: wait for kind %s to be served", gvk.Kind)
		case <-time.After(500 * time.Millisecond):
		}
		r.c.mapper.ResetWithContext(ctx)
	}
}

// what names an object for messages: "Kind namespace/name".
func what(u *unstructured.Unstructured) string {
	return "kubernetes target: " + keyOf(u).String()
}
