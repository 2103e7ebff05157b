package kubernetes

import (
	"fmt"
	"time"

	"github.com/pavedev/pave/internal/errs"
	kube "github.com/pavedev/pave/internal/render/kubernetes"
	"github.com/pavedev/pave/internal/target"
)

// DefaultRolloutTimeout is how long a deploy waits for its rollout unless
// the config says otherwise.
const DefaultRolloutTimeout = 5 * time.Minute

// settings is the target config, checked.
type settings struct {
	// kubeconfig is a kubeconfig file's content; it holds credentials.
	kubeconfig     []byte
	kubeconfigPath string
	context        string
	namespace      string
	rolloutTimeout time.Duration
	hashKey        []byte
}

var configInputs = []target.Input{
	{Name: "kubeconfig", Type: "string", Description: "the content of a kubeconfig file (usually ${secrets.<name>}); set this or kubeconfigPath"},
	{Name: "kubeconfigPath", Type: "string", Description: "the path of a kubeconfig file; set this or kubeconfig"},
	{Name: "context", Type: "string", Description: "the kubeconfig context to use; default: its current context"},
	{Name: "namespace", Type: "string", Description: "the namespace of the app environment's objects; default <app>-<env> made a DNS label. It is created when missing"},
	{Name: "rolloutTimeout", Type: "duration", Description: "how long a deploy waits for Deployments and StatefulSets to roll out (\"90s\", or a number of seconds); default 5m"},
	{Name: "hashKey", Type: "string", Description: "key of the HMAC in the pods' pave.dev/config-hash annotation (usually ${secrets.<name>}); default: a plain SHA-256"},
}

// parseConfig checks cfg. Its errors never quote the kubeconfig or the
// hash key: both are secrets.
func parseConfig(cfg target.Config) (settings, error) {
	s := settings{rolloutTimeout: DefaultRolloutTimeout}
	r := target.NewConfigReader("kubernetes", configInputs)
	r.Read(cfg, func(k string, v any) error {
		var err error
		var str string
		switch k {
		case "kubeconfig":
			if str, err = target.ConfigString(v); err == nil {
				s.kubeconfig = []byte(str)
			}
		case "kubeconfigPath":
			s.kubeconfigPath, err = target.ConfigString(v)
		case "context":
			s.context, err = target.ConfigString(v)
		case "namespace":
			if s.namespace, err = target.ConfigString(v); err == nil && s.namespace != "" && !kube.IsDNSLabel(s.namespace) {
				err = fmt.Errorf("%q is not a DNS label (lower-case letters, digits and '-', at most 63)", s.namespace)
			}
		case "rolloutTimeout":
			s.rolloutTimeout, err = target.ConfigDuration(v, 0)
		case "hashKey":
			if str, err = target.ConfigString(v); err == nil {
				s.hashKey = []byte(str)
			}
		}
		return err
	})
	if err := r.Err(); err != nil {
		return s, err
	}
	switch {
	case len(s.kubeconfig) > 0 && s.kubeconfigPath != "":
		return s, errs.New(errs.Invalid, "kubernetes target config: set kubeconfig or kubeconfigPath, not both")
	case len(s.kubeconfig) == 0 && s.kubeconfigPath == "":
		return s, errs.New(errs.Invalid, "kubernetes target config: set kubeconfig (a kubeconfig file's content) or kubeconfigPath")
	}
	return s, nil
}
