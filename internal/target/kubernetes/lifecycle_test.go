package kubernetes

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/pavedev/pave/internal/errs"
	kube "github.com/pavedev/pave/internal/render/kubernetes"
	"github.com/pavedev/pave/internal/target"
)

const samplePassword = "s3cret-pa55word-Zq9"

// sample is a deployment of two workloads: "api" with a plain and a secret
// variable, a file and a service port, and "worker" (when withWorker); plus
// a ServiceAccount as an extra manifest (when withRobot).
func sample(app, env, apiVersion string, withWorker, withRobot bool) *target.Deployment {
	d := &target.Deployment{App: app, Env: env, EnvType: "development"}
	d.Workloads = append(d.Workloads, target.Workload{
		Name: "api",
		Containers: []target.Container{{
			Name:  "main",
			Image: "registry.example/api:" + apiVersion,
			Variables: []target.Variable{
				{Name: "API_VERSION", Value: target.Value{Text: apiVersion}},
				{Name: "DB_PASSWORD", Value: target.Value{Text: samplePassword, Secret: true}},
			},
			Files: []target.File{{Path: "/etc/api/config.yaml", Content: []byte("listen: 8080\n")}},
		}},
		Ports: []target.Port{{Name: "web", Port: 80, TargetPort: 8080, Protocol: "TCP"}},
	})
	if withWorker {
		d.Workloads = append(d.Workloads, target.Workload{
			Name:       "worker",
			Containers: []target.Container{{Name: "main", Image: "registry.example/worker:1"}},
		})
	}
	if withRobot {
		d.Manifests = append(d.Manifests, map[string]any{
			"apiVersion": "v1", "kind": "ServiceAccount",
			"metadata": map[string]any{"name": app + "-robot"},
		})
	}
	return d
}

func config(kc []byte, extra ...any) target.Config {
	cfg := target.Config{"kubeconfig": string(kc), "rolloutTimeout": "60s"}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i].(string)] = extra[i+1]
	}
	return cfg
}

func get(t *testing.T, c dynamic.Interface, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := c.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get %s %s/%s: %v", gvr.Resource, ns, name, err)
	}
	return u
}

func absent(t *testing.T, c dynamic.Interface, gvr schema.GroupVersionResource, ns, name string) {
	t.Helper()
	_, err := c.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("%s %s/%s: want it gone, got err %v", gvr.Resource, ns, name, err)
	}
}

// create makes an object as another tool would, outside pave.
func create(t *testing.T, c dynamic.Interface, gvr schema.GroupVersionResource, obj map[string]any) {
	t.Helper()
	u := &unstructured.Unstructured{Object: obj}
	if _, err := c.Resource(gvr).Namespace(u.GetNamespace()).Create(context.Background(), u, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create %s %s: %v", gvr.Resource, u.GetName(), err)
	}
}

// envOf returns the env entries of the Deployment's first container by name.
func envOf(t *testing.T, dep *unstructured.Unstructured) map[string]map[string]any {
	t.Helper()
	containers, _, _ := unstructured.NestedSlice(dep.Object, "spec", "template", "spec", "containers")
	if len(containers) == 0 {
		t.Fatalf("Deployment %s has no containers", dep.GetName())
	}
	env, _, _ := unstructured.NestedSlice(containers[0].(map[string]any), "env")
	out := map[string]map[string]any{}
	for _, e := range env {
		m := e.(map[string]any)
		out[m["name"].(string)] = m
	}
	return out
}

