package kubernetes

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/testenv/kubetest"
)

// The tests in this file need no simulation: they run on
// kubetest.Kwok's control plane, with the real kube-controller-manager and
// kube-scheduler and kwok playing the kubelet of one node, "kwok-node-0".

// requireKwokCluster returns an administrator's kubeconfig and client of
// the control plane with controllers, or skips t with the reason.
func requireKwokCluster(t testing.TB) (kubeconfig []byte, c dynamic.Interface) {
	t.Helper()
	k := kubetest.Kwok(t)
	return k.Kubeconfig, k.Client(t)
}

// TestRealRollout: the Deployment controller, the scheduler and kwok's
// node roll the workloads out; a redeploy rolls out a new ReplicaSet; the
// garbage collector and the namespace controller clean up after destroy.
func TestRealRollout(t *testing.T) {
	kc, c := requireKwokCluster(t)
	ctx := context.Background()
	tgt := New(Options{PollInterval: 200 * time.Millisecond})
	const ns = "real-dev"
	var evs events
	if err := tgt.Deploy(ctx, config(kc, "rolloutTimeout", "2m"), sample("real", "dev", "1", true, false), evs.add); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	pods := func(app string) []unstructured.Unstructured {
		l, err := c.Resource(podGVR).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: "pave.dev/workload=" + app})
		if err != nil {
			t.Fatal(err)
		}
		return l.Items
	}
	for _, w := range []string{"api", "worker"} {
		ps := pods(w)
		if len(ps) == 0 {
			t.Fatalf("no pods of %s", w)
		}
		node, _, _ := unstructured.NestedString(ps[0].Object, "spec", "nodeName")
		phase, _, _ := unstructured.NestedString(ps[0].Object, "status", "phase")
		if node != "kwok-node-0" || phase != "Running" {
			t.Errorf("pod %s: node %q phase %q, want Running on kwok-node-0", ps[0].GetName(), node, phase)
		}
	}
	st, err := tgt.Status(ctx, config(kc), "real", "dev")
	if err != nil || len(st) != 2 || st[0].State != "running" || st[1].State != "running" {
		t.Errorf("status = %+v, %v", st, err)
	}

	if err := tgt.Deploy(ctx, config(kc, "rolloutTimeout", "2m"), sample("real", "dev", "2", false, false), evs.add); err != nil {
		t.Fatalf("redeploy: %v", err)
	}
	rss, err := c.Resource(replicaSetGVR).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: "pave.dev/workload=api"})
	if err != nil || len(rss.Items) < 2 {
		t.Errorf("api ReplicaSets = %d, %v; want the old and the new", len(rss.Items), err)
	}
	for _, p := range pods("api") {
		if p.GetDeletionTimestamp() != nil {
			continue
		}
		cs, _, _ := unstructured.NestedSlice(p.Object, "spec", "containers")
		if img := cs[0].(map[string]any)["image"]; img != "registry.example/api:2" {
			t.Errorf("pod %s runs %v after the rollout", p.GetName(), img)
		}
	}

	if err := tgt.Destroy(ctx, config(kc), "real", "dev"); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	assertNothingLeft(t, c, "real", "dev", ns)
	for i := 0; ; i++ {
		_, err := c.Resource(namespaceGVR).Get(ctx, ns, metav1.GetOptions{})
		if err != nil {
			break
		}
		if i == 600 {
			t.Fatalf("namespace %s is not deleted by the namespace controller in 2 minutes", ns)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestRealRolloutUnschedulable: a workload that asks for more CPU than the
// node has is never scheduled; the deploy fails after rolloutTimeout with
// the scheduler's real event and the pod's condition.
func TestRealRolloutUnschedulable(t *testing.T) {
	kc, _ := requireKwokCluster(t)
	tgt := New(Options{PollInterval: 200 * time.Millisecond})
	d := sample("greedy", "dev", "1", false, false)
	d.Workloads[0].Containers[0].Requests = &target.Resources{CPU: "500"}
	err := tgt.Deploy(context.Background(), config(kc, "rolloutTimeout", "15s"), d, nil)
	if !errs.Is(err, errs.Transient) {
		t.Fatalf("deploy: %v, want a transient failure", err)
	}
	t.Logf("the error:\n%s", err)
	for _, want := range []string{
		"rollout of greedy/dev not complete after 15s",
		"Deployment.apps greedy-dev/api: 0 of 1 ready",
		"condition Available=False MinimumReplicasUnavailable",
		"not scheduled: Unschedulable",
		"Insufficient cpu",
		"event Warning FailedScheduling Pod/api-",
		"event Normal ScalingReplicaSet Deployment/api",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q", want)
		}
	}
	if strings.Contains(err.Error(), samplePassword) {
		t.Error("the error holds the secret value")
	}
	if err := tgt.Destroy(context.Background(), config(kc), "greedy", "dev"); err != nil {
		t.Fatal(err)
	}
}
