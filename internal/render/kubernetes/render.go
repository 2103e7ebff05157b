// Package kubernetes renders a resolved deployment (target.Deployment) into
// Kubernetes objects. It is pure: objects are plain JSON-shaped values
// (map[string]any, []any, string, int64, bool) that client-go's dynamic
// client accepts as unstructured content, and Result.YAML encodes them as a
// deterministic multi-document stream.
//
// What each workload becomes, in namespace Options.Namespace (default
// "<app>-<env>" made a DNS label):
//
//   - a Deployment, or a StatefulSet when the workload annotation
//     pave.dev/kind says so, with one replica and the labels
//     app.kubernetes.io/{name,instance,managed-by} and
//     pave.dev/{app,env,workload}, which are also its selector;
//   - a ConfigMap "<workload>-files" holding its non-secret files (binary
//     content under binaryData), each mounted read-only with subPath at the
//     file's path and the file's mode;
//   - a Secret "<workload>-secrets" holding its secret variables (key = the
//     variable name) and secret files; secret variables reach containers
//     only through valueFrom.secretKeyRef, never as plain values;
//   - a Service "<workload>" when it has service ports.
//
// A volume's source is the name of a PersistentVolumeClaim in the same
// namespace: the volume resource's driver provides the claim, and the pod
// mounts it with persistentVolumeClaim.claimName = source.
//
// Plain environment values, commands and arguments have every "$" doubled,
// because Kubernetes expands "$(VAR)" and reduces "$$" to "$" in those
// fields; the process sees exactly the resolved value.
//
// The pod template carries the annotation pave.dev/config-hash, a hash of
// the workload's ConfigMap and Secret content, so that changing a variable
// or a file rolls the pods even though subPath mounts are not refreshed.
package kubernetes

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/render"
	"github.com/pavedev/pave/internal/target"
)

// Labels and annotations pave reads or writes.
const (
	LabelName       = "app.kubernetes.io/name"
	LabelInstance   = "app.kubernetes.io/instance"
	LabelManagedBy  = "app.kubernetes.io/managed-by"
	LabelApp        = "pave.dev/app"
	LabelEnv        = "pave.dev/env"
	LabelWorkload   = "pave.dev/workload"
	AnnotationKind  = "pave.dev/kind"
	AnnotationHash  = "pave.dev/config-hash"
	ManagedByPave   = "pave"
	annotationPave  = "pave.dev/"
	defaultFileMode = 0o644
)

// Options tune Render.
type Options struct {
	// Namespace receives every generated object. Empty means "<app>-<env>"
	// made a DNS label (lower case, other characters become '-', at most 63
	// characters). A non-empty value must already be a DNS label.
	Namespace string
	// OmitNamespace leaves the Namespace object out of the result, for
	// namespaces the platform creates and owns. Set it whenever several
	// app environments share Namespace: the Namespace object carries one
	// app's labels, and a target that prunes by label would remove it.
	OmitNamespace bool
	// HashKey, when not empty, makes pave.dev/config-hash an HMAC-SHA256
	// under this key instead of a plain SHA-256, so that the annotation,
	// which may be written to Git, is no offline guessing oracle for
	// low-entropy secret values. Targets should pass a stable platform key.
	HashKey []byte
}

// Result is a rendered deployment.
type Result struct {
	// Namespace is the namespace of the generated objects.
	Namespace string
	// Objects are every object but Secrets, in apply order (see Less).
	Objects []map[string]any
	// Secrets are the generated Secrets and every v1 Secret among the extra
	// manifests, in name order. Their data holds secret values (base64):
	// apply them, never write or log them.
	Secrets []map[string]any
}

