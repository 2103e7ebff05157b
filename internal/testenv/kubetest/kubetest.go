// Package kubetest starts real Kubernetes control planes for integration
// tests, from the binaries .ci/deps builds into $KUBEBUILDER_ASSETS
// (default $PAVE_TEST_CACHE/kubebuilder/bin), or skips the test saying
// what is missing. Two kinds are shared by the tests of one binary, each
// started on first use:
//
//   - APIServer: etcd and kube-apiserver only (controller-runtime's
//     envtest). Nothing turns a Deployment into ReplicaSets and Pods, and
//     nothing deletes a terminating namespace.
//   - Kwok: a second etcd and kube-apiserver with the real
//     kube-controller-manager (Deployment, ReplicaSet, garbage collector
//     and namespace controllers) and kube-scheduler, and kwok playing the
//     kubelet of one simulated node, "kwok-node-0", which marks the pods
//     bound to it Running and Ready (its "fast" stages, which .ci/deps
//     installs). Nothing runs in the pods: images are never pulled.
//
// A test binary that uses them calls StopAll from its TestMain.
package kubetest

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

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/pavedev/pave/internal/testenv"
)

// Cluster is a running control plane.
type Cluster struct {
	// Env is envtest's handle, for adding users.
	Env *envtest.Environment
	// Config and Kubeconfig are an administrator's (group system:masters).
	Config     *rest.Config
	Kubeconfig []byte

	// dir holds the kubeconfig file and the logs of the processes the
	// Kwok cluster starts besides etcd and kube-apiserver.
	dir   string
	procs []*exec.Cmd
}

var (
	apiOnce sync.Once
	api     *Cluster
	apiSkip string

	kwokOnce sync.Once
	kwok     *Cluster
	kwokSkip string
)

// APIServer returns the shared etcd and kube-apiserver, started on first
// use, or skips t with the reason they cannot start.
func APIServer(t testing.TB) *Cluster {
	t.Helper()
	apiOnce.Do(func() { api, apiSkip = startControlPlane() })
	if apiSkip != "" {
		t.Skip(apiSkip)
	}
	return api
}

// Kwok returns the shared control plane with controllers, scheduler and a
// kwok node, started on first use, or skips t with the reason it cannot
// start. When t fails, the end of the controllers' and kwok's logs is
// logged.
func Kwok(t testing.TB) *Cluster {
	t.Helper()
	kwokOnce.Do(func() { kwok, kwokSkip = startKwok() })
	if kwokSkip != "" {
		t.Skip(kwokSkip)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(kwok.Logs())
		}
	})
	return kwok
}

// StopAll stops every control plane this package started.
func StopAll() {
	for _, c := range []*Cluster{kwok, api} {
		if c != nil {
			c.stop()
		}
	}
}

// Client is a dynamic client of c as its administrator.
func (c *Cluster) Client(t testing.TB) dynamic.Interface {
	t.Helper()
	dc, err := dynamic.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	return dc
}

// Logs returns the last lines of the logs of the processes c started
// besides etcd and kube-apiserver.
func (c *Cluster) Logs() string {
	if c == nil || c.dir == "" {
		return ""
	}
	var b strings.Builder
	logs, _ := filepath.Glob(filepath.Join(c.dir, "*.log"))
	for _, l := range logs {
		data, _ := os.ReadFile(l)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		fmt.Fprintf(&b, "\n--- %s (last lines):\n%s", filepath.Base(l), strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
	return b.String()
}

func (c *Cluster) stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		_ = c.procs[i].Process.Kill()
		_ = c.procs[i].Wait()
	}
	if err := c.Env.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stop the test control plane:", err)
	}
	if c.dir != "" {
		_ = os.RemoveAll(c.dir)
	}
}

// AssetsDir is where etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler are.
func AssetsDir() string {
	testenv.LoadCachedEnv()
	if d := os.Getenv("KUBEBUILDER_ASSETS"); d != "" {
		return d
	}
	return filepath.Join(testenv.CacheDir(), "kubebuilder", "bin")
}

// startControlPlane starts etcd and kube-apiserver from the assets, or
// says why it cannot.
func startControlPlane() (*Cluster, string) {
	dir := AssetsDir()
	apiserver := filepath.Join(dir, "kube-apiserver")
	if !isExecutable(apiserver) {
		return nil, fmt.Sprintf("kube-apiserver is not in %s (KUBEBUILDER_ASSETS): run .ci/deps to build it", dir)
	}
	// .ci/deps links etcd into the assets; until it has, the one in PATH
	// will do.
	etcd := filepath.Join(dir, "etcd")
	if !isExecutable(etcd) {
		var err error
		if etcd, err = exec.LookPath("etcd"); err != nil {
			return nil, fmt.Sprintf("etcd is neither in %s (KUBEBUILDER_ASSETS) nor in PATH: run .ci/deps", dir)
		}
	}
	// envtest logs through controller-runtime, which otherwise complains,
	// with a stack trace, that no logger is set.
	ctrllog.SetLogger(logr.Discard())
	env := &envtest.Environment{ControlPlaneStartTimeout: 90 * time.Second}
	env.ControlPlane.Etcd = &envtest.Etcd{Path: etcd}
	env.ControlPlane.APIServer = &envtest.APIServer{Path: apiserver}
	cfg, err := env.Start()
	if err != nil {
		_ = env.Stop()
		return nil, "the test control plane does not start: " + err.Error()
	}
	user, err := env.AddUser(envtest.User{Name: "pave-admin", Groups: []string{"system:masters"}}, cfg)
	if err != nil {
		_ = env.Stop()
		return nil, "cannot add a test user: " + err.Error()
	}
	kc, err := user.KubeConfig()
	if err != nil {
		_ = env.Stop()
		return nil, "cannot write a kubeconfig: " + err.Error()
	}
	return &Cluster{Env: env, Config: user.Config(), Kubeconfig: kc}, ""
}

