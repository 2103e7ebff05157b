package kubernetes

import (
	"maps"
	"slices"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/render/yamlout"
)

// YAML encodes the result as a multi-document YAML stream in apply order
// (see Compare), each document starting with "---".
//
// With includeSecrets, Secrets are encoded like every other object, values
// and all: only for piping straight into a cluster, never for files.
//
// Without it (for `pave render --out DIR` and GitOps repositories),
// Secrets are left out entirely and the stream starts with a comment that
// names each missing Secret and its keys. They are left out rather than
// written with placeholder values because applying a placeholder would
// overwrite the real Secret in the cluster; left out, the Secret applied
// by the kubernetes target (or provided by an external secrets operator
// under the same name and keys) stays as it is.
func (r *Result) YAML(includeSecrets bool) ([]byte, error) {
	objs := r.Objects
	b := make([]byte, 0, 2048*(len(r.Objects)+len(r.Secrets)))
	if includeSecrets {
		objs = r.All()
	} else if len(r.Secrets) > 0 {
		b = append(b, SecretsNotice(r.Secrets)...)
	}
	for _, o := range objs {
		b = append(b, "---\n"...)
		var err error
		if b, err = yamlout.Append(b, o); err != nil {
			meta, _ := o["metadata"].(map[string]any)
			return nil, errs.Wrap(errs.Invalid, err, "encode %s %q: %s", str(o["kind"]), str(meta["name"]), err.Error())
		}
	}
	return b, nil
}

// SecretsNotice is the YAML comment that stands for Secrets left out of a
// rendered stream: their names and keys, never their values.
func SecretsNotice(secrets []map[string]any) string {
	var b strings.Builder
	b.WriteString("# pave: these Secrets hold secret values and are not written here.\n")
	b.WriteString("# The kubernetes target applies them; for GitOps, provide them in the\n")
	b.WriteString("# cluster under the same names and keys (for example with an external\n")
	b.WriteString("# secrets operator).\n")
	for _, s := range secrets {
		meta, _ := s["metadata"].(map[string]any)
		name := str(meta["name"])
		if ns := str(meta["namespace"]); ns != "" {
			name = ns + "/" + name
		}
		var keys []string
		for _, field := range []string{"data", "stringData"} {
			if m, ok := s[field].(map[string]any); ok {
				keys = append(keys, slices.Collect(maps.Keys(m))...)
			}
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		b.WriteString("#   Secret " + commentSafe(name) + ": " + commentSafe(strings.Join(keys, ", ")) + "\n")
	}
	return b.String()
}

// commentSafe keeps a name on its comment line.
func commentSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, s)
}
