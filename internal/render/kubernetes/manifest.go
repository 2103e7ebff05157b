package kubernetes

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/pavedev/pave/internal/errs"
)

// maxManifestDepth bounds the nesting of an extra manifest.
const maxManifestDepth = 100

// manifest validates and copies extra manifest i: it must have apiVersion,
// kind and metadata.name strings. The copy holds only JSON-shaped values
// (integers become int64) and gets the app labels
// (app.kubernetes.io/managed-by, app.kubernetes.io/instance, pave.dev/app,
// pave.dev/env), which win over labels of the same keys, so that targets
// can find and prune it. Its namespace is left as given: the applier puts
// namespaced objects without one into Result.Namespace.
func (rc *renderContext) manifest(i int, m map[string]any) (map[string]any, error) {
	v, err := jsonValue(m, fmt.Sprintf("/manifests/%d", i), 0)
	if err != nil {
		return nil, err
	}
	obj := v.(map[string]any)
	where := fmt.Sprintf("manifest %d", i)
	for _, k := range []string{"apiVersion", "kind"} {
		if s, ok := obj[k].(string); !ok || s == "" {
			return nil, errs.New(errs.Invalid, "%s: %s must be a non-empty string", where, k)
		}
	}
	meta, ok := obj["metadata"].(map[string]any)
	if !ok {
		return nil, errs.New(errs.Invalid, "%s (%s): metadata must be a map", where, obj["kind"])
	}
	if s, ok := meta["name"].(string); !ok || s == "" {
		return nil, errs.New(errs.Invalid, "%s (%s): metadata.name must be a non-empty string", where, obj["kind"])
	}
	if ns, ok := meta["namespace"]; ok {
		if _, ok := ns.(string); !ok {
			return nil, errs.New(errs.Invalid, "%s (%s %q): metadata.namespace must be a string", where, obj["kind"], meta["name"])
		}
	}
	labels := map[string]any{}
	if l, ok := meta["labels"]; ok && l != nil {
		lm, ok := l.(map[string]any)
		if !ok {
			return nil, errs.New(errs.Invalid, "%s (%s %q): metadata.labels must be a map", where, obj["kind"], meta["name"])
		}
		labels = lm
	}
	for k, v := range rc.appLabels {
		labels[k] = v
	}
	meta["labels"] = labels
	return obj, nil
}

// jsonValue deep-copies v into the values unstructured objects hold:
// map[string]any, []any, string, int64, float64, bool and nil.
func jsonValue(v any, path string, depth int) (any, error) {
	if depth > maxManifestDepth {
		return nil, errs.New(errs.Invalid, "%s: nested more than %d levels deep", path, maxManifestDepth)
	}
	switch t := v.(type) {
	case nil, bool, int64:
		return t, nil
	case string:
		if !utf8.ValidString(t) {
			return nil, errs.New(errs.Invalid, "%s: text is not valid UTF-8", path)
		}
		return t, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if !utf8.ValidString(k) {
				return nil, errs.New(errs.Invalid, "%s: key %q is not valid UTF-8", path, k)
			}
			c, err := jsonValue(x, path+"/"+k, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case map[string]string:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if !utf8.ValidString(k) || !utf8.ValidString(x) {
				return nil, errs.New(errs.Invalid, "%s/%s: text is not valid UTF-8", path, k)
			}
			out[k] = x
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			c, err := jsonValue(x, fmt.Sprintf("%s/%d", path, i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case []string:
		out := make([]any, len(t))
		for i, x := range t {
			if !utf8.ValidString(x) {
				return nil, errs.New(errs.Invalid, "%s/%d: text is not valid UTF-8", path, i)
			}
			out[i] = x
		}
		return out, nil
	case []map[string]any:
		out := make([]any, len(t))
		for i, x := range t {
			c, err := jsonValue(x, fmt.Sprintf("%s/%d", path, i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case int:
		return int64(t), nil
	case int32:
		return int64(t), nil
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, errs.New(errs.Invalid, "%s: %v is not a JSON number", path, t)
		}
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int64(t), nil
		}
		return t, nil
	}
	return nil, errs.New(errs.Invalid, "%s: a value of type %T cannot be part of a manifest", path, v)
}
