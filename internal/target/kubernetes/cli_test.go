package kubernetes_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/pavedev/pave/internal/cli"
	"github.com/pavedev/pave/internal/target/kubernetes"
)

// The platform of the end-to-end test: one environment on the test
// cluster, its kubeconfig a platform secret; an "apikey" resource whose
// key is a secret output.
var platformFiles = map[string]string{
	"environment-types.yaml": `apiVersion: pave.dev/v1
kind: EnvironmentType
metadata:
  name: development
`,
	"environments.yaml": `apiVersion: pave.dev/v1
kind: Environment
metadata:
  name: cluster
spec:
  type: development
  target:
    kind: kubernetes
    config:
      kubeconfig: ${secrets.kube}
      rolloutTimeout: 60s
`,
	"types/apikey.yaml": `apiVersion: pave.dev/v1
kind: ResourceType
metadata:
  name: apikey
spec:
  description: an API key
  outputs:
    key: {type: string, secret: true}
`,
	"definitions/apikey.yaml": `apiVersion: pave.dev/v1
kind: ResourceDefinition
metadata:
  name: apikey
spec:
  type: apikey
  driver: static
  inputs:
    secrets:
      key: ${secrets.api-key}
`,
}

const apiScore = `apiVersion: score.dev/v1b1
metadata:
  name: api
containers:
  main:
    image: registry.example/api:VERSION
    variables:
      VERSION: "VERSION"
      API_KEY: ${resources.key.key}
    files:
      - target: /etc/api/config.yaml
        content: "listen: 8080\n"
service:
  ports:
    web:
      port: 80
      targetPort: 8080
resources:
  key:
    type: apikey
`

const workerScore = `apiVersion: score.dev/v1b1
metadata:
  name: worker
containers:
  main:
    image: registry.example/worker:1
`

const apiKey = "ak-7f3e9c1d-live-secret"

// TestCLIEndToEnd drives pave's CLI (cli.Main, as the binary does):
// secrets set, deploy, redeploy and destroy, through the service, the
// engine and the registered kubernetes target, against the real API
// server. The rollout simulator plays the Deployment controller.
func TestCLIEndToEnd(t *testing.T) {
	kc := kubernetes.RequireCluster(t)
	c := kubernetes.AdminClient(t)
	ctx := context.Background()
	dir := t.TempDir()
	for name, content := range platformFiles {
		p := filepath.Join(dir, "platform", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	state := filepath.Join(dir, "state")
	t.Setenv("PAVE_SECRET_KEY", "")
	pave := func(stdin string, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		code := cli.Main(ctx, args, strings.NewReader(stdin), &out, &errOut)
		if code != 0 {
			t.Fatalf("pave %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out.String(), errOut.String())
		}
		if s := out.String() + errOut.String(); strings.Contains(s, apiKey) {
			t.Errorf("pave %s printed the API key", args[0])
		}
		return out.String()
	}
	pave(string(kc), "secrets", "set", "kube", "--state", state)
	pave(apiKey, "secrets", "set", "api-key", "--state", state)
	const ns = "shop-cluster"
	stop := kubernetes.RolloutSimulator(t, c, ns)
	defer stop()

	common := []string{"--platform", filepath.Join(dir, "platform"), "--app", "shop", "--env", "cluster", "--state", state}
	api1 := write("api1.score.yaml", strings.ReplaceAll(apiScore, "VERSION", "1"))
	worker := write("worker.score.yaml", workerScore)
	out := pave("", append(append([]string{"deploy"}, common...), api1, worker)...)
	t.Logf("deploy:\n%s", out)

	gvr := func(group, resource string) schema.GroupVersionResource {
		return schema.GroupVersionResource{Group: group, Version: "v1", Resource: resource}
	}
	get := func(r schema.GroupVersionResource, name string) *unstructured.Unstructured {
		t.Helper()
		u, err := c.Resource(r).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("%s %s: %v", r.Resource, name, err)
		}
		return u
	}
	secret := get(gvr("", "secrets"), "api-secrets")
	if v, _, _ := unstructured.NestedString(secret.Object, "data", "API_KEY"); v != base64.StdEncoding.EncodeToString([]byte(apiKey)) {
		t.Errorf("Secret api-secrets API_KEY = %q", v)
	}
	api := get(gvr("apps", "deployments"), "api")
	containers, _, _ := unstructured.NestedSlice(api.Object, "spec", "template", "spec", "containers")
	envs, _, _ := unstructured.NestedSlice(containers[0].(map[string]any), "env")
	var sawRef bool
	for _, e := range envs {
		m := e.(map[string]any)
		if m["name"] == "API_KEY" {
			name, _, _ := unstructured.NestedString(m, "valueFrom", "secretKeyRef", "name")
			sawRef = name == "api-secrets" && m["value"] == nil
		}
	}
	if !sawRef {
		t.Errorf("API_KEY does not come from secretKeyRef api-secrets: %v", envs)
	}
	get(gvr("", "configmaps"), "api-files")
	get(gvr("", "services"), "api")
	get(gvr("apps", "deployments"), "worker")

	api2 := write("api2.score.yaml", strings.ReplaceAll(apiScore, "VERSION", "2"))
	pave("", append(append([]string{"deploy"}, common...), api2)...)
	api = get(gvr("apps", "deployments"), "api")
	containers, _, _ = unstructured.NestedSlice(api.Object, "spec", "template", "spec", "containers")
	if img := containers[0].(map[string]any)["image"]; img != "registry.example/api:2" {
		t.Errorf("after redeploy the image is %v", img)
	}
	if _, err := c.Resource(gvr("apps", "deployments")).Namespace(ns).Get(ctx, "worker", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("worker was not pruned: %v", err)
	}

	pave("", append([]string{"destroy"}, common...)...)
	for _, r := range []schema.GroupVersionResource{gvr("apps", "deployments"), gvr("", "services"), gvr("", "secrets"), gvr("", "configmaps")} {
		l, err := c.Resource(r).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: "pave.dev/app=shop,pave.dev/env=cluster"})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Items) > 0 {
			t.Errorf("%d %s of shop/cluster left", len(l.Items), r.Resource)
		}
	}
}
