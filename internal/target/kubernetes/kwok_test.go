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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/testenv"
)

// The tests in this file need no simulation: a second control plane runs
// the real kube-controller-manager (Deployment, ReplicaSet, garbage
// collector and namespace controllers) and kube-scheduler, and kwok plays
// the kubelet of one simulated node, "kwok-node-0", marking the pods bound
// to it Running and Ready (its "fast" stages, which .ci/deps installs).
// Nothing runs in the pods: the images are never pulled.

var (
	kwokOnce sync.Once
	kwokCP   *controlPlane
	kwokSkip string
	kwokDir  string
	kwokProc []*exec.Cmd
)

// requireKwokCluster starts the control plane with controllers, scheduler
// and kwok on first use, or skips t with the reason.
func requireKwokCluster(t testing.TB) (kubeconfig []byte, c dynamic.Interface) {
	t.Helper()
	kwokOnce.Do(func() { kwokSkip = startKwokCluster() })
	if kwokSkip != "" {
		t.Skip(kwokSkip)
	}
	c, err := dynamic.NewForConfig(kwokCP.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(kwokLogs())
		}
	})
	return kwokCP.kubeconfig, c
}

// kwokLogs returns the last lines of the controllers' and kwok's logs.
func kwokLogs() string {
	var b strings.Builder
	logs, _ := filepath.Glob(filepath.Join(kwokDir, "*.log"))
	for _, l := range logs {
		data, _ := os.ReadFile(l)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		fmt.Fprintf(&b, "\n--- %s (last lines):\n%s", filepath.Base(l), strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
	return b.String()
}

func startKwokCluster() string {
	dir := assetsDir()
	for _, bin := range []string{"kube-controller-manager", "kube-scheduler"} {
		if !isExecutable(filepath.Join(dir, bin)) {
			return fmt.Sprintf("%s is not in %s (KUBEBUILDER_ASSETS): run .ci/deps to build it", bin, dir)
		}
	}
	kwok := os.Getenv("PAVE_KWOK_BINARY")
	if !isExecutable(kwok) {
		var ok bool
		if kwok, ok = testenv.Binary("kwok"); !ok {
			return "kwok is not installed (PAVE_KWOK_BINARY, or kwok in PATH): run .ci/deps"
		}
	}
	stages := filepath.Join(testenv.CacheDir(), "kwok", "stages.yaml")
	if _, err := os.Stat(stages); err != nil {
		return stages + " (kwok's stage configs) is missing: run .ci/deps"
	}
	cp, why := startControlPlane()
	if cp == nil {
		return why
	}
	kwokCP = cp
	var err error
	if kwokDir, err = os.MkdirTemp("", "pave-kwok-"); err != nil {
		return err.Error()
	}
	kc := filepath.Join(kwokDir, "kubeconfig")
	if err := os.WriteFile(kc, cp.kubeconfig, 0o600); err != nil {
		return err.Error()
	}
	start := func(name string, args ...string) error {
		log, err := os.Create(filepath.Join(kwokDir, filepath.Base(name)+".log"))
		if err != nil {
			return err
		}
		cmd := exec.Command(name, args...)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			log.Close()
			return fmt.Errorf("start %s: %w", name, err)
		}
		kwokProc = append(kwokProc, cmd)
		return nil
	}
	if err := start(filepath.Join(dir, "kube-controller-manager"), "--kubeconfig", kc, "--leader-elect=false",
		"--bind-address", "127.0.0.1", "--secure-port", "0",
		"--service-account-private-key-file", filepath.Join(cp.env.ControlPlane.APIServer.CertDir, "sa-signer.key"),
		"--use-service-account-credentials=false"); err != nil {
		return err.Error()
	}
	if err := start(filepath.Join(dir, "kube-scheduler"), "--kubeconfig", kc, "--leader-elect=false",
		"--bind-address", "127.0.0.1", "--secure-port", "0"); err != nil {
		return err.Error()
	}
	if err := start(kwok, "--kubeconfig", kc, "--config", stages, "--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector", "kwok.x-k8s.io/node=fake",
		"--node-ip", "10.0.1.1", "--cidr", "10.0.1.0/24", "--server-address", "127.0.0.1:0"); err != nil {
		return err.Error()
	}
	c, err := dynamic.NewForConfig(cp.cfg)
	if err != nil {
		return err.Error()
	}
	ctx := context.Background()
	node := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Node",
		"metadata": map[string]any{"name": "kwok-node-0",
			"annotations": map[string]any{"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
			"labels": map[string]any{"type": "kwok", "kubernetes.io/hostname": "kwok-node-0",
				"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}},
		"status": map[string]any{
			"allocatable": map[string]any{"cpu": "32", "memory": "256Gi", "pods": "110"},
			"capacity":    map[string]any{"cpu": "32", "memory": "256Gi", "pods": "110"},
		},
	}}
	if _, err := c.Resource(nodeGVR).Create(ctx, node, metav1.CreateOptions{}); err != nil {
		return "create the kwok node: " + err.Error()
	}
	// The node Ready says kwok works; the default ServiceAccount, which
	// the serviceaccount controller creates, that the controllers do.
	for range 240 {
		n, err := c.Resource(nodeGVR).Get(ctx, "kwok-node-0", metav1.GetOptions{})
		_, saErr := c.Resource(serviceAcctGVR).Namespace("default").Get(ctx, "default", metav1.GetOptions{})
		if err == nil && nodeReady(n) && saErr == nil {
			return ""
		}
		time.Sleep(250 * time.Millisecond)
	}
	return "the kwok node is not Ready or the controllers do not run after 60s:" + kwokLogs()
}

var nodeGVR = namespaceGVR.GroupVersion().WithResource("nodes")

func nodeReady(n *unstructured.Unstructured) bool {
	for _, c := range conditions(n) {
		if c.Type == "Ready" && c.Status == "True" {
			return true
		}
	}
	return false
}

// stopKwokCluster stops what startKwokCluster started.
func stopKwokCluster() {
	for i := len(kwokProc) - 1; i >= 0; i-- {
		_ = kwokProc[i].Process.Kill()
		_ = kwokProc[i].Wait()
	}
	if kwokCP != nil {
		_ = kwokCP.env.Stop()
	}
	if kwokDir != "" {
		_ = os.RemoveAll(kwokDir)
	}
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
