package main

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	kube "github.com/pavedev/pave/internal/render/kubernetes"
	"github.com/pavedev/pave/internal/testenv/kubetest"
)

// kubeEnvironments puts development and staging on the test cluster,
// whose kubeconfig is the platform secret "kube".
const kubeEnvironments = `apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: development
spec:
  type: development
  target:
    kind: kubernetes
    config:
      kubeconfig: ${secrets.kube}
      rolloutTimeout: 3m
---
apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: staging
spec:
  type: staging
  target:
    kind: kubernetes
    config:
      kubeconfig: ${secrets.kube}
      rolloutTimeout: 3m
`

var (
	namespacesGVR  = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	deploymentsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	podsGVR        = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	servicesGVR    = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	secretsGVR     = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
)

// TestShopOnKubernetes is the sample shop's life on the kubernetes target,
// on a real kube-apiserver with the real Deployment, ReplicaSet, garbage
// collector and namespace controllers, the scheduler, and kwok's node
// running the pods (kubetest.Kwok); its database and cache are real
// (PostgreSQL and Redis on this machine). After both environments are
// destroyed no object pave labelled, and no namespace, is left.
func TestShopOnKubernetes(t *testing.T) {
	// Staging's postgres is the sample platform's OpenTofu module.
	requireStagingTools(t)
	cluster := kubetest.Kwok(t)
	k := &kubeCheck{t: t, c: cluster.Client(t)}
	r := newShopRun(t, kubeEnvironments)
	r.cleanup("staging", "development")
	r.secret("kube", string(cluster.Kubeconfig))
	r.secret("staging-postgres-admin-password", stagingAdminPassword(t))
	dev, staging := r.app+"-development", r.app+"-staging"

	// Version 1: both workloads, rolled out on the node.
	r.deploy("development", r.files(shopVersion{}))
	for _, name := range []string{"shop-api", "shop-worker"} {
		k.rolledOut(dev, name, "ghcr.io/pavedev/shop-api:1.0.0")
	}
	k.get(servicesGVR, dev, "shop-api")
	devRes := resources(t, r.dir, r.app, "development", true)
	k.secretHolds(dev, "shop-api-secrets", "DB_PASSWORD", revealed(t, devRes, "postgres", "password"))
	k.get(secretsGVR, dev, "shop-worker-secrets")

	// Version 2: a new image and variable; the worker and the API's
	// service are gone, so their objects must be pruned.
	v2 := shopVersion{image: "ghcr.io/pavedev/shop-api:1.1.0", release: "2", noService: true, noWorker: true}
	r.deploy("development", r.files(v2))
	api := k.rolledOut(dev, "shop-api", "ghcr.io/pavedev/shop-api:1.1.0")
	if got := k.env(api)["SHOP_RELEASE"]; got != "2" {
		t.Errorf("SHOP_RELEASE of shop-api = %q after the change, want 2", got)
	}
	k.absent(deploymentsGVR, dev, "shop-worker")
	k.absent(secretsGVR, dev, "shop-worker-secrets")
	k.absent(servicesGVR, dev, "shop-api")

	// Promotion: version 2 in its own namespace with staging's database.
	r.promote("development", "staging")
	api = k.rolledOut(staging, "shop-api", "ghcr.io/pavedev/shop-api:1.1.0")
	if got := k.env(api)["SHOP_RELEASE"]; got != "2" {
		t.Errorf("SHOP_RELEASE of staging's shop-api = %q, want 2", got)
	}
	k.absent(deploymentsGVR, staging, "shop-worker")
	k.absent(servicesGVR, staging, "shop-api")
	stagingRes := resources(t, r.dir, r.app, "staging", true)
	k.secretHolds(staging, "shop-api-secrets", "DB_PASSWORD", revealed(t, stagingRes, "postgres", "password"))

	r.destroy("staging")
	r.destroy("development")
	k.namespaceGone(dev)
	k.namespaceGone(staging)
	k.nothingLabelled(cluster, kube.LabelApp+"="+r.app)
	k.nothingLabelled(cluster, kube.LabelManagedBy+"="+kube.ManagedByPave)
	assertGone(t, append(devRes, stagingRes...))
}

// kubeCheck reads what is in the test cluster.
type kubeCheck struct {
	t *testing.T
	c dynamic.Interface
}

func (k *kubeCheck) get(gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	k.t.Helper()
	u, err := k.c.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		k.t.Fatalf("%s %s/%s: %v", gvr.Resource, ns, name, err)
	}
	return u
}

func (k *kubeCheck) absent(gvr schema.GroupVersionResource, ns, name string) {
	k.t.Helper()
	_, err := k.c.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		k.t.Errorf("%s %s/%s: want it gone, got err %v", gvr.Resource, ns, name, err)
	}
}