var (
	nodeGVR           = schema.GroupVersionResource{Version: "v1", Resource: "nodes"}
	serviceAccountGVR = schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
)

// startKwok starts a control plane with controllers, scheduler and kwok,
// or says why it cannot.
func startKwok() (*Cluster, string) {
	dir := AssetsDir()
	for _, bin := range []string{"kube-controller-manager", "kube-scheduler"} {
		if !isExecutable(filepath.Join(dir, bin)) {
			return nil, fmt.Sprintf("%s is not in %s (KUBEBUILDER_ASSETS): run .ci/deps to build it", bin, dir)
		}
	}
	kwokBin := os.Getenv("PAVE_KWOK_BINARY")
	if !isExecutable(kwokBin) {
		var ok bool
		if kwokBin, ok = testenv.Binary("kwok"); !ok {
			return nil, "kwok is not installed (PAVE_KWOK_BINARY, or kwok in PATH): run .ci/deps"
		}
	}
	stages := filepath.Join(testenv.CacheDir(), "kwok", "stages.yaml")
	if _, err := os.Stat(stages); err != nil {
		return nil, stages + " (kwok's stage configs) is missing: run .ci/deps"
	}
	c, why := startControlPlane()
	if c == nil {
		return nil, why
	}
	if why := c.startKwokProcesses(dir, kwokBin, stages); why != "" {
		logs := c.Logs()
		c.stop()
		return nil, why + logs
	}
	return c, ""
}

func (c *Cluster) startKwokProcesses(assets, kwokBin, stages string) string {
	var err error
	if c.dir, err = os.MkdirTemp("", "pave-kwok-"); err != nil {
		return err.Error()
	}
	kc := filepath.Join(c.dir, "kubeconfig")
	if err := os.WriteFile(kc, c.Kubeconfig, 0o600); err != nil {
		return err.Error()
	}
	start := func(name string, args ...string) error {
		log, err := os.Create(filepath.Join(c.dir, filepath.Base(name)+".log"))
		if err != nil {
			return err
		}
		cmd := exec.Command(name, args...)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			log.Close()
			return fmt.Errorf("start %s: %w", name, err)
		}
		c.procs = append(c.procs, cmd)
		return nil
	}
	if err := start(filepath.Join(assets, "kube-controller-manager"), "--kubeconfig", kc, "--leader-elect=false",
		"--bind-address", "127.0.0.1", "--secure-port", "0",
		"--service-account-private-key-file", filepath.Join(c.Env.ControlPlane.APIServer.CertDir, "sa-signer.key"),
		"--use-service-account-credentials=false"); err != nil {
		return err.Error()
	}
	if err := start(filepath.Join(assets, "kube-scheduler"), "--kubeconfig", kc, "--leader-elect=false",
		"--bind-address", "127.0.0.1", "--secure-port", "0"); err != nil {
		return err.Error()
	}
	if err := start(kwokBin, "--kubeconfig", kc, "--config", stages, "--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector", "kwok.x-k8s.io/node=fake",
		"--node-ip", "10.0.1.1", "--cidr", "10.0.1.0/24", "--server-address", "127.0.0.1:0"); err != nil {
		return err.Error()
	}
	dc, err := dynamic.NewForConfig(c.Config)
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
	if _, err := dc.Resource(nodeGVR).Create(ctx, node, metav1.CreateOptions{}); err != nil {
		return "create the kwok node: " + err.Error()
	}
	// The node Ready says kwok works; the default ServiceAccount, which
	// the serviceaccount controller creates, that the controllers do.
	for range 240 {
		n, err := dc.Resource(nodeGVR).Get(ctx, "kwok-node-0", metav1.GetOptions{})
		_, saErr := dc.Resource(serviceAccountGVR).Namespace("default").Get(ctx, "default", metav1.GetOptions{})
		if err == nil && nodeReady(n) && saErr == nil {
			return ""
		}
		time.Sleep(250 * time.Millisecond)
	}
	return "the kwok node is not Ready or the controllers do not run after 60s:"
}

func nodeReady(n *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(n.Object, "status", "conditions")
	for _, x := range conds {
		if m, ok := x.(map[string]any); ok && m["type"] == "Ready" && m["status"] == "True" {
			return true
		}
	}
	return false
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}
