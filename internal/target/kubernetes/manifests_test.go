package kubernetes

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/pavedev/pave/internal/target"
)

var (
	crdGVR         = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	widgetGVR      = schema.GroupVersionResource{Group: "widgets.example.com", Version: "v1", Resource: "widgets"}
	clusterRoleGVR = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"}
)

func widgetCRD() map[string]any {
	return map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "widgets.widgets.example.com"},
		"spec": map[string]any{
			"group": "widgets.example.com",
			"names": map[string]any{"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
			"scope": "Namespaced",
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object", "x-kubernetes-preserve-unknown-fields": true,
				}},
			}},
		},
	}
}

// TestExtraManifests: extra manifests of any kind are applied (a custom
// resource in the same deploy as its definition, a cluster-scoped
// object), pruned when they go even though their kind is none pave
// generates (the inventory remembers it), except the definition, and
// destroyed with the app environment.
func TestExtraManifests(t *testing.T) {
	kc := requireCluster(t)
	c := adminClient(t)
	ctx := context.Background()
	tgt := New(Options{PollInterval: 100 * time.Millisecond})
	const ns = "gadgets-dev"
	stop := rolloutSimulator(t, c, ns)
	defer stop()

	widget := map[string]any{"apiVersion": "widgets.example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w1"}, "spec": map[string]any{"size": int64(3)}}
	role := map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
		"metadata": map[string]any{"name": "gadgets-dev-reader"},
		"rules":    []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"pods"}, "verbs": []any{"get"}}}}
	d := sample("gadgets", "dev", "1", false, false)
	d.Manifests = []map[string]any{widgetCRD(), widget, role}
	if err := tgt.Deploy(ctx, config(kc), d, nil); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	w := get(t, c, widgetGVR, ns, "w1")
	if !hasLabels(w.GetLabels(), map[string]string{"pave.dev/app": "gadgets", "pave.dev/env": "dev"}) {
		t.Errorf("Widget labels = %v", w.GetLabels())
	}
	get(t, c, clusterRoleGVR, "", "gadgets-dev-reader")
	get(t, c, crdGVR, "", "widgets.widgets.example.com")

	// Without the Widget and the ClusterRole (and the definition).
	if err := tgt.Deploy(ctx, config(kc), sample("gadgets", "dev", "1", false, false), nil); err != nil {
		t.Fatalf("redeploy: %v", err)
	}
	absent(t, c, widgetGVR, ns, "w1")
	absent(t, c, clusterRoleGVR, "", "gadgets-dev-reader")
	get(t, c, crdGVR, "", "widgets.widgets.example.com") // never pruned

	if err := tgt.Destroy(ctx, config(kc), "gadgets", "dev"); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	absent(t, c, crdGVR, "", "widgets.widgets.example.com") // destroyed with the rest
	assertNothingLeft(t, c, "gadgets", "dev", ns)
}

// TestSharedNamespace: app environments sharing a namespace pave did not
// create leave each other, the namespace and unlabelled objects alone;
// one sharing a namespace pave created for another keeps it alive.
func TestSharedNamespace(t *testing.T) {
	kc := requireCluster(t)
	c := adminClient(t)
	ctx := context.Background()
	tgt := New(Options{PollInterval: 100 * time.Millisecond})
	create(t, c, namespaceGVR, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "team"}})
	create(t, c, configMapGVR, map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "hand-made", "namespace": "team"}})
	for _, ns := range []string{"team", "alpha-dev"} {
		stop := rolloutSimulator(t, c, ns)
		defer stop()
	}
	one := func(app, workload string) *target.Deployment {
		return &target.Deployment{App: app, Env: "dev", Workloads: []target.Workload{{
			Name: workload, Containers: []target.Container{{Name: "main", Image: "registry.example/" + workload + ":1"}},
		}}}
	}
	for _, step := range []struct {
		app, workload, ns string
	}{{"a", "a-web", "team"}, {"b", "b-web", "team"}, {"alpha", "alpha-web", ""}, {"beta", "beta-web", "alpha-dev"}} {
		cfg := config(kc)
		if step.ns != "" {
			cfg["namespace"] = step.ns
		}
		if err := tgt.Deploy(ctx, cfg, one(step.app, step.workload), nil); err != nil {
			t.Fatalf("deploy %s: %v", step.app, err)
		}
	}
	if err := tgt.Destroy(ctx, config(kc, "namespace", "team"), "a", "dev"); err != nil {
		t.Fatal(err)
	}
	absent(t, c, deploymentsGVR, "team", "a-web")
	get(t, c, deploymentsGVR, "team", "b-web")
	get(t, c, configMapGVR, "team", "hand-made")
	if ns := get(t, c, namespaceGVR, "", "team"); ns.GetDeletionTimestamp() != nil {
		t.Error("namespace team, which pave did not create, is being deleted")
	}
	if err := tgt.Destroy(ctx, config(kc, "namespace", "team"), "b", "dev"); err != nil {
		t.Fatal(err)
	}
	if ns := get(t, c, namespaceGVR, "", "team"); ns.GetDeletionTimestamp() != nil {
		t.Error("namespace team, which pave did not create, is being deleted")
	}

	// alpha-dev was created by pave for alpha, and beta deploys there too.
	if err := tgt.Destroy(ctx, config(kc), "alpha", "dev"); err != nil {
		t.Fatal(err)
	}
	absent(t, c, deploymentsGVR, "alpha-dev", "alpha-web")
	get(t, c, deploymentsGVR, "alpha-dev", "beta-web")
	if ns := get(t, c, namespaceGVR, "", "alpha-dev"); ns.GetDeletionTimestamp() != nil {
		t.Error("namespace alpha-dev is being deleted while beta/dev still uses it")
	}
	if err := tgt.Destroy(ctx, config(kc, "namespace", "alpha-dev"), "beta", "dev"); err != nil {
		t.Fatal(err)
	}
	assertNothingLeft(t, c, "beta", "dev", "alpha-dev")
}
