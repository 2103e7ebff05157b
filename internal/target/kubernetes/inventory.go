package kubernetes

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/pavedev/pave/internal/errs"
	kube "github.com/pavedev/pave/internal/render/kubernetes"
)

// inventoryDataKey is the data key of the inventory ConfigMap.
const inventoryDataKey = "inventory.json"

var configMapGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// inventory records what an app environment has applied: the kinds (with
// the apiVersion last applied) and the namespaces of its objects. It holds
// no secret values.
type inventory struct {
	Kinds      []kindRef `json:"kinds"`
	Namespaces []string  `json:"namespaces"`
}

// kindRef is one kind of object.
type kindRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

func newInventory(ns string) *inventory { return &inventory{Namespaces: []string{ns}} }

func (inv *inventory) addKind(gvk schema.GroupVersionKind) {
	ref := kindRef{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind}
	if !slices.Contains(inv.Kinds, ref) {
		inv.Kinds = append(inv.Kinds, ref)
	}
}

func (inv *inventory) addNamespace(ns string) {
	if !slices.Contains(inv.Namespaces, ns) {
		inv.Namespaces = append(inv.Namespaces, ns)
	}
}

// union returns what inv or other lists, sorted.
func (inv *inventory) union(other *inventory) *inventory {
	out := &inventory{}
	for _, x := range []*inventory{inv, other} {
		for _, k := range x.Kinds {
			out.addKind(schema.FromAPIVersionAndKind(k.APIVersion, k.Kind))
		}
		for _, ns := range x.Namespaces {
			out.addNamespace(ns)
		}
	}
	out.sort()
	return out
}

func (inv *inventory) sort() {
	slices.SortFunc(inv.Kinds, func(a, b kindRef) int {
		if a.Kind != b.Kind {
			return strings.Compare(a.Kind, b.Kind)
		}
		return strings.Compare(a.APIVersion, b.APIVersion)
	})
	slices.Sort(inv.Namespaces)
}

// managedKinds are the kinds pave's renderer generates; they are pruned
// and destroyed whether or not an inventory lists them.
var managedKinds = []schema.GroupKind{
	{Group: "apps", Kind: "Deployment"},
	{Group: "apps", Kind: "StatefulSet"},
	{Kind: "Service"},
	{Kind: "ConfigMap"},
	{Kind: "Secret"},
}

// groupKinds returns the managed kinds and the inventory's, each once.
// With forPrune, Namespaces and CustomResourceDefinitions are left out:
// deleting one deletes everything it holds, so only Destroy does.
func (inv *inventory) groupKinds(forPrune bool) []schema.GroupKind {
	set := map[schema.GroupKind]bool{}
	for _, gk := range managedKinds {
		set[gk] = true
	}
	for _, k := range inv.Kinds {
		gk := schema.FromAPIVersionAndKind(k.APIVersion, k.Kind).GroupKind()
		if forPrune && neverPruned(gk) {
			continue
		}
		set[gk] = true
	}
	return slices.SortedFunc(maps.Keys(set), func(a, b schema.GroupKind) int {
		return strings.Compare(a.String(), b.String())
	})
}

func neverPruned(gk schema.GroupKind) bool {
	return gk == schema.GroupKind{Kind: "Namespace"} ||
		gk == schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}
}

// inventoryName is the name of the app environment's inventory ConfigMap:
// readable, and unique per app and environment even in a shared namespace.
func (r *run) inventoryName() string {
	sum := sha256.Sum256([]byte(r.app + "\x00" + r.env))
	name := "pave-inventory-" + kube.DefaultNamespace(r.app, r.env)
	return name + "-" + hex.EncodeToString(sum[:4])
}

func (r *run) inventoryKey() objKey {
	return objKey{Kind: "ConfigMap", Namespace: r.ns, Name: r.inventoryName()}
}

// readInventory returns the recorded inventory, or an empty one when there
// is none (or the ConfigMap there is not this app environment's).
func (r *run) readInventory(ctx context.Context) (*inventory, error) {
	inv := newInventory(r.ns)
	cm, err := r.c.dyn.Resource(configMapGVR).Namespace(r.ns).Get(ctx, r.inventoryName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return inv, nil
	}
	if err != nil {
		return nil, apiError(err, "kubernetes target: read inventory ConfigMap %s/%s", r.ns, r.inventoryName())
	}
	if !hasLabels(cm.GetLabels(), r.labels) {
		return inv, nil
	}
	data, _, _ := unstructured.NestedString(cm.Object, "data", inventoryDataKey)
	var rec inventory
	if err := json.Unmarshal([]byte(data), &rec); err != nil {
		// A damaged inventory only costs pruning of kinds it listed.
		return inv, nil
	}
	return inv.union(&rec), nil
}

// writeInventory applies the inventory ConfigMap.
func (r *run) writeInventory(ctx context.Context, inv *inventory) error {
	inv.sort()
	b, err := json.Marshal(inv)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "kubernetes target: encode inventory")
	}
	labels := map[string]any{}
	for k, v := range r.labels {
		labels[k] = v
	}
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "ConfigMap",
		"metadata": map[string]any{
			"name":      r.inventoryName(),
			"namespace": r.ns,
			"labels":    labels,
			"annotations": map[string]any{
				"pave.dev/description": "what pave has applied for this app environment (kinds and namespaces), for pruning",
			},
		},
		"data": map[string]any{inventoryDataKey: string(b)},
	}}
	_, err = r.c.dyn.Resource(configMapGVR).Namespace(r.ns).Apply(ctx, r.inventoryName(), cm,
		metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	if err != nil {
		return apiError(err, "kubernetes target: apply inventory ConfigMap %s/%s", r.ns, r.inventoryName())
	}
	return nil
}
