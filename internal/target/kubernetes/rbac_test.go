package kubernetes

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/pavedev/pave/internal/testenv/kubetest"
)

var (
	roleGVR        = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"}
	roleBindingGVR = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"}
)

// TestNamespaceScopedCredentials: a user who may do anything in one
// namespace and nothing cluster-wide (cannot read namespaces, cannot list
// across namespaces) deploys, prunes, reads status and destroys there.
func TestNamespaceScopedCredentials(t *testing.T) {
	cluster := kubetest.APIServer(t)
	c := cluster.Client(t)
	ctx := context.Background()
	const ns = "restricted"
	create(t, c, namespaceGVR, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}})
	create(t, c, roleGVR, map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
		"metadata": map[string]any{"name": "everything", "namespace": ns},
		"rules":    []any{map[string]any{"apiGroups": []any{"*"}, "resources": []any{"*"}, "verbs": []any{"*"}}}})
	create(t, c, roleBindingGVR, map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
		"metadata": map[string]any{"name": "dev-everything", "namespace": ns},
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "everything"},
		"subjects": []any{map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "dev"}}})
	user, err := cluster.Env.AddUser(envtest.User{Name: "dev"}, cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	stop := rolloutSimulator(t, c, ns)
	defer stop()

	tgt := New(Options{PollInterval: 100 * time.Millisecond})
	cfg := config(kc, "namespace", ns)
	var evs events
	if err := tgt.Deploy(ctx, cfg, sample("limited", "dev", "1", true, false), evs.add); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	get(t, c, deploymentsGVR, ns, "worker")
	if err := tgt.Deploy(ctx, cfg, sample("limited", "dev", "2", false, false), evs.add); err != nil {
		t.Fatalf("redeploy: %v", err)
	}
	absent(t, c, deploymentsGVR, ns, "worker")
	if !evs.has("pruned", "worker", "") {
		t.Errorf("worker was not reported pruned: %+v", evs.evs)
	}
	st, err := tgt.Status(ctx, cfg, "limited", "dev")
	if err != nil || len(st) != 1 || st[0].State != "running" {
		t.Errorf("status = %+v, %v; want api running", st, err)
	}
	if err := tgt.Destroy(ctx, cfg, "limited", "dev"); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	assertNothingLeft(t, c, "limited", "dev", ns)
	if got := get(t, c, namespaceGVR, "", ns); got.GetDeletionTimestamp() != nil {
		t.Error("the namespace pave did not create is being deleted")
	}
}
