package kubernetes

import (
	"fmt"
	"math"
	"sort"
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

// knownKeys lists the config keys for error messages.
const knownKeys = "kubeconfig, kubeconfigPath, context, namespace, rolloutTimeout, hashKey"

// parseConfig checks cfg. Its errors never quote the kubeconfig or the
// hash key: both are secrets.
func parseConfig(cfg target.Config) (settings, error) {
	s := settings{rolloutTimeout: DefaultRolloutTimeout}
	var list errs.List
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := cfg[k]
		var err error
		var str string
		switch k {
		case "kubeconfig":
			if str, err = configString(v); err == nil {
				s.kubeconfig = []byte(str)
			}
		case "kubeconfigPath":
			s.kubeconfigPath, err = configString(v)
		case "context":
			s.context, err = configString(v)
		case "namespace":
			if s.namespace, err = configString(v); err == nil && s.namespace != "" && !kube.IsDNSLabel(s.namespace) {
				err = fmt.Errorf("%q is not a DNS label (lower-case letters, digits and '-', at most 63)", s.namespace)
			}
		case "rolloutTimeout":
			s.rolloutTimeout, err = configDuration(v)
		case "hashKey":
			if str, err = configString(v); err == nil {
				s.hashKey = []byte(str)
			}
		default:
			err = fmt.Errorf("unknown key; known keys are %s", knownKeys)
		}
		if err != nil {
			list.Add(&errs.Error{Code: errs.Invalid, Path: "/" + k, Message: "kubernetes target config: " + err.Error()})
		}
	}
	if err := list.Err(); err != nil {
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

func configString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("must be a string, not %s", typeName(v))
	}
	return s, nil
}

// configDuration accepts a Go duration string or a whole number of
// seconds, and refuses anything not positive or longer than a day.
func configDuration(v any) (time.Duration, error) {
	var d time.Duration
	switch n := v.(type) {
	case string:
		var err error
		if d, err = time.ParseDuration(n); err != nil {
			return 0, fmt.Errorf("%q is not a duration such as \"90s\"", n)
		}
	case int:
		d = seconds(float64(n))
	case int64:
		d = seconds(float64(n))
	case float64:
		if n != math.Trunc(n) {
			return 0, fmt.Errorf("must be a duration such as \"90s\" or a whole number of seconds")
		}
		d = seconds(n)
	default:
		return 0, fmt.Errorf("must be a duration such as \"90s\", not %s", typeName(v))
	}
	if d <= 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("must be more than 0 and at most 24h")
	}
	return d, nil
}

// seconds converts n seconds to a duration, mapping anything out of range
// to -1 (refused by the caller).
func seconds(n float64) time.Duration {
	if math.IsNaN(n) || n < 0 || n > 86400 {
		return -1
	}
	return time.Duration(n) * time.Second
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, int64, float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprintf("%T", v)
}