// rolledOut checks that Deployment name runs image, that the controller
// reports it available, and that its live pods run image on kwok's node.
func (k *kubeCheck) rolledOut(ns, name, image string) *unstructured.Unstructured {
	k.t.Helper()
	d := k.get(deploymentsGVR, ns, name)
	containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	if len(containers) != 1 || containers[0].(map[string]any)["image"] != image {
		k.t.Errorf("Deployment %s/%s containers = %v, want one running %s", ns, name, containers, image)
	}
	if n, _, _ := unstructured.NestedInt64(d.Object, "status", "availableReplicas"); n != 1 {
		k.t.Errorf("Deployment %s/%s has %d available replicas, want 1", ns, name, n)
	}
	pods, err := k.c.Resource(podsGVR).Namespace(ns).List(context.Background(), metav1.ListOptions{LabelSelector: kube.LabelWorkload + "=" + name})
	if err != nil {
		k.t.Fatal(err)
	}
	live := 0
	for _, p := range pods.Items {
		if p.GetDeletionTimestamp() != nil {
			continue
		}
		live++
		node, _, _ := unstructured.NestedString(p.Object, "spec", "nodeName")
		phase, _, _ := unstructured.NestedString(p.Object, "status", "phase")
		cs, _, _ := unstructured.NestedSlice(p.Object, "spec", "containers")
		if node != "kwok-node-0" || phase != "Running" || len(cs) != 1 || cs[0].(map[string]any)["image"] != image {
			k.t.Errorf("pod %s/%s: node %q, phase %q, containers %v; want %s Running on kwok-node-0", ns, p.GetName(), node, phase, cs, image)
		}
	}
	if live == 0 {
		k.t.Errorf("Deployment %s/%s has no live pods", ns, name)
	}
	return d
}

// env returns the plain variables of the Deployment's first container.
func (k *kubeCheck) env(d *unstructured.Unstructured) map[string]string {
	containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	out := map[string]string{}
	if len(containers) == 0 {
		return out
	}
	env, _, _ := unstructured.NestedSlice(containers[0].(map[string]any), "env")
	for _, e := range env {
		m := e.(map[string]any)
		if v, ok := m["value"].(string); ok {
			out[m["name"].(string)] = v
		}
	}
	return out
}

// secretHolds checks that Secret name holds value under key.
func (k *kubeCheck) secretHolds(ns, name, key, value string) {
	k.t.Helper()
	s := k.get(secretsGVR, ns, name)
	if got, _, _ := unstructured.NestedString(s.Object, "data", key); got != base64.StdEncoding.EncodeToString([]byte(value)) {
		k.t.Errorf("Secret %s/%s does not hold the resource's %s", ns, name, key)
	}
}

// namespaceGone waits until the namespace controller has deleted ns.
func (k *kubeCheck) namespaceGone(ns string) {
	k.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		_, err := k.c.Resource(namespacesGVR).Get(context.Background(), ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return
		}
		if time.Now().After(deadline) {
			k.t.Fatalf("namespace %s is not deleted 3 minutes after destroy (err %v)", ns, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// nothingLabelled fails unless no object of any kind the API server
// serves, in any namespace, has the label selector sel.
func (k *kubeCheck) nothingLabelled(cluster *kubetest.Cluster, sel string) {
	k.t.Helper()
	cfg := rest.CopyConfig(cluster.Config)
	cfg.WarningHandler = rest.NoWarnings{} // about deprecated kinds listed
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		k.t.Fatal(err)
	}
	c, err := dynamic.NewForConfig(cfg)
	if err != nil {
		k.t.Fatal(err)
	}
	lists, err := dc.ServerPreferredResources()
	if err != nil {
		k.t.Fatalf("discovery: %v", err)
	}
	kinds := 0
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			k.t.Fatal(err)
		}
		for _, res := range l.APIResources {
			if strings.Contains(res.Name, "/") || !slices.Contains(res.Verbs, "list") {
				continue
			}
			kinds++
			items, err := c.Resource(gv.WithResource(res.Name)).List(context.Background(), metav1.ListOptions{LabelSelector: sel})
			if err != nil {
				k.t.Errorf("list %s: %v", res.Name, err)
				continue
			}
			for _, u := range items.Items {
				k.t.Errorf("%s %s/%s with %s is left", res.Kind, u.GetNamespace(), u.GetName(), sel)
			}
		}
	}
	if kinds < 20 {
		k.t.Errorf("looked into %d kinds only", kinds)
	}
}

// revealed returns output key of the resource of type typ in rs.
func revealed(t *testing.T, rs []resourceView, typ, key string) string {
	t.Helper()
	for _, r := range rs {
		if r.Type == typ {
			if v, ok := r.Outputs[key].(string); ok && v != "********" {
				return v
			}
		}
	}
	t.Fatalf("no revealed %s output %q in %+v", typ, key, rs)
	return ""
}
