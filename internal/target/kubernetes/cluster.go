package kubernetes

import (
	"context"
	"os"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/pavedev/pave/internal/errs"
)

// cluster is a connection to one API server.
type cluster struct {
	dyn    dynamic.Interface
	mapper meta.ResettableRESTMapperWithContext
	host   string
}

// connect builds a client for the cluster the settings name. It does not
// talk to the API server yet. Errors never quote the kubeconfig: it holds
// credentials.
func connect(s settings) (*cluster, error) {
	var raw *clientcmdapi.Config
	var err error
	where := "the kubeconfig given in the target config"
	if s.kubeconfigPath != "" {
		where = "kubeconfig file " + s.kubeconfigPath
		var content []byte
		content, err = os.ReadFile(s.kubeconfigPath)
		if err != nil {
			code := errs.Invalid
			if !os.IsNotExist(err) {
				code = errs.Internal
			}
			return nil, errs.Wrap(code, err, "kubernetes target: cannot read %s", where)
		}
		raw, err = clientcmd.Load(content)
	} else {
		raw, err = clientcmd.Load(s.kubeconfig)
	}
	if err != nil {
		// The parser's message may quote the file, credentials and all.
		return nil, errs.New(errs.Invalid, "kubernetes target: %s is not a valid kubeconfig (YAML or JSON of kind Config)", where)
	}
	if s.context != "" {
		if _, ok := raw.Contexts[s.context]; !ok {
			return nil, errs.New(errs.Invalid, "kubernetes target: %s has no context %q", where, s.context)
		}
	}
	cc := clientcmd.NewNonInteractiveClientConfig(*raw, s.context, &clientcmd.ConfigOverrides{}, nil)
	rc, err := cc.ClientConfig()
	if err != nil {
		return nil, errs.New(errs.Invalid, "kubernetes target: %s is not usable: %s", where, clientConfigProblem(err))
	}
	return newCluster(rc)
}

// clientConfigProblem describes why a kubeconfig is not usable, in words
// that quote no credential: clientcmd's errors name contexts, clusters and
// users, and file paths, never tokens or keys.
func clientConfigProblem(err error) string {
	if clientcmd.IsEmptyConfig(err) {
		return "it names no cluster (set current-context or the target's context)"
	}
	if clientcmd.IsConfigurationInvalid(err) {
		return "invalid configuration: " + err.Error()
	}
	return err.Error()
}

// newCluster builds the dynamic client and a discovery-backed REST mapper
// for rc.
func newCluster(rc *rest.Config) (*cluster, error) {
	rc = rest.CopyConfig(rc)
	rc.UserAgent = "pave"
	if rc.QPS == 0 {
		rc.QPS, rc.Burst = 50, 100
	}
	dyn, err := dynamic.NewForConfig(rc)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "kubernetes target: cannot build a client for %s: %s", rc.Host, err.Error())
	}
	dc, err := discovery.NewDiscoveryClientForConfig(rc)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "kubernetes target: cannot build a discovery client for %s: %s", rc.Host, err.Error())
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapperWithContext(memory.NewMemCacheClientWithContext(dc))
	return &cluster{dyn: dyn, mapper: mapper, host: rc.Host}, nil
}

// mapping finds the resource of gvk. A kind the cluster does not serve is
// an errs.Invalid error.
func (c *cluster) mapping(ctx context.Context, gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := c.mapper.RESTMappingWithContext(ctx, gvk.GroupKind(), gvk.Version)
	if err != nil {
		if meta.IsNoMatchError(err) {
			return nil, errs.Wrap(errs.Invalid, err, "the cluster at %s does not serve kind %s of apiVersion %s", c.host, gvk.Kind, gvk.GroupVersion().String())
		}
		return nil, apiError(err, "find kind %s of apiVersion %s", gvk.Kind, gvk.GroupVersion().String())
	}
	return m, nil
}

// resource returns the client of m's resource in ns ("" for cluster-scoped
// resources or all namespaces).
func (c *cluster) resource(m *meta.RESTMapping, ns string) dynamic.ResourceInterface {
	r := c.dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace && ns != "" {
		return r.Namespace(ns)
	}
	return r
}

// namespaced reports whether m's resource lives in namespaces.
func namespaced(m *meta.RESTMapping) bool { return m.Scope.Name() == meta.RESTScopeNameNamespace }