// Render turns d into Kubernetes objects. Invalid input is an errs.Invalid
// error naming the workload, container and field at fault.
func Render(d *target.Deployment, opts Options) (*Result, error) {
	if d == nil {
		return nil, errs.New(errs.Invalid, "deployment is missing")
	}
	if d.App == "" || d.Env == "" {
		return nil, errs.New(errs.Invalid, "deployment needs an app and an environment")
	}
	if err := render.CheckText(d); err != nil {
		return nil, err
	}
	ns := opts.Namespace
	if ns == "" {
		ns = DefaultNamespace(d.App, d.Env)
		if ns == "" {
			return nil, errs.New(errs.Invalid, "app %q and environment %q give no usable namespace name; set one", d.App, d.Env)
		}
	} else if !isDNSLabel(ns) {
		return nil, errs.New(errs.Invalid, "namespace %q is not a DNS label (lower-case letters, digits and '-', at most 63)", ns)
	}
	rc := &renderContext{
		d:         d,
		ns:        ns,
		key:       opts.HashKey,
		appLabels: map[string]any{},
	}
	for k, v := range AppLabels(d.App, d.Env) {
		rc.appLabels[k] = v
	}
	res := &Result{Namespace: ns}
	if !opts.OmitNamespace {
		res.Objects = append(res.Objects, object("v1", "Namespace", "", ns, copyMap(rc.appLabels)))
	}
	var problems errs.List
	seen := map[string]bool{}
	for i := range d.Workloads {
		w := &d.Workloads[i]
		if seen[w.Name] {
			problems.Add(errs.New(errs.Invalid, "workload %q is listed twice", w.Name))
			continue
		}
		seen[w.Name] = true
		objs, secret, err := rc.workload(w)
		if err != nil {
			problems.Add(err)
			continue
		}
		res.Objects = append(res.Objects, objs...)
		if secret != nil {
			res.Secrets = append(res.Secrets, secret)
		}
	}
	for i, m := range d.Manifests {
		obj, err := rc.manifest(i, m)
		if err != nil {
			problems.Add(err)
			continue
		}
		if isSecret(obj) {
			res.Secrets = append(res.Secrets, obj)
		} else {
			res.Objects = append(res.Objects, obj)
		}
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	sortObjects(res.Objects)
	sortObjects(res.Secrets)
	all := res.All()
	if err := checkUnique(all); err != nil {
		return nil, err
	}
	return res, nil
}

// All returns the Secrets and the other objects together, in apply order.
func (r *Result) All() []map[string]any {
	all := make([]map[string]any, 0, len(r.Objects)+len(r.Secrets))
	i, j := 0, 0
	for i < len(r.Objects) && j < len(r.Secrets) {
		if Compare(r.Secrets[j], r.Objects[i]) < 0 {
			all = append(all, r.Secrets[j])
			j++
		} else {
			all = append(all, r.Objects[i])
			i++
		}
	}
	all = append(all, r.Objects[i:]...)
	return append(all, r.Secrets[j:]...)
}

// renderContext is what every workload of one deployment shares.
type renderContext struct {
	d         *target.Deployment
	ns        string
	key       []byte
	appLabels map[string]any
}

// object returns a new object with apiVersion, kind and metadata.
func object(apiVersion, kind, ns, name string, labels map[string]any) map[string]any {
	meta := map[string]any{"name": name}
	if ns != "" {
		meta["namespace"] = ns
	}
	if len(labels) > 0 {
		meta["labels"] = labels
	}
	return map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta}
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func isSecret(obj map[string]any) bool {
	return obj["apiVersion"] == "v1" && obj["kind"] == "Secret"
}

// kindOrder is the apply order of well-known kinds: what others depend on
// comes first. Unknown kinds (custom resources) go last.
var kindOrder = func() map[string]int {
	m := map[string]int{}
	for i, k := range []string{
		"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget",
		"ServiceAccount", "Secret", "ConfigMap", "StorageClass", "PersistentVolume",
		"PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding",
		"Role", "RoleBinding", "Service", "DaemonSet", "Pod", "ReplicaSet", "Deployment",
		"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
		"APIService",
	} {
		m[k] = i
	}
	return m
}()

// Compare orders objects for applying: by kind (well-known kinds in
// dependency order, then others by name), then namespace, then name. It
// returns a negative number when a comes first.
func Compare(a, b map[string]any) int {
	return compareKeys(sortKeyOf(a), sortKeyOf(b))
}

type sortKey struct {
	order                      int
	kind, ns, name, apiVersion string
}

func sortKeyOf(o map[string]any) sortKey {
	k := sortKey{kind: str(o["kind"]), apiVersion: str(o["apiVersion"])}
	var ok bool
	if k.order, ok = kindOrder[k.kind]; !ok {
		k.order = len(kindOrder)
	}
	meta, _ := o["metadata"].(map[string]any)
	k.ns, k.name = str(meta["namespace"]), str(meta["name"])
	return k
}

func compareKeys(a, b sortKey) int {
	return cmp.Or(cmp.Compare(a.order, b.order), strings.Compare(a.kind, b.kind),
		strings.Compare(a.ns, b.ns), strings.Compare(a.name, b.name),
		strings.Compare(a.apiVersion, b.apiVersion))
}

// sortObjects sorts objs in place by Compare, computing each key once.
func sortObjects(objs []map[string]any) {
	type keyed struct {
		key sortKey
		obj map[string]any
	}
	ks := make([]keyed, len(objs))
	for i, o := range objs {
		ks[i] = keyed{sortKeyOf(o), o}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return compareKeys(a.key, b.key) })
	for i := range ks {
		objs[i] = ks[i].obj
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// checkUnique fails when two objects share group, kind, namespace and name
// (an extra manifest that collides with a generated object, for example).
func checkUnique(objs []map[string]any) error {
	seen := make(map[string]bool, len(objs))
	for _, o := range objs {
		meta, _ := o["metadata"].(map[string]any)
		group, _, _ := strings.Cut(str(o["apiVersion"]), "/")
		if !strings.Contains(str(o["apiVersion"]), "/") {
			group = ""
		}
		id := group + "|" + str(o["kind"]) + "|" + str(meta["namespace"]) + "|" + str(meta["name"])
		if seen[id] {
			where := str(meta["name"])
			if ns := str(meta["namespace"]); ns != "" {
				where = ns + "/" + where
			}
			return errs.New(errs.Invalid, "two objects are %s %q; names must be unique", str(o["kind"]), where)
		}
		seen[id] = true
	}
	return nil
}
