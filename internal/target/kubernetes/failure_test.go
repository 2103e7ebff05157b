package kubernetes

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/pavedev/pave/internal/errs"
)

// waitFor polls until the object exists and returns it.
func waitFor(t *testing.T, c dynamic.Interface, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	for range 600 {
		u, err := c.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err == nil {
			return u
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s %s/%s never appeared", gvr.Resource, ns, name)
	return nil
}

// failDeployment plays the Deployment controller's part for a rollout that
// cannot finish: it creates the new ReplicaSet and its Pod, whose image
// cannot be pulled, the events the controllers and the kubelet would
// record (one of them, as a badly written controller might, quotes a
// secret value), and the Deployment's status with the given Progressing
// condition.
func failDeployment(t *testing.T, c dynamic.Interface, dep *unstructured.Unstructured, progressing map[string]any) {
	t.Helper()
	ctx := context.Background()
	ns, name := dep.GetNamespace(), dep.GetName()
	selector, _, _ := unstructured.NestedStringMap(dep.Object, "spec", "selector", "matchLabels")
	labels := map[string]any{}
	for k, v := range selector {
		labels[k] = v
	}
	template, _, _ := unstructured.NestedMap(dep.Object, "spec", "template")
	owner := func(kind, name string, uid any) []any {
		return []any{map[string]any{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": uid, "controller": true}}
	}
	rsName := name + "-5d8f"
	rs := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "ReplicaSet",
		"metadata": map[string]any{"name": rsName, "namespace": ns, "labels": labels,
			"ownerReferences": owner("Deployment", name, string(dep.GetUID()))},
		"spec": map[string]any{"replicas": int64(1), "selector": map[string]any{"matchLabels": labels}, "template": template},
	}}
	rs, err := c.Resource(replicaSetGVR).Namespace(ns).Create(ctx, rs, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	podName := rsName + "-x1"
	podSpec, _, _ := unstructured.NestedMap(template, "spec")
	pod := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": podName, "namespace": ns, "labels": labels,
			"ownerReferences": []any{map[string]any{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rsName,
				"uid": string(rs.GetUID()), "controller": true}}},
		"spec": podSpec,
	}}
	pod, err = c.Resource(podGVR).Namespace(ns).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	containers, _, _ := unstructured.NestedSlice(podSpec, "containers")
	image, _, _ := unstructured.NestedString(containers[0].(map[string]any), "image")
	cname, _, _ := unstructured.NestedString(containers[0].(map[string]any), "name")
	pod.Object["status"] = map[string]any{
		"phase": "Pending",
		"containerStatuses": []any{map[string]any{
			"name": cname, "image": image, "imageID": "", "ready": false, "restartCount": int64(0), "started": false,
			"state": map[string]any{"waiting": map[string]any{"reason": "ImagePullBackOff",
				"message": fmt.Sprintf("Back-off pulling image %q", image)}},
		}},
	}
	if _, err := c.Resource(podGVR).Namespace(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	event := func(n int, involved *unstructured.Unstructured, typ, reason, msg string) {
		at := now.Add(time.Duration(n) * time.Second).Format(time.RFC3339)
		ev := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Event",
			"metadata": map[string]any{"name": fmt.Sprintf("%s.%d", involved.GetName(), n), "namespace": ns},
			"involvedObject": map[string]any{"apiVersion": involved.GetAPIVersion(), "kind": involved.GetKind(),
				"name": involved.GetName(), "namespace": ns, "uid": string(involved.GetUID())},
			"type": typ, "reason": reason, "message": msg, "count": int64(1),
			"firstTimestamp": at, "lastTimestamp": at,
			"source": map[string]any{"component": "pave-test"},
		}}
		if _, err := c.Resource(eventGVR).Namespace(ns).Create(ctx, ev, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	event(1, dep, "Normal", "ScalingReplicaSet", "Scaled up replica set "+rsName+" from 0 to 1")
	event(2, rs, "Normal", "SuccessfulCreate", "Created pod: "+podName)
	event(3, pod, "Warning", "Failed", fmt.Sprintf("Failed to pull image %q: not found", image))
	event(4, pod, "Warning", "BackOff", "Back-off; last environment had DB_PASSWORD="+samplePassword)

	now2 := now.Format(time.RFC3339)
	progressing["lastUpdateTime"], progressing["lastTransitionTime"] = now2, now2
	dep = waitFor(t, c, deploymentsGVR, ns, name)
	dep.Object["status"] = map[string]any{
		"observedGeneration": dep.GetGeneration(),
		"replicas":           int64(1), "updatedReplicas": int64(1), "unavailableReplicas": int64(1),
		"conditions": []any{
			map[string]any{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
				"message": "Deployment does not have minimum availability.", "lastUpdateTime": now2, "lastTransitionTime": now2},
			progressing,
		},
	}
	if _, err := c.Resource(deploymentsGVR).Namespace(ns).UpdateStatus(ctx, dep, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestRolloutTimeout: a rollout that does not finish in rolloutTimeout
// fails with each unfinished workload's conditions, pod states and
// events, secret values redacted. The "api" Deployment's controller part
// is played by failDeployment; nothing plays the "worker"'s, as if the
// controller were down.
func TestRolloutTimeout(t *testing.T) {
	kc := requireCluster(t)
	c := adminClient(t)
	tgt := New(Options{PollInterval: 100 * time.Millisecond})
	var evs events
	done := make(chan error, 1)
	go func() {
		done <- tgt.Deploy(context.Background(), config(kc, "rolloutTimeout", "8s"), sample("slow", "dev", "1", true, false), evs.add)
	}()
	dep := waitFor(t, c, deploymentsGVR, "slow-dev", "api")
	failDeployment(t, c, dep, map[string]any{"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
		"message": `ReplicaSet "api-5d8f" is progressing.`})
	err := <-done
	if err == nil {
		t.Fatal("deploy succeeded, want a timeout")
	}
	if !errs.Is(err, errs.Transient) {
		t.Errorf("code = %s, want transient", errs.CodeOf(err))
	}
	msg := err.Error()
	t.Logf("the error:\n%s", msg)
	for _, want := range []string{
		"rollout of slow/dev not complete after 8s",
		"Deployment.apps slow-dev/api: 0 of 1 ready, 1 updated, 0 available",
		"condition Available=False MinimumReplicasUnavailable: Deployment does not have minimum availability.",
		`condition Progressing=True ReplicaSetUpdated: ReplicaSet "api-5d8f" is progressing.`,
		`pod api-5d8f-x1 container main: waiting: ImagePullBackOff Back-off pulling image "registry.example/api:1"`,
		"event Normal ScalingReplicaSet Deployment/api: Scaled up replica set api-5d8f from 0 to 1",
		"event Normal SuccessfulCreate ReplicaSet/api-5d8f: Created pod: api-5d8f-x1",
		`event Warning Failed Pod/api-5d8f-x1: Failed to pull image "registry.example/api:1": not found`,
		"event Warning BackOff Pod/api-5d8f-x1: Back-off; last environment had DB_PASSWORD=" + Redacted,
		"Deployment.apps slow-dev/worker: 0 of 1 ready, 0 updated, 0 available; the controller has not yet seen generation 1 (saw 0)",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error lacks %q", want)
		}
	}
	if strings.Contains(msg, samplePassword) {
		t.Error("the error holds the secret value")
	}
	// Events are in time order: the Deployment's, the ReplicaSet's, the Pod's.
	if i, j := strings.Index(msg, "ScalingReplicaSet"), strings.Index(msg, "BackOff Pod"); i < 0 || j < i {
		t.Error("events are not in time order")
	}
	if !evs.has("failed", "api", "0 of 1 ready") || !evs.has("failed", "worker", "") || !evs.has("waiting", "api", "") {
		t.Errorf("want waiting and failed events, got %+v", evs.evs)
	}
	if err := tgt.Destroy(context.Background(), config(kc), "slow", "dev"); err != nil {
		t.Fatal(err)
	}
}

// TestProgressDeadlineExceeded: a Deployment whose controller reports the
// progress deadline exceeded fails at once, long before rolloutTimeout.
func TestProgressDeadlineExceeded(t *testing.T) {
	kc := requireCluster(t)
	c := adminClient(t)
	tgt := New(Options{PollInterval: 100 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- tgt.Deploy(ctx, config(kc, "rolloutTimeout", "1h"), sample("stuck", "dev", "1", false, false), nil)
	}()
	dep := waitFor(t, c, deploymentsGVR, "stuck-dev", "api")
	failDeployment(t, c, dep, map[string]any{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
		"message": `ReplicaSet "api-5d8f" has timed out progressing.`})
	err := <-done
	if err == nil || ctx.Err() != nil {
		t.Fatalf("deploy: %v (context: %v), want a failure before the context ends", err, ctx.Err())
	}
	for _, want := range []string{
		"rollout of stuck/dev failed",
		`Deployment.apps stuck-dev/api: progress deadline exceeded: ReplicaSet "api-5d8f" has timed out progressing.`,
		"ImagePullBackOff",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%s", want, err)
		}
	}
	if err := tgt.Destroy(context.Background(), config(kc), "stuck", "dev"); err != nil {
		t.Fatal(err)
	}
}

// TestDeployErrors: what the cluster refuses comes back with a code and
// the object named.
func TestDeployErrors(t *testing.T) {
	kc := requireCluster(t)
	tgt := New(Options{})
	cases := []struct {
		name     string
		manifest map[string]any
		code     errs.Code
		want     string
	}{
		{"unknown kind", map[string]any{"apiVersion": "widgets.example.com/v1", "kind": "Widget",
			"metadata": map[string]any{"name": "w"}}, errs.Invalid, "does not serve kind Widget of apiVersion widgets.example.com/v1"},
		{"invalid object", map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "bad_name!"}}, errs.Invalid, `ConfigMap errors-dev/bad_name!`},
		{"cluster-scoped with namespace", map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
			"metadata": map[string]any{"name": "pave-test-role", "namespace": "x"}}, errs.Invalid, "cluster-scoped"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := sample("errors", "dev", "1", false, false)
			d.Manifests = []map[string]any{tc.manifest}
			err := tgt.Deploy(context.Background(), config(kc), d, nil)
			if !errs.Is(err, tc.code) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("deploy: %v (%s), want %s mentioning %q", err, errs.CodeOf(err), tc.code, tc.want)
			}
		})
	}
	if err := tgt.Destroy(context.Background(), config(kc), "errors", "dev"); err != nil {
		t.Fatal(err)
	}
}
