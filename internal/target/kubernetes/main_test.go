package kubernetes

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/testenv"
)

// The integration tests run against a real etcd and kube-apiserver,
// started once per test binary by controller-runtime's envtest from the
// binaries .ci/deps builds into $KUBEBUILDER_ASSETS (default
// $PAVE_TEST_CACHE/kubebuilder/bin). There is no kubelet and no
// controller-manager: nothing turns a Deployment into ReplicaSets and
// Pods, and nothing writes its status. Tests that need a rollout to
// complete play the Deployment controller's part with rolloutSimulator,
// which writes the status subresource exactly as the controller does once
// every replica is ready; the timeout tests write none (or a failing one)
// and check what Deploy reports.

var (
	clusterOnce sync.Once
	clusterEnv  *envtest.Environment
	clusterCfg  *rest.Config
	clusterKC   []byte
	clusterSkip string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if clusterEnv != nil {
		if err := clusterEnv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop the test control plane:", err)
		}
	}
	os.Exit(code)
}

// assetsDir is where etcd and kube-apiserver are.
func assetsDir() string {
	testenv.LoadCachedEnv()
	if d := os.Getenv("KUBEBUILDER_ASSETS"); d != "" {
		return d
	}
	return filepath.Join(testenv.CacheDir(), "kubebuilder", "bin")
}

// requireCluster starts the test control plane on first use and returns a
// kubeconfig (content) of an administrator, or skips t with the reason.
func requireCluster(t testing.TB) []byte {
	t.Helper()
	clusterOnce.Do(func() {
		dir := assetsDir()
		apiserver := filepath.Join(dir, "kube-apiserver")
		if !isExecutable(apiserver) {
			clusterSkip = fmt.Sprintf("kube-apiserver is not in %s (KUBEBUILDER_ASSETS): run .ci/deps to build it", dir)
			return
		}
		// .ci/deps links Debian's etcd into the assets; until it has, the
		// one in PATH will do.
		etcd := filepath.Join(dir, "etcd")
		if !isExecutable(etcd) {
			var err error
			if etcd, err = exec.LookPath("etcd"); err != nil {
				clusterSkip = fmt.Sprintf("etcd is neither in %s (KUBEBUILDER_ASSETS) nor in PATH: run .ci/deps", dir)
				return
			}
		}
		env := &envtest.Environment{ControlPlaneStartTimeout: 90 * time.Second}
		env.ControlPlane.Etcd = &envtest.Etcd{Path: etcd}
		env.ControlPlane.APIServer = &envtest.APIServer{Path: apiserver}
		cfg, err := env.Start()
		if err != nil {
			clusterSkip = "the test control plane does not start: " + err.Error()
			_ = env.Stop()
			return
		}
		user, err := env.AddUser(envtest.User{Name: "pave-admin", Groups: []string{"system:masters"}}, cfg)
		if err != nil {
			clusterSkip = "cannot add a test user: " + err.Error()
			_ = env.Stop()
			return
		}
		kc, err := user.KubeConfig()
		if err != nil {
			clusterSkip = "cannot write a kubeconfig: " + err.Error()
			_ = env.Stop()
			return
		}
		clusterEnv, clusterCfg, clusterKC = env, user.Config(), kc
	})
	if clusterSkip != "" {
		t.Skip(clusterSkip)
	}
	return clusterKC
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// adminClient is a dynamic client of the test cluster.
func adminClient(t testing.TB) dynamic.Interface {
	t.Helper()
	requireCluster(t)
	c, err := dynamic.NewForConfig(clusterCfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
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