// TestLifecycle deploys, redeploys with changes and destroys a sample
// deployment on the real API server, in the namespace pave creates.
func TestLifecycle(t *testing.T) {
	kc := requireCluster(t)
	c := adminClient(t)
	ctx := context.Background()
	tgt := New(Options{PollInterval: 100 * time.Millisecond})
	const ns = "shop-dev"
	stop := rolloutSimulator(t, c, ns)
	defer stop()

	// First deployment.
	var evs events
	if err := tgt.Deploy(ctx, config(kc), sample("shop", "dev", "1", true, true), evs.add); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	nsObj := get(t, c, namespaceGVR, "", ns)
	if !hasLabels(nsObj.GetLabels(), kube.AppLabels("shop", "dev")) {
		t.Errorf("namespace labels = %v, want pave's", nsObj.GetLabels())
	}
	secret := get(t, c, secretsGVR, ns, "api-secrets")
	if got, _, _ := unstructured.NestedString(secret.Object, "data", "DB_PASSWORD"); got != base64.StdEncoding.EncodeToString([]byte(samplePassword)) {
		t.Errorf("Secret api-secrets DB_PASSWORD = %q, want the password", got)
	}
	api := get(t, c, deploymentsGVR, ns, "api")
	env := envOf(t, api)
	if _, plain := env["DB_PASSWORD"]["value"]; plain {
		t.Errorf("DB_PASSWORD is a plain value in the Deployment: %v", env["DB_PASSWORD"])
	}
	ref, _, _ := unstructured.NestedStringMap(env["DB_PASSWORD"], "valueFrom", "secretKeyRef")
	if ref["name"] != "api-secrets" || ref["key"] != "DB_PASSWORD" {
		t.Errorf("DB_PASSWORD valueFrom = %v, want secretKeyRef api-secrets/DB_PASSWORD", env["DB_PASSWORD"])
	}
	if env["API_VERSION"]["value"] != "1" {
		t.Errorf("API_VERSION = %v, want 1", env["API_VERSION"])
	}
	if !managedByPave(api) {
		t.Errorf("Deployment api: no server-side apply entry of field manager %q: %v", FieldManager, api.GetManagedFields())
	}
	files := get(t, c, configMapGVR, ns, "api-files")
	if data, _, _ := unstructured.NestedStringMap(files.Object, "data"); !containsValue(data, "listen: 8080\n") {
		t.Errorf("ConfigMap api-files data = %v, want the file", data)
	}
	svc := get(t, c, servicesGVR, ns, "api")
	if ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports"); len(ports) != 1 {
		t.Errorf("Service api ports = %v", ports)
	}
	get(t, c, deploymentsGVR, ns, "worker")
	get(t, c, serviceAcctGVR, ns, "shop-robot")
	for _, want := range []struct{ phase, workload, msg string }{
		{"applying", "api", "Deployment.apps shop-dev/api"},
		{"applying", "api", "Secret shop-dev/api-secrets"},
		{"applying", "", "ServiceAccount shop-dev/shop-robot"},
		{"waiting", "worker", ""},
		{"ready", "api", "1 of 1 ready"},
		{"ready", "worker", ""},
	} {
		if !evs.has(want.phase, want.workload, want.msg) {
			t.Errorf("no %q event of workload %q mentioning %q in %+v", want.phase, want.workload, want.msg, evs.evs)
		}
	}
	for _, ev := range evs.evs {
		if strings.Contains(ev.Message, samplePassword) {
			t.Errorf("event holds the secret: %+v", ev)
		}
	}

	// Objects pave must never touch: one without labels, one of another
	// app with pave's labels.
	create(t, c, configMapGVR, map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "hand-made", "namespace": ns}, "data": map[string]any{"k": "v"}})
	other := kube.AppLabels("other", "dev")
	otherLabels := map[string]any{}
	for k, v := range other {
		otherLabels[k] = v
	}
	create(t, c, configMapGVR, map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "other-app", "namespace": ns, "labels": otherLabels}})

	status, err := tgt.Status(ctx, config(kc), "shop", "dev")
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if len(status) != 2 || status[0].Workload != "api" || status[0].State != "running" || status[0].Ready != 1 || status[0].Desired != 1 ||
		status[1].Workload != "worker" || status[1].State != "running" {
		t.Errorf("status = %+v, want api and worker running 1/1", status)
	}

	// Second deployment: api changes, worker and the robot go.
	evs = events{}
	if err := tgt.Deploy(ctx, config(kc), sample("shop", "dev", "2", false, false), evs.add); err != nil {
		t.Fatalf("redeploy: %v", err)
	}
	api = get(t, c, deploymentsGVR, ns, "api")
	if env := envOf(t, api); env["API_VERSION"]["value"] != "2" {
		t.Errorf("after redeploy API_VERSION = %v, want 2", env["API_VERSION"])
	}
	if api.GetGeneration() < 2 {
		t.Errorf("Deployment api generation = %d, want a new one", api.GetGeneration())
	}
	absent(t, c, deploymentsGVR, ns, "worker")
	absent(t, c, serviceAcctGVR, ns, "shop-robot")
	get(t, c, configMapGVR, ns, "hand-made")
	get(t, c, configMapGVR, ns, "other-app")
	if !evs.has("pruned", "worker", "Deployment.apps shop-dev/worker") || !evs.has("pruned", "", "ServiceAccount shop-dev/shop-robot") {
		t.Errorf("no pruned events for worker and shop-robot: %+v", evs.evs)
	}

	// Destroy. The other app's ConfigMap would keep the namespace alive
	// (TestSharedNamespace checks that); it goes first.
	if err := c.Resource(configMapGVR).Namespace(ns).Delete(ctx, "other-app", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := tgt.Destroy(ctx, config(kc), "shop", "dev"); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	assertNothingLeft(t, c, "shop", "dev", ns)
	nsObj, err = c.Resource(namespaceGVR).Get(ctx, ns, metav1.GetOptions{})
	// Without a namespace controller the namespace stays Terminating.
	if err == nil && nsObj.GetDeletionTimestamp() == nil {
		t.Errorf("namespace %s is not being deleted", ns)
	} else if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	// Destroy again: nothing to do is success.
	if err := tgt.Destroy(ctx, config(kc), "shop", "dev"); err != nil {
		t.Fatalf("second destroy: %v", err)
	}
	// A deploy into the terminating namespace says so.
	err = tgt.Deploy(ctx, config(kc), sample("shop", "dev", "3", false, false), nil)
	if nsObj != nil && (!errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), "being deleted")) {
		t.Errorf("deploy into a terminating namespace: %v, want a conflict", err)
	}
}

// assertNothingLeft fails when any object of a kind pave manages, or the
// inventory, is left for app in env.
func assertNothingLeft(t *testing.T, c dynamic.Interface, app, env, ns string) {
	t.Helper()
	sel := metav1.ListOptions{LabelSelector: "pave.dev/app=" + app + ",pave.dev/env=" + env}
	for _, gvr := range []schema.GroupVersionResource{deploymentsGVR, statefulSetsGVR, servicesGVR, configMapGVR, secretsGVR, serviceAcctGVR} {
		l, err := c.Resource(gvr).List(context.Background(), sel)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range l.Items {
			if u.GetDeletionTimestamp() == nil {
				t.Errorf("%s %s/%s is left", gvr.Resource, u.GetNamespace(), u.GetName())
			}
		}
	}
}

func managedByPave(u *unstructured.Unstructured) bool {
	for _, mf := range u.GetManagedFields() {
		if mf.Manager == FieldManager && mf.Operation == metav1.ManagedFieldsOperationApply {
			return true
		}
	}
	return false
}

func containsValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}
