package kubernetes

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/testenv/kubetest"
)

// The integration tests run against a real etcd and kube-apiserver,
// shared by the tests of this binary (kubetest.APIServer). There is no
// kubelet and no controller-manager: nothing turns a Deployment into
// ReplicaSets and Pods, and nothing writes its status. Tests that need a
// rollout to complete play the Deployment controller's part with
// rolloutSimulator, which writes the status subresource exactly as the
// controller does once every replica is ready; the timeout tests write
// none (or a failing one) and check what Deploy reports. The tests in
// kwok_test.go use a control plane with the real controllers.

func TestMain(m *testing.M) {
	code := m.Run()
	kubetest.StopAll()
	os.Exit(code)
}

// requireCluster returns a kubeconfig (content) of an administrator of the
// shared API server, or skips t with the reason it cannot start.
func requireCluster(t testing.TB) []byte {
	t.Helper()
	return kubetest.APIServer(t).Kubeconfig
}

// adminClient is a dynamic client of the shared API server.
func adminClient(t testing.TB) dynamic.Interface {
	t.Helper()
	return kubetest.APIServer(t).Client(t)
}

// Resources the tests read and write directly.
var (
	deploymentsGVR  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	statefulSetsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	secretsGVR      = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	servicesGVR     = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	serviceAcctGVR  = schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
)

// rolloutSimulator plays the part of the Deployment and StatefulSet
// controllers for the workloads in namespace ns: until stopped, it writes
// to the status subresource of each one whose status lags its spec what
// the controller writes once every desired replica runs the current
// template and is ready and available. No ReplicaSets or Pods exist.
func rolloutSimulator(t testing.TB, c dynamic.Interface, ns string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			for _, gvr := range []schema.GroupVersionResource{deploymentsGVR, statefulSetsGVR} {
				l, err := c.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
				if err != nil {
					continue
				}
				for i := range l.Items {
					markRolledOut(ctx, c, gvr, &l.Items[i])
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() { cancel(); <-done }
}

// markRolledOut writes a rolled-out status to u unless it has one.
func markRolledOut(ctx context.Context, c dynamic.Interface, gvr schema.GroupVersionResource, u *unstructured.Unstructured) {
	n, found, _ := unstructured.NestedInt64(u.Object, "spec", "replicas")
	if !found {
		n = 1
	}
	if ro := rolloutOf(u); ro.done {
		return
	}
	status := map[string]any{
		"observedGeneration": u.GetGeneration(),
		"replicas":           n,
		"updatedReplicas":    n,
		"readyReplicas":      n,
		"availableReplicas":  n,
	}
	now := time.Now().UTC().Format(time.RFC3339)
	if gvr == deploymentsGVR {
		status["conditions"] = []any{
			map[string]any{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
				"message": "Deployment has minimum availability.", "lastUpdateTime": now, "lastTransitionTime": now},
			map[string]any{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
				"message": fmt.Sprintf("ReplicaSet %q has successfully progressed.", u.GetName()+"-sim"), "lastUpdateTime": now, "lastTransitionTime": now},
		}
	} else {
		rev := fmt.Sprintf("%s-%d", u.GetName(), u.GetGeneration())
		status["currentReplicas"] = n
		status["currentRevision"] = rev
		status["updateRevision"] = rev
	}
	u.Object["status"] = status
	_, err := c.Resource(gvr).Namespace(u.GetNamespace()).UpdateStatus(ctx, u, metav1.UpdateOptions{})
	if err != nil && !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "rollout simulator:", err)
	}
}

// events collects progress events.
type events struct {
	mu  sync.Mutex
	evs []target.Event
}

func (e *events) add(ev target.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, ev)
}

// has reports whether an event of phase mentions msg in its message.
func (e *events) has(phase, workload, msg string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.evs {
		if ev.Phase == phase && (workload == "" || ev.Workload == workload) && strings.Contains(ev.Message, msg) {
			return true
		}
	}
	return false
}
